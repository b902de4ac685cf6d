#!/usr/bin/env bash
# The whole suite again with every cloud and store on PostgreSQL: a throwaway server
# (scripts/postgres-dev.sh, on a free port, in a temporary folder), EUCA_TEST_POSTGRES naming it;
# each test's cloud gets a database of its own there. The real guests' volumes come over NBD in this
# pass (EUCA_TEST_VOLUME_EXPORT=nbd), through a file's path in the first. Exits with the suite's status.
set -uo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d /tmp/euca-pg-XXXXXX)
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
url=$(bash scripts/postgres-dev.sh start "$dir" "$port") || { rm -rf "$dir"; exit 1; }
trap 'bash scripts/postgres-dev.sh stop "$dir"; rm -rf "$dir"' EXIT
echo "the suite on PostgreSQL ($url)"
EUCA_TEST_POSTGRES=$url EUCA_TEST_VOLUME_EXPORT=nbd node --test --test-concurrency=2 ${@:-$(find dist/test -name "*.test.js" -not -path "*/multihost/*" | sort)}
