#!/usr/bin/env bash
# The AWS clients the end-to-end tests drive against the embedded cloud: the aws CLI and boto3
# (Signature V4), boto 2 from Debian's python3-boto (Signature V2), and Debian's s3cmd (both); pigz,
# which the bundle benchmark runs beside euca-bundle-image, and /usr/bin/time, which measures its memory;
# QEMU, which runs the real guests, the ssh client that logs in to them, and mke2fs, which builds
# their test image (scripts/build-test-image.mjs fetches the image's own packages with apt-get download);
# Chromium, in which playwright-core drives the Dashboard's tests; PostgreSQL, on which the suite
# runs a second time (scripts/test-postgres.sh); qemu-utils, whose qemu-nbd exports volumes over the network
# (VOLUME_EXPORT="nbd") and whose qemu-io reads them in the tests.
# Installs what is missing when it can (root with apt-get), and otherwise says what to install.
set -u
missing=()
/usr/bin/python3 -c 'import boto' 2>/dev/null || missing+=(python3-boto)
command -v aws >/dev/null 2>&1 || missing+=(awscli)
python3 -c 'import boto3' 2>/dev/null || missing+=(python3-boto3)
command -v pigz >/dev/null 2>&1 || missing+=(pigz)
[ -x /usr/bin/time ] || missing+=(time)
[ -x /usr/bin/s3cmd ] || missing+=(s3cmd)
command -v qemu-system-x86_64 >/dev/null 2>&1 || missing+=(qemu-system-x86)
command -v qemu-nbd >/dev/null 2>&1 || missing+=(qemu-utils)
command -v ssh >/dev/null 2>&1 || missing+=(openssh-client)
command -v mke2fs >/dev/null 2>&1 || missing+=(e2fsprogs)
[ -x /usr/bin/chromium ] || missing+=(chromium)
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing test prerequisites: ${missing[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/dev/null 2>&1 \
    || echo "could not install ${missing[*]}; the AWS-client tests and the bundle benchmark need them" >&2
else
  echo "missing test prerequisites (install them with apt-get): ${missing[*]}" >&2
fi
exit 0
