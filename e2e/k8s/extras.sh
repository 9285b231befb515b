#!/usr/bin/env bash
# Builds, once, the two other things Herald's build and tests need from outside Maven, into a cache:
#   helm     Helm 3 from the Go module proxy, to render deploy/helm/herald in tests
#   crane    go-containerregistry's crane from the Go module proxy, to push the lab's own base and
#            tool images (no Docker engine here) and to read the registry
#   coredns  CoreDNS at the version kubeadm of the lab's Kubernetes installs, from the Go module proxy:
#            the lab's cluster DNS
#   libpcap  a libpcap that needs nothing but libc, from Debian's source package, for the speaker's
#            image (the JRE base image has no libpcap, and Debian's own build pulls in D-Bus and
#            systemd libraries); the lab's speakers load this same file
#   nftables libnftables and the libraries it needs, from Debian's binary packages, for the speaker's
#            image: the owner of a Proxy-mode address guards it with an nftables table (no nft binary
#            or shell in the image; the speaker calls the library)
# Usage: extras.sh helm|crane|coredns|libpcap|nftables   prints the path of the binary, shared library
#        or library directory on stdout.
set -euo pipefail
HELM_VERSION=v3.19.5
CRANE_VERSION=v0.22.1
COREDNS_VERSION=v1.12.1 # kubeadm 1.34's CoreDNSVersion
LIBPCAP_VERSION=1.10.3
cache=${HERALD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/herald}
log() { printf '%s\n' "$*" >&2; }

go_tool() { # NAME OUT PACKAGE@VERSION LDFLAGS: go install into the cache once; prints the binary
  local name=$1 out=$2 pkg=$3 ld=$4
  if [ ! -x "$out/$name" ]; then
    log "building $pkg into $out"
    local tmp="$out.tmp.$$"
    rm -rf "$tmp"; mkdir -p "$tmp"
    CGO_ENABLED=0 GOBIN="$tmp" GOFLAGS=-mod=mod go install -trimpath -ldflags "$ld" "$pkg" >&2
    rm -rf "$out"; mv "$tmp" "$out"
  fi
  echo "$out/$name"
}

helm_bin() {
  go_tool helm "$cache/helm-$HELM_VERSION-$(go env GOVERSION)-2" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" \
    "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION
     -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=34"
}

crane_bin() {
  go_tool crane "$cache/crane-$CRANE_VERSION-$(go env GOVERSION)" "github.com/google/go-containerregistry/cmd/crane@$CRANE_VERSION" "-s -w"
}

coredns_bin() {
  go_tool coredns "$cache/coredns-$COREDNS_VERSION-$(go env GOVERSION)" "github.com/coredns/coredns@$COREDNS_VERSION" "-s -w"
}

libpcap_so() {
  local out="$cache/libpcap-$LIBPCAP_VERSION-minimal"
  if [ ! -f "$out/libpcap.so.1" ]; then
    log "building libpcap $LIBPCAP_VERSION (libc only) into $out"
    command -v flex >/dev/null && command -v bison >/dev/null && command -v gcc >/dev/null ||
      { log "installing flex, bison and gcc to build libpcap"; apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq flex bison gcc make >&2; }
    local tmp="$out.tmp.$$"
    rm -rf "$tmp"; mkdir -p "$tmp/src" "$tmp/apt/lists/partial" "$tmp/apt/cache/archives/partial" "$tmp/apt/sources"
    # Debian's source package: signed through the archive's Release file like any package
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      >"$tmp/apt/sources/src.sources"
    local apt=(-o Dir::Etc::sourcelist=/dev/null -o "Dir::Etc::sourceparts=$tmp/apt/sources"
      -o "Dir::State::Lists=$tmp/apt/lists" -o "Dir::Cache=$tmp/apt/cache" -o APT::Sandbox::User=root)
    apt-get "${apt[@]}" update -qq >&2
    (cd "$tmp/src" && apt-get "${apt[@]}" source --download-only -qq "libpcap=$LIBPCAP_VERSION-1" >&2)
    tar -xzf "$tmp/src/libpcap_$LIBPCAP_VERSION.orig.tar.gz" -C "$tmp/src"
    (cd "$tmp/src/libpcap-$LIBPCAP_VERSION" &&
      ./configure -q --disable-dbus --disable-rdma --disable-bluetooth --disable-usb --disable-netmap \
        --disable-remote --without-libnl --without-dpdk --without-dag --without-septel --without-snf \
        --without-turbocap >&2 &&
      make -s -j"$(nproc)" shared >&2)
    cp "$tmp/src/libpcap-$LIBPCAP_VERSION/libpcap.so.$LIBPCAP_VERSION" "$tmp/libpcap.so.1"
    strip --strip-unneeded "$tmp/libpcap.so.1"
    if ldd "$tmp/libpcap.so.1" | grep -v -E 'linux-vdso|libc\.so|ld-linux' | grep -q '=>'; then
      ldd "$tmp/libpcap.so.1" >&2; log "libpcap needs more than libc"; exit 1
    fi
    rm -rf "$tmp/src" "$tmp/apt"
    rm -rf "$out"; mv "$tmp" "$out"
  fi
  echo "$out/libpcap.so.1"
}

nftables_libs() {
  # package and the soname taken from it
  local pkgs=(libnftables1:libnftables.so.1 libnftnl11:libnftnl.so.11 libmnl0:libmnl.so.0 libgmp10:libgmp.so.10
    libjansson4:libjansson.so.4 libxtables12:libxtables.so.12)
  local p versions=""
  for p in "${pkgs[@]}"; do
    versions+="${p%%:*}=$(apt-cache policy "${p%%:*}" | awk '/Candidate:/ {print $2}') "
  done
  case "$versions" in *"=(none)"*|*"= "*) apt-get update -qq >&2; versions=""
    for p in "${pkgs[@]}"; do versions+="${p%%:*}=$(apt-cache policy "${p%%:*}" | awk '/Candidate:/ {print $2}') "; done ;;
  esac
  local out="$cache/nftables-$(printf '%s' "$versions" | sha256sum | cut -c1-12)"
  if [ ! -f "$out/libnftables.so.1" ]; then
    log "extracting libnftables and its libraries ($versions) into $out"
    local tmp="$out.tmp.$$"
    rm -rf "$tmp"; mkdir -p "$tmp/deb"
    # shellcheck disable=SC2086
    (cd "$tmp/deb" && apt-get download -qq $versions >&2)
    for p in "${pkgs[@]}"; do
      dpkg-deb -x "$tmp/deb/${p%%:*}"_*.deb "$tmp/x"
      cp -L "$(find "$tmp/x" -name "${p##*:}" | head -1)" "$tmp/${p##*:}"
    done
    rm -rf "$tmp/deb" "$tmp/x"
    rm -rf "$out"; mv "$tmp" "$out"
  fi
  echo "$out"
}

case "${1:-}" in
  helm) helm_bin ;;
  crane) crane_bin ;;
  coredns) coredns_bin ;;
  libpcap) libpcap_so ;;
  nftables) nftables_libs ;;
  *) log "usage: $0 helm|crane|coredns|libpcap|nftables"; exit 2 ;;
esac
