package io.meshfed.certs;

import java.util.regex.Pattern;

/** Checks DNS names before they go into a subjectAlternativeName (RFC 1123, one leading wildcard). */
public final class DnsNames {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private DnsNames() {}

  /**
   * Returns the name in lower case, or throws naming the rule it breaks.
   *
   * @param field the flag or field the name came from, for the error
   */
  public static String validate(String field, String name) {
    if (name == null || name.isEmpty()) {
      throw new PkiException(field, "DNS name must not be empty");
    }
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    if (lower.length() > 253) {
      throw new PkiException(field, "DNS name \"" + name + "\" is longer than 253 characters");
    }
    String[] labels = lower.split("\\.", -1);
    for (int i = 0; i < labels.length; i++) {
      String label = labels[i];
      if (i == 0 && label.equals("*") && labels.length > 2) {
        continue; // "*.mesh.example" is fine; a bare "*" or "*.com" is not
      }
      if (!LABEL.matcher(label).matches()) {
        throw new PkiException(
            field,
            "invalid DNS name \""
                + name
                + "\": label \""
                + label
                + "\" must be 1-63 characters of a-z, 0-9 and '-', not starting or ending with '-'"
                + " (a wildcard is allowed only as the whole first label)");
      }
    }
    return lower;
  }
}
