package io.edgegw.bench;

import io.edgegw.server.SnapshotVersions;
import io.edgegw.translator.EnvoyResources;
import io.edgegw.translator.Translation;
import io.edgegw.translator.TranslationMemo;
import io.edgegw.translator.Translator;
import io.edgegw.translator.memo.Memo;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.InputSet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The translator at 10 / 100 / 1000 / 10000 routes (one VirtualService each): a full translation from
 * nothing (start-up), a translation after one VirtualService changed with the memo the config loop
 * keeps between translations, and the content versions of that change's result (what the publisher
 * adds on top, with its own memo of virtual host digests).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-XX:+UseSerialGC"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TranslateBenchmark {
  @Param({"10", "100", "1000", "10000"})
  public int routes;

  private final Translator translator = new Translator();
  private final GatewayIdentity identity = Inputs.identity(8080);
  /** The config loop's memo, for the timed one-route translations. */
  private final TranslationMemo memo = new TranslationMemo();
  /** A second one, for the results the versions benchmark hashes. */
  private final TranslationMemo setupMemo = new TranslationMemo();
  private final Memo<com.google.protobuf.Message, com.google.common.hash.HashCode> digests = Memo.byIdentity();
  private InputSet inputs;
  private EnvoyResources before;
  private SnapshotVersions beforeVersions;

  @Setup(Level.Trial)
  public void setUp() {
    inputs = Inputs.inputSet(Inputs.all(routes, 9080));
    translator.translate(inputs, identity, memo);
    before = translator.translate(inputs, identity, setupMemo).resources();
    beforeVersions = SnapshotVersions.of(before, EnvoyResources.EMPTY, null, digests);
  }

  /** One VirtualService changed, with a new revision per invocation so nothing can be answered from before. */
  @State(Scope.Benchmark)
  public static class Change {
    InputSet changed;
    EnvoyResources after;
    int revision;

    @Setup(Level.Invocation)
    public void changeOneRoute(TranslateBenchmark b) {
      revision++;
      changed = Inputs.with(b.inputs, Inputs.virtualService("vs-0", Inputs.host(0), "svc-0", revision % 1000));
      after = b.translator.translate(changed, b.identity, b.setupMemo).resources();
    }
  }

  @Benchmark
  public Translation fullTranslation() {
    return translator.translate(inputs, identity);
  }

  @Benchmark
  public Translation oneRouteChangeTranslation(Change change) {
    return translator.translate(change.changed, identity, memo);
  }

  @Benchmark
  public SnapshotVersions oneRouteChangeVersions(Change change) {
    return SnapshotVersions.of(change.after, before, beforeVersions, digests);
  }
}
