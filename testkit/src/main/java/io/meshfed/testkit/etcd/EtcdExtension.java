package io.meshfed.testkit.etcd;

import io.etcd.jetcd.Client;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a real etcd for a test class or for each test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static EtcdExtension etcd = EtcdExtension.singleNode();   // one etcd for the whole class
 *
 * @RegisterExtension
 * EtcdExtension etcd = EtcdExtension.cluster(3);            // a fresh 3-member cluster per test
 * }</pre>
 *
 * <p>On a static field the cluster starts before the first test of the class (and its
 * {@code @Nested} classes) and stops after the last; on an instance field it starts before
 * each test and stops after it. A missing etcd binary fails the tests with installation
 * instructions rather than skipping them. Clients made by {@link #jetcdClient()} are closed
 * before the cluster stops.
 */
public final class EtcdExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final int size;
    private final Supplier<EtcdTls> tls;
    private final List<Client> clients = new CopyOnWriteArrayList<>();

    private volatile EtcdCluster cluster;
    /** The unique id of the JUnit context that started the cluster; only that context stops it. */
    private volatile String owner;

    private EtcdExtension(int size, Supplier<EtcdTls> tls) {
        if (size < 1) {
            throw new IllegalArgumentException("An etcd cluster needs at least one member, got " + size);
        }
        this.size = size;
        this.tls = tls;
    }

    /** One etcd member over plain http. */
    public static EtcdExtension singleNode() {
        return new EtcdExtension(1, () -> null);
    }

    /** A cluster of {@code members} members over plain http. */
    public static EtcdExtension cluster(int members) {
        return new EtcdExtension(members, () -> null);
    }

    /** The same extension, serving clients over https with mandatory client certificates. */
    public EtcdExtension withTls(EtcdTls tls) {
        Objects.requireNonNull(tls, "tls");
        return new EtcdExtension(size, () -> tls);
    }

    /**
     * Like {@link #withTls(EtcdTls)}, with the certificates produced only when etcd starts, so a
     * static field need not issue certificates while the class loads.
     */
    public EtcdExtension withTls(Supplier<EtcdTls> tls) {
        Objects.requireNonNull(tls, "tls");
        return new EtcdExtension(size, tls);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        startIfNotRunning(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        startIfNotRunning(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        stopIfOwnedBy(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stopIfOwnedBy(context);
    }

    /** The running cluster. */
    public EtcdCluster etcdCluster() {
        EtcdCluster current = cluster;
        if (current == null) {
            throw new IllegalStateException("etcd is not running: use this EtcdExtension from a test, "
                    + "and register it with @RegisterExtension");
        }
        return current;
    }

    /** The first (for a single node: the only) member, to kill, restart or read its log. */
    public EtcdServer server() {
        return etcdCluster().member(0);
    }

    /** The member at {@code index}. */
    public EtcdServer member(int index) {
        return etcdCluster().member(index);
    }

    /** The client URLs of all members. */
    public List<String> endpoints() {
        return etcdCluster().clientEndpoints();
    }

    /**
     * A jetcd client for all members over plain http, closed automatically when the cluster stops.
     *
     * @throws IllegalStateException with TLS: build that client yourself with a Netty
     *     {@code SslContext} holding your client certificate
     */
    public Client jetcdClient() {
        EtcdCluster current = etcdCluster();
        if (current.tls().isPresent()) {
            throw new IllegalStateException("jetcdClient() is for plain-http etcd; with TLS build the client with "
                    + "Client.builder().endpoints(etcd.endpoints()...).sslContext(...) and your client certificate");
        }
        Client client = Client.builder().endpoints(current.clientEndpoints().toArray(String[]::new)).build();
        clients.add(client);
        return client;
    }

    private synchronized void startIfNotRunning(ExtensionContext context) {
        if (cluster != null) {
            return; // an enclosing class, or beforeAll for this class, already started it
        }
        cluster = EtcdCluster.ofSize(size).withTls(tls.get()).start();
        owner = context.getUniqueId();
    }

    private synchronized void stopIfOwnedBy(ExtensionContext context) {
        if (cluster == null || !context.getUniqueId().equals(owner)) {
            return;
        }
        try {
            clients.forEach(Client::close);
            clients.clear();
        } finally {
            cluster.stop();
            cluster = null;
            owner = null;
        }
    }
}
