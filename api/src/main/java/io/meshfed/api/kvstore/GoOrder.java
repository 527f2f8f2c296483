package io.meshfed.api.kvstore;

import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Go's string order (byte-wise over UTF-8), which Go's {@code encoding/json} uses for map keys
 * and Cilium uses to sort labels ({@code sort.Strings}, {@code LabelArray.Sort}).
 *
 * <p>Why not {@link String#compareTo}: it compares UTF-16 units, which differs from UTF-8 byte
 * order for characters above U+FFFF versus U+E000..U+FFFF. Comparing code points gives exactly
 * the UTF-8 byte order, so our output is byte-identical to Go's for every key.
 */
final class GoOrder {

    /** Code-point (= UTF-8 byte) order. */
    static final Comparator<String> STRINGS = GoOrder::compare;

    private GoOrder() {
    }

    private static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** An unmodifiable copy of {@code source} whose iteration follows Go's key order. */
    static <V> SortedMap<String, V> sortedCopy(Map<String, ? extends V> source, String what) {
        TreeMap<String, V> copy = new TreeMap<>(STRINGS);
        source.forEach((key, value) -> {
            if (key == null || value == null) {
                throw new NullPointerException(what + " must not contain null keys or values");
            }
            copy.put(key, value);
        });
        return Collections.unmodifiableSortedMap(copy);
    }

    /** An unmodifiable copy of {@code source} sorted by {@code key} in Go's order. */
    static <T> List<T> sortedCopy(List<T> source, Function<T, String> key) {
        return source.stream().sorted(Comparator.comparing(key, STRINGS)).toList();
    }
}
