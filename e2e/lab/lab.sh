#!/usr/bin/env bash
# The Herald lab: a real Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager) on
# this machine and N "nodes" that are network namespaces on one LAN bridge, each with kube-proxy, a
# heartbeat agent and pod namespaces behind it, plus a client host on the same LAN.
#
# Address plan (198.18.0.0/15 is reserved for network benchmarks; fd18::/16 is unique-local):
#   LAN            198.18.0.0/24        fd18:18::/64       bridge br0 in netns ${P}-lan
#   control plane  198.18.0.2           fd18:18::2         root netns, veth ${P}-cp
#   node i         198.18.0.(10+i)      fd18:18::(10+i)    netns ${P}-node-i, eth0
#   client         198.18.0.100         fd18:18::100       netns ${P}-client, eth0
#   pods on node i 198.18.(128+i).0/24  fd18:18:1:i::/64   netns ${P}-pod-NS-NAME behind cbr0
#   services       198.19.0.0/16        fd18:19::/112      NodePorts 30000-32767
#   sample pool    198.18.0.200-250     fd18:18::200-250
# Everything lives in namespaces and processes this script creates; `down` removes all of it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
P=${HERALD_LAB_PREFIX:-hl}
STATE=${HERALD_LAB_STATE:-/run/herald-lab}
NODES=${HERALD_LAB_NODES:-3}
PROXY_MODE=${HERALD_LAB_PROXY_MODE:-nftables}
CACHE=${HERALD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/herald}
CP4=198.18.0.2 CP6=fd18:18::2
CLIENT4=198.18.0.100 CLIENT6=fd18:18::100
SVC_CIDRS=198.19.0.0/16,fd18:19::/112
CLUSTER_CIDRS=198.18.128.0/17,fd18:18:1::/56
# `apiserver-up` runs the control plane alone on loopback (for *IT tests): other ports, no namespaces.
API_BIND=$CP4 API_PORT=6443
ETCD_PORT=${HERALD_ETCD_PORT:-23790}
if [ -n "${HERALD_API_PORT:-}" ]; then API_BIND=127.0.0.1 API_PORT=$HERALD_API_PORT; fi
APISERVER=https://$API_BIND:$API_PORT

log() { printf '[lab] %s\n' "$*" >&2; }
die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }
node_name() { echo "node-$1"; }
node_ns() { echo "$P-node-$1"; }
node_ip4() { echo "198.18.0.$((10 + $1))"; }
node_ip6() { echo "fd18:18::$((10 + $1))"; }
node_mac() { printf '02:48:4c:00:00:%02x' "$((16 + $1))"; }
pod_cidr4() { echo "198.18.$((128 + $1)).0/24"; }
pod_cidr6() { printf 'fd18:18:1:%x::/64' "$1"; }
node_index() { # node-2 | 2 -> 2
  local n=${1#node-}
  [[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ -d "$STATE/nodes/$n" ] || die "no such node: $1"
  echo "$n"
}
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
bin() { cat "$STATE/bindir"; }
kc() { KUBECONFIG="$STATE/admin.kubeconfig" "$(bin)/kubectl" "$@"; }

# --- installation ----------------------------------------------------------------------------------

ensure_packages() {
  local want=(ip:iproute2 bridge:iproute2 nft:nftables iptables:iptables conntrack:conntrack
    arping:iputils-arping ping:iputils-ping curl:curl openssl:openssl socat:socat tcpdump:tcpdump
    setsid:util-linux pkill:procps haproxy:haproxy wrk:wrk)
  local missing=() pair
  for pair in "${want[@]}"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ -e /usr/lib/x86_64-linux-gnu/libpcap.so.0.8 ] || [ -e /usr/lib/libpcap.so.0.8 ] || missing+=(libpcap0.8)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing packages (${missing[*]}) and not root to install them"
  log "installing ${missing[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
}

ensure_binaries() {
  local dir
  dir=$("$ROOT/e2e/k8s/build.sh")
  local tools="$CACHE/labtools"
  mkdir -p "$tools"
  (cd "$ROOT/e2e/labtools" && CGO_ENABLED=0 go build -trimpath -o "$tools/" ./echo ./nodeagent ./probe ./arpwatch ./arpbench ./loadgen) >&2
  mkdir -p "$STATE"
  echo "$dir" >"$STATE/bindir"
  echo "$tools" >"$STATE/toolsdir"
  # the speaker's image carries a libpcap that needs only libc; the lab's speakers load that same file
  "$ROOT/e2e/k8s/extras.sh" libpcap >"$STATE/libpcap"
  "$ROOT/e2e/k8s/extras.sh" helm >"$STATE/helm"
}

# --- processes -------------------------------------------------------------------------------------
# Each long-running process has a name, a pid file, a saved command (for restart) and a log.

proc_start() { # NAME NETNS|- CMD...
  local name=$1 ns=$2; shift 2
  mkdir -p "$STATE/pid" "$STATE/cmd" "$STATE/log"
  local cmd=("$@")
  [ "$ns" = - ] || cmd=(ip netns exec "$ns" "$@")
  printf '%q ' "${cmd[@]}" >"$STATE/cmd/$name"
  setsid "${cmd[@]}" >>"$STATE/log/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/pid/$name"
}
proc_pid() { cat "$STATE/pid/$1" 2>/dev/null || true; }
proc_alive() { local pid; pid=$(proc_pid "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
proc_signal() { # NAME SIGNAL
  local pid; pid=$(proc_pid "$1")
  [ -n "$pid" ] || die "no process named $1"
  kill -s "$2" -- "-$pid" 2>/dev/null || kill -s "$2" "$pid" 2>/dev/null || true
}
proc_stop() { # NAME [timeout seconds]: SIGTERM, then SIGKILL
  local name=$1 wait=${2:-10} pid i
  pid=$(proc_pid "$name"); [ -n "$pid" ] || return 0
  kill -CONT -- "-$pid" 2>/dev/null || true
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < wait * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  rm -f "$STATE/pid/$name"
}
proc_restart() { # NAME
  local name=$1
  [ -f "$STATE/cmd/$name" ] || die "no saved command for $name"
  proc_stop "$name"
  setsid bash -c "exec $(cat "$STATE/cmd/$name")" >>"$STATE/log/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/pid/$name"
}

wait_for() { # DESCRIPTION TIMEOUT CMD...
  local what=$1 timeout=$2; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "timed out after ${timeout}s waiting for $what"
    sleep 0.2
  done
}

# --- certificates ----------------------------------------------------------------------------------

cert() { # NAME SUBJECT [SANS]: an EC key and a certificate signed by the lab CA
  local name=$1 subj=$2 sans=${3:-} d=$STATE/pki
  openssl ecparam -name prime256v1 -genkey -noout -out "$d/$name.key" 2>/dev/null
  local ext="basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth"
  [ -n "$sans" ] && ext="$ext
subjectAltName=$sans"
  openssl req -new -key "$d/$name.key" -subj "$subj" -out "$d/$name.csr" 2>/dev/null
  openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -days 3650 -out "$d/$name.crt" -extfile <(echo "$ext") 2>/dev/null
  rm -f "$d/$name.csr"
}

kubeconfig() { # FILE USERNAME USERFIELDS: a kubeconfig for the lab's API server
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: herald-lab
  cluster: {server: "$APISERVER", certificate-authority: "$STATE/pki/ca.crt"}
users:
- name: $2
  user: $3
contexts:
- name: herald-lab
  context: {cluster: herald-lab, user: $2}
current-context: herald-lab
EOF
}

cert_kubeconfig() { # FILE CERTNAME
  kubeconfig "$1" "$2" "{client-certificate: \"$STATE/pki/$2.crt\", client-key: \"$STATE/pki/$2.key\"}"
}

make_pki() {
  local d=$STATE/pki i
  mkdir -p "$d"
  openssl ecparam -name prime256v1 -genkey -noout -out "$d/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$d/ca.key" -subj "/CN=herald-lab-ca" -days 3650 -out "$d/ca.crt" 2>/dev/null
  cert apiserver "/CN=kube-apiserver" \
    "IP:$CP4,IP:$CP6,IP:127.0.0.1,IP:198.19.0.1,IP:fd18:19::1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  cert etcd "/CN=etcd" "IP:127.0.0.1,DNS:localhost"
  cert apiserver-etcd-client "/CN=kube-apiserver-etcd-client"
  cert admin "/O=system:masters/CN=lab-admin"
  cert kube-controller-manager "/CN=system:kube-controller-manager"
  cert kube-proxy "/CN=system:kube-proxy"
  for ((i = 1; i <= NODES; i++)); do cert "node-$i" "/O=system:nodes/CN=system:node:$(node_name "$i")"; done
  openssl ecparam -name prime256v1 -genkey -noout -out "$d/sa.key" 2>/dev/null
  openssl ec -in "$d/sa.key" -pubout -out "$d/sa.pub" 2>/dev/null
  cert_kubeconfig "$STATE/admin.kubeconfig" admin
  cert_kubeconfig "$STATE/kube-controller-manager.kubeconfig" kube-controller-manager
  cert_kubeconfig "$STATE/kube-proxy.kubeconfig" kube-proxy
}

# --- network ---------------------------------------------------------------------------------------

new_ns() { # NAME: a namespace with loopback up and no IPv6 duplicate-address delay
  ip netns add "$1"
  nsx "$1" ip link set lo up
  nsx "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
    net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
}

lan_port() { # NETNS IFNAME PORTNAME MAC IP4 IP6: a host on the LAN bridge
  local ns=$1 ifn=$2 port=$3 mac=$4
  ip link add "$ifn" netns "$ns" address "$mac" type veth peer name "$port" netns "$P-lan"
  nsx "$P-lan" ip link set "$port" master br0 up
  nsx "$ns" ip addr add "$5/24" dev "$ifn"
  nsx "$ns" ip addr add "$6/64" dev "$ifn" nodad
  nsx "$ns" ip link set "$ifn" up
}

net_up() {
  local i j
  new_ns "$P-lan"
  nsx "$P-lan" ip link add br0 type bridge stp_state 0 mcast_snooping 0
  nsx "$P-lan" ip link set br0 up
  # the control plane: a port on the LAN for the root namespace, where the API server listens
  ip link add "$P-cp" address 02:48:4c:00:00:02 type veth peer name cp netns "$P-lan"
  nsx "$P-lan" ip link set cp master br0 up
  sysctl -qw "net.ipv6.conf.$P-cp.accept_dad=0" "net.ipv6.conf.$P-cp.disable_ipv6=0" || true
  ip addr add "$CP4/24" dev "$P-cp"
  ip addr add "$CP6/64" dev "$P-cp" nodad
  ip link set "$P-cp" up
  new_ns "$P-client"
  lan_port "$P-client" eth0 client 02:48:4c:00:00:64 "$CLIENT4" "$CLIENT6"
  for ((i = 1; i <= NODES; i++)); do
    local ns; ns=$(node_ns "$i")
    mkdir -p "$STATE/nodes/$i"
    new_ns "$ns"
    nsx "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
    lan_port "$ns" eth0 "n$i" "$(node_mac "$i")" "$(node_ip4 "$i")" "$(node_ip6 "$i")"
    nsx "$ns" ip link add cbr0 type bridge stp_state 0
    nsx "$ns" ip addr add "198.18.$((128 + i)).1/24" dev cbr0
    nsx "$ns" ip addr add "$(printf 'fd18:18:1:%x::1/64' "$i")" dev cbr0 nodad
    nsx "$ns" ip link set cbr0 up
    echo 10 >"$STATE/nodes/$i/next-pod"
  done
  for ((i = 1; i <= NODES; i++)); do # pod networks are routed between nodes, no NAT, no tunnel
    for ((j = 1; j <= NODES; j++)); do
      [ "$i" = "$j" ] && continue
      nsx "$(node_ns "$i")" ip route add "$(pod_cidr4 "$j")" via "$(node_ip4 "$j")"
      nsx "$(node_ns "$i")" ip -6 route add "$(pod_cidr6 "$j")" via "$(node_ip6 "$j")"
    done
  done
  nsx "$P-lan" nft add table bridge lab # holds partition rules (see fault partition)
  nsx "$P-lan" nft add chain bridge lab forward '{ type filter hook forward priority 0; policy accept; }'
}

# --- control plane ---------------------------------------------------------------------------------

cp_up() {
  local b; b=$(bin)
  local k=$STATE/pki
  proc_start etcd - "$b/etcd" --name lab --data-dir "$STATE/etcd" \
    --listen-client-urls "https://127.0.0.1:$ETCD_PORT" --advertise-client-urls "https://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-cluster "lab=http://127.0.0.1:$((ETCD_PORT + 1))" --listen-metrics-urls "http://127.0.0.1:$((ETCD_PORT + 2))" \
    --cert-file "$k/etcd.crt" --key-file "$k/etcd.key" --client-cert-auth --trusted-ca-file "$k/ca.crt" \
    --quota-backend-bytes 4294967296 --log-level warn
  wait_for etcd 30 curl -sf "http://127.0.0.1:$((ETCD_PORT + 2))/health"
  proc_start kube-apiserver - "$b/kube-apiserver" \
    --advertise-address "$CP4" --bind-address "$API_BIND" --secure-port "$API_PORT" \
    --etcd-servers "https://127.0.0.1:$ETCD_PORT" --etcd-cafile "$k/ca.crt" \
    --etcd-certfile "$k/apiserver-etcd-client.crt" --etcd-keyfile "$k/apiserver-etcd-client.key" \
    --client-ca-file "$k/ca.crt" --tls-cert-file "$k/apiserver.crt" --tls-private-key-file "$k/apiserver.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$k/sa.pub" --service-account-signing-key-file "$k/sa.key" \
    --service-cluster-ip-range "$SVC_CIDRS" --service-node-port-range 30000-32767 \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --allow-privileged=true --profiling=false --v=1
  wait_for "kube-apiserver /readyz" 90 kc get --raw /readyz
}

kcm_up() {
  local b; b=$(bin)
  local k=$STATE/pki
  proc_start kube-controller-manager - "$b/kube-controller-manager" \
    --kubeconfig "$STATE/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig "$STATE/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig "$STATE/kube-controller-manager.kubeconfig" \
    --controllers endpointslice,endpointslicemirroring,serviceaccount,serviceaccount-token,namespace,garbagecollector,root-ca-cert-publisher \
    --use-service-account-credentials --service-account-private-key-file "$k/sa.key" \
    --root-ca-file "$k/ca.crt" --leader-elect=false --bind-address 127.0.0.1 --secure-port 10357 --v=1
}

kcm_working() { # a fresh namespace gets its default ServiceAccount: the controller manager is at work
  local ns="lab-probe-$RANDOM"
  kc create namespace "$ns" >/dev/null
  wait_for "the controller manager to make ServiceAccount $ns/default" 60 kc get serviceaccount -n "$ns" default
  kc delete namespace "$ns" --wait=false >/dev/null
}

kube_proxy_caught_up() { # a new Service reaches every node's kube-proxy rules
  local ns="lab-probe-$RANDOM" ip i
  kc create namespace "$ns" >/dev/null
  kc create service clusterip probe -n "$ns" --tcp=1:1 >/dev/null
  ip=$(kc get service probe -n "$ns" -o jsonpath='{.spec.clusterIP}')
  for ((i = 1; i <= $(cat "$STATE/node-count"); i++)); do
    wait_for "kube-proxy on $(node_name "$i") to program Service $ns/probe ($ip)" 120 \
      sh -c "ip netns exec '$(node_ns "$i")' $([ "$PROXY_MODE" = nftables ] && echo 'nft list table ip kube-proxy' || echo iptables-save) | grep -qF '$ip'"
  done
  kc delete namespace "$ns" --wait=false >/dev/null
}

# --- nodes -----------------------------------------------------------------------------------------

node_object() { # I
  cat <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $(node_name "$1")
  labels: {kubernetes.io/hostname: $(node_name "$1"), kubernetes.io/os: linux, kubernetes.io/arch: amd64}
spec:
  podCIDR: $(pod_cidr4 "$1")
  podCIDRs: ["$(pod_cidr4 "$1")", "$(pod_cidr6 "$1")"]
EOF
}

nodes_up() {
  local i b t
  b=$(bin); t=$(cat "$STATE/toolsdir")
  for ((i = 1; i <= NODES; i++)); do node_object "$i"; echo ---; done | kc apply -f - >/dev/null
  for ((i = 1; i <= NODES; i++)); do
    local name; name=$(node_name "$i")
    echo true >"$STATE/nodes/$i/ready"
    proc_start "agent-$name" "$(node_ns "$i")" "$t/nodeagent" --server "$APISERVER" \
      --ca "$STATE/pki/ca.crt" --cert "$STATE/pki/node-$i.crt" --key "$STATE/pki/node-$i.key" \
      --node "$name" --ready-file "$STATE/nodes/$i/ready" \
      --address "$(node_ip4 "$i")" --address "$(node_ip6 "$i")"
    cat >"$STATE/nodes/$i/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: "$STATE/kube-proxy.kubeconfig"}
hostnameOverride: $name
mode: $PROXY_MODE
clusterCIDR: "$CLUSTER_CIDRS"
healthzBindAddress: "0.0.0.0:10256"
metricsBindAddress: "127.0.0.1:10249"
conntrack: {maxPerCore: 0, min: 0}
EOF
  done
  for ((i = 1; i <= NODES; i++)); do # kube-proxy reads the node's addresses: wait for the agent's first beat
    wait_for "$(node_name "$i") Ready" 30 node_ready_is "$(node_name "$i")" True
    proc_start "kube-proxy-$(node_name "$i")" "$(node_ns "$i")" "$b/kube-proxy" \
      --config "$STATE/nodes/$i/kube-proxy.yaml" --v=1
  done
  for ((i = 1; i <= NODES; i++)); do
    wait_for "kube-proxy on $(node_name "$i")" 60 nsx "$(node_ns "$i")" curl -sf http://127.0.0.1:10256/healthz
  done
}

node_ready_is() { # NODE STATUS
  [ "$(kc get node "$1" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')" = "$2" ]
}

# --- pods ------------------------------------------------------------------------------------------

pod_ns() { echo "$P-pod-$1-$2"; }

pod_add() { # NAMESPACE NAME NODE READY LABELS(k=v,k=v)
  local ns=$1 name=$2 node=$3 ready=$4 labels=$5
  local i; i=$(node_index "$node")
  local node; node=$(node_name "$i")
  local netns; netns=$(pod_ns "$ns" "$name")
  ip netns list | grep -qw "^$netns" && die "pod $ns/$name exists"
  local k; k=$(cat "$STATE/nodes/$i/next-pod")
  [ "$k" -lt 250 ] || die "node $node has no pod addresses left"
  echo $((k + 1)) >"$STATE/nodes/$i/next-pod"
  local ip4="198.18.$((128 + i)).$k" ip6; ip6=$(printf 'fd18:18:1:%x::%x' "$i" "$k")
  new_ns "$netns"
  ip link add eth0 netns "$netns" type veth peer name "v${i}p$k" netns "$(node_ns "$i")"
  nsx "$(node_ns "$i")" ip link set "v${i}p$k" master cbr0 up
  nsx "$netns" ip addr add "$ip4/24" dev eth0
  nsx "$netns" ip addr add "$ip6/64" dev eth0 nodad
  nsx "$netns" ip link set eth0 up
  nsx "$netns" ip route add default via "198.18.$((128 + i)).1"
  nsx "$netns" ip -6 route add default via "$(printf 'fd18:18:1:%x::1' "$i")"
  mkdir -p "$STATE/pods"
  printf '%s %s %s %s %s\n' "$i" "$ip4" "$ip6" "v${i}p$k" "$labels" >"$STATE/pods/$ns.$name"
  proc_start "pod-$ns.$name" "$netns" env POD_NAME="$name" NODE_NAME="$node" "$(cat "$STATE/toolsdir")/echo"
  kc get namespace "$ns" >/dev/null 2>&1 || kc create namespace "$ns" >/dev/null
  local lbl="" kv
  IFS=, read -ra kvs <<<"$labels"
  for kv in "${kvs[@]}"; do [ -n "$kv" ] && lbl="$lbl\"${kv%%=*}\": \"${kv#*=}\", "; done
  kc apply -f - >/dev/null <<EOF
{"apiVersion": "v1", "kind": "Pod",
 "metadata": {"name": "$name", "namespace": "$ns", "labels": {${lbl%, }}},
 "spec": {"nodeName": "$node", "automountServiceAccountToken": false, "terminationGracePeriodSeconds": 0,
  "containers": [{"name": "echo", "image": "herald.io/lab-echo",
   "ports": [{"name": "http", "containerPort": 8080}, {"name": "tcp", "containerPort": 9000},
             {"name": "udp", "containerPort": 9001, "protocol": "UDP"}, {"name": "tcp-proxy", "containerPort": 9100}]}]}}
EOF
  wait_for "pod $ns/$name serving" 10 nsx "$netns" curl -sf "http://127.0.0.1:8080/healthz"
  pod_status "$ns" "$name" "$ready"
}

pod_status() { # NAMESPACE NAME READY
  local ns=$1 name=$2 ready=$3 i ip4 ip6 rest
  [ -f "$STATE/pods/$ns.$name" ] || die "no lab pod $ns/$name"
  read -r i ip4 ip6 rest <"$STATE/pods/$ns.$name"
  local s=False; [ "$ready" = true ] && s=True
  local now; now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  kc patch pod -n "$ns" "$name" --subresource=status --type=merge -p "$(cat <<EOF
{"status": {"phase": "Running", "podIP": "$ip4", "podIPs": [{"ip": "$ip4"}, {"ip": "$ip6"}],
 "hostIP": "$(node_ip4 "$i")", "hostIPs": [{"ip": "$(node_ip4 "$i")"}, {"ip": "$(node_ip6 "$i")"}],
 "startTime": "$now",
 "conditions": [{"type": "PodScheduled", "status": "True", "lastTransitionTime": "$now"},
                {"type": "Initialized", "status": "True", "lastTransitionTime": "$now"},
                {"type": "ContainersReady", "status": "$s", "lastTransitionTime": "$now"},
                {"type": "Ready", "status": "$s", "lastTransitionTime": "$now"}],
 "containerStatuses": [{"name": "echo", "ready": $ready, "started": true, "restartCount": 0,
   "image": "herald.io/lab-echo", "imageID": "", "state": {"running": {"startedAt": "$now"}}}]}}
EOF
)" >/dev/null
}

pod_del() { # NAMESPACE NAME
  local ns=$1 name=$2
  kc delete pod -n "$ns" "$name" --grace-period=0 --force --ignore-not-found >/dev/null 2>&1 || true
  proc_stop "pod-$ns.$name" 2
  ip netns del "$(pod_ns "$ns" "$name")" 2>/dev/null || true
  rm -f "$STATE/pods/$ns.$name"
}

# --- Herald --------------------------------------------------------------------------------------
# The controller runs as two replicas in the root namespace, each authenticated as the
# herald-controller ServiceAccount with exactly the RBAC in deploy/, so a missing permission fails.

JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java

token_kubeconfig() { # FILE NAMESPACE SERVICEACCOUNT
  local token; token=$(kc create token "$3" -n "$2" --duration=48h)
  kubeconfig "$1" "$3" "{token: \"$token\"}"
}

# Herald runs in the lab from its images: the build's target/jib-image.tar (the image's own layers and
# configuration, on an empty base) is unpacked, and the image's entrypoint runs with the image's
# environment and user, its absolute paths (/app, /usr/lib/herald) mapped into the unpacked tree and
# the lab's Java 25 standing in for the base image's. What differs from a pod is only the base layers.
image_unpack() { # MODULE: unpacks MODULE's image into $STATE/image/MODULE
  local tar=$ROOT/$1/target/jib-image.tar dir=$STATE/image/$1 m d
  [ -f "$tar" ] || die "no $tar: build Herald first (mvn install -DskipTests)"
  rm -rf "$dir"; mkdir -p "$dir/oci" "$dir/rootfs" "$dir/argfiles"
  tar -xf "$tar" -C "$dir/oci"
  m=$(jq -r '.manifests[0].digest' "$dir/oci/index.json")
  for d in $(jq -r '.layers[].digest' "$dir/oci/blobs/sha256/${m#sha256:}"); do
    tar --warning=no-unknown-keyword -xzf "$dir/oci/blobs/sha256/${d#sha256:}" -C "$dir/rootfs"
  done
  d=$(jq -r '.config.digest' "$dir/oci/blobs/sha256/${m#sha256:}")
  cp "$dir/oci/blobs/sha256/${d#sha256:}" "$dir/config.json"
  rm -rf "$dir/oci"
  chmod -R a+rX "$dir"
}
image_path() { # STRING: the image's absolute paths, mapped into the unpacked tree given as $root
  sed -E "s#(^|[:=@ ])/(app|usr/lib/herald)/#\\1$root/\\2/#g" <<<"$1"
}
image_cmd() { # MODULE: prints the entrypoint, one argument per line, with @argfiles mapped too
  local dir=$STATE/image/$1 root=$STATE/image/$1/rootfs arg f
  while IFS= read -r arg; do
    if [ "$arg" = java ]; then echo "$JAVA"
    elif [[ $arg == @/* ]]; then
      f=$dir/argfiles/$(basename "${arg#@}")
      # written aside and renamed: a JVM started a moment ago for another node may be reading it now,
      # and truncating it under that JVM left it without a main class (java printed its usage)
      image_path "$(cat "$root/${arg#@/}")" >"$f.$$" && mv -f "$f.$$" "$f"
      echo "@$f"
    else image_path "$arg"; fi
  done < <(jq -r '.config.Entrypoint[]' "$dir/config.json")
}
image_env() { jq -r '.config.Env // [] | .[]' "$STATE/image/$1/config.json"; } # MODULE
image_user() { jq -r '.config.User // "0"' "$STATE/image/$1/config.json"; } # MODULE

herald_up() {
  local i
  image_unpack controller
  image_unpack speaker
  kc apply -f "$ROOT/deploy/namespace.yaml" >/dev/null
  kc apply -f "$ROOT/deploy/crds/" -f "$ROOT/deploy/rbac/" >/dev/null
  kc wait --for condition=established crd/ippools.herald.io --timeout=30s >/dev/null
  token_kubeconfig "$STATE/controller.kubeconfig" herald-system herald-controller
  token_kubeconfig "$STATE/speaker.kubeconfig" herald-system herald-speaker
  # the controller as the image's user (non-root, as the Deployment runs it), which must read its token
  local user; user=$(image_user controller)
  chown "$user" "$STATE/controller.kubeconfig"
  local cmd env
  mapfile -t cmd < <(image_cmd controller)
  mapfile -t env < <(image_env controller)
  for i in 1 2; do
    proc_start "controller-$i" - setpriv --reuid "${user%%:*}" --regid "${user##*:}" --clear-groups \
      env "${env[@]}" HERALD_CONTROLLER_KUBECONFIG="$STATE/controller.kubeconfig" \
      POD_NAME="controller-$i" HERALD_CONTROLLER_LEASE_NAMESPACE=herald-system \
      MICRONAUT_SERVER_HOST=127.0.0.1 MICRONAUT_SERVER_PORT=$((18079 + i)) "${cmd[@]}"
  done
  # the membership key: the controller makes it once (as on a cluster) and it is kept across restarts
  wait_for "the controller to make the membership key Secret herald-system/herald-memberlist" 90 \
    kc get secret -n herald-system herald-memberlist
  for ((i = 1; i <= NODES; i++)); do speaker_start "$i"; done
  for i in 1 2; do
    wait_for "controller-$i ready" 90 curl -sf "http://127.0.0.1:$((18079 + i))/health/readiness"
  done
  for ((i = 1; i <= NODES; i++)); do
    wait_for "speaker on $(node_name "$i") ready" 90 nsx "$(node_ns "$i")" curl -sf "http://127.0.0.1:7472/health/readiness"
  done
}

# The capabilities the lab's speakers keep: the DaemonSet's with Proxy mode enabled (the lab runs Proxy
# Services). Every other capability is out of the bounding set, so the speaker works with these or fails.
SPEAKER_CAPS=${SPEAKER_CAPS:-net_raw,sys_nice,net_admin,net_bind_service}

speaker_start() { # NODE-INDEX: the speaker runs in the node's netns, as a DaemonSet pod with hostNetwork would
  local i=$1 cmd env user caps
  mapfile -t cmd < <(image_cmd speaker)
  mapfile -t env < <(image_env speaker)
  user=$(image_user speaker)
  caps=$(sed -E 's/(^|,)/\1+/g' <<<"$SPEAKER_CAPS")
  proc_start "speaker-$(node_name "$i")" "$(node_ns "$i")" setpriv --reuid "${user%%:*}" \
    --bounding-set "-all,$caps" --inh-caps "-all" \
    env "${env[@]}" HERALD_SPEAKER_KUBECONFIG="$STATE/speaker.kubeconfig" \
    NODE_NAME="$(node_name "$i")" HERALD_SPEAKER_SECRET_NAMESPACE=herald-system MICRONAUT_SERVER_PORT=7472 \
    ${HERALD_SPEAKER_ENV:-} "${cmd[@]}"
}

herald_down() {
  local i
  for ((i = 1; i <= NODES; i++)); do proc_stop "speaker-$(node_name "$i")" 15; done
  for i in 1 2; do proc_stop "controller-$i" 15; done
}

# --- faults ----------------------------------------------------------------------------------------

fault() {
  local what=${1:-}; shift || true
  case "$what" in
    link-down | link-up) # NODE: pull or plug the node's cable (the switch port goes down)
      local i; i=$(node_index "$1")
      nsx "$P-lan" ip link set "n$i" "${what#link-}" ;;
    heartbeat-stop) proc_signal "agent-$(node_name "$(node_index "$1")")" STOP ;;
    heartbeat-start) proc_signal "agent-$(node_name "$(node_index "$1")")" CONT ;;
    node-ready) # NODE true|false
      local i; i=$(node_index "$1")
      [ "$2" = true ] || [ "$2" = false ] || die "node-ready takes true or false"
      echo "$2" >"$STATE/nodes/$i/ready"
      proc_signal "agent-$(node_name "$i")" HUP
      wait_for "$(node_name "$i") Ready=$2" 10 node_ready_is "$(node_name "$i")" "$([ "$2" = true ] && echo True || echo False)" ;;
    apiserver-stop) proc_stop kube-apiserver ;;
    apiserver-start)
      proc_restart kube-apiserver
      wait_for "kube-apiserver /readyz" 90 kc get --raw /readyz
      # The controller manager's watches, reopened while the API server was still loading its RBAC
      # cache, were refused ("forbidden") and back off for up to a minute, in which time no namespace
      # gets its default ServiceAccount and no EndpointSlice follows a pod. Herald is what the fault
      # tests test, so the controller manager is restarted and must show it is working again.
      # (An API server alone, as *IT tests run it, has no controller manager.)
      if [ -f "$STATE/cmd/kube-controller-manager" ]; then
        proc_restart kube-controller-manager
        kcm_working
      fi
      # kube-proxy's watches back off the same way (client-go: up to a minute). It must find its own
      # way back (LabE2E checks that it does), but the next test must not start on stale rules.
      if [ -d "$STATE/nodes" ]; then kube_proxy_caught_up; fi ;;
    partition) # NODE NODE: frames between the two are dropped by the switch
      local a b; a=$(node_index "$1"); b=$(node_index "$2")
      nsx "$P-lan" nft add rule bridge lab forward iifname "n$a" oifname "n$b" drop comment "\"part-$a-$b\""
      nsx "$P-lan" nft add rule bridge lab forward iifname "n$b" oifname "n$a" drop comment "\"part-$a-$b\"" ;;
    heal) nsx "$P-lan" nft flush chain bridge lab forward ;;
    kill | stop | cont | term) # PROCESS-NAME
      local sig; sig=$(echo "$what" | tr a-z A-Z)
      [ "$sig" = TERM ] || [ "$sig" = KILL ] || [ "$sig" = STOP ] || [ "$sig" = CONT ]
      proc_signal "$1" "$sig" ;;
    restart) proc_restart "$1" ;;
    *) die "unknown fault '$what' (link-down|link-up|heartbeat-stop|heartbeat-start|node-ready|apiserver-stop|apiserver-start|partition|heal|kill|stop|cont|term|restart)" ;;
  esac
}

# --- lifecycle -------------------------------------------------------------------------------------

lab_exists() {
  [ -d "$STATE/pid" ] || ip netns list 2>/dev/null | grep -q "^$P-" || ip link show "$P-cp" >/dev/null 2>&1
}

down() {
  local f ns pids=() i
  if [ -d "$STATE/pid" ]; then # TERM everything at once, give it 5 s, then KILL what is left
    for f in "$STATE"/pid/*; do
      [ -e "$f" ] || continue
      pids+=("$(cat "$f")")
      kill -CONT -- "-${pids[-1]}" 2>/dev/null || true
      kill -TERM -- "-${pids[-1]}" 2>/dev/null || kill -TERM "${pids[-1]}" 2>/dev/null || true
    done
    for ((i = 0; i < 50; i++)); do
      local alive=0
      for f in "${pids[@]}"; do kill -0 "$f" 2>/dev/null && alive=1; done
      [ $alive = 0 ] && break
      sleep 0.1
    done
    for f in "${pids[@]}"; do kill -KILL -- "-$f" 2>/dev/null || kill -KILL "$f" 2>/dev/null || true; done
  fi
  if [ -f "$STATE/apiserver-only" ]; then rm -rf "$STATE"; return 0; fi
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$P-" || true); do
    # anything still running in a lab namespace (a speaker started by a test, say) goes too
    local pids; pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  ip link del "$P-cp" 2>/dev/null || true
  rm -rf "$STATE"
}

up() {
  [ "$(id -u)" = 0 ] || die "the lab needs root (network namespaces, veth, nftables)"
  if lab_exists; then
    log "a lab is already here: tearing it down first"
    down
  fi
  local t0=$SECONDS
  ensure_packages
  mkdir -p "$STATE"
  echo "$NODES" >"$STATE/node-count"
  ensure_binaries
  trap 'log "start failed; logs are in $STATE/log"' ERR
  make_pki
  net_up
  cp_up
  kcm_up
  kcm_working
  nodes_up
  trap - ERR
  log "lab up in $((SECONDS - t0))s: $NODES nodes, API server $APISERVER"
}

# etcd and kube-apiserver alone on 127.0.0.1:$HERALD_API_PORT, state in $HERALD_LAB_STATE: what *IT
# tests run against. Several can run at once, each with its own state directory and ports.
apiserver_up() {
  [ -n "${HERALD_API_PORT:-}" ] && [ -n "${HERALD_ETCD_PORT:-}" ] || die "apiserver-up needs HERALD_API_PORT and HERALD_ETCD_PORT"
  [ "$STATE" != /run/herald-lab ] || die "apiserver-up needs its own HERALD_LAB_STATE"
  [ -d "$STATE/pid" ] && down
  NODES=0
  mkdir -p "$STATE"
  touch "$STATE/apiserver-only"
  ensure_binaries >/dev/null
  make_pki
  cp_up
}

status() {
  lab_exists || { echo "no lab"; return 1; }
  local f
  for f in "$STATE"/pid/*; do
    [ -e "$f" ] || continue
    local n; n=$(basename "$f")
    if proc_alive "$n"; then echo "running  $n"; else echo "DEAD     $n (log: $STATE/log/$n.log)"; fi
  done
  kc get nodes -o wide 2>&1 || true
}

env_() {
  cat <<EOF
export KUBECONFIG=$STATE/admin.kubeconfig
export PATH=$(bin):\$PATH
EOF
}

main() {
  local cmd=${1:-help}; shift || true
  case "$cmd" in
    up) up ;;
    apiserver-up) apiserver_up ;;
    herald-up) herald_up ;;
    herald-down) herald_down ;;
    speaker-caps) # NODE CAPS|default: restart the node's speaker keeping only CAPS (comma-separated, e.g. net_raw)
      local i; i=$(node_index "$1")
      proc_stop "speaker-$(node_name "$i")" 15
      if [ "$2" = default ]; then speaker_start "$i"; else SPEAKER_CAPS=$2 speaker_start "$i"; fi
      wait_for "speaker on $(node_name "$i") ready" 90 nsx "$(node_ns "$i")" curl -sf "http://127.0.0.1:7472/health/readiness" ;;
    down) down ;;
    status) status ;;
    env) env_ ;;
    kubectl) kc "$@" ;;
    exec) # NETNS-SHORT CMD...: client | node-N | pod NS/NAME
      local where=$1; shift
      case "$where" in
        client) nsx "$P-client" "$@" ;;
        lan) nsx "$P-lan" "$@" ;;
        node-*) nsx "$(node_ns "$(node_index "$where")")" "$@" ;;
        */*) nsx "$(pod_ns "${where%%/*}" "${where#*/}")" "$@" ;;
        *) die "exec takes client, lan, node-N or NAMESPACE/POD" ;;
      esac ;;
    pod-add) # NAMESPACE NAME NODE [READY=true] [LABELS]
      pod_add "$1" "$2" "$3" "${4:-true}" "${5:-}" ;;
    pod-ready) pod_status "$1" "$2" "$3" ;;
    pod-del) pod_del "$1" "$2" ;;
    pod-move) # NAMESPACE NAME NODE: the pod is deleted and created again on another node
      local labels ready; read -r _ _ _ _ labels <"$STATE/pods/$1.$2" || true
      ready=$(kc get pod -n "$1" "$2" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')
      pod_del "$1" "$2"
      pod_add "$1" "$2" "$3" "$([ "$ready" = True ] && echo true || echo false)" "${labels:-}" ;;
    proc-start) # NAME NETNS|- CMD...: a process the lab tracks and `down` stops
      proc_start "$@" ;;
    proc-stop) proc_stop "$1" "${2:-10}" ;;
    proc-alive) proc_alive "$1" ;;
    fault) fault "$@" ;;
    binaries) ensure_binaries; bin ;;
    packages) ensure_packages ;;
    help | *)
      sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      echo "commands: up down status env kubectl exec pod-add pod-ready pod-del pod-move proc-start proc-stop fault binaries packages" ;;
  esac
}

main "$@"
