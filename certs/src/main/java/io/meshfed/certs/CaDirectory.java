package io.meshfed.certs;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The CLI's store for a {@link MeshPki}: a directory of PEM files with every private key encrypted.
 *
 * <pre>
 * D/meshfed-ca.properties        mesh, key type, root generation, format
 * D/bundle.pem                   trusted roots, newest first
 * D/root/ca.crt, D/root/ca.key   the signing root (key: ENCRYPTED PRIVATE KEY)
 * D/issued/NAME/entry.properties what was asked for (kind, issuer, CN, SANs, validity, output prefix)
 * D/issued/NAME/cert.pem         the current certificate followed by its chain
 * D/issued/NAME/key.pem          its key, encrypted
 * D/issued/NAME/superseded.pem   earlier certificates peers may still present
 * </pre>
 *
 * <p>{@link #save} writes the whole store into a staging directory next to D and swaps it in with
 * renames, so a crash leaves either the old or the new store, never a mix; the previous store is
 * kept as {@code D.previous} until the next save.
 */
public final class CaDirectory {
  static final String STATE_FILE = "meshfed-ca.properties";
  private static final Pattern ENTRY_NAME = Pattern.compile("[a-z0-9]([-a-z0-9._]{0,61}[a-z0-9])?");
  private static final int FORMAT = 1;

  private final Path dir;
  private final Passphrase passphrase;
  private final int kdfIterations;
  /**
   * Ciphertexts of the keys this store read or wrote, by key identity: a save re-uses them for
   * unchanged keys instead of paying PBKDF2 again for every key on every save.
   */
  private final java.util.Map<PrivateKey, String> encrypted = new java.util.IdentityHashMap<>();

  public CaDirectory(Path dir, Passphrase passphrase) {
    this(dir, passphrase, KeyEncryption.ITERATIONS);
  }

  /** Lower iteration counts are for tests only. */
  public CaDirectory(Path dir, Passphrase passphrase, int kdfIterations) {
    this.dir = dir.toAbsolutePath().normalize();
    this.passphrase = passphrase;
    this.kdfIterations = kdfIterations;
  }

  public Path path() {
    return dir;
  }

  public boolean holdsCa() {
    return Files.exists(dir.resolve(STATE_FILE));
  }

  /**
   * Creates a new store. Refuses a directory that already holds a CA unless {@code force}, which
   * first moves the old one aside as {@code D.backup-<timestamp>}.
   *
   * @return the backup path, or null when there was nothing to back up
   */
  public Path init(MeshPki pki, boolean force, Clock clock) {
    Path backup = null;
    if (holdsCa()) {
      if (!force) {
        throw new PkiException(dir.toString(), "already holds a CA (" + STATE_FILE + "); refusing to overwrite it (use --force to replace it, keeping a backup)");
      }
      backup = dir.resolveSibling(dir.getFileName() + ".backup-" + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(clock.instant()));
      move(dir, backup);
    }
    save(pki);
    return backup;
  }

  public MeshPki load() {
    if (!holdsCa()) {
      throw new PkiException(dir.toString(), "holds no CA (no " + STATE_FILE + "); run `meshfed ca init --dir " + dir + "` first");
    }
    Properties state = readProperties(dir.resolve(STATE_FILE));
    String mesh = require(state, "mesh", STATE_FILE);
    KeyType keyType = KeyType.parse(STATE_FILE + " keyType", require(state, "keyType", STATE_FILE));
    int generation = Integer.parseInt(require(state, "generation", STATE_FILE));
    X509Certificate rootCert = Pem.decodeCertificate(dir.resolve("root/ca.crt").toString(), Pem.readText(dir.resolve("root/ca.crt")));
    PrivateKey rootKey = readKey(dir.resolve("root/ca.key"));
    KeyMatch.require(dir.resolve("root/ca.key").toString(), rootCert, rootKey);
    TrustBundle bundle = TrustBundle.parse(dir.resolve("bundle.pem").toString(), Pem.readText(dir.resolve("bundle.pem")));
    Map<String, IssuedCertificate> issued = new TreeMap<>();
    Path issuedDir = dir.resolve("issued");
    if (Files.isDirectory(issuedDir)) {
      try (Stream<Path> entries = Files.list(issuedDir)) {
        for (Path e : entries.sorted().toList()) {
          IssuedCertificate entry = readEntry(e);
          issued.put(entry.name(), entry);
        }
      } catch (IOException ex) {
        throw new PkiException(issuedDir.toString(), "cannot list: " + ex.getMessage(), ex);
      }
    }
    return new MeshPki(mesh, keyType, generation, CertifiedKey.selfContained(rootCert, rootKey), bundle, issued);
  }

  /** Writes the whole store atomically (staging directory, then renames), and the output prefixes. */
  public void save(MeshPki pki) {
    Path staging = dir.resolveSibling(dir.getFileName() + ".staging");
    deleteTree(staging);
    try {
      Files.createDirectories(staging.resolve("root"));
      Properties state = new Properties();
      state.setProperty("format", String.valueOf(FORMAT));
      state.setProperty("mesh", pki.mesh());
      state.setProperty("keyType", pki.keyType().cliName());
      state.setProperty("generation", String.valueOf(pki.generation()));
      writeProperties(staging.resolve(STATE_FILE), state);
      write(staging.resolve("bundle.pem"), pki.bundle().toPem(), false);
      write(staging.resolve("root/ca.crt"), Pem.encodeCertificate(pki.root().certificate()), false);
      write(staging.resolve("root/ca.key"), encrypt(pki.root().privateKey()), true);
      for (IssuedCertificate entry : pki.issued().values()) {
        writeEntry(staging.resolve("issued").resolve(entry.name()), entry);
      }
      Path previous = dir.resolveSibling(dir.getFileName() + ".previous");
      deleteTree(previous);
      if (Files.exists(dir)) {
        move(dir, previous);
      }
      move(staging, dir);
      for (IssuedCertificate entry : pki.issued().values()) {
        if (entry.out() != null) {
          writeOutput(Path.of(entry.out()), entry.current());
        }
      }
    } catch (IOException e) {
      throw new PkiException(dir.toString(), "cannot write the CA store: " + e.getMessage(), e);
    }
  }

  /** Writes {@code PREFIX.crt} (certificate and chain) and {@code PREFIX.key} (encrypted). */
  public void writeOutput(Path prefix, CertifiedKey material) throws IOException {
    Path parent = prefix.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    write(Path.of(prefix + ".crt"), Pem.encodeCertificates(material.certificateAndChain()), false);
    write(Path.of(prefix + ".key"), encrypt(material.privateKey()), true);
  }

  /** Reads an encrypted (or clear) PKCS#8 key file with this store's passphrase. */
  public PrivateKey readKey(Path file) {
    String pem = Pem.readText(file);
    PrivateKey key = Pem.decodePrivateKey(file.toString(), pem, passphrase);
    if (pem.contains("ENCRYPTED PRIVATE KEY")) {
      encrypted.put(key, pem);
    }
    return key;
  }

  private String encrypt(PrivateKey key) {
    return encrypted.computeIfAbsent(key, k -> KeyEncryption.encrypt(k, passphrase, kdfIterations));
  }

  /** Checks a name for the inventory: it becomes a directory name. */
  public static String validateEntryName(String field, String name) {
    if (name == null || !ENTRY_NAME.matcher(name).matches()) {
      throw new PkiException(field, "name \"" + name + "\" must be 1-63 characters of a-z, 0-9, '-', '.', '_', starting and ending with a letter or digit");
    }
    return name;
  }

  private void writeEntry(Path entryDir, IssuedCertificate entry) throws IOException {
    Files.createDirectories(entryDir);
    Properties p = new Properties();
    p.setProperty("kind", entry.kind().name());
    p.setProperty("issuer", entry.issuer());
    if (entry.spec() != null) {
      p.setProperty("leafKind", entry.spec().kind().name());
      p.setProperty("cn", entry.spec().commonName());
      p.setProperty("dns", String.join(",", entry.spec().dnsNames()));
      p.setProperty("ip", String.join(",", entry.spec().ipAddresses().stream().map(InetAddress::getHostAddress).toList()));
      p.setProperty("validitySeconds", String.valueOf(entry.spec().validity().toSeconds()));
    }
    if (entry.out() != null) {
      p.setProperty("out", entry.out());
    }
    writeProperties(entryDir.resolve("entry.properties"), p);
    write(entryDir.resolve("cert.pem"), Pem.encodeCertificates(entry.current().certificateAndChain()), false);
    write(entryDir.resolve("key.pem"), encrypt(entry.current().privateKey()), true);
    if (!entry.superseded().isEmpty()) {
      write(entryDir.resolve("superseded.pem"), Pem.encodeCertificates(entry.superseded()), false);
    }
  }

  private IssuedCertificate readEntry(Path entryDir) {
    String name = entryDir.getFileName().toString();
    Properties p = readProperties(entryDir.resolve("entry.properties"));
    String src = entryDir.resolve("entry.properties").toString();
    IssuedCertificate.Kind kind = IssuedCertificate.Kind.valueOf(require(p, "kind", src));
    List<X509Certificate> certs = Pem.readCertificates(entryDir.resolve("cert.pem"));
    PrivateKey key = readKey(entryDir.resolve("key.pem"));
    KeyMatch.require(entryDir.resolve("key.pem").toString(), certs.get(0), key);
    CertifiedKey current = new CertifiedKey(certs.get(0), key, certs.subList(1, certs.size()));
    LeafSpec spec = null;
    if (p.getProperty("leafKind") != null) {
      List<InetAddress> ips = new ArrayList<>();
      for (String ip : splitList(p.getProperty("ip"))) {
        ips.add(IpAddresses.parse(src + " ip", ip));
      }
      spec = new LeafSpec(
          LeafSpec.Kind.valueOf(p.getProperty("leafKind")),
          require(p, "cn", src),
          splitList(p.getProperty("dns")),
          ips,
          Duration.ofSeconds(Long.parseLong(require(p, "validitySeconds", src))));
    }
    List<X509Certificate> superseded = Files.exists(entryDir.resolve("superseded.pem"))
        ? Pem.readCertificates(entryDir.resolve("superseded.pem"))
        : List.of();
    return new IssuedCertificate(name, kind, require(p, "issuer", src), spec, current, superseded, p.getProperty("out"));
  }

  private static List<String> splitList(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static String require(Properties p, String key, String source) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new PkiException(source, "missing \"" + key + "\"");
    }
    return v;
  }

  private static Properties readProperties(Path file) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new PkiException(file.toString(), "file does not exist (the CA directory is incomplete)");
    } catch (IOException | IllegalArgumentException e) {
      throw new PkiException(file.toString(), "cannot read: " + e.getMessage(), e);
    }
    return p;
  }

  private static void writeProperties(Path file, Properties p) throws IOException {
    StringWriter out = new StringWriter();
    // Sorted, no timestamp comment: the same state gives the same bytes.
    for (String key : new TreeMap<>(Map.copyOf(toMap(p))).keySet()) {
      Properties one = new Properties();
      one.setProperty(key, p.getProperty(key));
      StringWriter line = new StringWriter();
      one.store(line, null);
      line.toString().lines().filter(l -> !l.startsWith("#")).forEach(l -> out.append(l).append('\n'));
    }
    write(file, out.toString(), false);
  }

  private static Map<String, String> toMap(Properties p) {
    Map<String, String> m = new TreeMap<>();
    for (String k : p.stringPropertyNames()) {
      m.put(k, p.getProperty(k));
    }
    return m;
  }

  /** Writes through a temp file and a rename; key files get mode 0600 before any byte is written. */
  static void write(Path file, String content, boolean secret) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
    try {
      if (secret) {
        try {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
          // not a POSIX file system; the key is encrypted anyway
        }
      }
      Files.writeString(tmp, content, StandardCharsets.US_ASCII);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void move(Path from, Path to) {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException e) {
      throw new PkiException(to.toString(), "already exists; move it away first");
    } catch (IOException e) {
      throw new PkiException(from.toString(), "cannot move to " + to + ": " + e.getMessage(), e);
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new PkiException(root.toString(), "cannot delete: " + e.getMessage(), e);
    }
  }
}
