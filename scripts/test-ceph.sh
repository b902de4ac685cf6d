#!/usr/bin/env bash
# Walrus's S3 backend against Ceph's RADOS Gateway: a one-host cluster (scripts/ceph-dev.sh, in a
# temporary folder, on a free port), then the backend tests (test/e2e/walrus-backends.test.js: the
# object bytes contract, a cloud whose bytes are in Ceph, two front ends on one PostgreSQL and one
# Ceph) with EUCA_TEST_S3_* naming the gateway. Installs Ceph from Debian's packages when missing
# (as root). Heavier than CI's budget allows beside the suite: run it by hand (npm run test:ceph).
set -uo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d /tmp/euca-ceph-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap 'bash scripts/ceph-dev.sh stop "$dir"; rm -rf "$dir"' EXIT
start=$(date +%s)
settings=$(bash scripts/ceph-dev.sh start "$dir" "$port") || exit 1
echo "Ceph with its gateway on 127.0.0.1:$port started in $(($(date +%s) - start)) s"
value() { sed -n "s/^$1=\"\(.*\)\"$/\1/p" <<<"$settings"; }
EUCA_TEST_S3_ENDPOINT=$(value WALRUS_S3_ENDPOINT) EUCA_TEST_S3_ACCESS_KEY=$(value WALRUS_S3_ACCESS_KEY) \
  EUCA_TEST_S3_SECRET_KEY=$(value WALRUS_S3_SECRET_KEY) node --test dist/test/e2e/walrus-backends.test.js
