#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft) for development and tests, fetched from Maven Central
# and run with plain java: no Docker, no tarball download.
#
#   deploy/local/kafka.sh start    fetch (once), format (once), start, wait until it serves
#   deploy/local/kafka.sh stop     stop it and wait until it is gone
#   deploy/local/kafka.sh status   exit 0 and say so when it is up
#   deploy/local/kafka.sh reset    stop and delete its data
#
# Every command is idempotent and safe to run concurrently (a lock serialises them).
# KAFKA_PORT (default 9092) and KAFKA_HOME (default deploy/local/.kafka) select the instance.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
port="${KAFKA_PORT:-9092}"
controller_port=$((port + 1))
home="${KAFKA_HOME:-$here/.kafka}"
libs="$home/libs"
data="$home/data-$port"
pidfile="$home/broker-$port.pid"
log="$home/broker-$port.log"

mkdir -p "$home"
exec 9>"$home/.lock"
flock 9

say() { echo "kafka: $*" >&2; }

running_pid() {
  [[ -f "$pidfile" ]] || return 1
  local pid
  pid="$(cat "$pidfile")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

serving() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

fetch() {
  [[ -f "$libs/.complete" ]] && return 0
  say "fetching Apache Kafka from Maven Central into $libs"
  rm -rf "$libs"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$libs" >&2
  touch "$libs/.complete"
}

write_config() {
  cat >"$home/server-$port.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$data
num.partitions=6
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
# One broker: the pollers' transactions (docs/adr/0020) need their state log at one copy.
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
PROPS
}

java_run() {
  java -Xms256m -Xmx768m -XX:+UseG1GC \
    -Dlog4j2.configurationFile="$here/log4j2.yaml" -Dkafka.logs.dir="$home" \
    -cp "$libs/*" "$@"
}

start() {
  if running_pid >/dev/null && serving; then say "already running on 127.0.0.1:$port"; return 0; fi
  if serving; then say "a broker started elsewhere already serves 127.0.0.1:$port; using it"; return 0; fi
  fetch
  write_config
  if [[ ! -f "$data/meta.properties" ]]; then
    java_run kafka.tools.StorageTool format --ignore-formatted \
      --cluster-id "$(java_run kafka.tools.StorageTool random-uuid)" \
      --config "$home/server-$port.properties" >&2
  fi
  # setsid: the broker outlives the shell that started it; 9>&-: it must not inherit the lock.
  setsid java -Xms256m -Xmx768m -XX:+UseG1GC \
    -Dlog4j2.configurationFile="$here/log4j2.yaml" -Dkafka.logs.dir="$home" \
    -cp "$libs/*" kafka.Kafka "$home/server-$port.properties" </dev/null >"$log" 2>&1 9>&- &
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do
    if serving; then say "up on 127.0.0.1:$port"; return 0; fi
    if ! running_pid >/dev/null; then say "broker exited; last lines of $log:"; tail -20 "$log" >&2; return 1; fi
    sleep 0.5
  done
  say "did not open 127.0.0.1:$port within 60 s; see $log"
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
  status) if running_pid >/dev/null && serving; then say "running on 127.0.0.1:$port"; else say "not running"; exit 1; fi ;;
  reset) stop; rm -rf "$data" ;;
  *) echo "usage: $0 start|stop|status|reset" >&2; exit 2 ;;
esac
