package io.meshfed.api.kvstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.cluster.InvalidValueException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IdentityLabelsTest {

    @Test
    @DisplayName("labels are sorted by key whatever their source, every label ends with ';'")
    void sortsByKey() {
        IdentityLabels labels = IdentityLabels.of(Label.k8s("z", "1"), new Label("reserved", "a", ""),
                new Label("cidr", "m", "x"));
        assertThat(labels.format()).isEqualTo("reserved:a=;cidr:m=x;k8s:z=1;");
    }

    @Test
    @DisplayName("keys sort in Go byte order, not Java UTF-16 order")
    void goByteOrder() {
        IdentityLabels labels = IdentityLabels.of(Label.k8s("\uD83D\uDE00", "1"), Label.k8s("\uFF21", "2"));
        assertThat(labels.labels()).extracting(Label::key).containsExactly("\uFF21", "\uD83D\uDE00");
    }

    @Test
    @DisplayName("parsing ignores empty entries and formats back canonically")
    void parseIgnoresEmptyEntries() {
        IdentityLabels labels = IdentityLabels.parse(";;k8s:c=d;;k8s:a=b").value();
        assertThat(labels.labels()).containsExactly(Label.k8s("a", "b"), Label.k8s("c", "d"));
        assertThat(labels.format()).isEqualTo("k8s:a=b;k8s:c=d;");
        assertThat(IdentityLabels.parse("").value().labels()).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}:{2}={3}")
    @CsvSource(delimiter = '|', value = {
        "k8s:app=baz          | k8s      | app           | baz",
        "k8s:a=b=c            | k8s      | a             | b=c",
        "k8s:a:b=c            | k8s      | a:b           | c",
        "$host                | reserved | host          | ''",
        "reserved:=host       | reserved | host          | ''",
        "reserved.world       | reserved | world         | ''",
        "reserved:host=       | reserved | host          | ''",
        "app=x                | unspec   | app           | x",
        "cidr:10.0.0.0/8=     | cidr     | 10.0.0.0/8    | ''"})
    @DisplayName("each entry is read like Cilium's ParseLabel")
    void parsesLikeCilium(String entry, String source, String key, String value) {
        assertThat(IdentityLabels.parse(entry + ";").value().labels()).containsExactly(new Label(source, key, value));
    }

    @ParameterizedTest(name = "[{index}] source \"{0}\", key \"{1}\", value \"{2}\"")
    @CsvSource(delimiter = '|', value = {
        "k8s | a;b | c   | label key",
        "k8s | a=b | c   | label key",
        "k8s | ''  | c   | label key",
        "k8s | a   | b;c | label value",
        "k:8 | a   | b   | label source",
        "''  | a   | b   | label source",
        "$x  | a   | b   | label source",
        "k=8 | a   | b   | label source"})
    @DisplayName("labels Cilium would read back as something else are refused")
    void refusesGarbageLabels(String source, String key, String value, String field) {
        assertThatThrownBy(() -> new Label(source, key, value))
                .isInstanceOf(InvalidValueException.class)
                .satisfies(e -> assertThat(((InvalidValueException) e).field()).isEqualTo(field));
    }

    @Test
    @DisplayName("a key may appear only once")
    void refusesDuplicateKeys() {
        assertThatThrownBy(() -> IdentityLabels.of(Label.k8s("a", "1"), new Label("reserved", "a", "")))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("must not repeat a label key");
        assertThat(IdentityLabels.parse("k8s:a=1;k8s:a=2;").refusal())
                .hasValueSatisfying(finding -> assertThat(finding.field()).isEqualTo("labels"));
    }

    @Test
    @DisplayName("a foreign label string with an empty key is refused, not thrown")
    void parseRefusesEmptyKey() {
        assertThat(IdentityLabels.parse("k8s:=x;").refusal())
                .hasValueSatisfying(finding -> assertThat(finding.field()).isEqualTo("label key"));
        assertThat(IdentityLabels.parse(null).isAccepted()).isFalse();
    }

    @Test
    @DisplayName("values that are not UTF-8 are refused")
    void refusesNonUtf8() {
        assertThat(IdentityLabels.fromBytes(new byte[] {'k', '8', 's', ':', 'a', '=', (byte) 0xff, ';'}).isAccepted())
                .isFalse();
    }

    @Test
    @DisplayName("security labels convert like the clustermesh-apiserver's NewLabel")
    void fromSecurityLabels() {
        IdentityLabels labels = IdentityLabels.fromSecurityLabels(Map.of("k8s:app", "baz", "plain", "v", "reserved:", "host"));
        assertThat(labels.labels()).containsExactly(Label.k8s("app", "baz"), new Label("reserved", "host", ""),
                new Label("unspec", "plain", "v"));
    }

    @Test
    @DisplayName("withCluster adds or replaces the policy cluster label; clusterName reads it")
    void clusterLabel() {
        IdentityLabels labels = IdentityLabels.of(Label.k8s("app", "baz"));
        assertThat(labels.clusterName()).isEmpty();
        IdentityLabels tagged = labels.withCluster(ClusterName.parse("cluster3"));
        assertThat(tagged.format()).isEqualTo("k8s:app=baz;k8s:io.cilium.k8s.policy.cluster=cluster3;");
        assertThat(tagged.withCluster(ClusterName.parse("cluster4")).clusterName()).contains("cluster4");
        IdentityLabels wrongSource = new IdentityLabels(List.of(new Label("unspec", IdentityLabels.CLUSTER_LABEL_KEY, "c")));
        assertThat(wrongSource.clusterName()).isEmpty();
    }
}
