#!/usr/bin/env bash
# A one-host Ceph cluster with its RADOS Gateway, for Walrus's S3 backend (WALRUS_BACKEND="s3"),
# from Debian's packages (ceph-mon, ceph-osd, ceph-mgr, radosgw; installed when missing and root):
#   scripts/ceph-dev.sh start DIR [PORT]   a monitor, a manager, one OSD (BlueStore on a file in
#                                          DIR), the gateway on 127.0.0.1:PORT (default 7480) and
#                                          a user for Walrus; prints the eucalyptus.conf lines
#   scripts/ceph-dev.sh stop DIR           stops every daemon of DIR (the data stays until removed)
# With cephx, as radosgw needs; the OSD's key is registered before its mkfs. Everything lives in
# DIR: its config, keys, sockets and logs; nothing system-wide is touched. CEPH_ADDR=a.b.c.d puts
# the gateway on that address instead of 127.0.0.1 (at the first start: kept in DIR's ceph.conf).
set -euo pipefail
action=${1:-}
dir=${2:-}
port=${3:-7480}
addr=${CEPH_ADDR:-127.0.0.1}
if [ -z "$action" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR [PORT]" >&2
  exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
conf=$dir/ceph.conf

stop() {
  for pidfile in "$dir"/run/*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

if [ "$action" = stop ]; then
  stop
  exit 0
fi
[ "$action" = start ] || { echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2; }

missing=()
for tool in ceph-mon:ceph-mon ceph-osd:ceph-osd ceph-mgr:ceph-mgr radosgw:radosgw ceph:ceph-common; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${missing[*]}" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/dev/null 2>&1 || true
  fi
  for tool in ceph-mon ceph-osd ceph-mgr radosgw ceph; do
    command -v "$tool" >/dev/null 2>&1 || { echo "Ceph is not installed (apt-get install ceph-mon ceph-osd ceph-mgr radosgw)" >&2; exit 1; }
  done
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ceph_() { ceph -c "$conf" -k "$dir/admin.keyring" "$@"; }

if [ ! -f "$conf" ]; then
  fsid=$(python3 -c 'import uuid; print(uuid.uuid4())')
  mon_port=$(free_port)
  mkdir -p "$dir"/{mon,mgr,osd.0,rgw,run,log}
  cat >"$conf" <<EOF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$mon_port
mon initial members = a
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd crush chooseleaf type = 0
mon warn on pool no redundancy = false
run dir = $dir/run
pid file = $dir/run/\$name.pid
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
ms bind msgr2 = false
[client.admin]
keyring = $dir/admin.keyring
[mon]
mon data = $dir/mon
[mgr]
mgr data = $dir/mgr
[osd]
osd data = $dir/osd.0
osd objectstore = bluestore
bluestore block path = $dir/osd.0.block
bluestore block create = true
bluestore block size = 4294967296
osd max object name len = 256
osd max object namespace len = 64
[client.rgw.dev]
rgw frontends = beast endpoint=$addr:$port
rgw data = $dir/rgw
keyring = $dir/rgw/keyring
EOF
  ceph-authtool --create-keyring "$dir/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool --create-keyring "$dir/admin.keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
  ceph-authtool "$dir/mon.keyring" --import-keyring "$dir/admin.keyring" >/dev/null
  monmaptool --create --add a "v1:127.0.0.1:$mon_port" --fsid "$fsid" "$dir/monmap" >/dev/null
  ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/mon.keyring"
fi

ceph-mon -c "$conf" -i a 2>>"$dir/log/start.log"
ceph_ auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' mds 'allow *' >"$dir/mgr/keyring"
ceph-mgr -c "$conf" -i x --keyring "$dir/mgr/keyring" 2>>"$dir/log/start.log"
if [ ! -f "$dir/osd.0/fsid" ]; then
  uuid=$(python3 -c 'import uuid; print(uuid.uuid4())')
  id=$(ceph_ osd new "$uuid")
  ceph-authtool --create-keyring "$dir/osd.0/keyring" --gen-key -n "osd.$id" >/dev/null
  ceph_ auth add "osd.$id" osd 'allow *' mon 'allow profile osd' mgr 'allow profile osd' -i "$dir/osd.0/keyring" 2>/dev/null
  ceph-osd -c "$conf" -i "$id" --mkfs --osd-uuid "$uuid" --keyring "$dir/osd.0/keyring" 2>"$dir/log/osd-mkfs.log"
fi
ceph-osd -c "$conf" -i 0 --keyring "$dir/osd.0/keyring" 2>>"$dir/log/start.log"
for _ in $(seq 120); do
  ceph_ osd stat 2>/dev/null | grep -q '1 up' && break
  sleep 0.5
done
ceph_ auth get-or-create client.rgw.dev mon 'allow rw' osd 'allow rwx' mgr 'allow rw' >"$dir/rgw/keyring"
radosgw -c "$conf" -n client.rgw.dev 2>>"$dir/log/start.log"
for _ in $(seq 240); do
  curl -s -o /dev/null "http://$addr:$port/" && break
  sleep 0.5
done
curl -s -o /dev/null "http://$addr:$port/" || { echo "radosgw did not answer; see $dir/log" >&2; exit 1; }
if [ ! -f "$dir/walrus.keys" ]; then
  access=$(python3 -c 'import secrets,string; print("".join(secrets.choice(string.ascii_uppercase+string.digits) for _ in range(20)))')
  secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(30))')
  radosgw-admin -c "$conf" -k "$dir/admin.keyring" user create --uid=walrus --display-name=Walrus \
    --access-key="$access" --secret="$secret" >/dev/null
  (umask 077 && printf '%s %s\n' "$access" "$secret" >"$dir/walrus.keys")
fi
read -r access secret <"$dir/walrus.keys"
cat <<EOF
WALRUS_BACKEND="s3"
WALRUS_S3_ENDPOINT="http://$addr:$port"
WALRUS_S3_BUCKET="walrus"
WALRUS_S3_ACCESS_KEY="$access"
WALRUS_S3_SECRET_KEY="$secret"
EOF
