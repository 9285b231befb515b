#!/usr/bin/env bash
# Checks herald-alerts.yaml with Prometheus's own promtool (every expression parsed for real, every
# rule checked), and runs alert unit tests in herald-alerts.test.yaml if there is one.
#
# promtool is built once from the Go module proxy into a cache and reused afterwards:
#   PROMTOOL            use this promtool instead of building one
#   PROMTOOL_VERSION    module version of github.com/prometheus/prometheus (v0.313.5 is Prometheus 3.13.5)
#   HERALD_TOOLS_CACHE  where the sources, the Go caches and the binary live (default ~/.cache/herald/go-tools)
# The module is built inside a copy of its own source, not with `go install mod@version`: its go.mod
# has a replace directive, which `go install` refuses.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="${PROMTOOL_VERSION:-v0.313.5}"
cache="${HERALD_TOOLS_CACHE:-${HOME}/.cache/herald/go-tools}"

promtool="${PROMTOOL:-}"
if [[ -z "$promtool" ]]; then
  promtool="$cache/bin/promtool-$version"
  if [[ ! -x "$promtool" ]]; then
    command -v go >/dev/null || { echo "check.sh: go is needed to build promtool (or set PROMTOOL)" >&2; exit 2; }
    echo "check.sh: building promtool $version into $cache (once; takes minutes)" >&2
    start=$(date +%s)
    export GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 GOPATH="$cache/gopath" GOMODCACHE="$cache/gopath/pkg/mod" \
      GOCACHE="$cache/gocache"
    module="$(go mod download -json "github.com/prometheus/prometheus@$version" \
      | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
    [[ -d "$module" ]] || { echo "check.sh: could not download prometheus $version" >&2; exit 2; }
    src="$cache/src/prometheus-$version"
    rm -rf "$src" && mkdir -p "$cache/src" "$cache/bin"
    cp -r "$module" "$src" && chmod -R u+w "$src"
    (cd "$src" && nice -n 10 go build -trimpath -o "$promtool.tmp" ./cmd/promtool)
    mv "$promtool.tmp" "$promtool"
    echo "check.sh: promtool built in $(( $(date +%s) - start )) s" >&2
  fi
fi

"$promtool" --version | head -1
"$promtool" check rules "$here/herald-alerts.yaml"

# the dashboard's queries, with Grafana's variables filled in, parsed as recording rules
if command -v jq >/dev/null; then
  rules="$(mktemp --suffix=.yaml)"
  trap 'rm -f "$rules"' EXIT
  jq -r '
    [.panels[] | ., (.panels // [])[]] | map(.targets // [] | .[] | .expr | select(. != null)) | to_entries
    | "groups:\n  - name: dashboard\n    rules:\n"
      + (map("      - record: herald:dashboard_query_\(.key)\n        expr: \(.value | gsub("\\$__rate_interval"; "5m")
             | gsub("\\$(pool|speaker|listener)"; ".*") | tojson)\n") | join(""))
  ' "$here/herald-dashboard.json" > "$rules"
  echo "Dashboard queries:"
  "$promtool" check rules "$rules" | sed 's|^|  |'
else
  echo "check.sh: jq not found: dashboard queries not checked" >&2
fi
if [[ -f "$here/herald-alerts.test.yaml" ]]; then
  (cd "$here" && "$promtool" test rules herald-alerts.test.yaml)
fi
