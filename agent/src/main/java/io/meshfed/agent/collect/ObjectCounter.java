package io.meshfed.agent.collect;

import io.meshfed.api.health.v1.ObjectCount;

/**
 * Counts a kind without holding its objects.
 *
 * <ol>
 *   <li>List with {@code limit=1}. No continue token: the one page is everything (exact). A
 *       {@code metadata.remainingItemCount}: items + remaining (exact; API servers give it for
 *       lists without selectors).</li>
 *   <li>Otherwise walk the rest with pages of {@link #pageSize}, counting items (the caller's
 *       pager asks for metadata only). A complete walk is exact; a walk that ran out of its page
 *       budget or whose continue token expired (HTTP 410) is a lower bound ({@code exact=false}).</li>
 * </ol>
 */
public final class ObjectCounter {
  public static final int DEFAULT_PAGE_SIZE = 500;
  /** 200 pages of 500: beyond 100,000 objects the count is a lower bound. */
  public static final int DEFAULT_MAX_PAGES = 200;

  private final int pageSize;
  private final int maxPages;

  public ObjectCounter() {
    this(DEFAULT_PAGE_SIZE, DEFAULT_MAX_PAGES);
  }

  public ObjectCounter(int pageSize, int maxPages) {
    if (pageSize < 1 || maxPages < 1) {
      throw new IllegalArgumentException("pageSize and maxPages must be positive");
    }
    this.pageSize = pageSize;
    this.maxPages = maxPages;
  }

  /** The count of what {@code pager} lists; never throws for a failed request (it becomes the error). */
  public ObjectCount count(ListPager pager) {
    ListPage first;
    try {
      first = pager.fetch(null, 1);
    } catch (KubeException e) {
      return failed(e);
    }
    if (first.last()) {
      return ObjectCount.newBuilder().setCount(first.items()).setExact(true).build();
    }
    if (first.remainingItemCount().isPresent()) {
      return ObjectCount.newBuilder().setCount(first.items() + first.remainingItemCount().getAsLong()).setExact(true).build();
    }
    Walk walk = continueWalk(pager, first);
    if (walk.error != null) {
      return failed(walk.error);
    }
    return ObjectCount.newBuilder().setCount(walk.items).setExact(walk.complete).build();
  }

  /**
   * Walks every page from the start with {@link #pageSize} items per page, for lists whose items
   * the pager inspects (e.g. Services by annotation); the remaining-count shortcut does not apply.
   */
  public Walk walk(ListPager pager) {
    ListPage first;
    try {
      first = pager.fetch(null, pageSize);
    } catch (KubeException e) {
      return new Walk(0, false, e);
    }
    return first.last() ? new Walk(first.items(), true, null) : continueWalk(pager, first);
  }

  private Walk continueWalk(ListPager pager, ListPage first) {
    long items = first.items();
    String token = first.continueToken();
    int pages = 1;
    while (!token.isEmpty()) {
      if (pages >= maxPages) {
        return new Walk(items, false, null);
      }
      ListPage page;
      try {
        page = pager.fetch(token, pageSize);
      } catch (KubeException e) {
        if (e.code() == KubeException.GONE) {
          return new Walk(items, false, null);
        }
        return new Walk(items, false, e);
      }
      items += page.items();
      token = page.continueToken();
      pages++;
    }
    return new Walk(items, true, null);
  }

  private static ObjectCount failed(KubeException e) {
    return ObjectCount.newBuilder().setError(Errors.text(e)).build();
  }

  /**
   * The outcome of a walk.
   *
   * @param items items seen
   * @param complete true when every page was read
   * @param error the request that failed (then {@code complete} is false), or null
   */
  public record Walk(long items, boolean complete, KubeException error) {}
}
