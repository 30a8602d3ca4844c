package io.edgegw.server.cli;

import io.edgegw.translator.model.GatewayIdentity;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The input and gateway options of {@code translate} and {@code validate} (a picocli mixin). */
final class IdentityOptions {
  @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE|DIR",
      description = "Manifest file, or directory of *.yaml/*.yml/*.json (sorted). Repeatable.")
  List<Path> files;

  @Mixin GatewayIdentityOptions gateway;

  GatewayIdentity identity() {
    return gateway.identity();
  }
}
