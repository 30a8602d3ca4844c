package io.edgegw.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.io.IOException;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the gateway's view of a Gateway API object back into the object's {@code .status} (a merge
 * patch of its status subresource), so that {@code kubectl get gateway} shows what the gateway made of
 * it. {@link #write} never blocks: the latest status per object waits for one writer thread, which
 * skips what it already wrote and retries, with back-off, while the API server is away. An object that
 * is gone (404) is dropped; a refusal (403: the status-writer role of examples/kubernetes/rbac.yaml is
 * not bound) is logged once per kind.
 */
public final class KubeStatusWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KubeStatusWriter.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MIN_RETRY_MILLIS = 500;
  private static final long MAX_RETRY_MILLIS = 10_000;
  /** Queued by {@link #forget}: the object is gone. */
  private static final ObjectNode FORGET = JSON.createObjectNode();

  private final KubeClient client;
  private final Thread thread;
  private final Object lock = new Object();
  // Guarded by lock: the statuses waiting to be written, the latest per object.
  private final LinkedHashMap<ResourceKey, ObjectNode> pending = new LinkedHashMap<>();
  // Owned by thread: each object's status as last written.
  private final Map<ResourceKey, ObjectNode> written = new HashMap<>();
  private final Set<Kind> forbiddenLogged = EnumSet.noneOf(Kind.class);
  private int failures;
  private volatile boolean closed;

  public KubeStatusWriter(KubeSettings settings) throws IOException {
    this.client = new KubeClient(Objects.requireNonNull(settings, "settings"));
    this.thread = new Thread(this::run, "kube-status-writer");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** The kinds whose API defines a status edgegw writes: the Gateway API's (ReferenceGrant has none). */
  public static boolean writesStatusOf(Kind kind) {
    return kind.group().equals(Kind.GatewayApi.GROUP) && kind != Kind.REFERENCE_GRANT;
  }

  /** Queues {@code status} as the {@code .status} of {@code key}'s object; returns at once. */
  public void write(ResourceKey key, ObjectNode status) {
    if (!writesStatusOf(key.kind())) {
      throw new IllegalArgumentException("edgegw does not write the status of " + key.kind().displayName());
    }
    queue(key, status.deepCopy());
  }

  /** The object is gone: forget what was written, so that a new object of that name gets its status. */
  public void forget(ResourceKey key) {
    queue(key, FORGET);
  }

  private void queue(ResourceKey key, ObjectNode status) {
    synchronized (lock) {
      pending.put(key, status);
      lock.notifyAll();
    }
  }

  private void run() {
    while (!closed) {
      ResourceKey key;
      ObjectNode status;
      synchronized (lock) {
        try {
          while (pending.isEmpty() && !closed) {
            lock.wait();
          }
        } catch (InterruptedException e) {
          return;
        }
        if (closed) {
          return;
        }
        Iterator<Map.Entry<ResourceKey, ObjectNode>> first = pending.entrySet().iterator();
        Map.Entry<ResourceKey, ObjectNode> next = first.next();
        first.remove();
        key = next.getKey();
        status = next.getValue();
      }
      if (status == FORGET) {
        written.remove(key);
      } else if (!status.equals(written.get(key)) && !writeOne(key, status)) {
        return;
      }
    }
  }

  /** False when interrupted. */
  private boolean writeOne(ResourceKey key, ObjectNode status) {
    try {
      ObjectNode patch = JSON.createObjectNode();
      patch.set("status", status);
      client.patch(KubeSource.objectPath(key) + "/status", "application/merge-patch+json", patch);
      written.put(key, status);
      failures = 0;
      return true;
    } catch (InterruptedException e) {
      return false;
    } catch (KubeClient.StatusException e) {
      if (e.code == 404) {
        written.remove(key); // gone meanwhile: its delete arrives through the watch
      } else if (e.code == 403) {
        if (forbiddenLogged.add(key.kind())) {
          log.warn("Kubernetes API: may not write the status of {} (RBAC: bind edgegw-status-writer of"
              + " examples/kubernetes/rbac.yaml, or run with --kube-write-status=false): {}",
              key.kind().displayName(), e.getMessage());
        }
      } else if (e.code == 429 || e.code >= 500) {
        return retryLater(key, status, e);
      } else {
        log.warn("Kubernetes API: the status of {} was refused: {}", key, e.getMessage());
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return retryLater(key, status, e);
    }
  }

  /** The API server is away: the status waits (unless a newer one came meanwhile), after a back-off. */
  private boolean retryLater(ResourceKey key, ObjectNode status, Exception e) {
    synchronized (lock) {
      pending.putIfAbsent(key, status);
    }
    if (failures++ == 0) {
      log.warn("Kubernetes API: cannot write status ({}); retrying with back-off", e.toString());
    }
    try {
      Thread.sleep(Math.min(MAX_RETRY_MILLIS, MIN_RETRY_MILLIS << Math.min(failures - 1, 10)));
      return true;
    } catch (InterruptedException ie) {
      return false;
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
