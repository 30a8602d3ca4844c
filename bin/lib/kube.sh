# Sourced by bin/test (only when the Kubernetes it tests run) and usable on its own:
#   bash bin/lib/kube.sh            # build/fetch everything, print the paths
# Makes sure a real kube-apiserver, a real etcd and Istio's CRDs are on this machine and exports
# KUBE_APISERVER_BIN, ETCD_BIN, ISTIO_CRDS and GATEWAY_API_CRDS. No Docker: kube-apiserver is built from the Go module
# proxy (k8s.io/kubernetes is a Go module; its staging repos are published as k8s.io/* v0.x), etcd comes
# from Debian's etcd-server, the CRDs from the Go modules istio.io/api and sigs.k8s.io/gateway-api
# (its standard channel; GATEWAY_API_CHANNEL=experimental for the experimental one). Everything is cached under the
# project's ignored .tools/kube, so a warm machine skips it; the Go build cache stays in Go's own
# cache directory (never in the repository).
# Cold cost, measured on 2 cores: see docs/kubeedge.md ("Testing against a real API server").
KUBE_VERSION="${KUBE_VERSION:-1.37.2}"
ISTIO_API_VERSION="${ISTIO_API_VERSION:-1.32.0}"
GATEWAY_API_VERSION="${GATEWAY_API_VERSION:-1.6.3}"
GATEWAY_API_CHANNEL="${GATEWAY_API_CHANNEL:-standard}"
kube_repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
kube_tools="$kube_repo_root/.tools/kube"

kube_apt_install() {
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "edgegw: installing $* (Debian packages)" >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >&2
}

ensure_etcd() {
  if [ -n "${ETCD_BIN:-}" ] && [ -x "$ETCD_BIN" ]; then return; fi
  if [ ! -x /usr/bin/etcd ]; then
    kube_apt_install etcd-server
    # The package starts a system etcd on 2379; the tests run their own on free ports.
    systemctl disable --now etcd >/dev/null 2>&1 || true
  fi
  export ETCD_BIN=/usr/bin/etcd
}

# The wrapper module: requires k8s.io/kubernetes and points each staging module (listed at v0.0.0 in
# kubernetes' own go.mod, resolved there by ./staging replaces) at its published v0.<minor>.<patch>.
kube_write_wrapper() {
  local dir="$1" gomod staging
  mkdir -p "$dir"
  gomod="$(cd "$dir" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" \
    | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
  [ -f "$gomod" ] || { echo "edgegw: could not fetch kubernetes' go.mod" >&2; return 1; }
  staging="v0.${KUBE_VERSION#1.}"
  {
    echo "module edgegw.local/kubebuild"
    echo
    echo "go $(sed -n 's/^go \([0-9.]*\)$/\1/p' "$gomod")"
    echo
    echo "require k8s.io/kubernetes v$KUBE_VERSION"
    echo
    echo "replace ("
    sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9./-]*\) => \./staging/.*#\1#p' "$gomod" | sort -u \
      | while read -r m; do echo "	$m => $m $staging"; done
    echo ")"
  } > "$dir/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver"\n' > "$dir/tools.go"
  echo "edgegw: $(grep -c ' => ' "$dir/go.mod") staging replaces for kubernetes v$KUBE_VERSION" >&2
}

ensure_kube_apiserver() {
  if [ -n "${KUBE_APISERVER_BIN:-}" ] && [ -x "$KUBE_APISERVER_BIN" ]; then return; fi
  local bin="$kube_tools/v$KUBE_VERSION/kube-apiserver"
  if [ ! -x "$bin" ]; then
    command -v go >/dev/null || { echo "edgegw: Go is needed to build kube-apiserver" >&2; return 1; }
    local dir="$kube_tools/build-v$KUBE_VERSION" start=$SECONDS
    kube_write_wrapper "$dir" || return 1
    echo "edgegw: building kube-apiserver v$KUBE_VERSION from the Go module proxy (about 11 min on 2 cores, once)" >&2
    (cd "$dir" && GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0 \
      go build -trimpath -ldflags='-s -w' -o "$bin.tmp" k8s.io/kubernetes/cmd/kube-apiserver) >&2 || return 1
    mv "$bin.tmp" "$bin"
    echo "edgegw: kube-apiserver built in $((SECONDS - start)) s" >&2
  fi
  export KUBE_APISERVER_BIN="$bin"
}

ensure_istio_crds() {
  if [ -n "${ISTIO_CRDS:-}" ] && [ -f "$ISTIO_CRDS" ]; then return; fi
  local file="$kube_tools/istio-api-v$ISTIO_API_VERSION-crds.yaml"
  if [ ! -f "$file" ]; then
    local dir
    mkdir -p "$kube_tools"
    dir="$(cd "$kube_tools" && GOFLAGS=-mod=mod GO111MODULE=on go mod download -json "istio.io/api@v$ISTIO_API_VERSION" \
      | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
    cp "$dir/kubernetes/customresourcedefinitions.gen.yaml" "$file.tmp" && mv "$file.tmp" "$file"
  fi
  export ISTIO_CRDS="$file"
}

# The CustomResourceDefinitions of one channel in one file (not the ValidatingAdmissionPolicy that
# ships beside them: it only guards upgrades between channels).
ensure_gateway_api_crds() {
  if [ -n "${GATEWAY_API_CRDS:-}" ] && [ -f "$GATEWAY_API_CRDS" ]; then return; fi
  local file="$kube_tools/gateway-api-v$GATEWAY_API_VERSION-$GATEWAY_API_CHANNEL-crds.yaml"
  if [ ! -f "$file" ]; then
    local dir f
    mkdir -p "$kube_tools"
    dir="$(cd "$kube_tools" && GOFLAGS=-mod=mod GO111MODULE=on go mod download -json \
      "sigs.k8s.io/gateway-api@v$GATEWAY_API_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
    : > "$file.tmp"
    for f in "$dir/config/crd/$GATEWAY_API_CHANNEL"/gateway.networking.k8s.io_*.yaml; do
      case "$f" in *_vap_*) continue ;; esac
      { echo "---"; cat "$f"; } >> "$file.tmp"
    done
    mv "$file.tmp" "$file"
  fi
  export GATEWAY_API_CRDS="$file"
}

ensure_kube() {
  ensure_etcd && ensure_istio_crds && ensure_gateway_api_crds && ensure_kube_apiserver || return 1
  echo "edgegw: kube-apiserver at $KUBE_APISERVER_BIN, etcd at $ETCD_BIN, Istio CRDs at $ISTIO_CRDS," \
    "Gateway API CRDs at $GATEWAY_API_CRDS" >&2
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  ensure_kube
fi
