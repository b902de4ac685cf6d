#!/usr/bin/env bash
# A runnable euca2ools 3 on this machine's Python 3, to read its options and compare its output
# with ours: reference.sh EUCA2OOLS_CHECKOUT REQUESTBUILDER_CHECKOUT OUT_DIR. euca2ools is Python 2
# code; this copies both checkouts into OUT_DIR, converts them with 2to3, mends the few places 2to3
# leaves (file(), collections.Mapping, bytes joins, the response iterator), and adds a shim for
# hashing str. Needs python3-lxml (apt-get install python3-lxml). Then:
#   PYTHONPATH=OUT/shim:OUT/euca2ools:OUT/requestbuilder /usr/bin/python3 -W ignore OUT/euca2ools/bin/NAME ...
# A development tool only: nothing in the test suite needs it (the table fixture holds what it read).
set -euo pipefail
euca="$1" rb="$2" out="$3"
here="$(cd "$(dirname "$0")" && pwd)"
rm -rf "$out" && mkdir -p "$out/euca2ools" "$out/requestbuilder" "$out/shim"
git -C "$euca" archive HEAD | tar -x -C "$out/euca2ools"
git -C "$rb" archive HEAD | tar -x -C "$out/requestbuilder"
/usr/bin/python3 -m lib2to3 -w -n "$out/euca2ools/euca2ools" "$out/euca2ools/bin" >/dev/null 2>&1
/usr/bin/python3 -m lib2to3 -w -n -f dict -f xrange -f unicode -f basestring -f print -f except -f has_key \
  -f raise -f urllib -f types "$out/requestbuilder/requestbuilder" >/dev/null 2>&1
grep -rlE 'isinstance\([a-z_]+, file\)' "$out" | xargs -r sed -i -E 's/isinstance\(([a-z_]+), file\)/hasattr(\1, "read")/g'
grep -rlE 'collections\.(Mapping|Sequence|Iterable|MutableMapping|Callable)' "$out" | xargs -r sed -i -E \
  's/collections\.(Mapping|Sequence|Iterable|MutableMapping|Callable)/collections.abc.\1/g; s/^import collections$/import collections, collections.abc/'
sed -i "s/result = ''.join(self._buflist)/result = b''.join(self._buflist)/" "$out/requestbuilder/requestbuilder/request.py"
sed -i 's/^    def next(self):/    def __next__(self):/' "$out/requestbuilder/requestbuilder/response.py"
cp "$here/shim/sitecustomize.py" "$out/shim/"
echo "euca2ools reference in $out"
