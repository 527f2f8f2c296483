package io.meshfed.agent.collect;

/** A collector that reads the member's API server through {@link KubeAccess}. */
abstract class KubeCollector implements Collector {
  protected final KubeAccess kube;
  private final String name;

  KubeCollector(String name, KubeAccess kube) {
    this.name = name;
    this.kube = kube;
  }

  @Override
  public final String name() {
    return name;
  }
}
