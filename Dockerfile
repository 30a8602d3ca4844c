# syntax=docker/dockerfile:1
# The edgegw sidecar image: a jlinked Java 17 runtime and the shaded jar on debian:bookworm-slim.
# Runs as uid 10001 with a read-only root filesystem; writes only to /var/lib/edgegw and /tmp.
#   docker build -t edgegw:dev .
#   docker buildx build --platform linux/amd64,linux/arm64 -t REGISTRY/edgegw:TAG --push .
# See docs/kubernetes.md.

# ---- 1. build the jar ------------------------------------------------------------------------------
# The jar is platform-independent, so with buildx this stage runs natively on the build machine.
FROM --platform=$BUILDPLATFORM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
# A repository inside the workdir: the layer below keeps it whatever the base image declares for ~/.m2.
ENV MAVEN_OPTS="-Dmaven.repo.local=/build/.m2"
# Poms first: building the empty modules downloads every dependency and plugin into a layer that is
# rebuilt only when a pom changes, not on every source change.
COPY pom.xml ./
# Error Prone needs javac's internals opened (.mvn/jvm.config); every build checks line lengths (checks/).
COPY .mvn/ .mvn/
COPY checks/ checks/
COPY translator/pom.xml translator/
COPY mqtt-bridge/pom.xml mqtt-bridge/
COPY kube-source/pom.xml kube-source/
COPY envoy-bootstrap/pom.xml envoy-bootstrap/
COPY fleet/pom.xml fleet/
COPY xds-server/pom.xml xds-server/
COPY it/pom.xml it/
RUN mvn -B -q -Dmaven.test.skip=true -pl xds-server -am package
# Only the modules the jar is made of; tests are neither copied (.dockerignore) nor compiled.
COPY translator/ translator/
COPY mqtt-bridge/ mqtt-bridge/
COPY kube-source/ kube-source/
COPY envoy-bootstrap/ envoy-bootstrap/
COPY fleet/ fleet/
COPY xds-server/ xds-server/
RUN mvn -B -Dmaven.test.skip=true -pl xds-server -am package

# ---- 2. a small Java runtime ------------------------------------------------------------------------
# Runs on the target platform: the runtime is native code.
FROM eclipse-temurin:17-jdk AS jre
# Modules, from `jdeps --print-module-deps --multi-release 17` on the jar and a run of the jlinked
# runtime against a real Envoy and mosquitto:
#   java.base        everything
#   java.logging     java.util.logging: gRPC, Guava, Protobuf, Paho
#   java.xml         logback reads logback.xml with SAX
#   java.naming      logback and gRPC reference JNDI (gRPC's DNS-record lookup, logback's JNDI lookups)
#   java.management  Netty reads -XX:MaxDirectMemorySize through the RuntimeMXBean (by reflection, so
#                    jdeps does not see it); without it Netty ignores the flag below
#   java.sql         protobuf-java-util's Timestamps and Jackson's java.sql.* handlers link it
#   java.prefs       Paho's WebSocket transport (ws://, wss:// MQTT URLs) encodes through java.util.prefs
#   jdk.unsupported  sun.misc.Unsafe: Netty, Protobuf, Guava
#   jdk.httpserver   the admin endpoint (com.sun.net.httpserver)
#   jdk.crypto.ec    TLS to an ssl:// broker: ECDHE key exchange and EC certificates
#   java.net.http    the Kubernetes API source (--kube-api, --kubeconfig, --kube-in-cluster)
# --generate-cds-archive: the JDK's own class archive, which the sidecar's AppCDS archive below extends.
# Left out: java.desktop (only java.beans, which Jackson uses optionally and SnakeYAML only for bean
# mapping that Jackson does not use; ~10 MB), jdk.jfr (Netty checks for it),
# java.security.jgss, jdk.naming.dns, jdk.localedata (logs and manifests are not localised).
RUN jlink \
      --add-modules java.base,java.logging,java.xml,java.naming,java.management,java.sql,java.prefs,jdk.unsupported,jdk.httpserver,jdk.crypto.ec,java.net.http \
      --strip-debug --no-man-pages --no-header-files --compress=2 --generate-cds-archive \
      --output /opt/java

# ---- 3. the runtime image ---------------------------------------------------------------------------
# glibc is needed: Netty extracts and loads its native epoll library.
FROM debian:bookworm-slim
ENV JAVA_HOME=/opt/java
COPY --from=jre /opt/java /opt/java
# A numeric USER lets Kubernetes verify runAsNonRoot without a runAsUser in the pod.
RUN groupadd --system --gid 10001 edgegw \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /var/lib/edgegw \
      --shell /usr/sbin/nologin edgegw \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/edgegw
COPY --from=build /build/xds-server/target/edgegw.jar /opt/edgegw/edgegw.jar
COPY xds-server/src/main/jvm/edgegw.jvmopts /opt/edgegw/edgegw.jvmopts
# AppCDS: a training run writes the classes a start loads (store, translation, xDS) to an archive that
# every start maps instead of loading and verifying them again (about 1 s less, see
# docs/benchmarks.md). Made here because it must match this runtime and this jar, byte for byte and at
# this path, with the same JVM options. The run translates the bookinfo example, then stops with
# SIGTERM, which writes the archive.
COPY examples/bookinfo/ /tmp/cds-train/
RUN set -eu; \
    /opt/java/bin/java @/opt/edgegw/edgegw.jvmopts \
      -XX:ArchiveClassesAtExit=/opt/edgegw/edgegw.jsa -Xlog:cds*=off -jar /opt/edgegw/edgegw.jar \
      run --no-mqtt --config-dir /tmp/cds-train --state-dir /tmp/cds-state 2>/tmp/cds.log & pid=$!; \
    i=0; until [ "$(grep -c 'serving snapshot' /tmp/cds.log)" -ge 2 ]; do \
      i=$((i + 1)); if [ $i -gt 600 ] || ! kill -0 $pid; then cat /tmp/cds.log; exit 1; fi; sleep 0.1; done; \
    kill -TERM $pid; wait $pid || true; \
    test -s /opt/edgegw/edgegw.jsa; \
    rm -rf /tmp/cds-train /tmp/cds-state /tmp/cds.log
USER 10001:10001
WORKDIR /var/lib/edgegw
# The only writable places with a read-only root filesystem: the accepted configuration (keep it across
# restarts for offline autonomy) and Netty's native library, extracted to java.io.tmpdir at start.
VOLUME ["/var/lib/edgegw", "/tmp"]
# glibc gives each thread that mallocs its own 64 MB arena; two keep the resident set down.
ENV MALLOC_ARENA_MAX=2
# The JVM options every launcher uses (xds-server/src/main/jvm/edgegw.jvmopts says why each is there),
# then the AppCDS archive made above. Add flags with JAVA_TOOL_OPTIONS.
ENTRYPOINT ["/opt/java/bin/java", "@/opt/edgegw/edgegw.jvmopts", \
            "-XX:SharedArchiveFile=/opt/edgegw/edgegw.jsa", "-jar", "/opt/edgegw/edgegw.jar"]
CMD ["run", "--state-dir", "/var/lib/edgegw"]
