package io.meshfed.controller.election;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The leader's fencing token, as leader-only writers see it. Every etcd transaction such a writer
 * sends carries {@link #compares()}: the leader key still has the create revision it had when this
 * replica won, and still names this replica. A transaction whose compares fail was refused by etcd
 * because leadership moved on; the writer reports it with {@link #refused} (which makes the
 * election step down) and stops, instead of retrying it like a transient failure.
 *
 * <p>{@link #compares()} also refuses locally when this replica holds no token: a replica that has
 * stepped down (lease uncertain, keep-alive ended) sends nothing, even while the key in etcd may
 * still be its own.
 */
public final class Fence {
  /**
   * What leader-only writes are fenced with: the leader key's create revision, and the exact value
   * this replica wrote there (its instance id and since when it leads).
   */
  public record Token(String instanceId, long revision, byte[] value) {}

  private static final Fence UNFENCED = new Fence(null, reason -> { });

  private final String key;
  private final Consumer<String> onRefused;
  private volatile Token token;

  Fence(String key, Consumer<String> onRefused) {
    this.key = key;
    this.onRefused = onRefused;
  }

  /**
   * A fence that adds no compare and never refuses: for writers used outside a controller (tools,
   * tests of the write path). The controller always passes its election's fence.
   */
  public static Fence unfenced() {
    return UNFENCED;
  }

  public boolean isUnfenced() {
    return key == null;
  }

  public Optional<Token> current() {
    return Optional.ofNullable(token);
  }

  /**
   * The compares to put in front of a leader-only transaction.
   *
   * @throws LeadershipLostException when this replica holds no token (it is not, or no longer, the leader)
   */
  public Cmp[] compares() {
    if (key == null) {
      return new Cmp[0];
    }
    Token t = token;
    if (t == null) {
      throw new LeadershipLostException("not the leader (no fencing token)");
    }
    ByteSequence k = ByteSequence.from(key, StandardCharsets.UTF_8);
    return new Cmp[] {
        new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(t.revision())),
        new Cmp(k, Cmp.Op.EQUAL, CmpTarget.value(ByteSequence.from(t.value())))};
  }

  /** A fenced transaction was refused by etcd (or not sent for lack of a token): leadership is gone. */
  public void refused(String reason) {
    if (key != null) {
      onRefused.accept(reason);
    }
  }

  void set(Token t) {
    token = t;
  }
}
