#!/usr/bin/env bash
# The Herald lab: a real Kubernetes cluster on this machine. The control plane (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler) and an OCI registry run in the root namespace; N nodes are
# network namespaces on one LAN bridge, each with its own mount namespace, containerd, kubelet and
# kube-proxy, and pods run by the kubelet from images in the lab registry; a client host sits on the
# same LAN. node-1 is a control-plane node as kubeadm makes one; the others are workers.
#
# Address plan (198.18.0.0/15 is reserved for network benchmarks; fd18::/16 is unique-local):
#   LAN            198.18.0.0/24        fd18:18::/64       bridge br0 in netns ${P}-lan
#   control plane  198.18.0.2           fd18:18::2         root netns, veth ${P}-cp; registry on :5000
#   node i         198.18.0.(10+i)      fd18:18::(10+i)    netns ${P}-node-i, eth0
#   client         198.18.0.100         fd18:18::100       netns ${P}-client, eth0
#   pods on node i 198.18.(128+i).0/24  fd18:18:1:i::/64   behind cbr0 (CNI bridge), routed between nodes
#   services       198.19.0.0/16        fd18:19::/112      NodePorts 30000-32767; kube-dns 198.19.0.10
#   sample pool    198.18.0.200-250     fd18:18::200-250
#   conformance    pool 198.18.0.150-199; the client speaks from 203.0.113.100 (e2e/lab/conformance.sh)
# Everything lives in namespaces and processes this script creates; `down` removes all of it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
P=${HERALD_LAB_PREFIX:-hl}
STATE=${HERALD_LAB_STATE:-/run/herald-lab}
NODES=${HERALD_LAB_NODES:-3}
PROXY_MODE=${HERALD_LAB_PROXY_MODE:-iptables} # kubeadm's default; HERALD_LAB_PROXY_MODE=nftables for the other
CACHE=${HERALD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/herald}
CP4=198.18.0.2 CP6=fd18:18::2
CLIENT4=198.18.0.100 CLIENT6=fd18:18::100
SVC_CIDRS=198.19.0.0/16,fd18:19::/112
DNS4=198.19.0.10 # kube-dns, as kubeadm places it: the tenth address of the Service range
CLUSTER_CIDRS=198.18.128.0/17,fd18:18:1::/56
# `apiserver-up` runs the control plane alone on loopback (for *IT tests): other ports, no namespaces.
API_BIND=$CP4 API_PORT=6443
ETCD_PORT=${HERALD_ETCD_PORT:-23790}
if [ -n "${HERALD_API_PORT:-}" ]; then API_BIND=127.0.0.1 API_PORT=$HERALD_API_PORT; fi
APISERVER=https://$API_BIND:$API_PORT
# The lab registry: Herald's images (pushed by the Maven build with Jib), its base, the lab's own images
REGISTRY=$CP4:5000
HERALD_IMAGES=$REGISTRY/herald
PAUSE_IMAGE=$REGISTRY/lab/pause:3.10.1
echo_image() { cat "$STATE/echo-image"; } # tagged by its binary's digest: a changed echo server is pulled anew

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
    setsid:util-linux nsenter:util-linux pkill:procps haproxy:haproxy wrk:wrk jq:jq
    containerd:containerd runc:runc ctr:containerd docker-registry:docker-registry)
  local missing=() pair
  for pair in "${want[@]}"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ -e /usr/lib/x86_64-linux-gnu/libpcap.so.0.8 ] || [ -e /usr/lib/libpcap.so.0.8 ] || missing+=(libpcap0.8)
  [ -x /usr/lib/cni/bridge ] || missing+=(containernetworking-plugins)
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
  (cd "$ROOT/e2e/labtools" && CGO_ENABLED=0 go build -trimpath -o "$tools/" ./echo ./probe ./arpwatch ./arpbench ./loadgen) >&2
  mkdir -p "$STATE"
  echo "$dir" >"$STATE/bindir"
  echo "$tools" >"$STATE/toolsdir"
  # the speaker's image carries a libpcap that needs only libc; the lab's speakers load that same file
  "$ROOT/e2e/k8s/extras.sh" libpcap >"$STATE/libpcap"
  "$ROOT/e2e/k8s/extras.sh" helm >"$STATE/helm"
  "$ROOT/e2e/k8s/extras.sh" crane >"$STATE/crane"
  "$ROOT/e2e/k8s/extras.sh" coredns >"$STATE/coredns"
}
crane() { "$(cat "$STATE/crane")" --insecure "$@"; }

# --- registry and images ---------------------------------------------------------------------------
# CNCF Distribution (Debian's docker-registry) on the control plane's LAN address. Its storage is in the
# cache, so a warm lab up finds Herald's base and layers there already.

registry_up() {
  mkdir -p "$CACHE/registry"
  cat >"$STATE/registry.yml" <<EOF
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $CACHE/registry}, delete: {enabled: true}}
http: {addr: "$REGISTRY"}
EOF
  proc_start registry - docker-registry serve "$STATE/registry.yml"
  wait_for "the lab registry on $REGISTRY" 30 curl -sf "http://$REGISTRY/v2/"
}

image_push_dir() { # DIR REF ENTRYPOINT USER: an image of DIR's files alone, on no base
  local dir=$1 ref=$2 tar
  tar=$(mktemp --suffix=.tar.gz)
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir" -cf - . | gzip -n >"$tar"
  crane append --oci-empty-base -f "$tar" -t "$ref" >/dev/null 2>&1
  crane mutate "$ref" -t "$ref" --set-platform linux/amd64 --entrypoint "$3" -u "$4" >/dev/null 2>&1
  rm -f "$tar"
}

# The lab's own images: the pod sandbox (pause, from the Kubernetes module's source) and the echo
# server every test pod runs; and Herald's base (deploy/image/base.sh), which the Maven build uses.
images_up() {
  local d; d=$(mktemp -d)
  mkdir -p "$d/pause" "$d/echo"
  gcc -Os -static -DVERSION=v3.10.1 -o "$d/pause/pause" \
    "$(cd "$ROOT/e2e/k8s" && go list -m -f '{{.Dir}}' k8s.io/kubernetes)/build/pause/linux/pause.c"
  strip "$d/pause/pause"
  image_push_dir "$d/pause" "$PAUSE_IMAGE" /pause 65535:65535
  cp "$(cat "$STATE/toolsdir")/echo" "$d/echo/echo"
  echo "$REGISTRY/lab/echo:$(sha256sum "$d/echo/echo" | cut -c1-12)" >"$STATE/echo-image"
  image_push_dir "$d/echo" "$(echo_image)" /echo 65532:65532
  mkdir -p "$d/coredns"; cp "$(cat "$STATE/coredns")" "$d/coredns/coredns"
  echo "$REGISTRY/lab/coredns:$(sha256sum "$d/coredns/coredns" | cut -c1-12)" >"$STATE/coredns-image"
  image_push_dir "$d/coredns" "$(cat "$STATE/coredns-image")" /coredns 65532:65532
  rm -rf "$d"
  JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64} "$ROOT/deploy/image/base.sh" "$HERALD_IMAGES" --insecure >"$STATE/base-image"
}

# --- processes -------------------------------------------------------------------------------------
# Each long-running process has a name, a pid file, a saved command (for restart) and a log.

proc_start() { # NAME NETNS|- CMD...
  local name=$1 ns=$2; shift 2
  mkdir -p "$STATE/pid" "$STATE/cmd" "$STATE/log"
  local cmd=("$@")
  [ "$ns" = - ] || cmd=(ip netns exec "$ns" "$@")
  printf '%q ' "${cmd[@]}" >"$STATE/cmd/$name"
  # in a subshell that exits at once, so the process is nobody's descendant: a caller that times out
  # and kills its own process tree (the tests' Exec does) cannot take a kubelet it started with it
  (setsid "${cmd[@]}" >>"$STATE/log/$name.log" 2>&1 </dev/null & echo $! >"$STATE/pid/$name")
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
  (setsid bash -c "exec $(cat "$STATE/cmd/$name")" >>"$STATE/log/$name.log" 2>&1 </dev/null & echo $! >"$STATE/pid/$name")
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
  cert kube-scheduler "/CN=system:kube-scheduler"
  cert kube-proxy "/CN=system:kube-proxy"
  # the API server's identity towards kubelets (logs, exec, port-forward)
  cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
  for ((i = 1; i <= NODES; i++)); do
    cert "node-$i" "/O=system:nodes/CN=system:node:$(node_name "$i")"
    cert "kubelet-$i" "/CN=$(node_name "$i")" "DNS:$(node_name "$i"),IP:$(node_ip4 "$i"),IP:$(node_ip6 "$i")"
    cert_kubeconfig "$STATE/node-$i.kubeconfig" "node-$i"
  done
  openssl ecparam -name prime256v1 -genkey -noout -out "$d/sa.key" 2>/dev/null
  openssl ec -in "$d/sa.key" -pubout -out "$d/sa.pub" 2>/dev/null
  cert_kubeconfig "$STATE/admin.kubeconfig" admin
  cert_kubeconfig "$STATE/kube-controller-manager.kubeconfig" kube-controller-manager
  cert_kubeconfig "$STATE/kube-scheduler.kubeconfig" kube-scheduler
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
  done
  for ((i = 1; i <= NODES; i++)); do
    # Service addresses need a route (kube-proxy rewrites them after the route lookup, and pods on the
    # host network reach the API server through one). A real node has a default route; the lab's nodes
    # route only the Service ranges, to the control plane, so nothing leaves the lab.
    nsx "$(node_ns "$i")" ip route add 198.19.0.0/16 via "$CP4"
    nsx "$(node_ns "$i")" ip -6 route add fd18:19::/112 via "$CP6"
    # and the control plane reaches pods (replies to pods calling the API server, webhooks) as a
    # control-plane host on the pod network would; these routes go with the hl-cp link
    ip route add "$(pod_cidr4 "$i")" via "$(node_ip4 "$i")" dev "$P-cp"
    ip -6 route add "$(pod_cidr6 "$i")" via "$(node_ip6 "$i")" dev "$P-cp"
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
  local api=$b/kube-apiserver
  [ -f "$STATE/apiserver-bindir" ] && api=$(cat "$STATE/apiserver-bindir")/kube-apiserver
  proc_start kube-apiserver - "$api" \
    --advertise-address "$CP4" --bind-address "$API_BIND" --secure-port "$API_PORT" \
    --etcd-servers "https://127.0.0.1:$ETCD_PORT" --etcd-cafile "$k/ca.crt" \
    --etcd-certfile "$k/apiserver-etcd-client.crt" --etcd-keyfile "$k/apiserver-etcd-client.key" \
    --client-ca-file "$k/ca.crt" --tls-cert-file "$k/apiserver.crt" --tls-private-key-file "$k/apiserver.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$k/sa.pub" --service-account-signing-key-file "$k/sa.key" \
    --service-cluster-ip-range "$SVC_CIDRS" --service-node-port-range 30000-32767 \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --kubelet-preferred-address-types InternalIP --kubelet-certificate-authority "$k/ca.crt" \
    --kubelet-client-certificate "$k/apiserver-kubelet-client.crt" --kubelet-client-key "$k/apiserver-kubelet-client.key" \
    --allow-privileged=true --profiling=false --v=1
  wait_for "kube-apiserver /readyz" 90 kc get --raw /readyz
}

# The controllers a kubeadm control plane runs (its default set, node lifecycle included). A node whose
# kubelet stops reporting is NotReady after 20 s (kubeadm leaves the upstream 50 s): the faults tests
# inject wait for it, and 20 s still spans two missed lease renewals (every 10 s).
kcm_up() {
  local b; b=$(bin)
  local k=$STATE/pki
  proc_start kube-controller-manager - "$b/kube-controller-manager" \
    --kubeconfig "$STATE/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig "$STATE/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig "$STATE/kube-controller-manager.kubeconfig" \
    --controllers '*,bootstrapsigner,tokencleaner' --node-monitor-grace-period 20s \
    --use-service-account-credentials --service-account-private-key-file "$k/sa.key" \
    --cluster-signing-cert-file "$k/ca.crt" --cluster-signing-key-file "$k/ca.key" \
    --root-ca-file "$k/ca.crt" --leader-elect=false --bind-address 127.0.0.1 --secure-port 10357 --v=1
}

scheduler_up() {
  proc_start kube-scheduler - "$(bin)/kube-scheduler" --kubeconfig "$STATE/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig "$STATE/kube-scheduler.kubeconfig" --authorization-kubeconfig "$STATE/kube-scheduler.kubeconfig" \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port 10359 --v=1
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
# A node is its network namespace plus a mount and UTS namespace held open by an anchor process
# (sleep), into which containerd and the kubelet are started with nsenter. Inside, the standard paths
# (/var/lib/kubelet, /var/lib/containerd, /etc/cni/net.d, /var/log/pods, ...) are the node's own
# directories under $STATE/nodes/I, and /run/containerd and /run/netns are the node's own tmpfs, so
# every node looks like a host of its own to both. `ip netns exec` is not the way in: it remounts /sys,
# and then the kubelet sees no cgroup hierarchy.

CGROUP_V1=(cpu cpuacct cpuset memory pids devices freezer blkio systemd)

node_dir() { echo "$STATE/nodes/$1"; }
node_anchor() { cat "$STATE/pid/anchor-$(node_name "$1")"; }
node_enter() { # I CMD...: runs CMD inside node I (its network, mount and UTS namespaces)
  local i=$1; shift
  nsenter -t "$(node_anchor "$i")" -n -m -u -- "$@"
}

node_cgroups() { # I: the node's cgroup parent under every v1 hierarchy (the kubelet checks all of them)
  local c=$1 h
  for h in "${CGROUP_V1[@]}"; do
    [ -d "/sys/fs/cgroup/$h" ] || continue
    mkdir -p "/sys/fs/cgroup/$h/$P-node-$c"
  done
  cat /sys/fs/cgroup/cpuset/cpuset.cpus >"/sys/fs/cgroup/cpuset/$P-node-$c/cpuset.cpus"
  cat /sys/fs/cgroup/cpuset/cpuset.mems >"/sys/fs/cgroup/cpuset/$P-node-$c/cpuset.mems"
}

node_cgroups_remove() { # I: bottom-up, once the node's processes are gone (runc adds the v2 one too)
  local c=$1 h
  for h in "${CGROUP_V1[@]}" unified; do
    [ -d "/sys/fs/cgroup/$h/$P-node-$c" ] || continue
    find "/sys/fs/cgroup/$h/$P-node-$c" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
}

node_files() { # I: containerd's, the CNI's and the kubelet's configuration
  local i=$1 d; d=$(node_dir "$1")
  local name; name=$(node_name "$i")
  mkdir -p "$d"/{kubelet,containerd,cni/net.d,cni/lib,log/pods,log/containers,etc}
  mkdir -p "$d/containerd/certs.d/$REGISTRY"
  cat >"$d/containerd/certs.d/$REGISTRY/hosts.toml" <<EOF
server = "http://$REGISTRY"
[host."http://$REGISTRY"]
  capabilities = ["pull", "resolve"]
EOF
  # restrict_oom_score_adj: this VM lacks CAP_SYS_RESOURCE, and runc cannot lower a sandbox's score
  cat >"$d/containerd/config.toml" <<EOF
version = 2
root = "/var/lib/containerd"
state = "/run/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "/run/containerd/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "/etc/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$d/containerd/certs.d"
EOF
  # pods on the node's own bridge, routed (not NATed) to every other node's pods
  cat >"$d/cni/net.d/10-lab.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "lab", "plugins": [
  {"type": "bridge", "bridge": "cbr0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "dataDir": "/var/lib/cni/networks",
            "ranges": [[{"subnet": "$(pod_cidr4 "$i")", "gateway": "198.18.$((128 + i)).1"}],
                       [{"subnet": "$(pod_cidr6 "$i")", "gateway": "$(printf 'fd18:18:1:%x::1' "$i")"}]],
            "routes": [{"dst": "0.0.0.0/0"}, {"dst": "::/0"}]}}]}
EOF
  echo "nameserver 127.0.0.1" >"$d/etc/resolv.conf" # for dnsPolicy Default: nothing outside the lab resolves
  local taints=""
  # kubeadm registers a control-plane node with this taint (nodeRegistration.taints)
  [ "$i" = 1 ] && taints='registerWithTaints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]'
  cat >"$d/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: "$(node_ip4 "$i")"
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "$STATE/pki/ca.crt"}
authorization: {mode: Webhook}
tlsCertFile: "$STATE/pki/kubelet-$i.crt"
tlsPrivateKeyFile: "$STATE/pki/kubelet-$i.key"
containerRuntimeEndpoint: unix:///run/containerd/containerd.sock
cgroupDriver: cgroupfs
cgroupRoot: /$P-node-$i
failSwapOn: false
resolvConf: "$d/etc/resolv.conf"
clusterDomain: cluster.local
clusterDNS: [$DNS4]
serializeImagePulls: false
# each node reports the whole machine; the thresholds only keep eviction from firing on a shared disk
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
imageGCHighThresholdPercent: 100
$taints
EOF
}

node_start() { # I: anchor, containerd, kubelet
  local i=$1 d; d=$(node_dir "$1")
  local name; name=$(node_name "$i")
  node_cgroups "$i"
  proc_start "anchor-$name" - nsenter --net="/run/netns/$(node_ns "$i")" -- unshare -m -u --propagation private -- sh -c "
    set -e
    hostname $name
    mount -t tmpfs -o mode=0755 tmpfs /run/containerd 2>/dev/null || { mkdir -p /run/containerd; mount -t tmpfs -o mode=0755 tmpfs /run/containerd; }
    mkdir -p /run/netns; mount -t tmpfs -o mode=0755 tmpfs /run/netns
    for p in /var/lib/kubelet:kubelet /var/lib/containerd:containerd /etc/cni/net.d:cni/net.d /var/lib/cni:cni/lib \
             /var/log/pods:log/pods /var/log/containers:log/containers; do
      mkdir -p \${p%%:*}; mount --bind $d/\${p#*:} \${p%%:*}
    done
    echo up >$d/anchor-ready
    exec sleep infinity"
  wait_for "$name's namespaces" 10 test -f "$d/anchor-ready"
  node_proc_start "$i" containerd containerd --config "$d/containerd/config.toml"
  wait_for "containerd on $name" 30 node_enter "$i" ctr --address /run/containerd/containerd.sock version
  node_proc_start "$i" kubelet "$(bin)/kubelet" --config "$d/kubelet.yaml" \
    --kubeconfig "$STATE/node-$i.kubeconfig" --hostname-override "$name" \
    --node-ip "$(node_ip4 "$i"),$(node_ip6 "$i")" --v=1
}

node_proc_start() { # I NAME CMD...: a process of node I, tracked as NAME-node-I
  local i=$1 name=$2; shift 2
  proc_start "$name-$(node_name "$i")" - nsenter -t "$(node_anchor "$i")" -n -m -u -- "$@"
}

# what kubeadm does to a control-plane node after it registers (phase mark-control-plane)
mark_control_plane() { # NODE
  kc label node "$1" node-role.kubernetes.io/control-plane= node.kubernetes.io/exclude-from-external-load-balancers= --overwrite >/dev/null
}

nodes_up() {
  local i b
  b=$(bin)
  for ((i = 1; i <= NODES; i++)); do node_files "$i"; node_start "$i"; done
  for ((i = 1; i <= NODES; i++)); do
    local name; name=$(node_name "$i")
    wait_for "$name registered by its kubelet" 90 kc get node "$name"
    # the pod ranges the node's CNI configuration hands out, as a CNI's IPAM would record them
    kc patch node "$name" --type=merge -p "{\"spec\": {\"podCIDR\": \"$(pod_cidr4 "$i")\", \"podCIDRs\": [\"$(pod_cidr4 "$i")\", \"$(pod_cidr6 "$i")\"]}}" >/dev/null
    [ "$i" = 1 ] && mark_control_plane "$name"
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
    node_proc_start "$i" kube-proxy "$b/kube-proxy" --config "$STATE/nodes/$i/kube-proxy.yaml" --v=1
  done
  for ((i = 1; i <= NODES; i++)); do
    wait_for "$(node_name "$i") Ready" 120 node_ready_is "$(node_name "$i")" True
    wait_for "kube-proxy on $(node_name "$i")" 60 nsx "$(node_ns "$i")" curl -sf http://127.0.0.1:10256/healthz
  done
}

node_not_ready() { ! node_ready_is "$1" True; }
node_ready_is() { # NODE STATUS
  [ "$(kc get node "$1" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')" = "$2" ]
}

nodes_down() { # pods, then kubelets, then containerd, then the anchors; cgroups last
  local i
  for ((i = 1; i <= NODES; i++)); do
    [ -f "$STATE/pid/anchor-$(node_name "$i")" ] || continue
    proc_stop "kubelet-$(node_name "$i")" 5
    node_enter "$i" sh -c 'for t in $(ctr -n k8s.io task ls -q 2>/dev/null); do ctr -n k8s.io task kill -s KILL "$t"; done' 2>/dev/null || true
  done
  for ((i = 1; i <= NODES; i++)); do
    proc_stop "containerd-$(node_name "$i")" 5
    # shims outlive containerd on purpose: they (in the node's network namespace) and every container
    # (in the node's cgroups) go now
    local pids; pids=$( (ip netns pids "$(node_ns "$i")"; find "/sys/fs/cgroup/pids/$P-node-$i" -name cgroup.procs -exec cat {} +) 2>/dev/null || true)
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null || true
  done
  sleep 0.5
  for ((i = 1; i <= NODES; i++)); do
    proc_stop "anchor-$(node_name "$i")" 2
    node_cgroups_remove "$i"
  done
}

# --- pods ------------------------------------------------------------------------------------------
# Test pods are real pods: the echo image, placed on a node by name, run by that node's kubelet, Ready
# by the kubelet's own probe of the echo server's /ready (which the lab can switch off and on).

pod_add() { # NAMESPACE NAME NODE READY LABELS(k=v,k=v)
  local ns=$1 name=$2 ready=$4 labels=$5
  local i; i=$(node_index "$3")
  kc get namespace "$ns" >/dev/null 2>&1 || kc create namespace "$ns" >/dev/null
  local lbl="" kv
  IFS=, read -ra kvs <<<"$labels"
  for kv in "${kvs[@]}"; do [ -n "$kv" ] && lbl="$lbl\"${kv%%=*}\": \"${kv#*=}\", "; done
  kc apply -f - >/dev/null <<EOF
{"apiVersion": "v1", "kind": "Pod",
 "metadata": {"name": "$name", "namespace": "$ns", "labels": {${lbl%, }}},
 "spec": {"nodeName": "$(node_name "$i")", "automountServiceAccountToken": false, "terminationGracePeriodSeconds": 1,
  "tolerations": [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}],
  "securityContext": {"runAsNonRoot": true, "runAsUser": 65532, "seccompProfile": {"type": "RuntimeDefault"}},
  "containers": [{"name": "echo", "image": "$(echo_image)",
   "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
           {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
           {"name": "ECHO_READY", "value": "$ready"}],
   "ports": [{"name": "http", "containerPort": 8080}, {"name": "tcp", "containerPort": 9000},
             {"name": "udp", "containerPort": 9001, "protocol": "UDP"}, {"name": "tcp-proxy", "containerPort": 9100}],
   "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 1, "failureThreshold": 1},
   "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}},
   "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"memory": "256Mi"}}}]}}
EOF
  wait_for "pod $ns/$name running on $(node_name "$i")" 60 pod_started "$ns" "$name"
  wait_for "pod $ns/$name Ready=$ready" 30 pod_ready_is "$ns" "$name" "$ready"
}

pod_started() { [ "$(kc get pod -n "$1" "$2" -o 'jsonpath={.status.containerStatuses[0].started}')" = true ]; }
pod_ready_is() { # NAMESPACE NAME true|false
  local want=False; [ "$3" = true ] && want=True
  [ "$(kc get pod -n "$1" "$2" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')" = "$want" ]
}

pod_status() { # NAMESPACE NAME READY: the pod's readiness probe starts answering accordingly
  local ns=$1 name=$2 ready=$3 ip node
  ip=$(kc get pod -n "$ns" "$name" -o 'jsonpath={.status.podIP}')
  node=$(kc get pod -n "$ns" "$name" -o 'jsonpath={.spec.nodeName}')
  [ -n "$ip" ] || die "pod $ns/$name has no address"
  nsx "$(node_ns "$(node_index "$node")")" curl -sf -X POST "http://$ip:8080/ready?ready=$ready" >/dev/null
  wait_for "pod $ns/$name Ready=$ready" 30 pod_ready_is "$ns" "$name" "$ready"
}

pod_del() { # NAMESPACE NAME: gone from the API at once; its node's kubelet stops the container
  kc delete pod -n "$1" "$2" --grace-period=0 --force --ignore-not-found >/dev/null 2>&1 || true
}

container_pid() { # NAMESPACE POD [CONTAINER]: the host pid of a running container's first process
  local ns=$1 pod=$2 c=${3:-} id node
  local path='{.status.containerStatuses[0].containerID}'
  [ -n "$c" ] && path="{.status.containerStatuses[?(@.name==\"$c\")].containerID}"
  id=$(kc get pod -n "$ns" "$pod" -o "jsonpath=$path"); id=${id#containerd://}
  node=$(kc get pod -n "$ns" "$pod" -o 'jsonpath={.spec.nodeName}')
  [ -n "$id" ] && [ -n "$node" ] || die "pod $ns/$pod has no running container"
  node_enter "$(node_index "$node")" ctr -n k8s.io task ls | awk -v id="$id" '$1 == id && $3 == "RUNNING" {print $2; f=1} END {exit !f}' ||
    die "container $id of $ns/$pod is not running"
}

speaker_pod() { # NODE: the name of the speaker pod on NODE
  local name; name=$(node_name "$(node_index "$1")")
  kc get pod -n herald-system -l app.kubernetes.io/component=speaker --field-selector "spec.nodeName=$name" -o json |
    jq -re '[.items[] | select(.metadata.deletionTimestamp == null) | .metadata.name][0] // empty' ||
    die "no speaker pod on $name"
}

# --- Herald --------------------------------------------------------------------------------------
# Installed as docs/installation.md tells operators to: deploy/herald.yaml through a kustomize overlay that points
# the images at the lab registry (and adds the Proxy-mode component, as the lab runs Proxy Services),
# applied server-side; the kubelets pull the images the Maven build pushed there with Jib.

token_kubeconfig() { # FILE NAMESPACE SERVICEACCOUNT
  local token; token=$(kc create token "$3" -n "$2" --duration=48h)
  kubeconfig "$1" "$3" "{token: \"$token\"}"
}

herald_overlay() { # [proxy|vip]: prints the overlay directory
  local o=$STATE/herald-install components="[components/proxy-mode]"
  [ "${1:-proxy}" = vip ] && components="[]"
  rm -rf "$o"; mkdir -p "$o/components"
  cp "$ROOT/deploy/herald.yaml" "$o/"
  cp -r "$ROOT/deploy/components/proxy-mode" "$o/components/"
  cat >"$o/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [herald.yaml]
components: $components
images:
- {name: ghcr.io/herald-lb/herald-controller, newName: $HERALD_IMAGES/herald-controller, newTag: $(herald_tag)}
- {name: ghcr.io/herald-lb/herald-speaker, newName: $HERALD_IMAGES/herald-speaker, newTag: $(herald_tag)}
EOF
  echo "$o"
}

herald_images_present() {
  local m
  for m in controller speaker; do
    crane digest "$HERALD_IMAGES/herald-$m:$(herald_tag)" >/dev/null 2>&1 ||
      die "$HERALD_IMAGES/herald-$m:$(herald_tag) is not in the lab registry: the Maven build pushes it (./lab up and ./lab test run that build)"
  done
}
# Each build pushes its images under the release tag and under a tag of its own, which the lab installs:
# a node that pulled an earlier build's 0.1.0 would otherwise keep running it (IfNotPresent).
herald_tag() {
  if [ -f "$STATE/build-tag" ]; then cat "$STATE/build-tag"
  else sed -n 's#.*image: ghcr.io/herald-lb/herald-controller:\(.*\)#\1#p' "$ROOT/deploy/herald.yaml" | head -1; fi
}
new_build_tag() { echo "lab-$(date -u +%Y%m%d%H%M%S)" | tee "$STATE/build-tag"; }

namespace_not_terminating() { [ "$(kc get ns "$1" -o 'jsonpath={.status.phase}' 2>/dev/null)" != Terminating ]; }

herald_up() { # [proxy|vip]
  herald_images_present
  # a namespace still being deleted (an uninstall a moment ago) refuses new objects until it is gone
  wait_for "namespace herald-system to finish terminating" 120 namespace_not_terminating herald-system
  kc apply --server-side --force-conflicts -k "$(herald_overlay "${1:-proxy}")" >/dev/null
  kc rollout status -n herald-system deployment/herald-controller --timeout=180s >/dev/null
  kc rollout status -n herald-system daemonset/herald-speaker --timeout=180s >/dev/null
}

herald_down() { # Herald's workloads go; its CRD, RBAC, namespace and membership key stay
  kc delete -n herald-system daemonset/herald-speaker deployment/herald-controller --ignore-not-found --wait=true --timeout=90s >/dev/null
  kc wait -n herald-system --for=delete pod -l app.kubernetes.io/name=herald --timeout=90s >/dev/null 2>&1 || true
}

# --- faults ----------------------------------------------------------------------------------------

fault() {
  local what=${1:-}; shift || true
  case "$what" in
    link-down | link-up) # NODE: pull or plug the node's cable (the switch port goes down)
      local i; i=$(node_index "$1")
      nsx "$P-lan" ip link set "n$i" "${what#link-}" ;;
    kubelet-stop) proc_stop "kubelet-$(node_name "$(node_index "$1")")" 10 ;; # NODE: its pods keep running
    kubelet-start) proc_alive "kubelet-$(node_name "$(node_index "$1")")" || proc_restart "kubelet-$(node_name "$(node_index "$1")")" ;;
    node-ready) # NODE true|false: the kubelet stopped (or started) and the node lifecycle controller's verdict
      local i; i=$(node_index "$1")
      [ "$2" = true ] || [ "$2" = false ] || die "node-ready takes true or false"
      if [ "$2" = false ]; then fault kubelet-stop "$i"; else fault kubelet-start "$i"; fi
      # a node whose kubelet stopped reporting is Ready=Unknown (False is a kubelet's own verdict)
      if [ "$2" = true ]; then wait_for "$(node_name "$i") Ready" 90 node_ready_is "$(node_name "$i")" True
      else wait_for "$(node_name "$i") NotReady" 90 node_not_ready "$(node_name "$i")"; fi ;;
    container-kill | container-term | container-stop | container-cont | speaker-kill | speaker-term | speaker-stop | speaker-cont)
      # NAMESPACE POD [CONTAINER], or for speaker-*: NODE (the speaker container there): a signal to its process
      local sig=${what#*-}
      [[ $what == speaker-* ]] && set -- herald-system "$(speaker_pod "$1")" speaker
      kill -s "${sig^^}" "$(container_pid "$@")" ;;
    speaker-delete) # NODE: the speaker pod is deleted (gracefully); the DaemonSet makes a new one
      kc delete pod -n herald-system "$(speaker_pod "$1")" --wait=false >/dev/null ;;
    apiserver-stop) proc_stop kube-apiserver ;;
    apiserver-start)
      proc_restart kube-apiserver
      wait_for "kube-apiserver /readyz" 90 kc get --raw /readyz
      # The controller manager's and the scheduler's watches, reopened while the API server was still
      # loading its RBAC cache, were refused ("forbidden") and back off for up to a minute, in which time
      # no namespace gets its default ServiceAccount and no EndpointSlice follows a pod. Herald is what
      # the fault tests test, so both are restarted and must show they are working again.
      # (An API server alone, as *IT tests run it, has neither.)
      if [ -f "$STATE/cmd/kube-controller-manager" ]; then
        proc_restart kube-controller-manager
        proc_restart kube-scheduler
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
    cpu-hog) # NODE SECONDS [pods|node]: one busy loop per CPU on the node for SECONDS (returns when they
      # end): the node is alive but its processes wait for the CPU. "pods" (the default) weighs the loops
      # like a pod that requested every CPU of the node, beside its other pods: what any workload can do
      # to the speaker. "node" puts them beside the node's pods, weighted far above them all: a runaway
      # process outside Kubernetes' reach, which leaves a pod almost nothing.
      local i g n; i=$(node_index "$1")
      [[ ${2:-} =~ ^[0-9]+$ ]] || die "cpu-hog takes a node and a number of seconds, then pods or node"
      case "${3:-pods}" in
        pods) g="/sys/fs/cgroup/cpu/$P-node-$i/kubepods/hog"; mkdir -p "$g"
          cat "/sys/fs/cgroup/cpu/$P-node-$i/kubepods/cpu.shares" >"$g/cpu.shares" ;;
        node) g="/sys/fs/cgroup/cpu/$P-node-$i/hog"; mkdir -p "$g"; echo 262144 >"$g/cpu.shares" ;;
        *) die "cpu-hog weighs its loops like a pod (pods) or above the node's pods (node), not '$3'" ;;
      esac
      for ((n = 0; n < $(nproc); n++)); do
        (echo "$BASHPID" >"$g/cgroup.procs"; exec timeout "$2" sh -c 'while :; do :; done') &
      done
      wait ;;
    kill | stop | cont | term) # PROCESS-NAME: one of the lab's own processes (control plane, a node's, a tool)
      local sig; sig=$(echo "$what" | tr a-z A-Z)
      proc_signal "$1" "$sig" ;;
    restart) proc_restart "$1" ;;
    *) die "unknown fault '$what' (link-down|link-up|kubelet-stop|kubelet-start|node-ready|speaker-kill|speaker-term|speaker-stop|speaker-cont|speaker-delete|container-kill|container-term|container-stop|container-cont|apiserver-stop|apiserver-start|partition|heal|cpu-hog|kill|stop|cont|term|restart)" ;;
  esac
}

# --- lifecycle -------------------------------------------------------------------------------------

lab_exists() {
  [ -d "$STATE/pid" ] || ip netns list 2>/dev/null | grep -q "^$P-" || ip link show "$P-cp" >/dev/null 2>&1
}

down() {
  local f ns pids=() i
  if [ -f "$STATE/node-count" ] && [ ! -f "$STATE/apiserver-only" ]; then NODES=$(cat "$STATE/node-count"); nodes_down; fi
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
  # a node's cgroups, should a lab have died before its nodes_down: their processes, then the groups
  local g; g=$(find /sys/fs/cgroup/pids /sys/fs/cgroup/unified -maxdepth 1 -name "$P-node-*" -printf '%f\n' 2>/dev/null | sort -u || true)
  for ns in $g; do
    pids=$(find "/sys/fs/cgroup/pids/$ns" -name cgroup.procs -exec cat {} + 2>/dev/null || true)
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null || true
    sleep 0.2
    node_cgroups_remove "${ns#"$P-node-"}"
  done
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
  registry_up
  images_up
  cp_up
  kcm_up
  scheduler_up
  kcm_working
  nodes_up
  dns_up
  trap - ERR
  log "lab up in $((SECONDS - t0))s: $NODES nodes, API server $APISERVER, registry $REGISTRY"
}

# CoreDNS as kubeadm's addon deploys it (e2e/lab/coredns.yaml), from the lab's image
dns_up() {
  sed "s#image: IMAGE#image: $(cat "$STATE/coredns-image")#" "$ROOT/e2e/lab/coredns.yaml" | kc apply -f - >/dev/null
  kc rollout status -n kube-system deployment/coredns --timeout=120s >/dev/null
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
  # HERALD_KUBERNETES=v1.32: that minor's kube-apiserver (e2e/k8s/v1.32), for the supported-versions tests
  if [ -n "${HERALD_KUBERNETES:-}" ]; then "$ROOT/e2e/k8s/build.sh" "$HERALD_KUBERNETES" >"$STATE/apiserver-bindir"; fi
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
    herald-up) herald_up "${1:-proxy}" ;;
    herald-down) herald_down ;;
    herald-overlay) herald_overlay "${1:-proxy}" ;;
    sa-kubeconfig) # NAMESPACE SERVICEACCOUNT: a kubeconfig with a token of it (for lab tools); prints the file
      token_kubeconfig "$STATE/$1.$2.kubeconfig" "$1" "$2"; echo "$STATE/$1.$2.kubeconfig" ;;
    down) down ;;
    status) status ;;
    env) env_ ;;
    kubectl) kc "$@" ;;
    crane) crane "$@" ;;
    base-image) cat "$STATE/base-image" ;;
    registry) echo "$HERALD_IMAGES" ;;
    build-tag) herald_tag ;;
    new-build-tag) new_build_tag ;; # a fresh tag for the next build's images (./lab passes it to Jib)
    echo-image) echo_image ;;
    exec) # WHERE CMD...: client | lan | node-N | NAMESPACE/POD (the pod's network namespace)
      local where=$1; shift
      case "$where" in
        client) nsx "$P-client" "$@" ;;
        lan) nsx "$P-lan" "$@" ;;
        node-*) nsx "$(node_ns "$(node_index "$where")")" "$@" ;;
        */*) nsenter -t "$(container_pid "${where%%/*}" "${where#*/}")" -n -- "$@" ;;
        *) die "exec takes client, lan, node-N or NAMESPACE/POD" ;;
      esac ;;
    node-enter) # NODE CMD...: inside the node's own namespaces (network, mount, UTS), e.g. ctr or crictl
      local i; i=$(node_index "$1"); shift
      node_enter "$i" "$@" ;;
    container-pid) container_pid "$@" ;;
    speaker-pod) speaker_pod "$1" ;;
    pod-add) # NAMESPACE NAME NODE [READY=true] [LABELS]
      pod_add "$1" "$2" "$3" "${4:-true}" "${5:-}" ;;
    pod-ready) pod_status "$1" "$2" "$3" ;;
    pod-del) pod_del "$1" "$2" ;;
    pod-move) # NAMESPACE NAME NODE: the pod is deleted and created again on another node
      local labels ready
      labels=$(kc get pod -n "$1" "$2" -o json | jq -r '.metadata.labels // {} | to_entries | map("\(.key)=\(.value)") | join(",")')
      ready=$(kc get pod -n "$1" "$2" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')
      pod_del "$1" "$2"
      wait_for "pod $1/$2 gone from the API" 30 sh -c "! KUBECONFIG='$STATE/admin.kubeconfig' '$(bin)/kubectl' get pod -n '$1' '$2' >/dev/null 2>&1"
      pod_add "$1" "$2" "$3" "$([ "$ready" = True ] && echo true || echo false)" "${labels:-}" ;;
    proc-start) # NAME NETNS|- CMD...: a process the lab tracks and `down` stops
      proc_start "$@" ;;
    proc-stop) proc_stop "$1" "${2:-10}" ;;
    proc-alive) proc_alive "$1" ;;
    fault) fault "$@" ;;
    images) ensure_binaries >/dev/null; images_up ;; # the lab's own images again (after a change to the echo server, say)
    binaries) ensure_binaries; bin ;;
    packages) ensure_packages ;;
    help | *)
      sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      echo "commands: up down status env kubectl crane exec node-enter herald-up herald-down pod-add pod-ready pod-del pod-move container-pid speaker-pod proc-start proc-stop fault binaries packages" ;;
  esac
}

main "$@"
