package io.meshfed.agent.collect;

/** Fetches pages of one list; the first page has no continue token. */
@FunctionalInterface
public interface ListPager {
  /**
   * @param continueToken null or "" for the first page
   * @param limit the page size to ask for
   * @throws KubeException when the request fails ({@link KubeException#GONE} for an expired token)
   */
  ListPage fetch(String continueToken, int limit);
}
