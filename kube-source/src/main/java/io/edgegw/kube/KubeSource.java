package io.edgegw.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceEvent;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import io.edgegw.translator.model.ResourceSink;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists and watches every kind edgegw understands on a Kubernetes API (API server or KubeEdge's
 * MetaServer) and delivers what it reads to the sink. One thread per kind and namespace owns that
 * stream's state (the resourceVersion and the keys it delivered):
 *
 * <ul>
 *   <li>list (paged), then watch from the list's resourceVersion with bookmarks; a watch the server
 *       ends after {@code timeoutSeconds} resumes from the last resourceVersion seen;
 *   <li>{@code 410 Gone} or any failure (server away, silent watch): a full list after a back-off
 *       with jitter, reconciled against what the store holds from this source ({@link
 *       ResourceSink#reconcile}, also right after a restart of the sidecar), so deletes made while
 *       away are applied, nothing another source owns is touched, and nothing is sent twice
 *       (unchanged resourceVersions are skipped);
 *   <li>a kind the server does not serve (its CRD not installed: 404) is skipped with one log line
 *       and looked for again every {@link #MISSING_KIND_RECHECK}.
 * </ul>
 *
 * {@link #start()} never fails because the API is unreachable: the state directory keeps serving.
 */
public final class KubeSource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KubeSource.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Duration MISSING_KIND_RECHECK = Duration.ofSeconds(30);
  private static final Duration MIN_BACKOFF = Duration.ofMillis(500);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
  private static final int PAGE = 500;
  /** The source name that owns what this source stores ({@code ResourceEvent#source()}). */
  public static final String SOURCE = "kube";

  private final KubeSettings settings;
  private final ResourceReader reader;
  private final ResourceSink sink;
  private final ImmutableList<Kind> kinds;
  private final List<Stream> streams = new ArrayList<>();
  private volatile boolean closed;
  private KubeClient client;

  public KubeSource(KubeSettings settings, ResourceReader reader, ResourceSink sink) {
    this(settings, reader, sink, ImmutableList.copyOf(Kind.values()));
  }

  public KubeSource(
      KubeSettings settings, ResourceReader reader, ResourceSink sink, ImmutableList<Kind> kinds) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.reader = Objects.requireNonNull(reader, "reader");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.kinds = Objects.requireNonNull(kinds, "kinds");
  }

  public void start() throws IOException {
    client = new KubeClient(settings);
    List<String> namespaces = settings.namespaces().isEmpty() ? List.of("") : settings.namespaces();
    for (Kind kind : kinds) {
      // A cluster-scoped kind (GatewayClass) has no namespaces to narrow to.
      for (String namespace : kind.clusterScoped() ? List.of("") : namespaces) {
        Stream stream = new Stream(kind, namespace);
        streams.add(stream);
      }
    }
    // What this source stored under a wider scope in an earlier run (a namespace or kind no longer read).
    sink.reconcile(SOURCE, key -> streams.stream().noneMatch(s -> s.covers(key)), Set.of());
    streams.forEach(s -> s.thread.start());
    log.info("reading the Kubernetes API at {} ({} kinds)", settings, kinds.size());
  }

  /** Every stream has listed and watches (or knows its kind is not served). */
  public boolean isConnected() {
    return !streams.isEmpty() && streams.stream().allMatch(s -> s.connected);
  }

  /** A stream thread that died (a bug, not an outage). */
  public Optional<String> stuck() {
    return streams.stream()
        .filter(s -> !closed && !s.thread.isAlive())
        .findFirst()
        .map(s -> "the Kubernetes watch of " + s.path + " stopped");
  }

  @Override
  public void close() {
    closed = true;
    for (Stream s : streams) {
      s.thread.interrupt();
      KubeClient.Watch w = s.watch;
      if (w != null) {
        w.close();
      }
    }
    for (Stream s : streams) {
      try {
        s.thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The REST collection of a kind, e.g. {@code
   * /apis/networking.istio.io/v1/namespaces/ns/virtualservices}.
   */
  static String collection(Kind kind, String namespace) {
    String base = kind.group().isEmpty() ? "/api/v1" : "/apis/" + kind.defaultApiVersion();
    boolean namespaced = !namespace.isEmpty() && !kind.clusterScoped();
    return base + (namespaced ? "/namespaces/" + namespace : "") + "/" + plural(kind);
  }

  /** The REST resource name: {@code virtualservices}, {@code httproutes}. */
  static String plural(Kind kind) {
    String name = kind.resourceName();
    int dot = name.indexOf('.');
    return dot < 0 ? name : name.substring(0, dot);
  }

  /** The object's own path, e.g. for its status subresource. */
  static String objectPath(ResourceKey key) {
    return collection(key.kind(), key.namespace()) + "/" + key.name();
  }

  private final class Stream {
    final Kind kind;
    final String namespace;
    final String path;
    final Thread thread;
    // Owned by thread: what this stream delivered, by key, with the resourceVersion delivered.
    private final Map<ResourceKey, String> delivered = new HashMap<>();
    volatile boolean connected;
    volatile KubeClient.Watch watch;
    private boolean missingLogged;
    private int failures;

    Stream(Kind kind, String namespace) {
      this.kind = kind;
      this.namespace = namespace;
      this.path = collection(kind, namespace);
      this.thread =
          new Thread(
              this::run, "kube-" + plural(kind) + (namespace.isEmpty() ? "" : "-" + namespace));
      this.thread.setDaemon(true);
    }

    /** Whether a key is this stream's to list (stored keys of cluster-scoped kinds use "default"). */
    boolean covers(ResourceKey key) {
      return key.kind() == kind && (namespace.isEmpty() || key.namespace().equals(namespace));
    }

    private void run() {
      String resourceVersion = null;
      while (!closed) {
        try {
          if (resourceVersion == null) {
            resourceVersion = list();
            if (failures > 0 || missingLogged) {
              log.info("Kubernetes API: {} listed again ({} resources)", path, delivered.size());
            }
            failures = 0;
            missingLogged = false;
            connected = true;
          }
          resourceVersion = watch(resourceVersion);
        } catch (InterruptedException e) {
          return;
        } catch (KubeClient.StatusException e) {
          resourceVersion = null;
          if (e.code == 410) {
            // Some servers refuse an expired resourceVersion with the status code rather than an event.
            log.info("Kubernetes API: the watch of {} expired (410 Gone); listing again", path);
          } else if (e.code == 404) {
            if (!missingLogged) {
              log.warn(
                  "Kubernetes API: {} is not served ({} CRD not installed?); skipping {} and"
                      + " looking again every {} s",
                  path,
                  kind.group(),
                  kind.kubernetesKind(),
                  MISSING_KIND_RECHECK.toSeconds());
              missingLogged = true;
            }
            connected = true; // nothing to read is not an outage
            if (!sleep(MISSING_KIND_RECHECK)) {
              return;
            }
          } else {
            failed(
                e.code == 403
                    ? "forbidden (RBAC: the sidecar may not list and watch "
                        + plural(kind)
                        + "): "
                        + e.getMessage()
                    : e.getMessage());
            if (!sleep(backoff())) {
              return;
            }
          }
        } catch (IOException | RuntimeException e) {
          resourceVersion = null;
          failed(e.toString());
          if (!sleep(backoff())) {
            return;
          }
        }
      }
    }

    private void failed(String reason) {
      connected = false;
      if (failures++ == 0 && !closed) {
        log.warn(
            "Kubernetes API: lost {}: {}; serving what is stored, retrying with back-off",
            path,
            reason);
      }
    }

    private Duration backoff() {
      long max =
          Math.min(MAX_BACKOFF.toMillis(), MIN_BACKOFF.toMillis() << Math.min(failures - 1, 10));
      return Duration.ofMillis(max / 2 + ThreadLocalRandom.current().nextLong(max / 2 + 1));
    }

    /**
     * A full list, reconciled against what the store holds from this source within this stream's
     * scope; returns the list's resourceVersion.
     */
    private String list() throws IOException, InterruptedException {
      Map<ResourceKey, JsonNode> listed = new HashMap<>();
      String cont = null;
      String resourceVersion;
      do {
        JsonNode page =
            client.get(
                path + query("limit=" + PAGE + (cont == null ? "" : "&continue=" + encode(cont))));
        for (JsonNode item : page.path("items")) {
          readKey(item).ifPresent(k -> listed.put(k, item));
        }
        resourceVersion = page.path("metadata").path("resourceVersion").asText("");
        cont = page.path("metadata").path("continue").asText("");
      } while (!cont.isEmpty());
      Set<ResourceKey> gone = new HashSet<>(delivered.keySet());
      gone.removeAll(listed.keySet());
      for (ResourceKey key : gone) {
        delivered.remove(key);
        sink.accept(ResourceEvent.delete(key, origin(key)));
      }
      for (JsonNode item : listed.values()) {
        upsert(item);
      }
      // The store may hold more from this source than this run delivered: what an earlier run stored
      // and was deleted while the sidecar was down.
      sink.reconcile(SOURCE, this::covers, Set.copyOf(listed.keySet()));
      return resourceVersion;
    }

    /**
     * Watches until the server ends the watch (returns where to resume) or it expires (returns
     * null: relist).
     */
    private String watch(String resourceVersion) throws IOException, InterruptedException {
      long timeout = settings.watchTimeout().toSeconds();
      long jittered = timeout + ThreadLocalRandom.current().nextLong(timeout / 4 + 1);
      Duration silence = Duration.ofSeconds(jittered + 10);
      KubeClient.Watch w =
          client.watch(
              path
                  + query(
                      "watch=1&allowWatchBookmarks=true&resourceVersion="
                          + encode(resourceVersion)
                          + "&timeoutSeconds="
                          + jittered));
      watch = w;
      try {
        while (!closed) {
          String line = w.next(silence);
          if (line == null) {
            throw new IOException("the watch was silent for " + silence.toSeconds() + " s");
          }
          if (line.equals(KubeClient.Watch.END)) {
            if (w.status != 200) {
              throw new KubeClient.StatusException(
                  w.status, "watch " + path + ": HTTP " + w.status);
            }
            return resourceVersion; // the server's timeoutSeconds: resume where we are
          }
          if (line.equals(KubeClient.Watch.END_WITH_ERROR)) {
            throw new IOException("the watch connection broke");
          }
          if (w.status != 200) {
            throw new KubeClient.StatusException(
                w.status,
                "watch "
                    + path
                    + ": HTTP "
                    + w.status
                    + " "
                    + JSON.readTree(line).path("message").asText(""));
          }
          JsonNode event = JSON.readTree(line);
          JsonNode object = event.path("object");
          String type = event.path("type").asText("");
          switch (type) {
            case "ADDED", "MODIFIED" -> upsert(object);
            case "DELETED" ->
                readKey(object)
                    .ifPresent(
                        key -> {
                          delivered.remove(key);
                          sink.accept(ResourceEvent.delete(key, origin(key)));
                        });
            case "BOOKMARK" -> {}
            case "ERROR" -> {
              if (object.path("code").asInt() == 410) {
                log.info("Kubernetes API: the watch of {} expired (410 Gone); listing again", path);
                return null;
              }
              throw new IOException(
                  "watch error: " + object.path("message").asText(object.toString()));
            }
            default -> throw new IOException("unknown watch event type '" + type + "'");
          }
          String rv = object.path("metadata").path("resourceVersion").asText("");
          if (!rv.isEmpty()) {
            resourceVersion = rv;
          }
        }
        return resourceVersion;
      } finally {
        watch = null;
        w.close();
      }
    }

    private void upsert(JsonNode item) {
      ObjectNode manifest = item.deepCopy();
      manifest.put("apiVersion", kind.defaultApiVersion());
      manifest.put("kind", kind.kubernetesKind());
      ((ObjectNode) manifest.with("metadata"))
          .remove("managedFields"); // bulk the translator never reads
      String rv = manifest.path("metadata").path("resourceVersion").asText("");
      ResourceReader.Read read = reader.readOne(0, manifest);
      if (read instanceof ResourceReader.Ok ok) {
        ResourceKey key = ok.resource().key();
        if (!rv.isEmpty() && rv.equals(delivered.get(key))) {
          return; // a relist of something unchanged: no duplicate
        }
        delivered.put(key, rv);
        sink.accept(ResourceEvent.upsert(ok.resource(), origin(key)));
      } else if (read instanceof ResourceReader.Failed failed) {
        failed.key().ifPresent(k -> delivered.put(k, rv));
        sink.reject(
            "kube:" + path + "/" + manifest.path("metadata").path("name").asText(""),
            failed.key(),
            failed.error());
      }
    }

    private Optional<ResourceKey> readKey(JsonNode item) {
      JsonNode metadata = item.path("metadata");
      String name = metadata.path("name").asText("");
      if (name.isEmpty()) {
        return Optional.empty();
      }
      String namespace = metadata.path("namespace").asText("");
      return Optional.of(ResourceKey.of(kind, namespace.isEmpty() ? "default" : namespace, name));
    }

    private String origin(ResourceKey key) {
      return SOURCE + ":" + objectPath(key);
    }

    private String query(String q) {
      return "?" + q + settings.labelSelector().map(s -> "&labelSelector=" + encode(s)).orElse("");
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private boolean sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
      return !closed;
    } catch (InterruptedException e) {
      return false;
    }
  }
}
