package io.meshfed.testkit.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One etcd for the whole class, registered on a static field. */
class EtcdSingleNodeTest {

    @RegisterExtension
    static final EtcdExtension ETCD = EtcdExtension.singleNode();

    @Test
    void putThenGetRoundTripsThroughJetcd() throws Exception {
        Client client = ETCD.jetcdClient();

        Kv.put(client, "meshfed/test/greeting", "hello");

        assertThat(Kv.get(client, "meshfed/test/greeting")).contains("hello");
    }

    @Test
    void servesPlainHttpOnLoopbackAndLogsIntoItsTempDir() {
        assertThat(ETCD.endpoints()).singleElement().asString().matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(ETCD.server().logFile()).exists().startsWith(ETCD.etcdCluster().baseDir());
        assertThat(ETCD.server().dataDir()).isDirectory().startsWith(ETCD.etcdCluster().baseDir());
        assertThat(ETCD.server().logTail(500)).contains("serving client traffic insecurely");
    }

    @Test
    void aSingleNodeLeadsItself() {
        assertThat(ETCD.etcdCluster().leader()).containsSame(ETCD.server());
    }
}
