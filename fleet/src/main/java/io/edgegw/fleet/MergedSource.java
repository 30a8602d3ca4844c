package io.edgegw.fleet;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Several sources of truth as one (a directory beside the Kubernetes API). A key both define is a
 * problem, as a key defined twice in one directory is: which one the fleet should get is not ours to
 * guess.
 */
public final class MergedSource implements FleetSource {
  private final ImmutableList<FleetSource> sources;

  public MergedSource(List<FleetSource> sources) {
    this.sources = ImmutableList.copyOf(sources);
  }

  @Override
  public void start() throws IOException {
    for (FleetSource s : sources) {
      s.start();
    }
  }

  @Override
  public boolean ready() {
    return sources.stream().allMatch(FleetSource::ready);
  }

  @Override
  public String fingerprint() throws IOException {
    List<String> parts = new ArrayList<>();
    for (FleetSource s : sources) {
      parts.add(s.fingerprint());
    }
    return String.join("/", parts);
  }

  @Override
  public SourceDirectory.Snapshot read() throws IOException {
    ImmutableList.Builder<Resource> resources = ImmutableList.builder();
    List<String> problems = new ArrayList<>();
    Map<ResourceKey, FleetSource> seen = new HashMap<>();
    for (FleetSource s : sources) {
      SourceDirectory.Snapshot snapshot = s.read();
      problems.addAll(snapshot.problems());
      for (Resource r : snapshot.resources()) {
        FleetSource earlier = seen.putIfAbsent(r.key(), s);
        if (earlier != null) {
          problems.add(s.describe() + ": " + r.key() + " is also defined in " + earlier.describe());
        } else {
          resources.add(r);
        }
      }
    }
    return new SourceDirectory.Snapshot(resources.build(), ImmutableList.copyOf(problems));
  }

  @Override
  public String describe() {
    return sources.stream().map(FleetSource::describe).collect(Collectors.joining(" + "));
  }

  @Override
  public void close() {
    sources.forEach(FleetSource::close);
  }
}
