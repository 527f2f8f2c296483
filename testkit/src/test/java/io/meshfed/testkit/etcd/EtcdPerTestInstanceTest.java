package io.meshfed.testkit.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/** On an instance field the extension gives every test its own, empty etcd. */
class EtcdPerTestInstanceTest {

    private static final Set<String> ENDPOINTS_SEEN = ConcurrentHashMap.newKeySet();

    @RegisterExtension
    final EtcdExtension etcd = EtcdExtension.singleNode();

    @RepeatedTest(2)
    void eachTestGetsAFreshEmptyEtcd() throws Exception {
        Client client = etcd.jetcdClient();

        // The second repetition would see the first one's key if the server were shared.
        assertThat(Kv.getPrefix(client, "meshfed/")).isEmpty();
        Kv.put(client, "meshfed/marker", "written by one test only");

        assertThat(ENDPOINTS_SEEN.add(etcd.endpoints().get(0))).as("endpoint not used by an earlier test").isTrue();
    }
}
