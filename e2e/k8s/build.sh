#!/usr/bin/env bash
# Builds the upstream binaries the lab runs (kube-apiserver, kube-controller-manager, kube-scheduler,
# kube-proxy, kubelet, kubectl, etcd) from the Go module pinned in this folder, into a cache keyed by what decides the
# result: go.mod, go.sum, the Go version and the recipe below (bump RECIPE when flags change).
# A warm cache never rebuilds. Prints the bin directory on stdout; progress goes to stderr.
#   build.sh            the lab's Kubernetes (this folder's module)
#   build.sh v1.32      the kube-apiserver of the oldest minor Herald supports (the module in v1.32/), for
#                       the install and admission tests run against it (etcd is the lab's)
set -euo pipefail
RECIPE=1
here=$(cd "$(dirname "$0")" && pwd)
minor=${1:-}
mod=$here${minor:+/$minor}
[ -f "$mod/go.mod" ] || { echo "no Kubernetes module $mod" >&2; exit 2; }
modver() { awk -v m="$1" '$1=="require" && $2==m {print $3; exit} $1==m && NF>=2 {print $2; exit}' "$mod/go.mod"; }
k8s_version=$(modver k8s.io/kubernetes)
key=$( (cat "$mod/go.mod" "$mod/go.sum"; go env GOVERSION; echo "$RECIPE") | sha256sum | cut -c1-12)
cache=${HERALD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/herald}
if [ -n "$minor" ]; then
  etcd_version=
  out="$cache/k8s-$k8s_version-apiserver-$key"
  tools=(kube-apiserver)
else
  etcd_version=$(modver go.etcd.io/etcd/server/v3)
  out="$cache/k8s-$k8s_version-etcd-$etcd_version-$key"
  tools=(kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet kubectl etcd)
fi
complete=1
for t in "${tools[@]}"; do [ -x "$out/$t" ] || complete=0; done
if [ "$complete" = 1 ]; then echo "$out"; exit 0; fi

echo "building Kubernetes $k8s_version ${tools[*]} into $out (cold: minutes to tens of minutes on 2 cores)" >&2
start=$(date +%s)
tmp="$out.tmp.$$"
rm -rf "$tmp"; mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
v=${k8s_version#v}; major=${v%%.*}; rest=${v#*.}; minor=${rest%%.*}
ld="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ld="$ld -X $p.gitVersion=$k8s_version -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
done
cd "$mod"
export CGO_ENABLED=0 GOFLAGS=-mod=readonly
pkgs=()
for t in "${tools[@]}"; do [ "$t" = etcd ] || pkgs+=("k8s.io/kubernetes/cmd/$t"); done
go build -trimpath -ldflags "$ld" -o "$tmp/" "${pkgs[@]}"
[ -z "$etcd_version" ] || go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3
rm -rf "$out"; mv "$tmp" "$out"; trap - EXIT
echo "built in $(( $(date +%s) - start ))s: $out" >&2
echo "$out"
