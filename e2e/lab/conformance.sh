#!/usr/bin/env bash
# Kubernetes' own LoadBalancer end-to-end specs (test/e2e/network/loadbalancer.go, [Feature:LoadBalancer])
# against Herald in the lab, run from the client host as an outside client would.
#   conformance.sh build            e2e.test, ginkgo and agnhost from the pinned module (cached); prints the dir
#   conformance.sh images           agnhost's image into the lab registry (cached)
#   conformance.sh run vip|proxy [GINKGO-FLAGS...]
#                                   one pass: an IPPool of that traffic mode for the specs' namespaces, then
#                                   every [Feature:LoadBalancer] spec (or those the flags narrow to)
# Herald must be installed (lab.sh herald-up). HERALD_CONFORMANCE_PROCS ginkgo processes (default 3) run the
# specs in parallel. A spec that fails and is not in docs/conformance.md's table of expected failures runs once more,
# alone, after the pass (HERALD_CONFORMANCE_RETRY=0 turns that off: the lab's two cores sometimes stall a probe
# the specs make without a timeout); an expected failure is not run twice, its ten minutes are spent once.
# Reports and logs go to $HERALD_CONFORMANCE_OUT
# (default e2e/target/conformance/MODE).
set -euo pipefail
RECIPE=1
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB="$ROOT/e2e/lab/lab.sh"
MOD="$ROOT/e2e/k8s/conformance"
STATE=${HERALD_LAB_STATE:-/run/herald-lab}
CACHE=${HERALD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/herald}
REGISTRY=198.18.0.2:5000
# The specs take a client whose address is inside the nodes' /16 for a node ("Source IP was NOT
# preserved"), so the client host speaks from an address of its own behind itself, as a client
# behind a router would; ARP still goes out from its LAN address.
EXTERNAL4=203.0.113.100
FOCUS=${HERALD_CONFORMANCE_FOCUS:-'\[Feature:LoadBalancer\]'} # a narrower regular expression for a quick look
log() { printf '[conformance] %s\n' "$*" >&2; }
die() { printf '[conformance] error: %s\n' "$*" >&2; exit 1; }
modver() { awk -v m="$1" '$1==m && NF>=2 {print $2; exit}' "$MOD/go.mod"; }
moddir() { (cd "$MOD" && go list -m -f '{{.Dir}}' k8s.io/kubernetes); }

build() {
  local k8s key out tmp
  k8s=$(modver k8s.io/kubernetes)
  key=$( (cat "$MOD/go.mod" "$MOD/go.sum"; go env GOVERSION; echo "$RECIPE") | sha256sum | cut -c1-12)
  out="$CACHE/e2e-$k8s-$key"
  if [ ! -x "$out/e2e.test" ] || [ ! -x "$out/ginkgo" ] || [ ! -x "$out/agnhost" ]; then
    log "building e2e.test, ginkgo and agnhost of Kubernetes $k8s into $out"
    tmp="$out.tmp.$$"
    rm -rf "$tmp"; mkdir -p "$tmp"
    local v=${k8s#v} ld="-s -w"
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ld="$ld -X $p.gitVersion=$k8s -X $p.gitMajor=${v%%.*} -X $p.gitMinor=$(echo "$v" | cut -d. -f2)"
    done
    (cd "$MOD" && export CGO_ENABLED=0 GOFLAGS=-mod=readonly &&
      go test -c -trimpath -ldflags "$ld" -o "$tmp/e2e.test" k8s.io/kubernetes/test/e2e >&2 &&
      go build -trimpath -ldflags "-s -w" -o "$tmp/ginkgo" github.com/onsi/ginkgo/v2/ginkgo >&2 &&
      go build -trimpath -ldflags "-s -w -X main.Version=$(cat "$(moddir)/test/images/agnhost/VERSION")" \
        -o "$tmp/agnhost" k8s.io/kubernetes/test/images/agnhost >&2)
    rm -rf "$out"; mv "$tmp" "$out"
  fi
  echo "$out"
}

# agnhost as the framework's image manifest names it (registry.k8s.io/e2e-test-images/agnhost:<VERSION>),
# under the lab registry. Upstream builds it on Alpine; here the root filesystem is Debian's curl with
# its libraries and busybox (sh, wget, nc: what the specs run in it with kubectl exec), all from Debian.
agnhost_version() { cat "$(moddir)/test/images/agnhost/VERSION"; }
e2e_registry() { echo "$REGISTRY/e2e-test-images/$1"; } # BUILD: where KUBE_TEST_REPO_LIST points the framework
images() {
  local bin ref version tar
  bin=$(build)
  version=$(agnhost_version)
  local digest; digest=$(sha256sum "$bin/agnhost" | cut -c1-12)
  # upstream's Alpine image has curl and OpenBSD's nc; busybox 1.35's wget crashes (SIGSEGV) when given -T,
  # which the specs pass, and its nc lacks -u and -v: GNU wget and netcat-openbsd take their places
  local pkgs=(curl wget netcat-openbsd busybox)
  local closure; closure=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances "${pkgs[@]}" 2>/dev/null | grep -v '^[ <]' | sort -u)
  local rootkey; rootkey=$( (echo "$RECIPE"; for p in $closure; do echo "$p $(apt-cache policy "$p" | awk '/Candidate:/ {print $2}')"; done) | sha256sum | cut -c1-12)
  # the framework fixes the tag (and pods pull IfNotPresent), so each build of the image gets a repository
  # of its own: a node never runs an earlier build under the same name
  ref="$(e2e_registry "$digest-$rootkey")/agnhost:$version"
  if "$LAB" crane config "$ref" 2>/dev/null | grep -q "\"herald.agnhost.build\":\"$digest-$rootkey\""; then echo "$ref"; return; fi
  tar="$CACHE/agnhost-rootfs-$rootkey.tar.gz"
  if [ ! -f "$tar" ]; then
    log "assembling agnhost's root filesystem from Debian: $(echo "$closure" | tr '\n' ' ')"
    local d; d=$(mktemp -d)
    mkdir -p "$d/deb" "$d/root/bin" "$d/root/etc" "$d/root/tmp" "$d/root/uploads"
    # shellcheck disable=SC2086
    (cd "$d/deb" && apt-get download -qq -o APT::Sandbox::User=root $closure >&2)
    local f; for f in "$d"/deb/*.deb; do dpkg-deb -x "$f" "$d/root"; done
    rm -rf "$d/root/usr/share/doc" "$d/root/usr/share/man" "$d/root/usr/share/locale" "$d/root/usr/share/info"
    [ -e "$d/root/lib64/ld-linux-x86-64.so.2" ] || { mkdir -p "$d/root/lib64"; ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$d/root/lib64/ld-linux-x86-64.so.2"; }
    ln -s nc.openbsd "$d/root/bin/nc" # what Debian's alternatives would link
    # one try, as busybox's wget makes: GNU wget's 20 retries make a blocked address take minutes per probe
    printf 'tries = 1\n' >"$d/root/etc/wgetrc"
    local a; for a in $("$d/root/bin/busybox" --list); do
      [ -e "$d/root/bin/$a" ] || [ -e "$d/root/usr/bin/$a" ] || [ -e "$d/root/sbin/$a" ] || ln -s busybox "$d/root/bin/$a"
    done
    chmod 1777 "$d/root/tmp"
    printf 'root:x:0:0:root:/root:/bin/sh\nuser-defined-in-image:x:1000:1000::/home/user:/bin/sh\n' >"$d/root/etc/passwd"
    printf 'root:x:0:\ngroup-defined-in-image:x:50000:user-defined-in-image\n' >"$d/root/etc/group"
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$d/root" -cf - . | gzip -n >"$tar.tmp"
    mv "$tar.tmp" "$tar"
    rm -rf "$d"
  fi
  local d; d=$(mktemp -d)
  cp "$bin/agnhost" "$d/agnhost"; ln -s agnhost "$d/agnhost-2"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$d" -cf - . | gzip -n >"$d.tar.gz"
  log "pushing $ref"
  local said
  said=$("$LAB" crane append --oci-empty-base -f "$tar" -f "$d.tar.gz" -t "$ref" 2>&1) &&
    said=$("$LAB" crane mutate "$ref" -t "$ref" --set-platform linux/amd64 --entrypoint /agnhost --cmd pause \
      -e PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin -l "herald.agnhost.build=$digest-$rootkey" 2>&1) ||
    die "pushing $ref failed: $said"
  rm -rf "$d" "$d.tar.gz"
  echo "$ref"
}

client_external() { # on|off: the client host's outside address, and the routes back to it
  local n nodes; nodes=$(cat "$STATE/node-count")
  if [ "$1" = on ]; then
    "$LAB" exec client ip addr replace "$EXTERNAL4/32" dev lo
    "$LAB" exec client sysctl -qw net.ipv4.conf.eth0.arp_announce=2
    "$LAB" exec client ip route replace 198.18.0.0/24 dev eth0 src "$EXTERNAL4"
    ip route replace "$EXTERNAL4/32" via 198.18.0.100
    for ((n = 1; n <= nodes; n++)); do "$LAB" exec "node-$n" ip route replace "$EXTERNAL4/32" via 198.18.0.100; done
  else
    "$LAB" exec client ip route replace 198.18.0.0/24 dev eth0 src 198.18.0.100 2>/dev/null || true
    "$LAB" exec client ip addr del "$EXTERNAL4/32" dev lo 2>/dev/null || true
    ip route del "$EXTERNAL4/32" 2>/dev/null || true
    for ((n = 1; n <= nodes; n++)); do "$LAB" exec "node-$n" ip route del "$EXTERNAL4/32" 2>/dev/null || true; done
  fi
}

pool() { # vip|proxy: the pool the specs' namespaces draw from (the framework labels them e2e-framework=<base name>)
  local mode=VIP; [ "$1" = proxy ] && mode=Proxy
  cat <<EOF
apiVersion: herald.io/v1alpha1
kind: IPPool
metadata:
  name: conformance
spec:
  addresses: ["198.18.0.150-198.18.0.199", "fd18:18::150-fd18:18::199"]
  trafficMode: $mode
  allocation:
    namespaceSelector:
      matchExpressions: [{key: e2e-framework, operator: In, values: [loadbalancers, esipp]}]
EOF
}

run() {
  local mode=${1:?run vip|proxy}; shift
  [ "$mode" = vip ] || [ "$mode" = proxy ] || die "run takes vip or proxy"
  [ -f "$STATE/admin.kubeconfig" ] || die "no lab is running (./lab up)"
  local bin out kubectl
  bin=$(build)
  local agnhost; agnhost=$(images)
  out=${HERALD_CONFORMANCE_OUT:-$ROOT/e2e/target/conformance/$mode}
  rm -rf "$out"; mkdir -p "$out"
  kubectl="$(cat "$STATE/bindir")/kubectl"
  cat >"$out/repo-list.yaml" <<EOF
promoterE2eRegistry: ${agnhost%/agnhost:*}
gcRegistry: $REGISTRY/lab
EOF
  "$LAB" kubectl delete ippool conformance --ignore-not-found --wait=true >/dev/null
  pool "$mode" | "$LAB" kubectl apply -f - >/dev/null
  client_external on
  trap 'client_external off; "$LAB" kubectl delete ippool conformance --ignore-not-found >/dev/null 2>&1 || true' EXIT
  log "$mode pass: every $FOCUS spec, from the client host ($EXTERNAL4), images from $REGISTRY"
  local rc=0 t0=$SECONDS
  ginkgo_pass "$out" "$FOCUS" "$@" || rc=$?
  log "$mode pass: ginkgo exit $rc in $((SECONDS - t0))s; log $out/ginkgo.log"
  [ -f "$out/junit.xml" ] || die "$mode pass: ginkgo wrote no report ($out/junit.xml)"
  local retry=""
  if ! summary "$mode" "$out/junit.xml" "" "$out/retry-focus" >/dev/null; then
    if [ "${HERALD_CONFORMANCE_RETRY:-1}" != 0 ] && [ -s "$out/retry-focus" ]; then
      log "$mode pass: running its unexpected failures once more: $(cat "$out/retry-focus")"
      mkdir -p "$out/retry"; t0=$SECONDS rc=0
      ginkgo_pass "$out/retry" "$(cat "$out/retry-focus")" "$@" || rc=$?
      log "$mode retry: ginkgo exit $rc in $((SECONDS - t0))s; log $out/retry/ginkgo.log"
      [ -f "$out/retry/junit.xml" ] && retry="$out/retry/junit.xml"
    fi
  fi
  summary "$mode" "$out/junit.xml" "$retry" /dev/null
}

# One ginkgo run of the specs FOCUS names, reports into DIR.
ginkgo_pass() {
  local dir=$1 focus=$2; shift 2
  (cd "$dir" && "$LAB" exec client env KUBE_TEST_REPO_LIST="$out/repo-list.yaml" PATH="$(dirname "$kubectl"):$PATH" \
    "$bin/ginkgo" --focus="$focus" --no-color --timeout=60m --output-dir="$dir" --junit-report=junit.xml \
    --json-report=report.json --procs="${HERALD_CONFORMANCE_PROCS:-3}" "$@" \
    "$bin/e2e.test" -- --kubeconfig="$STATE/admin.kubeconfig" --kubectl-path="$kubectl" --provider=skeleton \
    --report-dir="$dir" --disable-log-dump --non-blocking-taints=node-role.kubernetes.io/control-plane \
    --num-nodes="$(cat "$STATE/node-count")" \
    >"$dir/ginkgo.log" 2>&1)
  local rc=$?
  grep -E '^(Ran [0-9]+ of|SUCCESS!|FAIL!|Ginkgo ran)' "$dir/ginkgo.log" | sed "s/^/[$mode] /" >&2 || true
  return $rc
}

# Every spec of the pass with its outcome and time; skips with upstream's reason. A failure passes the run only
# when the table of expected failures in docs/conformance.md names that exact spec for this mode (with why an
# L2 load balancer cannot pass it); anything else fails it.
summary() { # MODE JUNIT RETRY-JUNIT|"" FILE-FOR-THE-RETRY-FOCUS
  python3 - "$1" "$2" "$3" "$4" "$ROOT/docs/conformance.md" <<'PY'
import json, os, re, sys, xml.etree.ElementTree as ET
mode, junit, retry_junit, focus_out, readme = sys.argv[1:]
expected = {}
text = open(readme).read()
m = re.search(r'<!-- conformance-expected-failures -->(.*?)<!-- /conformance-expected-failures -->', text, re.S)
for line in (m.group(1).splitlines() if m else []):
    cells = [c.strip() for c in line.strip().strip('|').split('|')]
    if len(cells) >= 3 and cells[0] in ('VIP', 'Proxy', 'both'):
        for md in (('vip', 'proxy') if cells[0] == 'both' else (cells[0].lower(),)):
            expected.setdefault(md, {})[cells[1].strip('`')] = cells[2]

def cases(path):
    return [c for c in ET.parse(path).getroot().iter('testcase') if '[Feature:LoadBalancer]' in c.get('name', '')]
def name(c):
    return re.sub(r'^\[It\] ', '', c.get('name'))
def failed(c):
    return c.find('failure') is not None or c.find('error') is not None
# ginkgo matches --focus against a spec's text (its containers' and its own, without labels): taken from the
# JSON report, escaped for Go's RE2, which refuses escapes of letters and spaces
def spec_texts(path):
    texts = []
    for suite in json.load(open(os.path.join(os.path.dirname(path), 'report.json'))):
        for r in suite.get('SpecReports') or []:
            if r.get('LeafNodeType') == 'It':
                texts.append(' '.join((r.get('ContainerHierarchyTexts') or []) + [r.get('LeafNodeText', '')]))
    return texts
def focus(text):
    return re.sub(r'([\\.+*?()|\[\]{}^$])', r'\\\1', text)

retried = {name(c): c for c in cases(retry_junit)} if retry_junit else {}
counts = {'passed': 0, 'failed': 0, 'skipped': 0}
unexpected, total_time, flaked = [], 0.0, 0
all_cases = cases(junit)
for c in all_cases:
    n = name(c)
    t = float(c.get('time', 0)); total_time += t
    again = retried.get(n)
    if failed(c) and again is not None and not failed(again) and again.find('skipped') is None:
        status = 'passed'; note = 'flaked: failed once, passed when run again'; flaked += 1
        t += float(again.get('time', 0)); total_time += float(again.get('time', 0))
    elif failed(c):
        status = 'failed'
        why = expected.get(mode, {}).get(n)
        note = 'expected: ' + why if why else ('UNEXPECTED, failed again when run alone' if again is not None else 'UNEXPECTED')
        if not why:
            unexpected.append(n)
    elif c.find('skipped') is not None:
        status = 'skipped'; note = 'upstream skips it: ' + (c.find('skipped').get('message') or '').strip().splitlines()[0][:160]
    else:
        status = 'passed'; note = ''
    counts[status] += 1
    print(f'[{mode}] {status:7} {t:7.1f}s  {n}' + (f'  -- {note}' if note else ''))
print(f'[{mode}] summary: {counts["passed"]} passed ({flaked} after a retry), {counts["failed"]} failed ({len(unexpected)} unexpected), '
      f'{counts["skipped"]} skipped, {len(all_cases)} total; spec time {total_time:.0f}s')
if unexpected and focus_out != '/dev/null':
    pats = [focus(t) for t in spec_texts(junit) if any(u.startswith(t) for u in unexpected)]
    open(focus_out, 'w').write('|'.join(pats))
if len(all_cases) == 0:
    print(f'[{mode}] no [Feature:LoadBalancer] spec ran'); sys.exit(1)
sys.exit(1 if unexpected else 0)
PY
}

cmd=${1:-}; shift || true
case "$cmd" in
  build) build ;;
  images) images ;;
  run) run "$@" ;;
  *) die "usage: conformance.sh build | images | run vip|proxy [GINKGO-FLAGS...]" ;;
esac
