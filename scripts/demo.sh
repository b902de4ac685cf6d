#!/usr/bin/env bash
# The seeds' quick start, on the embedded cloud: it grows with each capability the toolkit gains.
# Uses the local cloud in ~/.euca/local (or $EUCA_LOCAL_DIR), starting it when it is not running.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$root/dist/bin:$PATH"

step() { printf '\n$ %s\n' "$*"; "$@"; }

# column N of the first LINE-type line of a command's tab-separated output
column() { local type="$1" n="$2"; shift 2; "$@" | awk -F'\t' -v t="$type" -v n="$n" '$1 == t {print $n; exit}'; }
# waits (up to a minute) until column N of the LINE-type line reads VALUE
wait_for() { local want="$1" type="$2" n="$3"; shift 3; for _ in $(seq 300); do [ "$(column "$type" "$n" "$@")" = "$want" ] && return; sleep 0.2; done; }

# This demo's image is a made-up disk, not a bootable one: a local cloud it starts for the first
# time simulates its instances. (README, "Real instances": the same steps with a bootable image.)
node_conf="${EUCA_LOCAL_DIR:-$HOME/.euca/local}/node/etc/eucalyptus/eucalyptus.conf"
if [ ! -e "$node_conf" ]; then
  mkdir -p "$(dirname "$node_conf")"
  printf 'HYPERVISOR="simulated"\n' > "$node_conf"
fi

step euca-version
step euca-describe-availability-zones
step euca-describe-regions

# Add an image (seed 000, "Add a Root Filesystem"): bundle, upload to Walrus, register.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
name="demo-rootfs-$(date +%Y%m%d%H%M%S).img"
image="$work/$name"
# A small root disk image: some real files, then zeros.
tar -cf - -C /usr/share common-licenses 2>/dev/null | head -c 4M > "$image" || true
truncate -s 32M "$image"
step euca-bundle-image -i "$image"
step euca-upload-bundle -b demo-images -m "/tmp/$name.manifest.xml"
rm -f "/tmp/$name".*
registered="$(step euca-register "demo-images/$name.manifest.xml" | tee >(cat >&2) | awk '/^IMAGE/ {print $2}')"
printf '\n(waiting for Walrus to decrypt %s)\n' "$registered"
wait_for available IMAGE 5 euca-describe-images "$registered"
step euca-describe-images

# Seed 001's quick start: a key pair, ssh allowed, an instance, an elastic IP, and terminate.
key="demokey-$(date +%H%M%S)"
step euca-add-keypair "$key" > "$work/$key.private"
chmod 0600 "$work/$key.private"
printf '(the private key is in %s)\n' "$work/$key.private"
step euca-authorize -P tcp -p 22 -s 0.0.0.0/0 default || true   # already allowed on a second run
instance="$(step euca-run-instances -k "$key" -n 1 "$registered" | tee >(cat >&2) | awk '/^INSTANCE/ {print $2}')"
printf '\n(waiting for %s to boot)\n' "$instance"
wait_for running INSTANCE 6 euca-describe-instances "$instance"
step euca-describe-instances "$instance"
address="$(step euca-allocate-address | tee >(cat >&2) | awk '/^ADDRESS/ {print $2}')"
step euca-associate-address "$address" -i "$instance"
step euca-describe-instances "$instance"

# Seed 000's "Using EBS": a volume in the instance's zone, attached, snapshotted.
zone="$(column INSTANCE 12 euca-describe-instances "$instance")"
volume="$(step euca-create-volume --zone "$zone" --size 1 | tee >(cat >&2) | awk '/^VOLUME/ {print $2}')"
wait_for available VOLUME 6 euca-describe-volumes "$volume"
step euca-attach-volume "$volume" -i "$instance" -d /dev/sdf
wait_for attached ATTACHMENT 5 euca-describe-volumes "$volume"
step euca-describe-volumes "$volume"
snapshot="$(step euca-create-snapshot "$volume" -d 'demo snapshot' | tee >(cat >&2) | awk '/^SNAPSHOT/ {print $2}')"
printf '\n(waiting for %s to complete)\n' "$snapshot"
wait_for completed SNAPSHOT 4 euca-describe-snapshots "$snapshot"
step euca-describe-snapshots "$snapshot"
step euca-detach-volume "$volume"
wait_for available VOLUME 6 euca-describe-volumes "$volume"
step euca-delete-volume "$volume"

step euca-terminate-instances "$instance"
step euca-release-address "$address"

# Seed 000's access chapter: a group whose policy allows describes only, a user in it with an
# access key, and what that user may and may not do.
suffix="$(date +%H%M%S)"
step euare-groupcreate -g "readers-$suffix"
step euare-groupaddpolicy -g "readers-$suffix" -p describe-only -e Allow -a 'ec2:Describe*' -o
keys="$(step euare-usercreate -u "reader-$suffix" -g "readers-$suffix" -k | tee >(cat >&2))"
as_reader() {
  local id secret
  id="$(tail -n 2 <<<"$keys" | sed -n 1p)" secret="$(tail -n 1 <<<"$keys")"
  printf '\n$ (as reader-%s) %s\n' "$suffix" "$*"
  EC2_ACCESS_KEY="$id" EC2_SECRET_KEY="$secret" AWS_ACCESS_KEY="$id" AWS_SECRET_KEY="$secret" "$@"
}
as_reader euca-describe-availability-zones
as_reader euca-add-keypair "reader-key-$suffix" || printf '(denied, as the policy says)\n'
step euare-userdel -u "reader-$suffix" -r
step euare-groupdel -g "readers-$suffix" -r

step eucalyptus-cloud status
printf '\nThe local cloud'"'"'s admin credentials: source %s\n' "${EUCA_LOCAL_DIR:-$HOME/.euca/local}/credentials/eucarc"
printf 'Stop it with: %s/dist/bin/eucalyptus-cloud stop\n' "$root"
