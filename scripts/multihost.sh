#!/usr/bin/env bash
# A cloud spread over several hosts, on this one machine: each host a network namespace on a
# bridge (as root: ip netns, veth pairs, a bridge; nothing else of the machine's network is touched).
#
#   scripts/multihost.sh up DIR [--nodes N] [--front-ends 1|2] [--walrus ceph|files] [--hypervisor H]
#   scripts/multihost.sh down DIR
#
# `up` makes the bridge (NET.1, where the first front end, PostgreSQL and Ceph's gateway listen),
# one namespace per node controller (NET.11, NET.12, ...) and one for the second front end (NET.2),
# each with its own /etc/netns/NAME/hosts and resolv.conf (names resolve from the file; the
# namespace's own loopback refuses DNS at once, so nothing waits on it); then starts PostgreSQL
# (scripts/postgres-dev.sh), Ceph with its gateway when --walrus ceph (scripts/ceph-dev.sh; the
# default with two front ends, which must share their object bytes), the front ends (the second
# with the first's keys and credentials, both with one VOLUMES_DIR, exporting attached volumes to
# the nodes over NBD from their own address: VOLUME_EXPORT="nbd"), and one eucalyptus-nc per node
# namespace, listening on its own address, asking the front ends in turn; and pairs the nodes
# with `euca_conf --addnode` and their tokens. It writes DIR/multihost.env (what runs where, for
# scripts and tests) and prints it. `down` stops everything `up` started (the volume exports
# too) and removes the namespaces and the bridge. MULTIHOST_NET (default 10.213.0) and MULTIHOST_PREFIX (default euca,
# at most 6 characters: interface names are short) let several run side by side.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$root/dist/bin:$PATH"
action=${1:-}
dir=${2:-}
usage() {
  echo "usage: $0 up DIR [--nodes N] [--front-ends 1|2] [--walrus ceph|files] [--hypervisor H] | down DIR" >&2
  exit 2
}
[ -n "$action" ] && [ -n "$dir" ] || usage
shift 2
net=${MULTIHOST_NET:-10.213.0}
prefix=${MULTIHOST_PREFIX:-euca}
bridge="${prefix}br0"
nodes=3
front_ends=2
walrus=""
hypervisor=simulated
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes=${2:?}; shift 2 ;;
    --front-ends) front_ends=${2:?}; shift 2 ;;
    --walrus) walrus=${2:?}; shift 2 ;;
    --hypervisor) hypervisor=${2:?}; shift 2 ;;
    *) usage ;;
  esac
done
[[ "$nodes" =~ ^[1-9]$ ]] || { echo "--nodes takes 1 to 9" >&2; exit 2; }
[[ "$front_ends" =~ ^[12]$ ]] || { echo "--front-ends takes 1 or 2" >&2; exit 2; }
[ -n "$walrus" ] || { [ "$front_ends" = 2 ] && walrus=ceph || walrus=files; }
case "$walrus" in ceph | files) ;; *) echo "--walrus takes ceph or files" >&2; exit 2 ;; esac
if [ "$walrus" = files ] && [ "$front_ends" = 2 ]; then
  echo "two front ends share their object bytes: use --walrus ceph" >&2
  exit 2
fi
[ "$(id -u)" = 0 ] || { echo "$0 makes network namespaces and a bridge: run it as root" >&2; exit 1; }
command -v ip >/dev/null || { echo "$0 needs ip (apt-get install iproute2)" >&2; exit 1; }

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
chmod 755 "$dir" # PostgreSQL's own user reaches its folder inside
state=$dir/multihost.state

node_ns() { echo "${prefix}-nc$1"; }
fe2_ns="${prefix}-fe2"

down() {
  [ -f "$state" ] || return 0
  # shellcheck disable=SC1090
  . "$state"
  for i in $(seq "${NODES_STARTED:-0}"); do
    EUCA_NO_LOCAL_NODE=1 eucalyptus-nc stop --data-dir "$dir/nc$i" >/dev/null 2>&1 || true
  done
  for fe in fe2 fe1; do
    [ -d "$dir/$fe" ] && eucalyptus-cloud stop --data-dir "$dir/$fe" >/dev/null 2>&1 || true
  done
  # The volume exports outlive their front ends (by design): they go with the rest here.
  for pidfile in "$dir"/volumes/.exports/*/qemu-nbd.pid; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  [ -d "$dir/ceph" ] && bash "$root/scripts/ceph-dev.sh" stop "$dir/ceph" || true
  [ -f "$dir/pg/PG_VERSION" ] && bash "$root/scripts/postgres-dev.sh" stop "$dir/pg" 2>/dev/null || true
  for ns in ${NAMESPACES:-}; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "/etc/netns/$ns"
  done
  ip link del "${BRIDGE:-$bridge}" 2>/dev/null || true
  rm -f "$state"
}

if [ "$action" = down ]; then
  down
  exit 0
fi
[ "$action" = up ] || usage
[ ! -f "$state" ] || { echo "$dir is up already (run: $0 down $dir)" >&2; exit 1; }
ip link show "$bridge" >/dev/null 2>&1 && { echo "the bridge $bridge exists already (MULTIHOST_PREFIX)" >&2; exit 1; }
trap 'status=$?; [ $status = 0 ] || { echo "up failed; taking it down" >&2; down; }' EXIT

started=$(date +%s)
say() { printf '[%3ss] %s\n' "$(($(date +%s) - started))" "$*" >&2; }

# The network: the bridge, and a namespace per host on it.
namespaces=""
hosts="127.0.0.1 localhost
$net.1 ${prefix}-fe1"
for i in $(seq "$nodes"); do hosts="$hosts
$net.$((10 + i)) $(node_ns "$i")"; done
[ "$front_ends" = 2 ] && hosts="$hosts
$net.2 $fe2_ns"
echo "BRIDGE=$bridge" >"$state"
ip link add "$bridge" type bridge
ip addr add "$net.1/24" dev "$bridge"
ip link set "$bridge" up
add_host() { # NAMESPACE ADDRESS VETH
  local ns=$1 addr=$2 veth=$3
  ip netns add "$ns"
  namespaces="$namespaces $ns"
  echo "NAMESPACES=\"$namespaces\"" >>"$state"
  ip link add "$veth" type veth peer name eth0 netns "$ns"
  ip link set "$veth" master "$bridge" up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add default via "$net.1"
  mkdir -p "/etc/netns/$ns"
  printf '%s\n' "$hosts" >"/etc/netns/$ns/hosts"
  printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"/etc/netns/$ns/resolv.conf"
}
for i in $(seq "$nodes"); do add_host "$(node_ns "$i")" "$net.$((10 + i))" "${prefix}v$i"; done
[ "$front_ends" = 2 ] && add_host "$fe2_ns" "$net.2" "${prefix}vfe2"
say "bridge $bridge ($net.1/24) with namespaces:$namespaces"

# The state: PostgreSQL on the bridge.
pg_port=55432
db=$(PG_LISTEN="$net.1" bash "$root/scripts/postgres-dev.sh" start "$dir/pg" "$pg_port")
say "PostgreSQL at $db"

# The object bytes: Ceph's gateway on the bridge, or the first front end's files.
walrus_conf=""
if [ "$walrus" = ceph ]; then
  walrus_conf=$(CEPH_ADDR="$net.1" bash "$root/scripts/ceph-dev.sh" start "$dir/ceph" 7480)
  say "Ceph's gateway at http://$net.1:7480"
fi

# The front ends: one VOLUMES_DIR, the same database and object store; no node of their own.
mkdir -p "$dir/volumes"
settings=(
  LOCAL_NODE=N
  # The storage controllers' folder, shared; volumes reach the nodes as NBD exports.
  "VOLUMES_DIR=$dir/volumes" VOLUME_EXPORT=nbd
  # As the local cloud's networking, with public addresses on the bridge.
  VNET_MODE=MANAGED-NOVLAN VNET_SUBNET=10.128.0.0 VNET_NETMASK=255.255.0.0 VNET_ADDRSPERNET=32
  "VNET_PUBLICIPS=$net.100-$net.140" "VNET_DNS=$net.1"
)
# Ceph's gateway lines (WALRUS_*="..."), as settings.
while IFS= read -r line; do
  [[ "$line" =~ ^([A-Z0-9_]+)=\"(.*)\"$ ]] && settings+=("${BASH_REMATCH[1]}=${BASH_REMATCH[2]}")
done <<<"$walrus_conf"
fe_conf() { # DATA_DIR: the default eucalyptus.conf with those settings, before the first start
  local args=() s
  for s in "${settings[@]}"; do args+=(--set "$s"); done
  euca_conf -d "$1" "${args[@]}" >/dev/null
}
fe_conf "$dir/fe1"
eucalyptus-cloud start --data-dir "$dir/fe1" --bind "$net.1" --port 8773 --db "$db" >&2
front_urls="http://$net.1:8773"
if [ "$front_ends" = 2 ]; then
  fe_conf "$dir/fe2"
  mkdir -p "$dir/fe2/var/lib/eucalyptus"
  cp -a "$dir/fe1/var/lib/eucalyptus/keys" "$dir/fe2/var/lib/eucalyptus/keys"
  cp -a "$dir/fe1/credentials" "$dir/fe2/credentials" 2>/dev/null || true
  ip netns exec "$fe2_ns" "$root/dist/bin/eucalyptus-cloud" start --data-dir "$dir/fe2" --bind "$net.2" --port 8773 --db "$db" >&2
  front_urls="$front_urls http://$net.2:8773"
fi
say "front ends: $front_urls"

# The node controllers, one per namespace, each paired with its token.
addresses=""
tokens=()
for i in $(seq "$nodes"); do
  nc_dir="$dir/nc$i"
  mkdir -p "$nc_dir/etc/eucalyptus"
  printf 'HYPERVISOR="%s"\nMAX_CORES="4"\nMAX_MEM="4096"\nMAX_DISK="100"\n' "$hypervisor" >"$nc_dir/etc/eucalyptus/eucalyptus.conf"
  ip netns exec "$(node_ns "$i")" "$root/dist/bin/eucalyptus-nc" start --data-dir "$nc_dir" \
    --bind "$net.$((10 + i))" --port 8775 --cloud-url "$front_urls" >&2
  echo "NODES_STARTED=$i" >>"$state"
  addresses="$addresses $net.$((10 + i)):8775"
  tokens+=(--token "$(cat "$nc_dir/var/lib/eucalyptus/keys/pairing-token")")
done
EUCA_LOCAL_DIR="$dir/fe1" euca_conf --addnode "${addresses# }" "${tokens[@]}" >&2
say "nodes paired:$addresses"

cat >"$dir/multihost.env" <<EOF
MULTIHOST_DIR="$dir"
BRIDGE_ADDR="$net.1"
DB="$db"
WALRUS="$walrus"
FRONT_ENDS="$front_urls"
FRONT_END_DIRS="$dir/fe1$([ "$front_ends" = 2 ] && echo " $dir/fe2")"
FE2_NETNS="$([ "$front_ends" = 2 ] && echo "$fe2_ns")"
NODES="${addresses# }"
NODE_DIRS="$(for i in $(seq "$nodes"); do printf '%s ' "$dir/nc$i"; done | sed 's/ $//')"
NODE_NETNS="$(for i in $(seq "$nodes"); do printf '%s ' "$(node_ns "$i")"; done | sed 's/ $//')"
VOLUMES_DIR="$dir/volumes"
EOF
say "up: $dir/multihost.env"
cat "$dir/multihost.env"
