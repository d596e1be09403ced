#!/bin/sh
# Runs one herald-load scenario against a fresh Herald server, pinned
# apart: by default the server on CPU 0, the load tool on CPU 1.
#
#   herald-load/bench.sh p2p|fanout|idle [herald-load options...]
#
# Environment:
#   HERALD_BIN  server binary       (default target/release/herald)
#   LOAD_BIN    load tool binary    (default target/release/herald-load)
#   SEED        a data directory to copy as the run's fresh data directory
#               (prepared once with `herald-load accounts`; see BENCHMARKS.md)
#   ACCOUNTS    the accounts file that goes with SEED
#   PORT        port to serve on    (default 18090)
#   WORK        where run directories go (default /tmp/herald-bench)
#   SERVER_CPUS CPUs the server may run on (default 0; taskset -c syntax)
#   TOOL_CPUS   CPUs the load tool may run on (default 1)
set -eu
scenario=$1
shift
HERALD_BIN=${HERALD_BIN:-target/release/herald}
LOAD_BIN=${LOAD_BIN:-target/release/herald-load}
PORT=${PORT:-18090}
WORK=${WORK:-/tmp/herald-bench}
SERVER_CPUS=${SERVER_CPUS:-0}
TOOL_CPUS=${TOOL_CPUS:-1}
mkdir -p "$WORK"
run="$WORK/run-$$"
if [ -n "${SEED:-}" ]; then
    cp -a "$SEED" "$run"
else
    mkdir -p "$run"
fi
# Sign-ups come from one address here: the per-address throttle is off
# (an environment variable, which servers without the throttle ignore).
HERALD_AUTH_LIMIT_PER_MINUTE=0 HERALD_LOG=warn taskset -c "$SERVER_CPUS" "$HERALD_BIN" --data-dir "$run" --listen "127.0.0.1:$PORT" >"$run.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$run"' EXIT
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do
    kill -0 $server 2>/dev/null || { cat "$run.log" >&2; exit 2; }
    sleep 0.2
done
echo "uptime: $(uptime)" >&2
status=0
taskset -c "$TOOL_CPUS" "$LOAD_BIN" --url "http://127.0.0.1:$PORT" ${ACCOUNTS:+--accounts "$ACCOUNTS"} \
    "$scenario" --pid $server "$@" || status=$?
exit $status
