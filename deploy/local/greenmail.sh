#!/usr/bin/env bash
# GreenMail, an in-memory SMTP and IMAP server, for development and tests: fetched from Maven
# Central and run with plain java, like kafka.sh runs the broker.
#
#   deploy/local/greenmail.sh start    fetch (once), start, wait until both ports serve
#   deploy/local/greenmail.sh stop     stop it and wait until it is gone
#   deploy/local/greenmail.sh status   exit 0 and say so when it is up
#
# Authentication is disabled: any login/password pair works and creates its mailbox on first use,
# so every test can use mailboxes no other run has seen. Mail lives in memory until stop.
# Every command is idempotent and safe to run concurrently (a lock serialises them).
# GREENMAIL_SMTP_PORT (default 3025), GREENMAIL_IMAP_PORT (default 3143) and GREENMAIL_HOME
# (default deploy/local/.greenmail) select the instance.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
smtp_port="${GREENMAIL_SMTP_PORT:-3025}"
imap_port="${GREENMAIL_IMAP_PORT:-3143}"
home="${GREENMAIL_HOME:-$here/.greenmail}"
libs="$home/libs"
pidfile="$home/greenmail-$imap_port.pid"
log="$home/greenmail-$imap_port.log"

mkdir -p "$home"
exec 9>"$home/.lock"
flock 9

say() { echo "greenmail: $*" >&2; }

running_pid() {
  [[ -f "$pidfile" ]] || return 1
  local pid
  pid="$(cat "$pidfile")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

serving() {
  (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$imap_port") 2>/dev/null
}

fetch() {
  [[ -f "$libs/.complete" ]] && return 0
  say "fetching GreenMail from Maven Central into $libs"
  rm -rf "$libs"
  mvn -q -B -f "$here/greenmail-pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$libs" >&2
  touch "$libs/.complete"
}

start() {
  if running_pid >/dev/null && serving; then say "already running (SMTP $smtp_port, IMAP $imap_port)"; return 0; fi
  if serving; then say "a server started elsewhere already serves $smtp_port and $imap_port; using it"; return 0; fi
  fetch
  # setsid: the server outlives the shell that started it; 9>&-: it must not inherit the lock.
  setsid java -Xms64m -Xmx512m \
    -Dgreenmail.hostname=127.0.0.1 \
    -Dgreenmail.smtp.port="$smtp_port" -Dgreenmail.imap.port="$imap_port" \
    -Dgreenmail.auth.disabled \
    -cp "$libs/*" com.icegreen.greenmail.standalone.GreenMailStandaloneRunner \
    </dev/null >"$log" 2>&1 9>&- &
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do
    if serving; then say "up (SMTP 127.0.0.1:$smtp_port, IMAP 127.0.0.1:$imap_port)"; return 0; fi
    if ! running_pid >/dev/null; then say "server exited; last lines of $log:"; tail -20 "$log" >&2; return 1; fi
    sleep 0.5
  done
  say "did not open its ports within 60 s; see $log"
  return 1
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then say "not running"; rm -f "$pidfile"; return 0; fi
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; say "stopped"; return 0; }; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  say "killed after 30 s"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running_pid >/dev/null && serving; then say "running (SMTP $smtp_port, IMAP $imap_port)"; else say "not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
