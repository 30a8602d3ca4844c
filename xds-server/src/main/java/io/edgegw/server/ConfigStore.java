package io.edgegw.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.model.InputSet;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import com.google.common.hash.HashCode;
import com.google.common.hash.Hasher;
import io.edgegw.translator.memo.Memo;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepted input resources, one JSON file each under {@code <state>/resources/<kind>/<ns>/<name>.json},
 * so that after a restart with no broker the node serves its last good configuration (KubeEdge's
 * "offline autonomy"). Every write is crash-safe: temp file in the same directory, fsync, atomic
 * rename, fsync of the directory. Everything is owner-only ({@link StateDirectory}): Secrets hold private
 * keys. Not thread-safe by design: only the config loop writes.
 *
 * <p>Each resource also records the source that owns it ({@code mqtt}, {@code file}, {@code kube}: {@link
 * io.edgegw.translator.model.ResourceEvent#source()}) in {@code <state>/owners.json}, so that after a
 * restart a source's full listing removes only what that source stored. A resource without a recorded
 * owner (stored before owners were kept, or a crash between the two writes) is claimed by the next
 * source that sends it.
 */
public final class ConfigStore {
  private static final Logger log = LoggerFactory.getLogger(ConfigStore.class);
  /** Loaded on first use, so opening an unloaded store at start costs no Jackson start-up. */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }
  private static final Pattern SAFE_SEGMENT = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
  private static final String TEMP_SUFFIX = StateDirectory.TEMP_SUFFIX;

  private final Path resourcesDir;
  private final Path corruptDir;
  private final Path ownersFile;
  private final TreeMap<ResourceKey, Resource> resources = new TreeMap<>();
  private final TreeMap<ResourceKey, String> owners = new TreeMap<>();
  private ImmutableList<String> loadProblems = ImmutableList.of();
  private boolean loaded;
  private InputSet inputSet = InputSet.EMPTY;

  /** No bound: for tools and tests that hold what they are given. */
  public static final long UNBOUNDED = Long.MAX_VALUE;

  private final long maxBytes;
  private long totalBytes;

  private ConfigStore(Path stateDir, long maxBytes) throws IOException {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive");
    }
    this.maxBytes = maxBytes;
    this.resourcesDir = stateDir.resolve("resources");
    this.corruptDir = stateDir.resolve("corrupt");
    this.ownersFile = stateDir.resolve("owners.json");
    StateDirectory.prepare(stateDir);
    StateDirectory.createDirectories(resourcesDir);
  }

  /** Opens (creating if needed) the store in {@code stateDir} and loads every persisted resource. */
  public static ConfigStore open(Path stateDir) throws IOException {
    ConfigStore store = new ConfigStore(stateDir, UNBOUNDED);
    store.load();
    return store;
  }

  /**
   * Opens the store without reading it yet: the sidecar serves a saved snapshot first and has the
   * config loop {@link #load()} the resources (a thousand JSON files) behind it. {@code maxBytes} bounds
   * what {@link #put} accepts: the sum of the stored manifests' compact JSON sizes, which is what the
   * heap is sized for (docs/resilience.md, "Bounded memory").
   */
  public static ConfigStore unloaded(Path stateDir, long maxBytes) throws IOException {
    return new ConfigStore(stateDir, maxBytes);
  }

  /** The sum of the stored manifests' sizes ({@link Resource#size()}). */
  public long totalBytes() {
    return totalBytes;
  }

  /** Reads every persisted resource, once; later calls do nothing. */
  public void load() throws IOException {
    if (loaded) {
      return;
    }
    loaded = true;
    loadProblems = loadAll();
    loadOwners();
    inputSet = new InputSet(ImmutableSortedMap.copyOfSorted(resources));
    totalBytes = resources.values().stream().mapToLong(Resource::size).sum();
    if (totalBytes > maxBytes) {
      // Accepted earlier under a larger bound: kept (nothing accepted is lost), only new growth is refused.
      log.warn("the state directory holds {} bytes of resources, over the bound of {}; new resources are refused"
          + " until some are removed", totalBytes, maxBytes);
    }
  }

  /** Files that could not be loaded at open, each with its path and what was wrong. */
  public ImmutableList<String> loadProblems() {
    return loadProblems;
  }

  public InputSet inputSet() {
    return inputSet;
  }

  public Optional<Resource> get(ResourceKey key) {
    return Optional.ofNullable(resources.get(key));
  }

  /** The source that owns a stored resource; empty when none is recorded (or it is not stored). */
  public Optional<String> owner(ResourceKey key) {
    return Optional.ofNullable(owners.get(key));
  }

  /** The stored keys that {@code source} owns, in key order. */
  public ImmutableList<ResourceKey> ownedBy(String source) {
    return owners.entrySet().stream().filter(e -> e.getValue().equals(source)).map(java.util.Map.Entry::getKey)
        .collect(ImmutableList.toImmutableList());
  }

  /** Stores {@code resource} without recording an owner (tools and tests); see {@link #put(Resource, String)}. */
  public boolean put(Resource resource) throws IOException {
    return put(resource, Optional.empty());
  }

  /**
   * Stores {@code resource} as owned by {@code source}; false when the identical resource was already
   * stored (its owner is recorded all the same). Whether {@code source} may replace another's is the
   * caller's decision.
   */
  public boolean put(Resource resource, String source) throws IOException {
    return put(resource, Optional.of(source));
  }

  private boolean put(Resource resource, Optional<String> source) throws IOException {
    Resource previous = resources.get(resource.key());
    if (resource.equals(previous)) {
      if (source.isPresent()) {
        recordOwner(resource.key(), source);
      }
      return false;
    }
    long after = totalBytes - (previous == null ? 0 : previous.size()) + resource.size();
    if (after > maxBytes && after > totalBytes) {
      throw new IllegalArgumentException("the stored resources would take " + after + " bytes, over the bound of "
          + maxBytes + " bytes (--max-store-bytes; the heap is sized for it, see docs/resilience.md)");
    }
    Path file = fileOf(resource.key());
    StateDirectory.createDirectories(file.getParent());
    StateDirectory.writeAtomically(file, fileBytes(resource));
    resources.put(resource.key(), resource);
    totalBytes = after;
    inputSet = new InputSet(ImmutableSortedMap.copyOfSorted(resources));
    recordOwner(resource.key(), source);
    return true;
  }

  /** Removes the resource; false when it was not stored. */
  public boolean remove(ResourceKey key) throws IOException {
    if (!resources.containsKey(key)) {
      return false;
    }
    Path file = fileOf(key);
    Files.deleteIfExists(file);
    StateDirectory.fsyncDirectory(file.getParent());
    totalBytes -= resources.remove(key).size();
    inputSet = new InputSet(ImmutableSortedMap.copyOfSorted(resources));
    recordOwner(key, Optional.empty());
    return true;
  }

  /** Written only when an owner changes (a new key, a delete), not on every update of a resource. */
  private void recordOwner(ResourceKey key, Optional<String> source) throws IOException {
    if (Objects.equals(owners.get(key), source.orElse(null))) {
      return;
    }
    if (source.isPresent()) {
      owners.put(key, source.get());
    } else {
      owners.remove(key);
    }
    ObjectNode json = Json.MAPPER.createObjectNode();
    owners.forEach((k, v) -> json.put(relativePath(k), v));
    StateDirectory.writeAtomically(ownersFile, Json.MAPPER.writeValueAsBytes(json));
  }

  private void loadOwners() {
    if (!Files.isRegularFile(ownersFile)) {
      return;
    }
    Map<String, ResourceKey> byPath = new HashMap<>();
    resources.keySet().forEach(k -> byPath.put(relativePath(k), k));
    try {
      Json.MAPPER.readTree(Files.readAllBytes(ownersFile)).fields().forEachRemaining(e -> {
        ResourceKey key = byPath.get(e.getKey());
        if (key != null && e.getValue().isTextual()) {
          owners.put(key, e.getValue().asText());
        }
      });
    } catch (IOException | RuntimeException e) {
      // Without owners every resource is claimed by the next source that sends it: nothing is lost.
      log.warn("cannot read {} ({}); the stored resources' owners are forgotten", ownersFile, e.toString());
    }
  }

  /** The file of a key; refuses names that could escape the state directory. */
  Path fileOf(ResourceKey key) {
    return resourcesDir.resolve(relativePath(key));
  }

  private static String relativePath(ResourceKey key) {
    for (String segment : List.of(key.namespace(), key.name())) {
      if (!SAFE_SEGMENT.matcher(segment).matches() || segment.length() > 253) {
        throw new IllegalArgumentException("unsafe resource name segment '" + segment + "' in " + key);
      }
    }
    return key.kind().topicName() + "/" + key.namespace() + "/" + key.name() + ".json";
  }

  /**
   * A digest of what the store holds for {@code inputs}: each file's path and bytes, as {@link #put}
   * writes them. Equal to {@link #digestOnDisk()} exactly when the files on disk are these inputs, so a
   * saved snapshot can tell whether it was made from what is stored now.
   */
  public static String contentDigest(InputSet inputs) throws IOException {
    return digests(inputs, Memo.byIdentity()).overall();
  }

  /** {@link #contentDigest} and each input's {@link #fileDigest} by {@link #pathOf} path. */
  public record Digests(String overall, ImmutableSortedMap<String, String> byPath) {}

  /**
   * Both digests of {@code inputs}; {@code files} remembers each input's file digest between calls (by
   * instance: the store keeps a resource's instance until it changes), so only changed inputs are
   * serialized again.
   */
  static Digests digests(InputSet inputs, Memo<Resource, HashCode> files) throws IOException {
    TreeMap<String, HashCode> byPath = new TreeMap<>();
    for (Resource resource : inputs.resources().values()) {
      HashCode known = files.previous(resource).orElse(null);
      HashCode digest = known != null ? known : Hashing.sha256().hashBytes(fileBytes(resource));
      files.put(resource, digest);
      byPath.put(relativePath(resource.key()), digest);
    }
    files.endTranslation();
    ImmutableSortedMap.Builder<String, String> hex = ImmutableSortedMap.naturalOrder();
    byPath.forEach((path, digest) -> hex.put(path, digest.toString()));
    return new Digests(digest(byPath), hex.buildOrThrow());
  }

  /** Where {@code key} is stored, relative to the resources directory: {@code virtualservice/ns/name.json}. */
  static String pathOf(ResourceKey key) {
    return relativePath(key);
  }

  /** The SHA-256 of {@code resource}'s file as {@link #put} writes it. */
  static String fileDigest(Resource resource) throws IOException {
    return Hashing.sha256().hashBytes(fileBytes(resource)).toString();
  }

  /**
   * The file of {@code resource}: its manifest indented, copied token by token from the compact JSON
   * it keeps (the same bytes as serializing its tree, without building the tree).
   */
  static byte[] fileBytes(Resource resource) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(resource.size() * 2);
    try (JsonParser in = Json.MAPPER.createParser(resource.toJson());
        JsonGenerator to = Json.MAPPER.createGenerator(out)) {
      in.nextToken();
      to.copyCurrentStructure(in);
    }
    return out.toByteArray();
  }

  /** The same digest of the files as they are on disk, read as bytes (no parsing: cheap at start-up). */
  public String digestOnDisk() throws IOException {
    TreeMap<String, HashCode> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(resourcesDir)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        if (!file.getFileName().toString().endsWith(TEMP_SUFFIX)) {
          files.put(resourcesDir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/"),
              Hashing.sha256().hashBytes(Files.readAllBytes(file)));
        }
      }
    }
    return digest(files);
  }

  /** Of each file's path and digest in path order: an input's file digest can be remembered, its bytes not. */
  private static String digest(TreeMap<String, HashCode> files) {
    Hasher hasher = Hashing.sha256().newHasher();
    files.forEach((path, digest) -> {
      byte[] name = path.getBytes(StandardCharsets.UTF_8);
      hasher.putInt(name.length).putBytes(name).putBytes(digest.asBytes());
    });
    return hasher.hash().toString();
  }

  private ImmutableList<String> loadAll() throws IOException {
    ImmutableList.Builder<String> problems = ImmutableList.builder();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(resourcesDir)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    ResourceReader reader = new ResourceReader();
    for (Path file : files) {
      if (file.getFileName().toString().endsWith(TEMP_SUFFIX)) {
        // A write that crashed before its rename: the previous version (if any) is still intact.
        Files.deleteIfExists(file);
        continue;
      }
      Optional<String> problem = loadOne(reader, file);
      if (problem.isPresent()) {
        String message = "state file " + file + ": " + problem.get();
        Path aside = setAside(file);
        log.warn("{}; moved to {}", message, aside);
        problems.add(message);
      }
    }
    return problems.build();
  }

  private Optional<String> loadOne(ResourceReader reader, Path file) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(Files.readAllBytes(file));
    } catch (IOException | RuntimeException e) {
      return Optional.of("not readable JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (node == null || node.isMissingNode()) {
      return Optional.of("empty file");
    }
    ResourceReader.Read read = reader.readOne(0, node);
    if (read instanceof ResourceReader.Failed failed) {
      return Optional.of(failed.toString());
    }
    Resource resource = ((ResourceReader.Ok) read).resource();
    Path expected;
    try {
      expected = fileOf(resource.key());
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
    if (!expected.equals(file)) {
      return Optional.of("holds " + resource.key() + ", which belongs in " + expected);
    }
    resources.put(resource.key(), resource);
    return Optional.empty();
  }

  private Path setAside(Path file) throws IOException {
    StateDirectory.createDirectories(corruptDir);
    String flat = resourcesDir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "_");
    Path target = corruptDir.resolve(flat + "." + Instant.now().toEpochMilli());
    Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
    return target;
  }


}
