#!/usr/bin/env bash
# `make run`: set up, train if needed, upgrade the database, build the widget, start every process (action server,
# Rasa, staff console) and stop them all on Ctrl-C. One line per step on the terminal; everything the steps and the
# processes print goes to $CHANYAN_VAR_DIR/log/ (make exports the environment, see .env.example).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
LOG_DIR="${CHANYAN_VAR_DIR:-var}/log"
mkdir -p "$LOG_DIR"
MAKE_CMD=("${MAKE:-make}" --no-print-directory)
TTY=0; [ -t 1 ] && TTY=1

pids=()
names=()
stop_all() {
  trap - INT TERM EXIT
  if [ ${#pids[@]} -gt 0 ]; then
    echo
    echo "Stopping…"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
  fi
}
trap stop_all EXIT
trap 'stop_all; exit 130' INT TERM

elapsed() { local s=$(( $(date +%s) - $1 )); if [ "$s" -ge 60 ]; then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi; }

# step NAME NOTE COMMAND...: run COMMAND with its output in $LOG_DIR/NAME.log, showing the time it takes.
step() {
  local name=$1 note=$2; shift 2
  local log="$LOG_DIR/$name.log" started; started=$(date +%s)
  printf '  %-9s %s' "$name" "$note"
  "$@" >"$log" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if [ $TTY = 1 ]; then printf '\r  %-9s %s %s ' "$name" "$note" "$(elapsed "$started")"
    elif (( ($(date +%s) - started) % 15 == 0 )); then printf '.'; fi
  done
  local head=""; [ $TTY = 1 ] && head=$(printf '\r  %-9s %s' "$name" "$note")
  if wait "$pid"; then
    printf '%s done (%s)\n' "$head" "$(elapsed "$started")"
  else
    printf '%s FAILED; the last lines of %s:\n' "$head" "$log"
    tail -n 25 "$log" | sed 's/^/      /'
    exit 1
  fi
}

echo "产研通: logs in $LOG_DIR/"
step install "Python packages (.venv)…" "${MAKE_CMD[@]}" install
if "${MAKE_CMD[@]}" -q train 2>/dev/null; then
  printf '  %-9s %s\n' train "the Rasa model is up to date"
else
  step train "the Rasa model changed: training (a few minutes on 2 cores)…" "${MAKE_CMD[@]}" train
fi
step database "schema upgrade (Alembic)…" "${MAKE_CMD[@]}" db
step widget "web chat widget…" "${MAKE_CMD[@]}" widget

start() {  # name, command...: the process's output goes to $LOG_DIR/<name>.log
  local name=$1; shift
  "$@" >>"$LOG_DIR/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
}
for name in actions rasa console; do : >"$LOG_DIR/$name.log"; done
start actions bash -c "cd bot && exec ../$BIN/python -m serve.action_server"
start rasa bash -c "cd bot && exec ../$BIN/python -m serve.rasa_server"
start console "$BIN/python" -m chanyan.console

ACTION_URL="http://${ACTION_HOST:-127.0.0.1}:${ACTION_PORT}"
RASA_URL="http://${RASA_HOST:-127.0.0.1}:${RASA_PORT}"
CONSOLE_URL="http://${CONSOLE_HOST:-127.0.0.1}:${CONSOLE_PORT:-8080}"
# Each process opens its port only once it is ready (Rasa: model loaded and pipeline warmed).
wait_ready() {
  local started; started=$(date +%s)
  local -A ready=()
  while :; do
    curl -fsS -o /dev/null "$ACTION_URL/health" 2>/dev/null && ready[actions]=1
    curl -fsS -o /dev/null "$RASA_URL/" 2>/dev/null && ready[rasa]=1
    curl -fsS -o /dev/null "$CONSOLE_URL/healthz" 2>/dev/null && ready[console]=1
    [ ${#ready[@]} -eq 3 ] && break
    for i in "${!pids[@]}"; do
      if ! kill -0 "${pids[$i]}" 2>/dev/null; then
        printf '\n  %s exited; the last lines of %s/%s.log:\n' "${names[$i]}" "$LOG_DIR" "${names[$i]}"
        tail -n 25 "$LOG_DIR/${names[$i]}.log" | sed 's/^/      /'
        exit 1
      fi
    done
    if [ $TTY = 1 ]; then
      printf '\r  %-9s %s %s ' start "action server, Rasa (loads and warms the model), console…" "$(elapsed "$started")"
    fi
    sleep 1
  done
  local head=""
  [ $TTY = 1 ] && head=$(printf '\r  %-9s %s' start "action server, Rasa (loads and warms the model), console…")
  printf '%s ready (%s)\n' "$head" "$(elapsed "$started")"
}
[ $TTY = 1 ] || printf '  %-9s %s\n' start "action server, Rasa (loads and warms the model), console…"
wait_ready

cat <<MSG

产研通 is running.
  Rasa           $RASA_URL   (REST: /webhooks/rest/webhook; HTTP API token: \$RASA_TOKEN)
  Action server  $ACTION_URL   (answers Rasa only: \$ACTION_SERVER_TOKEN)
  Staff console  $CONSOLE_URL   (first account: .venv/bin/chanyan staff add admin --role admin)
  Chat demo      $CONSOLE_URL/chat
  Logs           $LOG_DIR/{actions,rasa,console}.log

Talk to the bot:
  curl -s -XPOST $RASA_URL/webhooks/rest/webhook -H 'Content-Type: application/json' \\
       -d '{"sender":"demo","message":"我们想用机器视觉检测零件表面划痕，预算50万左右"}'
Press Ctrl-C to stop everything.
MSG
set +e
wait -n "${pids[@]}"
for i in "${!pids[@]}"; do
  if ! kill -0 "${pids[$i]}" 2>/dev/null; then
    echo "${names[$i]} exited; the last lines of $LOG_DIR/${names[$i]}.log:"
    tail -n 25 "$LOG_DIR/${names[$i]}.log" | sed 's/^/    /'
  fi
done
echo "stopping the others"
