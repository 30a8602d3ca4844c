package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.ir.CorsPolicy;
import io.edgegw.translator.ir.HeaderMutations;
import io.edgegw.translator.ir.Percentage;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/** An HTTPRoute, with what the front end supports (the decoder reports the rest). */
public record HttpRoute(
    ResourceKey key,
    String created,
    ImmutableList<ParentRef> parents,
    ImmutableList<String> hostnames,
    ImmutableList<Rule> rules) {

  /**
   * A Gateway or ListenerSet ({@code kind}) this route wants to attach to; {@code index} is its
   * position in {@code spec.parentRefs}.
   */
  public record ParentRef(
      int index, Kind kind, String namespace, String name, Optional<String> sectionName, OptionalInt port) {

    /** Whether this ref names {@code owner} (a Gateway, or a ListenerSet in a Gateway's shape). */
    public boolean names(ResourceKey owner) {
      return owner.kind() == kind && owner.namespace().equals(namespace) && owner.name().equals(name);
    }

    /** As messages name the parent: {@code Gateway ns/name listener l port p}. */
    public String describe() {
      return kind.kubernetesKind() + " " + namespace + "/" + name
          + sectionName.map(s -> " listener " + s).orElse("")
          + (port.isPresent() ? " port " + port.getAsInt() : "");
    }
  }

  /**
   * {@code index} is the rule's position in {@code spec.rules}; {@code matches} is never empty
   * (default: prefix /).
   */
  public record Rule(
      int index,
      ImmutableList<Match> matches,
      ImmutableList<BackendRef> backends,
      Filters filters,
      Timeouts timeouts,
      Optional<Retry> retry) {

    public Rule(int index, ImmutableList<Match> matches, ImmutableList<BackendRef> backends) {
      this(index, matches, backends, Filters.NONE, Timeouts.NONE, Optional.empty());
    }
  }

  /** {@code retry}: at most {@code attempts} retries, on the given response status codes. */
  public record Retry(int attempts, ImmutableList<Integer> codes, Optional<Duration> backoff) {}

  /** How a path is matched. */
  public enum PathType {
    EXACT,
    PREFIX,
    REGEX
  }

  /**
   * {@code path} of a prefix without a trailing slash except for "/"; {@code method} empty: any.
   */
  public record Match(
      PathType type,
      String path,
      ImmutableList<HeaderMatch> headers,
      ImmutableList<QueryMatch> queryParams,
      Optional<String> method) {

    public Match(boolean exact, String path, ImmutableList<HeaderMatch> headers) {
      this(
          exact ? PathType.EXACT : PathType.PREFIX,
          path,
          headers,
          ImmutableList.of(),
          Optional.empty());
    }
  }

  /** Header type Exact, or RegularExpression ({@code regex}, RE2). */
  public record HeaderMatch(String name, String value, boolean regex) {
    public HeaderMatch(String name, String value) {
      this(name, value, false);
    }
  }

  /** Query parameter type Exact, or RegularExpression ({@code regex}, RE2). */
  public record QueryMatch(String name, String value, boolean regex) {}

  /**
   * A rule's filters: header modifiers (request and response in one), at most one of redirect and
   * rewrite, mirrors, CORS.
   */
  public record Filters(
      HeaderMutations headers,
      Optional<Redirect> redirect,
      Optional<Rewrite> rewrite,
      ImmutableList<Mirror> mirrors,
      Optional<CorsPolicy> cors) {
    public static final Filters NONE =
        new Filters(
            HeaderMutations.NONE,
            Optional.empty(),
            Optional.empty(),
            ImmutableList.of(),
            Optional.empty());
  }

  /** ReplaceFullPath ({@code fullPath}) or ReplacePrefixMatch. */
  public record PathModifier(boolean fullPath, String value) {}

  /** RequestRedirect; {@code statusCode} 302 when not given. */
  public record Redirect(
      Optional<String> scheme,
      Optional<String> hostname,
      Optional<PathModifier> path,
      OptionalInt port,
      int statusCode) {}

  /** URLRewrite. */
  public record Rewrite(Optional<String> hostname, Optional<PathModifier> path) {}

  /** RequestMirror to a Service port; {@code field} is where it was given, for diagnostics. */
  public record Mirror(String field, String namespace, String name, int port, Percentage percent) {}

  /** {@code timeouts}; zero means none (the specification's "0s"), empty means not given. */
  public record Timeouts(Optional<Duration> request, Optional<Duration> backendRequest) {
    public static final Timeouts NONE = new Timeouts(Optional.empty(), Optional.empty());
  }

  /**
   * A Service port with its weight; {@code index} is its position in the rule's {@code
   * backendRefs}; {@code headers} from its own filters.
   */
  public record BackendRef(
      int index, String namespace, String name, int port, int weight, HeaderMutations headers) {
    public BackendRef(int index, String namespace, String name, int port, int weight) {
      this(index, namespace, name, port, weight, HeaderMutations.NONE);
    }
  }
}
