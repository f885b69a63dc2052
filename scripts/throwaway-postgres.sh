#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server from Debian's packages on 127.0.0.1 and prints its URL.
#   bash scripts/throwaway-postgres.sh start [PORT]   -> prints postgres://usher@127.0.0.1:PORT/postgres
#   bash scripts/throwaway-postgres.sh stop  [PORT]
#   bash scripts/throwaway-postgres.sh pause [PORT]   -> stops the server (fast shutdown), keeping its data
#   bash scripts/throwaway-postgres.sh resume [PORT]  -> starts a paused server again on the same data
# Data lives in /tmp/usher-pg-PORT; fsync is off: it is for tests, never for data you keep.
set -euo pipefail
action=${1:-start}
port=${2:-54329}
dir=/tmp/usher-pg-$port

bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

run_server() {
  as_postgres "$1/pg_ctl -D $dir -l $dir/server.log -w -o \"-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" start" >/dev/null
}

case "$action" in
  start)
    if [ -z "$(bin_dir)" ]; then
      if [ "$(id -u)" != 0 ]; then echo "PostgreSQL is not installed; run as root or apt-get install postgresql" >&2; exit 1; fi
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null
      apt-get install -y -qq postgresql >/dev/null
    fi
    bin=$(bin_dir)
    if [ -f "$dir/postmaster.pid" ] && as_postgres "$bin/pg_ctl -D $dir status" >/dev/null 2>&1; then
      echo "postgres://usher@127.0.0.1:$port/postgres"; exit 0
    fi
    rm -rf "$dir"; mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    as_postgres "$bin/initdb -D $dir -U usher -A trust --no-sync" >/dev/null
    run_server "$bin"
    echo "postgres://usher@127.0.0.1:$port/postgres"
    ;;
  pause)
    # What a restart or failover looks like to clients: every connection is told 57P01 and closed.
    as_postgres "$(bin_dir)/pg_ctl -D $dir -m fast -w stop" >/dev/null
    ;;
  resume)
    run_server "$(bin_dir)"
    ;;
  stop)
    bin=$(bin_dir)
    [ -n "$bin" ] && [ -d "$dir" ] && as_postgres "$bin/pg_ctl -D $dir -m immediate stop" >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop|pause|resume [PORT]" >&2; exit 2 ;;
esac
