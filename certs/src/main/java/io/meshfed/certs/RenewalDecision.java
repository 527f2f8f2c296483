package io.meshfed.certs;

/** What to do with a CA or leaf certificate, decided by {@link RenewalPolicy}. */
public enum RenewalDecision {
  /** Valid and outside the renewal window: leave it alone. */
  NOOP("is valid and outside its renewal window"),
  /** Same key, new certificate with a fresh validity: everything it signed keeps verifying. */
  RENEW("will be renewed with the same key"),
  /** New key (for a root: a new generation); the old root stays trusted until nothing uses it. */
  REPLACE_KEY("will get a new key");

  private final String description;

  RenewalDecision(String description) {
    this.description = description;
  }

  /** A phrase for plans and logs: "root v2 will be renewed with the same key". */
  public String description() {
    return description;
  }
}
