#!/usr/bin/env bash
# A private PostgreSQL cluster from the machine's own (Debian) binaries, for runs that must stop
# and restart their database (the pipeline harness, tools/pipeline.mjs): installed with apt-get
# when missing, initialised once, listening on 127.0.0.1 only, any local login trusted.
#
#   deploy/local/postgres.sh start     install (once), initdb (once), start, wait until it serves
#   deploy/local/postgres.sh stop      a fast shutdown: sessions end, data is checkpointed
#   deploy/local/postgres.sh crash     an immediate shutdown, as after kill -9: recovery on start
#   deploy/local/postgres.sh status    exit 0 and say so when it is up
#   deploy/local/postgres.sh reset     stop and delete its data
#
# Every command is idempotent and safe to run concurrently (a lock serialises them).
# POSTGRES_PORT (default 15432) and POSTGRES_HOME (default deploy/local/.postgres) select the
# instance. Postgres refuses to run as root; as root, the cluster belongs to the user `postgres`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
port="${POSTGRES_PORT:-15432}"
home="${POSTGRES_HOME:-$here/.postgres}"
data="$home/data-$port"
log="$home/postgres-$port.log"

mkdir -p "$home"
exec 9>"$home/.lock"
flock 9

say() { echo "postgres: $*" >&2; }

binaries() {
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [[ -z "$found" ]]; then
    [[ "$(id -u)" == 0 ]] || { say "no PostgreSQL binaries in /usr/lib/postgresql; install the postgresql package"; exit 1; }
    say "installing PostgreSQL with apt-get"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    found="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  fi
  echo "$found"
}

bin="$(binaries)"

# As root, everything runs as `postgres`, which owns the cluster's directory.
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

serving() { "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; }

init() {
  [[ -f "$data/PG_VERSION" ]] && return 0
  say "initialising a cluster in $data"
  mkdir -p "$data"
  [[ "$(id -u)" == 0 ]] && chown -R postgres: "$home"
  as_owner "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$home'
max_connections = 300
shared_buffers = 256MB
CONF
}

start() {
  if serving; then say "already running on 127.0.0.1:$port"; return 0; fi
  init
  [[ "$(id -u)" == 0 ]] && chown postgres: "$home" && touch "$log" && chown postgres: "$log"
  # 9>&-: the server must not inherit the lock.
  as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null 9>&- ||
    { say "did not start; last lines of $log:"; tail -20 "$log" >&2; return 1; }
  say "up on 127.0.0.1:$port"
}

stop() {
  local mode="$1"
  if [[ ! -f "$data/postmaster.pid" ]]; then say "not running"; return 0; fi
  as_owner "$bin/pg_ctl" -D "$data" -m "$mode" -w -t 60 stop >/dev/null
  say "stopped ($mode)"
}

case "${1:-}" in
  start) start ;;
  stop) stop fast ;;
  crash) stop immediate ;;
  status) if serving; then say "running on 127.0.0.1:$port"; else say "not running"; exit 1; fi ;;
  reset) stop fast; rm -rf "$data" ;;
  *) echo "usage: $0 start|stop|crash|status|reset" >&2; exit 2 ;;
esac
