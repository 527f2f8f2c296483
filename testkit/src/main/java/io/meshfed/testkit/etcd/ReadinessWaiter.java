package io.meshfed.testkit.etcd;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits until every given member is {@linkplain EtcdServer#isReady() ready}, failing as soon as
 * any of them exits or when the timeout passes.
 *
 * <p>All members are watched together because a bootstrapping cluster needs a quorum: waiting on
 * one member while another has already died would only end at the timeout.
 */
final class ReadinessWaiter {

    /** Upper bound between two readiness polls; a member exiting ends the pause at once. */
    private static final long POLL_MILLIS = 100;

    private ReadinessWaiter() {
    }

    static void awaitReady(List<EtcdServer> members, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        List<EtcdServer> pending = new ArrayList<>(members);
        try {
            while (true) {
                failIfAnyExited(members);
                List<EtcdServer> stillPending = new ArrayList<>();
                for (EtcdServer member : pending) {
                    if (!member.isReady()) {
                        stillPending.add(member);
                    }
                }
                pending = stillPending;
                if (pending.isEmpty()) {
                    return;
                }
                if (Instant.now().isAfter(deadline)) {
                    throw pending.get(0).notReadyInTime(timeout);
                }
                pauseUnlessOneExits(members);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdStartupException("Interrupted while waiting for etcd to become ready", e);
        }
    }

    private static void failIfAnyExited(List<EtcdServer> members) {
        for (EtcdServer member : members) {
            Process process = member.launchedProcess();
            if (!process.isAlive()) {
                throw member.exitedBeforeReady(process.exitValue());
            }
        }
    }

    private static void pauseUnlessOneExits(List<EtcdServer> members) throws InterruptedException {
        CompletableFuture<?>[] exits = members.stream()
                .map(member -> member.launchedProcess().onExit())
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.anyOf(exits).get(POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException normalPollInterval) {
            // Nobody exited within the interval: poll again.
        }
    }
}
