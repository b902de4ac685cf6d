#!/usr/bin/env bash
# Runs command lines with this toolkit (dist/bin) and with the euca2ools reference (reference.sh's
# OUT_DIR in $EUCA2OOLS_REF), against the cloud the environment names (source an eucarc first),
# and shows where their output or exit status differ:
#   EUCA2OOLS_REF=/tmp/e2ref compare.sh 'euca-describe-instances' 'euca-describe-groups web' ...
# Each argument is one command line (shell words; variables expand). A development tool.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
ref="${EUCA2OOLS_REF:?set EUCA2OOLS_REF to the folder reference.sh made}"
same=0 differ=0
for line in "$@"; do
  eval "set -- $line"
  cmd="$1"; shift
  ours="$("$root/dist/bin/$cmd" "$@" 2>&1; echo "exit $?")"
  theirs="$(PYTHONPATH="$ref/shim:$ref/euca2ools:$ref/requestbuilder" /usr/bin/python3 -W ignore \
    "$ref/euca2ools/bin/$cmd" "$@" 2>&1; echo "exit $?")"
  if [ "$ours" == "$theirs" ]; then
    same=$((same + 1)); echo "same    $line"
  else
    differ=$((differ + 1)); echo "DIFFER  $line   (< euca2ools, > ours; tabs shown as →)"
    diff <(sed 's/\t/→/g' <<<"$theirs") <(sed 's/\t/→/g' <<<"$ours") | head -"${DIFF_LINES:-12}"
  fi
done
echo "$same same, $differ differ"
