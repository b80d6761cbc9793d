#!/usr/bin/env bash
# Starts moto server (an AWS emulator) on 127.0.0.1 in the background for the contract
# tests and prints `MOTO_ENDPOINT=http://127.0.0.1:<port>` once it answers.
# Usage: eval "$(bash scripts/moto.sh [port])"   — stop it with: kill "$MOTO_PID"
# Without a port (argument or MOTO_PORT) a free one is picked. Environment passes through to moto:
# INITIAL_NO_AUTH_ACTION_COUNT=N turns IAM enforcement on after N requests (the IAM contract test
# starts its own server that way: infra/contract/moto.ts).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" >&2
fi
if [ ! -x "$venv/bin/moto_server" ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]" >&2
fi

port="${1:-${MOTO_PORT:-}}"
if [ -z "$port" ]; then
  port="$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
fi
log="${MOTO_LOG:-${TMPDIR:-/tmp}/moto-$port.log}"

"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
pid=$!

# Poll until it answers (or died); never a fixed sleep.
for _ in $(seq 1 100); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "moto_server exited; see $log" >&2
    cat "$log" >&2
    exit 1
  fi
  if curl -fsS -o /dev/null "http://127.0.0.1:$port/moto-api/" 2>/dev/null; then
    echo "MOTO_ENDPOINT=http://127.0.0.1:$port"
    echo "MOTO_PID=$pid"
    exit 0
  fi
  sleep 0.2
done
echo "moto_server did not answer on port $port within 20 s; see $log" >&2
kill "$pid" 2>/dev/null || true
exit 1
