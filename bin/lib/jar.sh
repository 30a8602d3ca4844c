# Sourced by bin/edgegw and bin/demo: builds xds-server/target/edgegw.jar when it is missing or when a
# source it is made of (the root pom.xml, or a pom.xml or src/ file of a module the jar contains) is
# newer than it, so the scripts never run a stale jar.
jar_modules=(translator mqtt-bridge envoy-bootstrap fleet xds-server)

jar_is_stale() {
  local repo="$1" jar="$1/xds-server/target/edgegw.jar" sources=("$1/pom.xml") m
  [[ -f "$jar" ]] || return 0
  for m in "${jar_modules[@]}"; do
    sources+=("$repo/$m/pom.xml" "$repo/$m/src/main")
  done
  [[ -n "$(find "${sources[@]}" -newer "$jar" -print -quit 2>/dev/null)" ]]
}

ensure_jar() {
  local repo="$1"
  if jar_is_stale "$repo"; then
    echo "edgegw: building $repo/xds-server/target/edgegw.jar (missing or older than its sources) ..." >&2
    (cd "$repo" && mvn -B -q -ntp -DskipTests -pl xds-server -am package) >&2
  fi
}
