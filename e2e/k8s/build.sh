#!/usr/bin/env bash
# Builds the upstream binaries the lab runs (kube-apiserver, kube-controller-manager, kube-scheduler,
# kube-proxy, kubelet, kubectl, etcd) from the Go module pinned in this folder, into a cache keyed by what decides the
# result: go.mod, go.sum, the Go version and the recipe below (bump RECIPE when flags change).
# A warm cache never rebuilds. Prints the bin directory on stdout; progress goes to stderr.
set -euo pipefail
RECIPE=1
here=$(cd "$(dirname "$0")" && pwd)
modver() { awk -v m="$1" '$1==m && NF>=2 {print $2; exit}' "$here/go.mod"; }
k8s_version=$(modver k8s.io/kubernetes)
etcd_version=$(modver go.etcd.io/etcd/server/v3)
key=$( (cat "$here/go.mod" "$here/go.sum"; go env GOVERSION; echo "$RECIPE") | sha256sum | cut -c1-12)
cache=${HERALD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/herald}
out="$cache/k8s-$k8s_version-etcd-$etcd_version-$key"
tools=(kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet kubectl etcd)
complete=1
for t in "${tools[@]}"; do [ -x "$out/$t" ] || complete=0; done
if [ "$complete" = 1 ]; then echo "$out"; exit 0; fi

echo "building Kubernetes $k8s_version and etcd $etcd_version into $out (cold: tens of minutes on 2 cores)" >&2
start=$(date +%s)
tmp="$out.tmp.$$"
rm -rf "$tmp"; mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
v=${k8s_version#v}; major=${v%%.*}; rest=${v#*.}; minor=${rest%%.*}
ld="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ld="$ld -X $p.gitVersion=$k8s_version -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
done
cd "$here"
export CGO_ENABLED=0 GOFLAGS=-mod=readonly
go build -trimpath -ldflags "$ld" -o "$tmp/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kubelet \
  k8s.io/kubernetes/cmd/kubectl
go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3
rm -rf "$out"; mv "$tmp" "$out"; trap - EXIT
echo "built in $(( $(date +%s) - start ))s: $out" >&2
echo "$out"
