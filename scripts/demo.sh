#!/usr/bin/env bash
# The seed's quick start, on the embedded cloud: it grows with each capability the toolkit gains.
# Uses the local cloud in ~/.euca/local (or $EUCA_LOCAL_DIR), starting it when it is not running.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$root/dist/bin:$PATH"

step() { printf '\n$ %s\n' "$*"; "$@"; }

step euca-version
step euca-describe-availability-zones
step euca-describe-regions
step eucalyptus-cloud status
printf '\nThe local cloud'"'"'s admin credentials: source %s\n' "${EUCA_LOCAL_DIR:-$HOME/.euca/local}/credentials/eucarc"
printf 'Stop it with: %s/dist/bin/eucalyptus-cloud stop\n' "$root"
