package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile and the Kubernetes manifests agree with the repository and with the CLI: every file
 * the image build copies exists (and is not hidden by .dockerignore), the jar the ENTRYPOINT runs is the
 * one Maven builds, the image runs as non-root, and every manifest's containers are locked down and
 * pass only options that the edgegw commands accept. No Docker engine or cluster is needed.
 */
class PackagingTest {
  private static final Path REPO = repoRoot();
  private static final Path JAR = REPO.resolve("xds-server/target/edgegw.jar");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();

  /** it/pom.xml passes the reactor root; from an IDE the working directory is the it module. */
  private static Path repoRoot() {
    String configured = System.getProperty("edgegw.repo", "");
    Path root = configured.isBlank() || configured.contains("${") ? Path.of("..") : Path.of(configured);
    return root.toAbsolutePath().normalize();
  }

  // ---- Dockerfile ------------------------------------------------------------------------------------

  @Test
  void everyPathCopiedFromTheBuildContextExistsAndIsNotIgnored() throws IOException {
    Dockerfile dockerfile = Dockerfile.read(REPO.resolve("Dockerfile"));
    List<String> ignored = dockerignore();
    List<Copy> fromContext = dockerfile.copies().stream().filter(c -> c.from().isEmpty()).collect(Collectors.toList());
    assertThat(fromContext).as("COPY instructions from the build context").isNotEmpty();
    for (Copy copy : fromContext) {
      for (String source : copy.sources()) {
        String relative = stripSlashes(source);
        assertThat(relative).as("COPY source %s (line %d) stays inside the build context", source, copy.line())
            .doesNotStartWith("..");
        assertThat(REPO.resolve(relative))
            .as("COPY %s (Dockerfile line %d): no such path in the repository", source, copy.line())
            .exists();
        for (String pattern : ignored) {
          assertThat(ignores(pattern, relative))
              .as("COPY %s (Dockerfile line %d) is excluded by .dockerignore pattern %s", source, copy.line(), pattern)
              .isFalse();
        }
      }
    }
  }

  @Test
  void everyPathCopiedFromTheBuildStageExistsAfterMavenPackage() throws IOException {
    Dockerfile dockerfile = Dockerfile.read(REPO.resolve("Dockerfile"));
    Stage build = dockerfile.stage("build")
        .orElseThrow(() -> new AssertionError("the Dockerfile has no stage named build"));
    List<Copy> fromBuild = dockerfile.copies().stream().filter(c -> c.from().equals("build")).collect(Collectors.toList());
    assertThat(fromBuild).as("COPY --from=build instructions").isNotEmpty();
    for (Copy copy : fromBuild) {
      for (String source : copy.sources()) {
        // The build stage copies the repository's layout into its WORKDIR.
        String prefix = build.workdir().endsWith("/") ? build.workdir() : build.workdir() + "/";
        assertThat(source).as("COPY --from=build %s (line %d) reads from the build stage's WORKDIR %s", source,
            copy.line(), build.workdir()).startsWith(prefix);
        Path inRepo = REPO.resolve(source.substring(prefix.length()));
        if (!Files.exists(inRepo)) {
          fail("COPY --from=build " + source + " (Dockerfile line " + copy.line() + "): " + REPO.relativize(inRepo)
              + " does not exist. Run `mvn -B -DskipTests package` at the repository root first (the full"
              + " `mvn verify` builds it before this module's tests); if it still does not appear, the Dockerfile"
              + " names the wrong artifact.");
        }
      }
    }
  }

  @Test
  void entrypointRunsTheCopiedJarAsNonRootWithTheExpectedJvmFlags() throws IOException {
    Dockerfile dockerfile = Dockerfile.read(REPO.resolve("Dockerfile"));
    Stage last = dockerfile.stages().get(dockerfile.stages().size() - 1);

    List<String> entrypoint = last.execForm("ENTRYPOINT");
    int jarFlag = entrypoint.indexOf("-jar");
    assertThat(jarFlag).as("ENTRYPOINT %s runs a jar", entrypoint).isBetween(0, entrypoint.size() - 2);
    String jar = entrypoint.get(jarFlag + 1);
    List<String> copiedThere = dockerfile.copies().stream()
        .filter(c -> c.stage() == last && c.from().equals("build"))
        .map(c -> c.destination().endsWith("/")
            ? c.destination() + c.sources().get(0).substring(c.sources().get(0).lastIndexOf('/') + 1)
            : c.destination())
        .collect(Collectors.toList());
    assertThat(copiedThere).as("the final stage copies the ENTRYPOINT's jar %s from the build stage", jar).contains(jar);
    // No hsperfdata in /tmp; bounded heap: options the ENTRYPOINT gives, or reads from an @argument file.
    assertThat(withArgumentFiles(dockerfile, last, entrypoint)).contains("-XX:-UsePerfData")
        .anyMatch(a -> a.startsWith("-Xmx"));

    String user = last.last("USER").orElseThrow(() -> new AssertionError("the final stage sets no USER"));
    String uid = user.split(":")[0];
    assertThat(uid).as("USER %s: numeric, so Kubernetes can check runAsNonRoot", user).matches("[0-9]+");
    assertThat(Integer.parseInt(uid)).as("USER %s is not root", user).isPositive();

    List<String> cmd = last.execForm("CMD");
    assertThat(cmd).as("CMD").startsWith("run");
    String volumes = last.all("VOLUME").stream().collect(Collectors.joining(" "));
    assertThat(volumes).as("VOLUME: the writable places under a read-only root").contains("/tmp");
    int stateDir = cmd.indexOf("--state-dir");
    if (stateDir >= 0) {
      assertThat(volumes).as("the --state-dir of CMD is a volume").contains(cmd.get(stateDir + 1));
    }
    assertOptionsKnown("Dockerfile CMD", cmd);
  }

  /** {@code args} with each {@code @file} replaced by the options in it, read from where the stage copied it from. */
  private static List<String> withArgumentFiles(Dockerfile dockerfile, Stage stage, List<String> args)
      throws IOException {
    List<String> out = new ArrayList<>();
    for (String arg : args) {
      if (!arg.startsWith("@")) {
        out.add(arg);
        continue;
      }
      Copy copy = dockerfile.copies().stream()
          .filter(c -> c.stage() == stage && c.from().isEmpty() && c.destination().equals(arg.substring(1)))
          .findFirst()
          .orElseThrow(() -> new AssertionError("ENTRYPOINT reads " + arg + ", which no COPY puts there"));
      for (String line : Files.readAllLines(REPO.resolve(copy.sources().get(0)))) {
        String option = line.replaceFirst("#.*", "").trim();
        if (!option.isEmpty()) {
          out.add(option);
        }
      }
    }
    return out;
  }

  // ---- Kubernetes manifests --------------------------------------------------------------------------

  @Test
  void everyManifestDocumentIsAKubernetesObject() throws IOException {
    List<Path> files = manifestFiles();
    assertThat(files).as("examples/kubernetes/*.yaml").isNotEmpty();
    for (Path file : files) {
      List<JsonNode> documents = documents(file);
      assertThat(documents).as("%s has documents", file).isNotEmpty();
      for (JsonNode doc : documents) {
        String what = REPO.relativize(file) + ": " + doc.path("kind").asText("?") + " "
            + doc.path("metadata").path("name").asText("?");
        assertThat(doc.path("apiVersion").asText()).as("%s: apiVersion", what).isNotBlank();
        assertThat(doc.path("kind").asText()).as("%s: kind", what).isNotBlank();
        assertThat(doc.path("metadata").path("name").asText()).as("%s: metadata.name", what).isNotBlank();
      }
    }
  }

  @Test
  void deploymentContainersAreLockedDown() throws IOException {
    List<JsonNode> deployments = deployments();
    assertThat(deployments).as("Deployments in examples/kubernetes").isNotEmpty();
    for (JsonNode deployment : deployments) {
      JsonNode pod = deployment.path("spec").path("template").path("spec");
      for (JsonNode container : pod.path("initContainers")) {
        String what = name(deployment) + " initContainer " + container.path("name").asText();
        assertLockedDown(what, pod, container);
        JsonNode security = container.path("securityContext");
        // One documented exception: giving a hostPath directory to the non-root user needs root with
        // CHOWN, and nothing else.
        if (!security.path("runAsNonRoot").asBoolean(false)) {
          assertThat(texts(security.path("capabilities").path("add")))
              .as("%s runs as root: CHOWN must be its only capability", what).containsExactly("CHOWN");
        }
      }
      for (JsonNode container : pod.path("containers")) {
        String what = name(deployment) + " container " + container.path("name").asText();
        assertLockedDown(what, pod, container);
        JsonNode security = container.path("securityContext");
        assertThat(security.path("runAsNonRoot").asBoolean(false)).as("%s: runAsNonRoot", what).isTrue();
        assertThat(security.path("runAsUser").asInt(1)).as("%s: runAsUser", what).isNotZero();
      }
    }
  }

  @Test
  void sidecarProbeAndAddressesAgreeWithItsArguments() throws IOException {
    for (JsonNode deployment : deployments()) {
      JsonNode pod = deployment.path("spec").path("template").path("spec");
      JsonNode sidecar = edgegwContainers(pod).stream().filter(c -> subcommand(c).equals("run")).findFirst()
          .orElseThrow(() -> new AssertionError(name(deployment) + " has no container running `edgegw run`"));
      Map<String, String> run = options(args(sidecar));

      JsonNode probe = sidecar.path("readinessProbe").path("httpGet");
      assertThat(probe.path("path").asText()).as("%s: sidecar readiness probe path", name(deployment))
          .isEqualTo("/healthz/ready");
      String admin = run.getOrDefault("--admin-address", "127.0.0.1:18001");
      assertThat(probe.path("port").asText()).as("readiness probe port vs --admin-address %s", admin)
          .isEqualTo(admin.substring(admin.lastIndexOf(':') + 1));
      if (admin.startsWith("127.")) {
        // The kubelet reaches the pod's loopback only when the pod shares the node's network.
        assertThat(pod.path("hostNetwork").asBoolean(false))
            .as("admin binds %s, so the probe needs hostNetwork", admin).isTrue();
        assertThat(probe.path("host").asText()).as("probe host for admin %s", admin).isEqualTo(admin.split(":")[0]);
      }

      // Envoy reads the bootstrap an init container writes, and that bootstrap points at the sidecar.
      Optional<JsonNode> bootstrap = edgegwContainers(pod).stream().filter(c -> subcommand(c).equals("bootstrap"))
          .findFirst();
      if (bootstrap.isPresent()) {
        List<String> bootstrapArgs = args(bootstrap.get());
        Map<String, String> options = options(bootstrapArgs);
        assertThat(options.getOrDefault("--xds-address", "127.0.0.1:18000")).as("bootstrap --xds-address")
            .isEqualTo(run.getOrDefault("--xds-address", "127.0.0.1:18000"));
        // The sidecar's node policy reserves Envoy's admin port: it must be the one the bootstrap sets.
        String envoyAdmin = options.getOrDefault("--envoy-admin-address", "127.0.0.1:9901");
        assertThat(run.getOrDefault("--envoy-admin-port", "9901")).as("run --envoy-admin-port vs bootstrap --envoy-admin-address")
            .isEqualTo(envoyAdmin.substring(envoyAdmin.lastIndexOf(':') + 1));
        String output = options.containsKey("-o") ? options.get("-o") : options.get("--output");
        List<String> envoyArgs = new ArrayList<>();
        for (JsonNode container : pod.path("containers")) {
          if (container.path("image").asText().startsWith("envoyproxy/envoy")) {
            envoyArgs.addAll(texts(container.path("command")));
            envoyArgs.addAll(texts(container.path("args")));
          }
        }
        assertThat(envoyArgs).as("the Envoy container reads the bootstrap written to %s", output)
            .containsSequence("-c", output);
        // Envoy's readiness probe asks the health listener the bootstrap generates, as on Istio's gateways.
        String healthPort = options.getOrDefault("--health-port", "15021");
        for (JsonNode container : pod.path("containers")) {
          if (container.path("image").asText().startsWith("envoyproxy/envoy")) {
            JsonNode envoyProbe = container.path("readinessProbe").path("httpGet");
            assertThat(envoyProbe.path("path").asText()).as("Envoy readiness probe path").isEqualTo("/healthz/ready");
            assertThat(envoyProbe.path("port").asText()).as("Envoy readiness probe port vs --health-port")
                .isEqualTo(healthPort);
          }
        }
      }
    }
  }

  @Test
  void manifestsUseOnlyOptionsTheCommandsAccept() throws IOException {
    for (JsonNode deployment : deployments()) {
      JsonNode pod = deployment.path("spec").path("template").path("spec");
      List<JsonNode> edgegw = edgegwContainers(pod);
      assertThat(edgegw).as("%s runs edgegw commands", name(deployment)).isNotEmpty();
      for (JsonNode container : edgegw) {
        assertOptionsKnown(name(deployment) + " container " + container.path("name").asText(), args(container));
      }
    }
  }

  // ---- checks ----------------------------------------------------------------------------------------

  private static void assertLockedDown(String what, JsonNode pod, JsonNode container) {
    JsonNode security = container.path("securityContext");
    assertThat(security.isObject()).as("%s has a securityContext", what).isTrue();
    assertThat(security.path("readOnlyRootFilesystem").asBoolean(false)).as("%s: readOnlyRootFilesystem", what)
        .isTrue();
    assertThat(security.path("allowPrivilegeEscalation").isBoolean()
        && !security.path("allowPrivilegeEscalation").asBoolean())
        .as("%s: allowPrivilegeEscalation false", what).isTrue();
    assertThat(texts(security.path("capabilities").path("drop"))).as("%s: capabilities.drop", what).contains("ALL");
    String seccomp = security.path("seccompProfile").path("type")
        .asText(pod.path("securityContext").path("seccompProfile").path("type").asText());
    assertThat(seccomp).as("%s: seccompProfile (container or pod)", what).isEqualTo("RuntimeDefault");
  }

  /** Every option in {@code args} (a subcommand and its options) appears in that subcommand's --help. */
  private static void assertOptionsKnown(String what, List<String> args) {
    assertThat(args).as("%s: arguments", what).isNotEmpty();
    String subcommand = args.get(0);
    String help = help(subcommand);
    for (String option : options(args).keySet()) {
      assertThat(Pattern.compile("(?<![\\w-])" + Pattern.quote(option) + "(?![\\w-])").matcher(help).find())
          .as("%s passes %s, which `edgegw %s --help` does not list:%n%s", what, option, subcommand, help)
          .isTrue();
    }
  }

  private static final Map<String, String> HELP = new LinkedHashMap<>();

  /** {@code java -jar edgegw.jar <subcommand> --help}, stdout and stderr together. */
  private static synchronized String help(String subcommand) {
    return HELP.computeIfAbsent(subcommand, s -> {
      if (!Files.isRegularFile(JAR)) {
        fail(JAR + " is missing, so the options the manifests pass cannot be checked against `edgegw " + s
            + " --help`. Run `mvn -B -DskipTests package` at the repository root first (the full `mvn verify`"
            + " builds it before this module's tests).");
      }
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      try {
        Process process = new ProcessBuilder(java.toString(), "-jar", JAR.toString(), s, "--help")
            .redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output;
        try (InputStream in = process.getInputStream()) {
          output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          fail("`edgegw " + s + " --help` did not finish within 60 s");
        }
        assertThat(process.exitValue()).as("exit code of `edgegw %s --help`; it printed:%n%s", s, output).isZero();
        assertThat(output).as("`edgegw %s --help`", s).contains("Usage:");
        return output;
      } catch (IOException e) {
        throw new AssertionError("cannot run " + java + " -jar " + JAR, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    });
  }

  // ---- reading ---------------------------------------------------------------------------------------

  private static List<Path> manifestFiles() throws IOException {
    try (Stream<Path> files = Files.list(REPO.resolve("examples/kubernetes"))) {
      return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted()
          .collect(Collectors.toList());
    }
  }

  private static List<JsonNode> documents(Path file) throws IOException {
    List<JsonNode> documents = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      while (it.hasNextValue()) {
        JsonNode doc = it.nextValue();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          documents.add(doc);
        }
      }
    }
    return documents;
  }

  private static List<JsonNode> deployments() throws IOException {
    List<JsonNode> deployments = new ArrayList<>();
    for (Path file : manifestFiles()) {
      for (JsonNode doc : documents(file)) {
        if (doc.path("kind").asText().equals("Deployment")) {
          deployments.add(doc);
        }
      }
    }
    return deployments;
  }

  private static String name(JsonNode object) {
    return object.path("kind").asText() + " " + object.path("metadata").path("name").asText();
  }

  /** Containers and init containers that run our image with an edgegw subcommand. */
  private static List<JsonNode> edgegwContainers(JsonNode pod) {
    List<JsonNode> found = new ArrayList<>();
    for (String field : List.of("initContainers", "containers")) {
      for (JsonNode container : pod.path(field)) {
        boolean ourImage = container.path("image").asText().matches("(.*/)?edgegw(:.*|@.*)?");
        if (ourImage && !container.has("command") && !args(container).isEmpty()) {
          found.add(container);
        }
      }
    }
    return found;
  }

  private static List<String> args(JsonNode container) {
    return texts(container.path("args"));
  }

  private static String subcommand(JsonNode container) {
    List<String> args = args(container);
    return args.isEmpty() ? "" : args.get(0);
  }

  /** Options of a command line: {@code --name=value}, {@code --name value} and {@code --flag}. */
  private static Map<String, String> options(List<String> args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 1; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("-")) {
        continue;
      }
      int eq = arg.indexOf('=');
      if (eq > 0) {
        options.put(arg.substring(0, eq), arg.substring(eq + 1));
      } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("-")) {
        options.put(arg, args.get(++i));
      } else {
        options.put(arg, "");
      }
    }
    return options;
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(n -> texts.add(n.asText()));
    return texts;
  }

  private static List<String> dockerignore() throws IOException {
    Path file = REPO.resolve(".dockerignore");
    if (!Files.exists(file)) {
      return List.of();
    }
    return Files.readAllLines(file).stream().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#") && !l.startsWith("!"))
        .map(PackagingTest::stripSlashes).collect(Collectors.toList());
  }

  /** Whether a .dockerignore pattern excludes {@code path} or a directory above it. */
  private static boolean ignores(String pattern, String path) {
    List<String> patterns = new ArrayList<>(List.of(pattern));
    if (pattern.startsWith("**/")) {
      patterns.add(pattern.substring(3)); // Docker's ** also matches no directory at all
    }
    for (String p : patterns) {
      var matcher = FileSystems.getDefault().getPathMatcher("glob:" + p);
      for (Path candidate = Path.of(path); candidate != null; candidate = candidate.getParent()) {
        if (matcher.matches(candidate)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String stripSlashes(String path) {
    String s = path.startsWith("./") ? path.substring(2) : path;
    while (s.startsWith("/")) {
      s = s.substring(1);
    }
    while (s.endsWith("/") && s.length() > 1) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }

  // ---- a Dockerfile, parsed just enough --------------------------------------------------------------

  /** One build stage: its name (may be empty), WORKDIR at the end, and its instructions. */
  record Stage(String name, String workdir, List<String[]> instructions) {
    Optional<String> last(String keyword) {
      String found = null;
      for (String[] instruction : instructions) {
        if (instruction[0].equals(keyword)) {
          found = instruction[1];
        }
      }
      return Optional.ofNullable(found);
    }

    List<String> all(String keyword) {
      return instructions.stream().filter(i -> i[0].equals(keyword)).map(i -> i[1]).collect(Collectors.toList());
    }

    List<String> execForm(String keyword) {
      String value = last(keyword).orElseThrow(() -> new AssertionError("the final stage has no " + keyword));
      try {
        return JSON.readValue(value, new TypeReference<List<String>>() {});
      } catch (IOException e) {
        throw new AssertionError(keyword + " must use the exec (JSON array) form: " + value, e);
      }
    }
  }

  /** A COPY: from a stage ("" for the build context), sources, destination, Dockerfile line. */
  record Copy(Stage stage, String from, List<String> sources, String destination, int line) {}

  record Dockerfile(List<Stage> stages, List<Copy> copies) {
    Optional<Stage> stage(String name) {
      return stages.stream().filter(s -> s.name().equalsIgnoreCase(name)).findFirst();
    }

    static Dockerfile read(Path file) throws IOException {
      assertThat(file).as("Dockerfile at the repository root").exists();
      List<String> lines = Files.readAllLines(file);
      List<Stage> stages = new ArrayList<>();
      List<Copy> copies = new ArrayList<>();
      String name = null;
      String workdir = "/";
      List<String[]> instructions = null;
      List<Copy> stageCopies = new ArrayList<>();
      StringBuilder logical = new StringBuilder();
      int start = 0;
      for (int i = 0; i <= lines.size(); i++) {
        String line = i < lines.size() ? lines.get(i) : "";
        boolean comment = line.strip().startsWith("#");
        if (i < lines.size() && (comment || (line.isBlank() && logical.length() > 0))) {
          continue; // comments and blank lines do not end a continued instruction
        }
        if (logical.length() == 0) {
          start = i + 1;
        }
        if (i < lines.size() && line.stripTrailing().endsWith("\\")) {
          String s = line.stripTrailing();
          logical.append(s, 0, s.length() - 1).append(' ');
          continue;
        }
        logical.append(line);
        String text = logical.toString().strip();
        logical.setLength(0);
        if (text.isEmpty()) {
          continue;
        }
        String[] parts = text.split("\\s+", 2);
        String keyword = parts[0].toUpperCase();
        String rest = parts.length > 1 ? parts[1].strip() : "";
        if (keyword.equals("FROM")) {
          if (instructions != null) {
            stages.add(finish(name, workdir, instructions, stageCopies, copies));
          }
          String[] words = rest.split("\\s+");
          name = words.length >= 3 && words[words.length - 2].equalsIgnoreCase("AS") ? words[words.length - 1] : "";
          workdir = "/";
          instructions = new ArrayList<>();
          stageCopies = new ArrayList<>();
          continue;
        }
        if (instructions == null) {
          continue; // ARG before the first FROM
        }
        instructions.add(new String[] {keyword, rest});
        if (keyword.equals("WORKDIR")) {
          workdir = rest.startsWith("/") ? rest : workdir.replaceAll("/?$", "/") + rest;
        } else if (keyword.equals("COPY") || keyword.equals("ADD")) {
          stageCopies.add(copy(rest, start));
        }
      }
      if (instructions != null) {
        stages.add(finish(name, workdir, instructions, stageCopies, copies));
      }
      assertThat(stages).as("build stages in %s", file).isNotEmpty();
      return new Dockerfile(stages, copies);
    }

    /** The stage, with its copies re-attached to it (a Copy records the stage it belongs to). */
    private static Stage finish(String name, String workdir, List<String[]> instructions, List<Copy> stageCopies,
        List<Copy> all) {
      Stage stage = new Stage(name, workdir, instructions);
      for (Copy c : stageCopies) {
        all.add(new Copy(stage, c.from(), c.sources(), c.destination(), c.line()));
      }
      return stage;
    }

    private static Copy copy(String rest, int line) {
      String from = "";
      String remaining = rest;
      while (remaining.startsWith("--")) {
        String[] flag = remaining.split("\\s+", 2);
        if (flag[0].startsWith("--from=")) {
          from = flag[0].substring("--from=".length());
        } // --chown, --chmod, --link and others do not change what is copied
        remaining = flag.length > 1 ? flag[1].strip() : "";
      }
      List<String> paths;
      if (remaining.startsWith("[")) {
        try {
          paths = JSON.readValue(remaining, new TypeReference<List<String>>() {});
        } catch (IOException e) {
          throw new AssertionError("Dockerfile line " + line + ": bad JSON in COPY " + rest, e);
        }
      } else {
        paths = List.of(remaining.split("\\s+"));
      }
      assertThat(paths).as("Dockerfile line %d: COPY needs a source and a destination", line).hasSizeGreaterThan(1);
      return new Copy(null, from, List.copyOf(paths.subList(0, paths.size() - 1)), paths.get(paths.size() - 1), line);
    }
  }
}
