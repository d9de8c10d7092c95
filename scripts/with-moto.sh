#!/usr/bin/env bash
# Runs a command with DYNAMODB_ENDPOINT pointing at a moto_server started on a free
# loopback port, and stops the server afterwards.
set -euo pipefail
command -v moto_server >/dev/null || { echo "moto_server is required (pip install 'moto[server]')" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
log=$(mktemp)
moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then break; fi
  if ! kill -0 $pid 2>/dev/null; then cat "$log" >&2; echo "moto_server did not start" >&2; exit 1; fi
  sleep 0.1
done
echo "moto_server on 127.0.0.1:$port"
# moto restores deep-copied table snapshots without a lock when a transaction fails, so
# concurrent transactions are not isolated there; tests that race transactions say so and skip.
DYNAMODB_ENDPOINT="http://127.0.0.1:$port" DYNAMODB_TRANSACTIONS_ISOLATED=false "$@"
