package io.meshfed.agent.collect;

import java.util.OptionalLong;

/**
 * One page of a list: how many items it held, the token for the next page ("" on the last) and
 * {@code metadata.remainingItemCount} when the server gave it.
 */
public record ListPage(int items, String continueToken, OptionalLong remainingItemCount) {
  public ListPage {
    continueToken = continueToken == null ? "" : continueToken;
  }

  /** True when no page follows. */
  public boolean last() {
    return continueToken.isEmpty();
  }
}
