package io.meshfed.api.cluster;

import java.util.Objects;

/**
 * One broken rule: which field, the value it had, and the rule it breaks.
 *
 * <p>Every refusal in the api module is a {@code Finding}, whether it ends up in an
 * {@link InvalidValueException} (our own input: CLI flags, API bodies) or in a refusal result
 * (data written by someone else, which must never make us throw).
 *
 * @param field the name the user knows the field by, e.g. {@code cluster-name} or
 *              {@code backends["10.0.0.1"].Port}
 * @param value the offending value as text, or {@code null} when there was none
 * @param rule  what the value must satisfy, phrased to follow the value, e.g.
 *              {@code must not be empty}
 */
public record Finding(String field, String value, String rule) {

    /** Validates that field and rule are present; the value may be absent. */
    public Finding {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(rule, "rule");
    }

    /** A finding about a field whose value is not worth repeating (absent, or too big). */
    public static Finding of(String field, String rule) {
        return new Finding(field, null, rule);
    }

    /**
     * The sentence shown to users: {@code cluster-name: "Prod_1" must match ...}, or
     * {@code cluster-name must not be empty} when there is no value to quote.
     */
    public String message() {
        if (value == null) {
            return field + " " + rule;
        }
        return field + ": " + quote(value) + " " + rule;
    }

    /** Quotes like Go's %q for the characters that matter in messages (quotes, backslash, controls). */
    private static String quote(String raw) {
        StringBuilder out = new StringBuilder(raw.length() + 2).append('"');
        raw.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (cp < 0x20 || cp == 0x7f) {
                        out.append(String.format("\\x%02x", cp));
                    } else {
                        out.appendCodePoint(cp);
                    }
                }
            }
        });
        return out.append('"').toString();
    }

    @Override
    public String toString() {
        return message();
    }
}
