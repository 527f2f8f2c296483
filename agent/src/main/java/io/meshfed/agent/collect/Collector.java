package io.meshfed.agent.collect;

/**
 * One capability the agent observes. {@link #collect} fills the collector's own part of
 * {@link Results}; it reports expected failures (not found, forbidden, unreachable) in its error
 * fields itself. Anything it throws is caught by {@link HealthCollector} and handed to
 * {@link #fail}.
 */
public interface Collector {
  /** A short name for logs, e.g. {@code cilium}. */
  String name();

  /** True when it reads the Kubernetes API (skipped while the API is unreachable). */
  default boolean needsKubernetes() {
    return true;
  }

  void collect(Results results);

  /** Records {@code error} as this collector's result (it could not run, or threw). */
  void fail(Results results, String error);

  /** This collector's current error text, "" when none: logged when it changes. */
  String error(Results results);
}
