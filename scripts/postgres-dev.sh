#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and trials, from Debian's postgresql package:
#   scripts/postgres-dev.sh start DIR [PORT]   initdb (once) and start; prints the server's URL
#   scripts/postgres-dev.sh stop DIR           stop it (the data stays in DIR until you remove it)
# Its own data dir, port and socket dir, nothing system-wide; bytewise text order (locale C) as
# SQLite's. PostgreSQL refuses to run as root: as root the server runs as the package's
# `postgres` user, who is given DIR. Durability settings are relaxed (fsync off): it is for tests.
# PG_LISTEN=a.b.c.d listens on that address instead of 127.0.0.1, trusting the clients of its /24.
set -euo pipefail
action=${1:-}
dir=${2:-}
port=${3:-55432}
listen=${PG_LISTEN:-127.0.0.1}
if [ -z "$action" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR [PORT]" >&2
  exit 2
fi
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; } >/dev/null 2>&1 || true
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  fi
  [ -n "$bin" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
fi
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
[ "$(id -u)" = 0 ] && chown postgres "$dir" && chmod 700 "$dir"
case "$action" in
  start)
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir" -U euca -A trust --locale=C -E UTF8 >/dev/null
    fi
    if [ "$listen" != 127.0.0.1 ] && ! grep -q "^host all all ${listen%.*}.0/24 trust" "$dir/pg_hba.conf"; then
      echo "host all all ${listen%.*}.0/24 trust" >>"$dir/pg_hba.conf"
    fi
    as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w start -o \
      "-p $port -k $dir -c listen_addresses=$listen -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
    echo "postgresql://euca@$listen:$port/postgres"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
    ;;
  *)
    echo "usage: $0 start|stop DIR [PORT]" >&2
    exit 2
    ;;
esac
