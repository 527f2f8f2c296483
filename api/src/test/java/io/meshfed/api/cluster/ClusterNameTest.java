package io.meshfed.api.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterNameTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "1", "cluster3", "eu-west-1", "a-b", "0a9", "abcdefghijklmnopqrstuvwxyz012345"})
    @DisplayName("names Cilium accepts are accepted unchanged")
    void acceptsValidNames(String raw) {
        assertThat(ClusterName.parse(raw).value()).isEqualTo(raw);
        assertThat(ClusterName.isValid(raw)).isTrue();
        assertThat(ClusterName.parse(raw)).hasToString(raw);
    }

    @Test
    @DisplayName("Prod_1 is refused with the field, the value and the regex in the message")
    void refusesUpperCaseAndUnderscore() {
        assertThatThrownBy(() -> ClusterName.parse("Prod_1"))
                .isInstanceOf(InvalidValueException.class)
                .hasMessage("cluster-name: \"Prod_1\" must match ^([a-z0-9][-a-z0-9]*)?[a-z0-9]$ "
                        + "(lower-case letters, digits and '-')")
                .satisfies(e -> {
                    InvalidValueException invalid = (InvalidValueException) e;
                    assertThat(invalid.field()).isEqualTo("cluster-name");
                    assertThat(invalid.value()).isEqualTo("Prod_1");
                    assertThat(invalid.rule()).startsWith("must match ^([a-z0-9][-a-z0-9]*)?[a-z0-9]$");
                });
    }

    @Test
    @DisplayName("33 characters are one too many (Cilium >= 1.16 rejects them)")
    void refusesThirtyThreeCharacters() {
        String name = "a".repeat(33);
        assertThatThrownBy(() -> ClusterName.parse(name))
                .isInstanceOf(InvalidValueException.class)
                .hasMessage("cluster-name: \"" + name + "\" must be at most 32 characters (has 33)");
        assertThat(ClusterName.isValid("a".repeat(32))).isTrue();
    }

    @Test
    @DisplayName("default is refused although it matches the regex")
    void refusesDefault() {
        assertThatThrownBy(() -> ClusterName.parse("default"))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("must not be \"default\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-a", "a-", "-", "--"})
    @DisplayName("a leading or trailing dash is refused with its own reason")
    void refusesDashAtEitherEnd(String raw) {
        assertThatThrownBy(() -> ClusterName.parse(raw))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("must start and end with a lower-case letter or digit");
    }

    @ParameterizedTest
    @ValueSource(strings = {"A", "a.b", "a b", "a/b", "é", "a_b"})
    @DisplayName("characters outside [-a-z0-9] are refused")
    void refusesOtherCharacters(String raw) {
        assertThat(ClusterName.check("name", raw)).hasValueSatisfying(finding ->
                assertThat(finding.rule()).contains("lower-case letters, digits and '-'"));
    }

    @Test
    @DisplayName("empty and null names are refused without quoting a value")
    void refusesEmpty() {
        assertThatThrownBy(() -> ClusterName.parse("")).hasMessage("cluster-name must not be empty");
        assertThatThrownBy(() -> ClusterName.parse(null)).hasMessage("cluster-name must not be empty");
    }

    @Test
    @DisplayName("check() names the caller's field and never throws")
    void checkUsesCallerField() {
        assertThat(ClusterName.check("spec.clusters[2].name", "Prod_1"))
                .hasValueSatisfying(finding -> assertThat(finding.message())
                        .startsWith("spec.clusters[2].name: \"Prod_1\" must match"));
        assertThat(ClusterName.check("name", "cluster3")).isEmpty();
    }

    @Test
    @DisplayName("Findings collects every broken rule of a request at once")
    void findingsCollectAll() {
        Findings findings = new Findings()
                .add(ClusterName.check("clusters[0].name", "Prod_1"))
                .add(ClusterName.check("clusters[1].name", "default"))
                .add(ClusterName.check("clusters[2].name", "ok"))
                .add(ClusterId.check("clusters[0].id", 0, MaxConnectedClusters.MAX_255));

        assertThat(findings.all()).extracting(Finding::field)
                .containsExactly("clusters[0].name", "clusters[1].name", "clusters[0].id");
        assertThat(findings.summary()).hasLineCount(3);
        assertThatThrownBy(findings::throwIfAny)
                .isInstanceOf(InvalidValueException.class)
                .hasMessageStartingWith("clusters[0].name: \"Prod_1\"")
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(2));
    }

    @Test
    @DisplayName("an empty Findings does not throw")
    void emptyFindingsPass() {
        Findings findings = new Findings().add(ClusterName.check("name", "cluster3"))
                .require(true, "x", "y", "must hold");
        assertThat(findings.isEmpty()).isTrue();
        findings.throwIfAny();
    }

    @Test
    @DisplayName("messages escape quotes and control characters in the value")
    void messagesQuoteValues() {
        assertThat(new Finding("f", "a\"b\n\u0001", "must be nice").message())
                .isEqualTo("f: \"a\\\"b\\n\\x01\" must be nice");
    }
}
