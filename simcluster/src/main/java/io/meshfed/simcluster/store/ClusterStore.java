package io.meshfed.simcluster.store;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.HttpUrl;
import io.fabric8.mockwebserver.http.MockResponse;
import java.net.HttpURLConnection;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * fabric8's CRUD store with two changes that make a simulated cluster behave, and scale, more like
 * a kube-apiserver: watches that resume from a resourceVersion, and requests for one object that
 * find it by name instead of matching every stored object ({@link NameIndex}).
 *
 * <p>Watches. The mock answers every watch by first sending every stored object as ADDED, whatever
 * {@code resourceVersion} the watch asks to resume from. An informer lists, then watches from the
 * list's version, so against the mock it receives every object twice, and the simulated cluster
 * parses and writes every object again to send it. A kube-apiserver sends only what changed after
 * that version (and the deletions among it), or 410 Gone when the version is older than its
 * history, after which a client lists again. This store does the same:
 * <ul>
 *   <li>no {@code resourceVersion}, or {@code 0}: every matching object as ADDED, then changes
 *       (a kube-apiserver's "synthetic ADDED events" for the initial state);
 *   <li>{@code resourceVersion=N}: each matching object changed after N as ADDED, each matching
 *       object deleted after N as DELETED (from a bounded {@link DeletionHistory}), in version
 *       order, then changes;
 *   <li>N older than the deletions kept: one ERROR event with a 410 Status, then the watch ends.
 * </ul>
 * Events are the stored JSON with a type around it, never parsed and written again.
 *
 * <p>Deletions get a resourceVersion of their own, as in Kubernetes, so a client that resumes
 * from the version of a DELETED event does not receive that deletion again.
 */
public class ClusterStore extends KubernetesCrudDispatcher {

  /** Deletions kept for watches that resume; a kube-apiserver keeps a time window instead. */
  public static final int DEFAULT_DELETION_HISTORY = 100_000;

  private final Set<WatchStream> streams = new CopyOnWriteArraySet<>();
  private final DeletionHistory deletions;
  private final NameIndex names = new NameIndex();
  /**
   * Writers take it together with the parent's write lock (every write passes through
   * {@link #processEvent}); a GET of one object takes it to read, as the parent's lock is private.
   * Without it a GET could miss an object while an update moves it to its new key.
   */
  private final ReadWriteLock indexLock = new ReentrantReadWriteLock();

  public ClusterStore() {
    this(DEFAULT_DELETION_HISTORY);
  }

  public ClusterStore(int deletionHistory) {
    this.deletions = new DeletionHistory(deletionHistory);
  }

  /** Open watches, for tests and diagnostics. */
  public int openWatches() {
    return streams.size();
  }

  /**
   * Called by the store's GET handling under its read lock, so no write runs while the state to
   * send first is taken and the watch is registered: every later write reaches the watch.
   */
  @Override
  public MockResponse handleWatch(String path) {
    HttpUrl url = HttpUrl.parse("http://simulated-cluster" + (path.startsWith("/") ? path : "/" + path));
    AttributeSet query = attributeExtractor.fromPath(path);
    String name = nameFromFieldSelector(url.queryParameter("fieldSelector"));
    if (name != null) {
      query = query.add(new Attribute(KubernetesAttributesExtractor.NAME, name));
    }
    Long from = resumeVersion(url.queryParameter("resourceVersion"));
    if (from != null && !deletions.covers(from)) {
      return new MockResponse().withWebSocketUpgrade(
          WatchStream.ending(WatchEventJson.expired(from, deletions.oldestResumable())));
    }
    WatchStream stream = WatchStream.live(query, streams::remove);
    for (String event : initialEvents(stream, from)) {
      stream.send(event);
    }
    streams.add(stream);
    return new MockResponse().withWebSocketUpgrade(stream);
  }

  private List<String> initialEvents(WatchStream stream, Long from) {
    record Versioned(long version, String event) {
    }
    List<Versioned> events = new ArrayList<>();
    synchronized (map) {
      for (Map.Entry<AttributeSet, String> entry : map.entrySet()) {
        if (stream.selects(entry.getKey())) {
          long version = from == null ? 0 : WatchEventJson.resourceVersion(entry.getValue());
          if (from == null || version > from) {
            events.add(new Versioned(version, WatchEventJson.event("ADDED", entry.getValue())));
          }
        }
      }
    }
    if (from != null) {
      for (DeletionHistory.Deletion deletion : deletions.after(from)) {
        if (stream.selects(deletion.attributes())) {
          events.add(new Versioned(deletion.version(), WatchEventJson.event("DELETED", deletion.objectJson())));
        }
      }
      events.sort(Comparator.comparingLong(Versioned::version));
    }
    return events.stream().map(Versioned::event).toList();
  }

  /**
   * Every create, update, patch and delete of the store ends here, under its write lock; the
   * store's own watch listeners are never registered, so the parent only stores.
   */
  @Override
  public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
      GenericKubernetesResource resource, String newState) {
    String existing = oldAttributes == null ? null : map.get(oldAttributes);
    AttributeSet newAttributes = newState == null ? null : attributesOf(pathAttributes, resource, newState);
    indexLock.writeLock().lock();
    try {
      super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
      if (oldAttributes != null) {
        names.remove(oldAttributes);
      }
      if (newAttributes != null) {
        names.add(newAttributes);
      }
    } finally {
      indexLock.writeLock().unlock();
    }
    if (Objects.equals(existing, newState)) {
      return;
    }
    String deleted = null;
    if (newState == null && existing != null) {
      long version = requestResourceVersion();
      deleted = WatchEventJson.withResourceVersion(existing, version);
      deletions.record(new DeletionHistory.Deletion(version, oldAttributes, deleted));
    }
    for (WatchStream stream : streams) {
      boolean before = stream.selects(oldAttributes);
      boolean after = stream.selects(newAttributes);
      if (before && after) {
        stream.send(WatchEventJson.event("MODIFIED", newState));
      } else if (before) {
        // Deleted, or changed so that the watch's selector no longer matches it.
        stream.send(WatchEventJson.event("DELETED", newState == null ? deleted : newState));
      } else if (after) {
        stream.send(WatchEventJson.event("ADDED", newState));
      }
    }
  }

  /** One object by name, from the index; the parent matches every stored object. */
  @Override
  public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
    String name = NameIndex.nameOf(attributes);
    if (name == null) {
      return super.findResource(attributes);
    }
    for (AttributeSet key : names.withName(name)) {
      if (key.matches(attributes)) {
        String json = map.get(key);
        if (json != null) {
          return new AbstractMap.SimpleImmutableEntry<>(key, json);
        }
      }
    }
    return null;
  }

  /** A GET of one object answers from the index, as the parent would after its scan. */
  @Override
  public MockResponse handleGet(String path) {
    if (!path.contains("watch=true")) {
      AttributeSet query = attributeExtractor.fromPath(path);
      if (NameIndex.nameOf(query) != null) {
        indexLock.readLock().lock();
        try {
          Map.Entry<AttributeSet, String> found = findResource(query);
          return found == null
              ? new MockResponse().setResponseCode(HttpURLConnection.HTTP_NOT_FOUND)
              : new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(found.getValue());
        } finally {
          indexLock.readLock().unlock();
        }
      }
    }
    return super.handleGet(path);
  }

  @Override
  public void reset() {
    indexLock.writeLock().lock();
    try {
      super.reset();
      names.clear();
    } finally {
      indexLock.writeLock().unlock();
    }
  }

  /** The attributes the parent stored the new state under, worked out the same way. */
  private AttributeSet attributesOf(AttributeSet pathAttributes, GenericKubernetesResource resource, String newState) {
    KubernetesAttributesExtractor extractor = (KubernetesAttributesExtractor) attributeExtractor;
    AttributeSet attributes = resource != null ? extractor.extract(resource) : extractor.fromResource(newState);
    if (!attributes.containsKey(KubernetesAttributesExtractor.PLURAL)) {
      attributes = AttributeSet.merge(pathAttributes, attributes);
    }
    return attributes;
  }

  /** null for "send the current state first": no version, empty, or "0" (any version). */
  private static Long resumeVersion(String resourceVersion) {
    if (resourceVersion == null || resourceVersion.isEmpty() || "0".equals(resourceVersion)) {
      return null;
    }
    try {
      return Long.parseLong(resourceVersion);
    } catch (NumberFormatException notOurs) {
      // Versions are opaque to clients; one this store never gave out is treated as "any".
      return null;
    }
  }

  private static String nameFromFieldSelector(String fieldSelector) {
    if (fieldSelector == null) {
      return null;
    }
    for (String term : fieldSelector.split(",")) {
      String trimmed = term.trim();
      if (trimmed.startsWith("metadata.name=")) {
        String name = trimmed.substring(trimmed.lastIndexOf('=') + 1);
        return name.isEmpty() ? null : name;
      }
    }
    return null;
  }
}
