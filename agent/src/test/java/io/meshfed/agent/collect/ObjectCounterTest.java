package io.meshfed.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshfed.api.health.v1.ObjectCount;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ObjectCounterTest {

  /**
   * A list of {@code total} objects served in pages, recording every request; optionally with
   * remainingItemCount, and failing with {@code failCode} on the page with index {@code failAt}.
   */
  private static final class FakeList implements ListPager {
    final int total;
    final boolean remainingItemCount;
    final int failAt;
    final int failCode;
    final List<String> requests = new ArrayList<>();

    FakeList(int total, boolean remainingItemCount) {
      this(total, remainingItemCount, -1, 0);
    }

    FakeList(int total, boolean remainingItemCount, int failAt, int failCode) {
      this.total = total;
      this.remainingItemCount = remainingItemCount;
      this.failAt = failAt;
      this.failCode = failCode;
    }

    @Override
    public ListPage fetch(String continueToken, int limit) {
      int offset = continueToken == null || continueToken.isEmpty() ? 0 : Integer.parseInt(continueToken);
      requests.add("limit=" + limit + (offset == 0 ? "" : " continue=" + offset));
      if (requests.size() - 1 == failAt) {
        throw new KubeException(failCode, "HTTP " + failCode);
      }
      int items = Math.min(limit, total - offset);
      int next = offset + items;
      boolean more = next < total;
      return new ListPage(items, more ? Integer.toString(next) : "",
          more && remainingItemCount ? OptionalLong.of(total - next) : OptionalLong.empty());
    }
  }

  @Test
  @DisplayName("remainingItemCount given: one request with limit=1, exact count")
  void remainingItemCount() {
    FakeList list = new FakeList(12_345, true);
    ObjectCount count = new ObjectCounter().count(list);
    assertThat(count.getCount()).isEqualTo(12_345);
    assertThat(count.getExact()).isTrue();
    assertThat(list.requests).containsExactly("limit=1");
  }

  @Test
  @DisplayName("an empty list or a single object: one request, exact")
  void smallLists() {
    assertThat(new ObjectCounter().count(new FakeList(0, false))).isEqualTo(ObjectCount.newBuilder().setCount(0).setExact(true).build());
    FakeList one = new FakeList(1, false);
    assertThat(new ObjectCounter().count(one).getCount()).isEqualTo(1);
    assertThat(one.requests).containsExactly("limit=1");
  }

  @Test
  @DisplayName("no remainingItemCount: the rest is walked in pages from the first continue token, exact at the end")
  void paging() {
    FakeList list = new FakeList(1201, false);
    ObjectCount count = new ObjectCounter(500, 200).count(list);
    assertThat(count.getCount()).isEqualTo(1201);
    assertThat(count.getExact()).isTrue();
    assertThat(list.requests).containsExactly("limit=1", "limit=500 continue=1", "limit=500 continue=501", "limit=500 continue=1001");
  }

  @Test
  @DisplayName("the page budget ends the walk with a lower bound (exact=false)")
  void pageBudget() {
    FakeList list = new FakeList(10_000, false);
    ObjectCount count = new ObjectCounter(100, 3).count(list);
    assertThat(count.getCount()).isEqualTo(201);
    assertThat(count.getExact()).isFalse();
    assertThat(count.getError()).isEmpty();
    assertThat(list.requests).hasSize(3);
  }

  @Test
  @DisplayName("an expired continue token (410) gives the count so far as a lower bound; other failures become the error")
  void failures() {
    ObjectCount gone = new ObjectCounter(100, 200).count(new FakeList(1000, false, 2, 410));
    assertThat(gone.getCount()).isEqualTo(101);
    assertThat(gone.getExact()).isFalse();
    assertThat(gone.getError()).isEmpty();

    ObjectCount forbidden = new ObjectCounter().count(new FakeList(1000, true, 0, 403));
    assertThat(forbidden.getError()).isEqualTo("HTTP 403");
    assertThat(forbidden.getCount()).isZero();

    ObjectCount broken = new ObjectCounter(100, 200).count(new FakeList(1000, false, 1, 500));
    assertThat(broken.getError()).isEqualTo("HTTP 500");
  }

  @Test
  @DisplayName("walk (for lists whose items are inspected) pages from the start with the page size and says whether it completed")
  void walk() {
    FakeList list = new FakeList(250, true);
    ObjectCounter.Walk walk = new ObjectCounter(100, 200).walk(list);
    assertThat(walk.items()).isEqualTo(250);
    assertThat(walk.complete()).isTrue();
    assertThat(list.requests).containsExactly("limit=100", "limit=100 continue=100", "limit=100 continue=200");
    assertThat(new ObjectCounter(100, 2).walk(new FakeList(250, false)).complete()).isFalse();
  }

  @Test
  @DisplayName("a list page is parsed as a stream: items are visited one by one, continue and remainingItemCount read")
  void parsePage() throws Exception {
    String json = "{\"kind\":\"PartialObjectMetadataList\",\"apiVersion\":\"meta.k8s.io/v1\","
        + "\"metadata\":{\"resourceVersion\":\"42\",\"continue\":\"tok\",\"remainingItemCount\":7},"
        + "\"items\":[{\"metadata\":{\"name\":\"a\",\"annotations\":{\"service.cilium.io/global\":\"True\"}}},"
        + "{\"metadata\":{\"name\":\"b\"},\"spec\":{\"deep\":[1,2,{\"x\":null}]}}],\"extra\":{\"ignored\":[1]}}";
    List<JsonNode> seen = new ArrayList<>();
    ListPage page = KubeAccess.parsePage(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), seen::add);
    assertThat(page).isEqualTo(new ListPage(2, "tok", OptionalLong.of(7)));
    assertThat(seen).extracting(n -> n.path("metadata").path("name").asText()).containsExactly("a", "b");
    assertThat(CountCollector.isGlobal(seen.get(0))).isTrue();
    assertThat(CountCollector.isGlobal(seen.get(1))).isFalse();

    ListPage last = KubeAccess.parsePage(new ByteArrayInputStream("{\"metadata\":{},\"items\":[]}".getBytes(StandardCharsets.UTF_8)), n -> { });
    assertThat(last.last()).isTrue();
    assertThat(last.remainingItemCount()).isEmpty();
  }
}
