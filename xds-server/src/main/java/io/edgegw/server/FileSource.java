package io.edgegw.server;

import com.google.common.collect.ImmutableSet;
import com.google.common.collect.Sets;
import com.google.common.hash.HashCode;
import com.google.common.hash.Hashing;
import io.edgegw.translator.model.ResourceEvent;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import io.edgegw.translator.model.ResourceSink;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code --config-dir} source: every manifest file in the directory is read at start and again
 * when it changes (WatchService, plus a cheap stat poll every {@code pollInterval} because watch events
 * get lost on some file systems and with some editors). A resource that disappears from the files is
 * deleted. A file that no longer parses, or is empty, keeps what it had: a typo or a half-written file
 * must not take the gateway down.
 *
 * <p>What was stored from this source in an earlier run and whose file is gone now (deleted while the
 * sidecar was stopped) is removed by {@link ResourceSink#reconcile} after the first scan that read every
 * file cleanly: a file that is empty, unreadable or unparsable at start holds keys we cannot know, so
 * reconciling then could delete what it still defines. Only what this source owns is touched.
 */
public final class FileSource implements Source {
  private static final Logger log = LoggerFactory.getLogger(FileSource.class);
  private static final long SETTLE_MILLIS = 50; // let an editor finish writing before we read
  /** The source name that owns what this source stores ({@code ResourceEvent#source()}). */
  static final String SOURCE = "file";

  private final Path dir;
  private final ResourceReader reader;
  private final ResourceSink sink;
  private final Duration pollInterval;

  // Owned by whichever single thread scans: the caller of start(), then the watch thread.
  private final Map<Path, Seen> seen = new HashMap<>();
  private volatile boolean closed;
  private boolean reconciled;
  private boolean reconcileHeldLogged;
  private Thread watcher;
  private WatchService watchService;

  /** {@code complete}: every document of the file had a readable key, so {@code keys} is all it defines. */
  private record Seen(
      long size, FileTime modified, HashCode content, ImmutableSet<ResourceKey> keys, boolean complete) {}

  public FileSource(Path dir, ResourceReader reader, ResourceSink sink, Duration pollInterval) {
    this.dir = Objects.requireNonNull(dir, "dir");
    this.reader = Objects.requireNonNull(reader, "reader");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
  }

  @Override
  public void start() throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("config dir " + dir + " is not a directory");
    }
    watchService = openWatchService();
    scan(true);
    watcher = new Thread(this::watch, "config-dir");
    watcher.setDaemon(true);
    watcher.start();
    log.info("reading config from {}", dir);
  }

  @Override
  public void close() {
    closed = true;
    if (watcher != null) {
      watcher.interrupt();
    }
    if (watchService != null) {
      try {
        watchService.close();
      } catch (IOException e) {
        log.debug("closing watch service: {}", e.toString());
      }
    }
    if (watcher != null) {
      try {
        watcher.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private WatchService openWatchService() {
    try {
      WatchService service = dir.getFileSystem().newWatchService();
      dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
      return service;
    } catch (IOException | UnsupportedOperationException e) {
      log.warn("cannot watch {} ({}); polling every {} ms", dir, e.toString(), pollInterval.toMillis());
      return null;
    }
  }

  private void watch() {
    while (!closed) {
      try {
        boolean event = false;
        if (watchService != null) {
          WatchKey key = watchService.poll(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
          if (key != null) {
            event = true;
            Thread.sleep(SETTLE_MILLIS);
            key.pollEvents();
            if (!key.reset()) {
              log.warn("lost the watch on {}; polling every {} ms", dir, pollInterval.toMillis());
              watchService.close();
              watchService = null;
            }
          }
        } else {
          Thread.sleep(pollInterval.toMillis());
        }
        scan(event);
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      } catch (IOException | RuntimeException e) {
        log.warn("scanning {} failed: {}", dir, e.toString());
      }
    }
  }

  /** Re-reads changed files; {@code force} reads every file, else only those whose size or mtime changed. */
  void scan(boolean force) throws IOException {
    List<Path> files;
    try {
      files = ManifestFiles.list(dir);
    } catch (IOException e) {
      log.warn("cannot list {}: {}", dir, e.toString());
      return;
    }
    Set<ResourceKey> before = allKeys();
    Set<Path> present = new HashSet<>(files);
    seen.keySet().removeIf(p -> !present.contains(p));
    boolean clean = true;
    for (Path file : files) {
      try {
        clean &= readIfChanged(file, force);
      } catch (IOException e) {
        clean = false;
        log.warn("cannot read {}: {}", file, e.toString()); // keep what it had
      }
    }
    for (ResourceKey gone : Sets.difference(before, allKeys())) {
      sink.accept(ResourceEvent.delete(gone, SOURCE + ":" + dir));
    }
    if (!reconciled && clean) {
      // Every file read: what the store holds from this source beyond them was deleted while we were down.
      sink.reconcile(SOURCE, key -> true, allKeys());
      reconciled = true;
    } else if (!reconciled && !reconcileHeldLogged) {
      reconcileHeldLogged = true;
      log.warn("{}: a file is empty, unreadable or unparsable; resources of files deleted while the sidecar"
          + " was stopped are removed once every file reads cleanly", dir);
    }
  }

  /**
   * Reads {@code file} if it changed; false when what it defines is not fully known (empty, or a
   * document without a readable key), so its keys may be incomplete.
   */
  private boolean readIfChanged(Path file, boolean force) throws IOException {
    long size = Files.size(file);
    FileTime modified = Files.getLastModifiedTime(file);
    Seen previous = seen.get(file);
    if (!force && previous != null && previous.size() == size && previous.modified().equals(modified)) {
      if (size == 0 && !previous.complete()) {
        seen.put(file, new Seen(size, modified, previous.content(), previous.keys(), true));
        return true;
      }
      return previous.complete();
    }
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length == 0) {
      // A writer that truncates before writing (most do) leaves the file empty for a moment; reading
      // that as "no resources" would delete them. Keep what it had and read it again at the next look.
      // To remove every resource of a file, delete the file.
      // An empty file seen first (at start) counts as empty once it stayed so until the next look.
      if (previous == null) {
        seen.put(file, new Seen(size, modified, Hashing.sha256().hashBytes(bytes), ImmutableSet.of(), false));
      } else if (previous.size() == 0 && previous.modified().equals(modified)) {
        seen.put(file, new Seen(size, modified, previous.content(), ImmutableSet.of(), true));
        return true;
      }
      return false;
    }
    HashCode content = Hashing.sha256().hashBytes(bytes);
    if (previous != null && previous.content().equals(content)) {
      seen.put(file, new Seen(size, modified, content, previous.keys(), previous.complete()));
      return previous.complete();
    }
    ImmutableSet.Builder<ResourceKey> keys = ImmutableSet.builder();
    boolean unparsable = false;
    for (ResourceReader.Read read : reader.read(bytes)) {
      String origin = "file:" + file + "#" + read.document();
      if (read instanceof ResourceReader.Ok ok) {
        keys.add(ok.resource().key());
        sink.accept(ResourceEvent.upsert(ok.resource(), origin));
      } else if (read instanceof ResourceReader.Failed failed) {
        failed.key().ifPresent(keys::add); // a bad new version: keep serving the old one
        unparsable |= failed.key().isEmpty();
        sink.reject(origin, failed.key(), failed.error());
      }
    }
    if (unparsable && previous != null) {
      keys.addAll(previous.keys());
    }
    seen.put(file, new Seen(size, modified, content, keys.build(), !unparsable));
    return !unparsable;
  }

  private Set<ResourceKey> allKeys() {
    Set<ResourceKey> keys = new HashSet<>();
    seen.values().forEach(s -> keys.addAll(s.keys()));
    return keys;
  }
}
