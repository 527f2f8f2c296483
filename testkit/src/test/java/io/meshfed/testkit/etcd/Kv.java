package io.meshfed.testkit.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Small blocking jetcd helpers that keep the tests about etcd behaviour, not futures. */
final class Kv {

    /** Generous for loopback, yet short enough that a hang fails the test quickly. */
    static final long TIMEOUT_SECONDS = 5;

    private Kv() {
    }

    static ByteSequence bytes(String text) {
        return ByteSequence.from(text, UTF_8);
    }

    static void put(Client client, String key, String value)
            throws ExecutionException, InterruptedException, TimeoutException {
        put(client, key, value, Duration.ofSeconds(TIMEOUT_SECONDS));
    }

    /** A put that gives up after {@code timeout}, for callers that retry (e.g. across an election). */
    static void put(Client client, String key, String value, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        client.getKVClient().put(bytes(key), bytes(value)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A linearizable read (goes through the leader). */
    static Optional<String> get(Client client, String key)
            throws ExecutionException, InterruptedException, TimeoutException {
        return read(client, key, GetOption.DEFAULT);
    }

    /** A serializable read: answered from the contacted member's own copy of the data. */
    static Optional<String> getLocal(Client client, String key)
            throws ExecutionException, InterruptedException, TimeoutException {
        return read(client, key, GetOption.builder().withSerializable(true).build());
    }

    static List<KeyValue> getPrefix(Client client, String prefix)
            throws ExecutionException, InterruptedException, TimeoutException {
        return client.getKVClient().get(bytes(prefix), GetOption.builder().isPrefix(true).build())
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).getKvs();
    }

    /** A plain-http client talking to exactly one member, so reads prove what that member holds. */
    static Client clientFor(String endpoint) {
        return Client.builder().endpoints(endpoint).build();
    }

    private static Optional<String> read(Client client, String key, GetOption option)
            throws ExecutionException, InterruptedException, TimeoutException {
        return client.getKVClient().get(bytes(key), option).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .getKvs().stream().findFirst().map(kv -> kv.getValue().toString(UTF_8));
    }
}
