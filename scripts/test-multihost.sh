#!/usr/bin/env bash
# The multi-host end-to-end test (test/multihost): three node controllers in three network
# namespaces, two front ends on one PostgreSQL, Walrus on Ceph's gateway, all started by
# scripts/multihost.sh. Needs root (namespaces, a bridge) and Ceph (installed from Debian's
# packages when missing); where either cannot be had, says so and runs nothing.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "the multi-host test makes network namespaces and a bridge: it runs as root only (skipped)"
  exit 0
fi
if ! command -v radosgw >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  echo "installing Ceph (ceph-mon ceph-osd ceph-mgr radosgw) for the multi-host test"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    ceph-mon ceph-osd ceph-mgr radosgw ceph-common; } >/dev/null 2>&1 || true
fi
for tool in ceph-mon ceph-osd ceph-mgr radosgw ceph; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "Ceph cannot be installed here ($tool is missing): the multi-host test needs it (skipped)"
    exit 0
  fi
done
start=$(date +%s)
node --test --test-concurrency=1 dist/test/multihost/*.test.js
status=$?
echo "the multi-host test took $(($(date +%s) - start)) s"
exit $status
