#!/bin/bash
# Runs ceph's s3-tests (the boto3 functional suite) against Walrus of a fresh embedded cloud, with
# this checkout's build. Development only: the suite comes from GitHub, which CI cannot reach.
#
#   scripts/s3-conformance.sh S3TESTS_DIR [WORK_DIR] [extra pytest args]
#
# S3TESTS_DIR: a checkout of github.com/ceph/s3-tests (the closing note of issue 17 used 8f0ae7b).
# WORK_DIR (default /tmp/s3-conformance): the cloud's data, the suite's config, and the logs
# pytest.log, junit.xml and cloud.log. Python's packages come from Debian (installed as root).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SUITE=$(cd "${1:?usage: $0 S3TESTS_DIR [WORK_DIR] [pytest args]}" && pwd)
W=${2:-/tmp/s3-conformance}
shift $(( $# > 1 ? 2 : 1 ))
B=$ROOT/dist/bin
[ -x "$B/eucalyptus-cloud" ] || { echo "build first: npm ci && node scripts/build.mjs" >&2; exit 1; }
PKGS="python3-pytest python3-pytest-timeout python3-boto3 python3-munch python3-isodate python3-requests
  python3-gevent python3-httplib2 python3-lxml python3-yaml python3-tz"
# shellcheck disable=SC2086
dpkg -s $PKGS >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -q $PKGS >/dev/null

# A fresh cloud on a free port, its local node of a fixed size (as test/helpers/cloud.ts makes it).
D=$W/data
rm -rf "$D"; mkdir -p "$D/node/etc/eucalyptus"
printf 'MAX_CORES="16"\nMAX_MEM="8192"\nMAX_DISK="200"\nBOOT_DELAY_MS="100"\nHYPERVISOR="simulated"\n' \
  > "$D/node/etc/eucalyptus/eucalyptus.conf"
setsid "$B/eucalyptus-cloud" start --foreground --port 0 --data-dir "$D" --no-dashboard > "$W/cloud.log" 2>&1 &
CLOUD=$!
trap 'kill $CLOUD 2>/dev/null; wait $CLOUD 2>/dev/null' EXIT
for _ in $(seq 150); do [ -f "$D/var/run/eucalyptus/eucalyptus-cloud.pid" ] && break; sleep 0.2; done
# shellcheck disable=SC1091
. "$D/credentials/eucarc"
PORT=$(echo "$S3_URL" | sed -E 's#^http://[^:]+:([0-9]+)/.*#\1#')

# The suite's "alt" and "tenant" users: the admins of two more accounts, made with euare-accountcreate.
"$B/euare-accountcreate" -a s3alt -k > "$W/alt.keys"
"$B/euare-accountcreate" -a s3tenant -k > "$W/tenant.keys"
acct() { sed -n 1p "$1" | cut -f2; }; key() { sed -n 2p "$1"; }; sec() { sed -n 3p "$1"; }
user() { # SECTION NAME KEYS
  printf '[%s]\ndisplay_name = %s\nuser_id = %s\nemail = %s@example.com\naccess_key = %s\nsecret_key = %s\n' \
    "$1" "$2" "$(acct "$3")" "$2" "$(key "$3")" "$(sec "$3")"
}
# s3-tests takes a host and port: the cloud serves S3 at the root path too, and an IP address makes
# botocore address buckets by path. The suite's "main" user is the cloud administrator.
{
  printf '[DEFAULT]\nhost = 127.0.0.1\nport = %s\nis_secure = False\nssl_verify = False\n' "$PORT"
  printf '[fixtures]\nbucket prefix = s3t-{random}-\niam name prefix = s3-tests-\niam path prefix = /s3-tests/\n'
  printf '[s3 main]\ndisplay_name = eucalyptus\nuser_id = %s\nemail = admin@example.com\napi_name =\n' \
    "$EC2_ACCOUNT_NUMBER"
  printf 'access_key = %s\nsecret_key = %s\n' "$EC2_ACCESS_KEY" "$EC2_SECRET_KEY"
  user 's3 alt' s3alt "$W/alt.keys"
  user 's3 tenant' s3tenant "$W/tenant.keys"; echo 'tenant = s3tenant'
  user iam s3alt "$W/alt.keys"
  user 'iam root' s3alt "$W/alt.keys"
  user 'iam alt root' s3tenant "$W/tenant.keys"
} > "$W/s3tests.conf"

# What a single cloud has no part of: SNS, IAM and STS beyond Euare, S3 Select, the slow lifecycle
# expirations and transitions.
SKIPPED='not sns and not iam_account and not iam_user and not iam_role and not iam_tenant'
SKIPPED+=' and not iam_cross_account and not test_of_sts and not webidentity_test and not s3select'
SKIPPED+=' and not lifecycle_expiration and not lifecycle_transition and not cloud_transition and not cloud_restore'
cd "$SUITE"
unset AWS_ACCESS_KEY AWS_SECRET_KEY AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
S3TEST_CONF=$W/s3tests.conf AWS_DEFAULT_REGION=us-east-1 timeout 2700 /usr/bin/python3 -m pytest \
  -p no:cacheprovider --timeout=90 -rfEs -v --junitxml="$W/junit.xml" \
  -m "$SKIPPED" \
  s3tests/functional/test_s3.py s3tests/functional/test_headers.py "$@" > "$W/pytest.log" 2>&1 || true
tail -1 "$W/pytest.log"
echo "answers 500 in the cloud log: $(grep -c ' 500 ' "$W/cloud.log" || true)"
