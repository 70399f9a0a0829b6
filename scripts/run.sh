#!/usr/bin/env bash
# Start every process of the embedded default (action server, Rasa, staff console) and stop them all on Ctrl-C.
# Called by `make run`, which has already installed, trained and upgraded the database and exported the env.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
LOG_DIR="${CHANYAN_VAR_DIR:-var}/log"
mkdir -p "$LOG_DIR"

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "Stopping…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all INT TERM EXIT

start() {  # name, command...
  local name=$1; shift
  "$@" > >(sed -u "s/^/[$name] /") 2>&1 &
  pids+=($!)
}

start actions bash -c "cd bot && exec ../$BIN/rasa run actions --actions actions --port ${ACTION_PORT} --logging-config-file ../logging.yml"
start rasa bash -c "cd bot && exec ../$BIN/rasa run --model ../models/rasa/chanyan.tar.gz --endpoints ../endpoints.yml \
  --credentials ../credentials.yml --port ${RASA_PORT} --enable-api --auth-token \"\$RASA_TOKEN\" --cors '*' \
  --logging-config-file ../logging.yml"
start console "$BIN/python" -m chanyan.console

echo "Waiting for Rasa to load the model (about a minute)…"
for _ in $(seq 1 180); do
  if curl -fsS "http://127.0.0.1:${RASA_PORT}/status?token=${RASA_TOKEN}" >/dev/null 2>&1; then break; fi
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "a process exited; see the log above"; exit 1; }; done
  sleep 1
done
cat <<MSG

产研通 is running.
  Rasa           http://127.0.0.1:${RASA_PORT}   (REST: /webhooks/rest/webhook, HTTP API token: \$RASA_TOKEN)
  Action server  http://127.0.0.1:${ACTION_PORT}
  Staff console  http://127.0.0.1:${CONSOLE_PORT:-8080}   (first account: .venv/bin/chanyan staff add admin --role admin)
  Chat demo      http://127.0.0.1:${CONSOLE_PORT:-8080}/chat

Talk to the bot:
  curl -s -XPOST http://127.0.0.1:${RASA_PORT}/webhooks/rest/webhook -H 'Content-Type: application/json' \\
       -d '{"sender":"demo","message":"我们想用机器视觉检测零件表面划痕，预算50万左右"}'
Press Ctrl-C to stop everything.
MSG
wait -n "${pids[@]}"
echo "a process exited; stopping the others"
