package io.meshfed.controller.policy.validation;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * An upper bound of the size a regular expression expands to once its counted repetitions are
 * unrolled, read from the text alone. RE2J unrolls {@code x{n}} like RE2 but, unlike Go, sets no
 * limit on nesting them: {@code (((a{1000}){1000}){1000})} would compile to 10^9 instructions and
 * exhaust the heap. Expressions whose bound exceeds {@link #LIMIT} are refused before compiling.
 */
final class RegexSize {
  /** Go's regexp refuses programs above a few million instructions; this stays well below. */
  static final long LIMIT = 100_000;

  private RegexSize() {}

  /** The bound, saturating at {@code LIMIT + 1}. */
  static long estimate(String regex) {
    Deque<long[]> groups = new ArrayDeque<>(); // per open group: {size so far, size of its last atom}
    long[] current = {0, 0};
    int i = 0;
    while (i < regex.length()) {
      char c = regex.charAt(i);
      switch (c) {
        case '\\' -> {
          i = skipEscape(regex, i);
          current = atom(current, 1);
          continue;
        }
        case '[' -> {
          i = skipClass(regex, i);
          current = atom(current, 1);
          continue;
        }
        case '(' -> {
          groups.push(current);
          current = new long[] {0, 0};
        }
        case ')' -> {
          long size = current[0];
          current = groups.isEmpty() ? new long[] {0, 0} : groups.pop();
          current = atom(current, Math.max(size, 1));
        }
        case '|' -> current[1] = 0;
        case '*', '+', '?' -> current = repeat(current, 2);
        case '{' -> {
          int close = regex.indexOf('}', i);
          long count = close < 0 ? -1 : repeatCount(regex.substring(i + 1, close));
          if (count >= 0) {
            current = repeat(current, Math.max(count, 1));
            i = close + 1;
            continue;
          }
          current = atom(current, 1);
        }
        default -> current = atom(current, 1);
      }
      i++;
    }
    long total = current[0];
    while (!groups.isEmpty()) {
      total = saturate(total + groups.pop()[0]);
    }
    return total;
  }

  private static long[] atom(long[] group, long size) {
    return new long[] {saturate(group[0] + size), size};
  }

  private static long[] repeat(long[] group, long times) {
    long last = group[1];
    long repeated = saturate(last * times);
    return new long[] {saturate(group[0] - last + repeated), repeated};
  }

  /** The largest count of {@code n}, {@code n,} or {@code n,m}; -1 when it is not a repetition. */
  private static long repeatCount(String inside) {
    if (!inside.matches("\\d{1,9}(,\\d{0,9})?")) {
      return -1;
    }
    String[] parts = inside.split(",", -1);
    long n = Long.parseLong(parts[0]);
    if (parts.length == 1) {
      return n;
    }
    return parts[1].isEmpty() ? n + 1 : Math.max(n, Long.parseLong(parts[1]));
  }

  private static int skipEscape(String regex, int i) {
    if (i + 1 >= regex.length()) {
      return regex.length();
    }
    char kind = regex.charAt(i + 1);
    if (kind == 'Q') {
      int end = regex.indexOf("\\E", i + 2);
      return end < 0 ? regex.length() : end + 2;
    }
    if ((kind == 'x' || kind == 'p' || kind == 'P') && i + 2 < regex.length() && regex.charAt(i + 2) == '{') {
      int close = regex.indexOf('}', i + 2);
      return close < 0 ? regex.length() : close + 1;
    }
    return i + 2;
  }

  private static int skipClass(String regex, int i) {
    int j = i + 1;
    if (j < regex.length() && regex.charAt(j) == '^') {
      j++;
    }
    if (j < regex.length() && regex.charAt(j) == ']') {
      j++;
    }
    while (j < regex.length() && regex.charAt(j) != ']') {
      if (regex.charAt(j) == '\\') {
        j++;
      } else if (regex.startsWith("[:", j)) {
        int close = regex.indexOf(":]", j + 2);
        j = close < 0 ? j : close + 1;
      }
      j++;
    }
    return Math.min(j + 1, regex.length());
  }

  private static long saturate(long value) {
    return value < 0 || value > LIMIT ? LIMIT + 1 : value;
  }
}
