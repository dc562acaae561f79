#!/usr/bin/env bash
# scripts/cluster.sh: a three-node RabbitMQ cluster on this machine, for the "Beyond one broker" tests.
#
# Usage:
#   scripts/cluster.sh up         start warren-c1/c2/c3@localhost, cluster c2 and c3 onto c1, wait until all three
#                                 run clustered, print their AMQP URLs (one per line, prefixed "url "). Idempotent.
#   scripts/cluster.sh down       stop the three nodes (SIGTERM, SIGKILL after WARREN_CLUSTER_STOP_TIMEOUT) and
#                                 remove the cluster directory.
#   scripts/cluster.sh status     each node's state, pid, memory and URL, and the membership as c1 (or the first
#                                 running node) sees it. Exit 0 = all running and clustered, 1 = partly, 3 = down.
#   scripts/cluster.sh kill N     kill -9 node N's beam.smp (fault tests); returns once the process is gone.
#   scripts/cluster.sh stop N     graceful `rabbitmqctl stop` of node N (the Erlang VM exits).
#   scripts/cluster.sh stop-app N graceful `rabbitmqctl stop_app` of node N (the VM keeps running).
#   scripts/cluster.sh start N    start node N again (VM or app, whichever is down) and wait until it rejoined.
#   scripts/cluster.sh urls       print the three AMQP URLs.
#   scripts/cluster.sh ctl N ARGS rabbitmqctl ARGS against node N, as the node's user (e.g. `ctl 1 list_queues
#                                 name type leader members`: where each quorum queue's leader is).
#
# Nodes:      warren-c1@localhost, warren-c2@localhost, warren-c3@localhost (the default broker rabbit@localhost on
#             5672/25672 is never addressed, stopped or reconfigured; only the shared epmd and cookie are used).
# Ports:      AMQP 127.0.0.1:5681..5683, Erlang distribution 25681..25683 (127.0.0.1 only).
# Folders:    $WARREN_CLUSTER_DIR/cN/{rabbitmq.conf,advanced.config,mnesia,log,pid} (default /tmp/warren-cluster).
# Config:     dead_letter_worker_publisher_confirm_timeout 10 s (advanced.config), as docker/advanced.config.
# Users:      guest/guest (allowed over loopback, the RabbitMQ default).
# Env:        WARREN_CLUSTER_DIR            cluster directory (default /tmp/warren-cluster)
#             WARREN_CLUSTER_BASE_PORT      AMQP port of c1 (default 5681; cN gets BASE+N-1)
#             WARREN_CLUSTER_DIST_BASE_PORT distribution port of c1 (default BASE+20000 = 25681)
#             WARREN_CLUSTER_NODE_PREFIX    node name prefix (default warren-c)
#             WARREN_CLUSTER_TIMEOUT        seconds to wait for boot/clustering (default 180)
#             WARREN_CLUSTER_STOP_TIMEOUT   seconds before `down` escalates SIGTERM to SIGKILL (default 30)
#             WARREN_CLUSTER_RABBITMQ_BIN   directory of the unwrapped rabbitmq-server/rabbitmqctl
#                                           (default /usr/lib/rabbitmq/bin, else the directory of `rabbitmq-server`)
#             WARREN_CLUSTER_USER           when run as root, the user the nodes run as (default rabbitmq)
# Run as root (nodes run as the rabbitmq user, sharing its ~/.erlang.cookie) or as that user itself.
# Needs no network beyond 127.0.0.1. Exit 127 = RabbitMQ is not installed.
set -euo pipefail

readonly SIZE=3
readonly CLUSTER_DIR="${WARREN_CLUSTER_DIR:-/tmp/warren-cluster}"
readonly BASE_PORT="${WARREN_CLUSTER_BASE_PORT:-5681}"
readonly DIST_BASE_PORT="${WARREN_CLUSTER_DIST_BASE_PORT:-$((BASE_PORT + 20000))}"
readonly PREFIX="${WARREN_CLUSTER_NODE_PREFIX:-warren-c}"
readonly TIMEOUT="${WARREN_CLUSTER_TIMEOUT:-180}"
readonly STOP_TIMEOUT="${WARREN_CLUSTER_STOP_TIMEOUT:-30}"
readonly RUN_USER="${WARREN_CLUSTER_USER:-rabbitmq}"
readonly HOST=localhost
readonly MARKER=.warren-cluster

log() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  local code=$1
  shift
  printf 'cluster.sh: %s\n' "$*" >&2
  exit "$code"
}

# ---------------------------------------------------------------------------------------------- environment

find_rabbitmq_bin() {
  if [[ -n "${WARREN_CLUSTER_RABBITMQ_BIN:-}" ]]; then
    echo "$WARREN_CLUSTER_RABBITMQ_BIN"
  elif [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]; then
    echo /usr/lib/rabbitmq/bin
  elif command -v rabbitmq-server >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v rabbitmq-server)")"
  fi
}
RABBITMQ_BIN="$(find_rabbitmq_bin)"
if [[ -z "$RABBITMQ_BIN" || ! -x "$RABBITMQ_BIN/rabbitmq-server" || ! -x "$RABBITMQ_BIN/rabbitmqctl" ]]; then
  die 127 "rabbitmq-server not found (looked in \$WARREN_CLUSTER_RABBITMQ_BIN, /usr/lib/rabbitmq/bin and PATH); install RabbitMQ (apt-get install rabbitmq-server) to run the cluster tests"
fi
readonly RABBITMQ_BIN

if [[ "$(id -u)" == 0 ]]; then
  getent passwd "$RUN_USER" >/dev/null || die 1 "user $RUN_USER does not exist (set WARREN_CLUSTER_USER)"
  RUN_HOME="$(getent passwd "$RUN_USER" | cut -d: -f6)"
  AS_USER=(setpriv "--reuid=$RUN_USER" "--regid=$(id -g "$RUN_USER")" --init-groups)
else
  RUN_HOME="$HOME"
  AS_USER=()
fi
readonly RUN_HOME

node_name() { echo "${PREFIX}$1@${HOST}"; }
node_dir() { echo "$CLUSTER_DIR/c$1"; }
amqp_port() { echo $((BASE_PORT + $1 - 1)); }
dist_port() { echo $((DIST_BASE_PORT + $1 - 1)); }
amqp_url() { echo "amqp://guest:guest@127.0.0.1:$(amqp_port "$1")"; }

# The whole environment of node N's processes (server and CLI): nothing is inherited from the caller, so neither
# /etc/rabbitmq/rabbitmq-env.conf (NODENAME=rabbit@localhost) nor /etc/rabbitmq/rabbitmq.conf (port 5672) applies.
node_env() {
  local d
  d="$(node_dir "$1")"
  printf '%s\n' \
    "HOME=$RUN_HOME" \
    "PATH=$RABBITMQ_BIN:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    "LANG=C.UTF-8" "LC_ALL=C.UTF-8" \
    "RABBITMQ_NODENAME=$(node_name "$1")" \
    "RABBITMQ_CONF_ENV_FILE=$d/rabbitmq-env.conf" \
    "RABBITMQ_CONFIG_FILE=$d/rabbitmq.conf" \
    "RABBITMQ_CONFIG_FILES=$d/conf.d" \
    "RABBITMQ_ADVANCED_CONFIG_FILE=$d/advanced.config" \
    "RABBITMQ_ENABLED_PLUGINS_FILE=$d/enabled_plugins" \
    "RABBITMQ_MNESIA_BASE=$d/mnesia" \
    "RABBITMQ_LOG_BASE=$d/log" \
    "RABBITMQ_PID_FILE=$d/pid" \
    "RABBITMQ_DIST_PORT=$(dist_port "$1")" \
    "ERL_EPMD_ADDRESS=127.0.0.1" \
    "ERL_FLAGS=-kernel inet_dist_use_interface {127,0,0,1}"
}

# rabbitmqctl against node N, as the node's user (so it reads the same Erlang cookie).
ctl() {
  local n=$1
  shift
  local env=()
  mapfile -t env < <(node_env "$n")
  (cd / && "${AS_USER[@]}" env -i "${env[@]}" "$RABBITMQ_BIN/rabbitmqctl" -n "$(node_name "$n")" "$@")
}

# --------------------------------------------------------------------------------------------------- process

# The pid of node N's beam.smp, or nothing. Uses the pid file, checked against /proc (comm and the node name in
# the environment), and falls back to scanning /proc (the pid file is written a moment after the VM starts).
node_pid() {
  local name pid p
  name="$(node_name "$1")"
  pid="$(cat "$(node_dir "$1")/pid" 2>/dev/null || true)"
  if [[ -n "$pid" ]] && is_node_process "$pid" "$name"; then
    echo "$pid"
    return
  fi
  for p in $(pgrep -x beam.smp || true); do
    if is_node_process "$p" "$name"; then
      echo "$p"
      return
    fi
  done
}

is_node_process() {
  [[ "$(cat "/proc/$1/comm" 2>/dev/null)" == beam.smp ]] || return 1
  tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | grep -qx "RABBITMQ_NODENAME=$2"
}

rss_mb() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || true; }

port_in_use() { [[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]; }

# ------------------------------------------------------------------------------------------------ rabbitmqctl

# "true" when the rabbit application runs on node N.
app_running() { [[ "$(ctl "$1" eval 'rabbit:is_running().' 2>/dev/null)" == true ]]; }

# The running members as node N sees them, space separated and sorted ("" when N does not answer).
running_members() {
  ctl "$1" eval 'io:format("~s", [lists:join(" ", lists:sort([atom_to_list(N) || N <- rabbit_nodes:all_running()]))]).' 2>/dev/null |
    head -n 1 | sed 's/ok$//'
}

all_names() {
  local n names=()
  for ((n = 1; n <= SIZE; n++)); do names+=("$(node_name "$n")"); done
  printf '%s\n' "${names[@]}" | sort | paste -sd' ' -
}

clustered() { [[ "$(running_members 1)" == "$(all_names)" ]]; }

wait_until() {
  local what=$1 deadline=$(($(date +%s) + TIMEOUT))
  shift
  until "$@"; do
    (($(date +%s) < deadline)) || die 1 "timed out after ${TIMEOUT}s waiting for $what"
    sleep 0.5
  done
}

# -------------------------------------------------------------------------------------------------- commands

prepare_node_dir() {
  local n=$1 d
  d="$(node_dir "$n")"
  mkdir -p "$d/mnesia" "$d/log" "$d/conf.d"
  : >"$d/rabbitmq-env.conf"
  echo '[].' >"$d/enabled_plugins"
  cat >"$d/rabbitmq.conf" <<EOF
# generated by scripts/cluster.sh for $(node_name "$n")
listeners.tcp.1 = 127.0.0.1:$(amqp_port "$n")
cluster_name = warren-cluster
log.console = false
log.file.level = info
EOF
  # What warren's docs advise (docker/advanced.config): a quorum queue's at-least-once dead-letter worker whose
  # publish was not confirmed (the target queue's leader was moving, as on a node loss) tries again after this
  # long, 180 s by default; the delay ladder's jobs of that instant would be that late.
  echo '[{rabbit, [{dead_letter_worker_publisher_confirm_timeout, 10000}]}].' >"$d/advanced.config"
  [[ ${#AS_USER[@]} -eq 0 ]] || chown -R "$RUN_USER:" "$d"
}

# Starts node N's VM detached (unless it runs) and returns at once.
launch_node() {
  local n=$1 d env=()
  d="$(node_dir "$n")"
  [[ -n "$(node_pid "$n")" ]] && return
  port_in_use "$(amqp_port "$n")" && die 1 "port $(amqp_port "$n") is taken by another process; set WARREN_CLUSTER_BASE_PORT"
  port_in_use "$(dist_port "$n")" && die 1 "port $(dist_port "$n") is taken by another process; set WARREN_CLUSTER_DIST_BASE_PORT"
  prepare_node_dir "$n"
  mapfile -t env < <(node_env "$n")
  log "starting $(node_name "$n") (amqp $(amqp_port "$n"), dist $(dist_port "$n"))"
  # fd 9 is the lock: the node must not inherit it, or it would hold the lock for its whole life.
  (cd "$d" && exec setsid "${AS_USER[@]}" env -i "${env[@]}" "$RABBITMQ_BIN/rabbitmq-server" </dev/null >>"$d/log/startup.log" 2>&1 9>&-) &
  disown
}

# Waits until node N's rabbit application runs (failing early if the VM died).
await_node() {
  local n=$1 deadline=$(($(date +%s) + TIMEOUT))
  until app_running "$n"; do
    if [[ -z "$(node_pid "$n")" ]]; then
      sleep 1
      [[ -n "$(node_pid "$n")" ]] || die 1 "$(node_name "$n") exited while booting; see $(node_dir "$n")/log/"
    fi
    (($(date +%s) < deadline)) || die 1 "timed out after ${TIMEOUT}s waiting for $(node_name "$n") to boot; see $(node_dir "$n")/log/"
    sleep 0.5
  done
}

# stop_app, reset, join_cluster, start_app; the CLI's chatter goes to cN/log/cluster-sh.log (shown on failure).
join_node() {
  local n=$1 step out
  out="$(node_dir "$n")/log/cluster-sh.log"
  log "joining $(node_name "$n") to $(node_name 1)"
  for step in stop_app reset "join_cluster $(node_name 1)" start_app; do
    # shellcheck disable=SC2086 # step is a command plus its argument
    if ! ctl "$n" $step >>"$out" 2>&1; then
      cat "$out" >&2
      die 1 "rabbitmqctl -n $(node_name "$n") $step failed"
    fi
  done
}

print_urls() {
  local n
  for ((n = 1; n <= SIZE; n++)); do echo "url $(amqp_url "$n")"; done
}

lock() {
  exec 9>"${CLUSTER_DIR%/}.lock"
  flock -w "$TIMEOUT" 9 || die 1 "another cluster.sh holds ${CLUSTER_DIR%/}.lock"
}

cmd_up() {
  local started n members
  started=$(date +%s.%N)
  lock
  if [[ -f "$CLUSTER_DIR/$MARKER" ]] && clustered; then
    echo "cluster already up ($(all_names))"
    print_urls
    return 0
  fi
  mkdir -p "$CLUSTER_DIR"
  [[ ${#AS_USER[@]} -eq 0 ]] || chown "$RUN_USER:" "$CLUSTER_DIR"
  touch "$CLUSTER_DIR/$MARKER"
  for ((n = 1; n <= SIZE; n++)); do launch_node "$n"; done
  for ((n = 1; n <= SIZE; n++)); do await_node "$n"; done
  log "all nodes booted after $(elapsed "$started")s"
  members="$(running_members 1)"
  for ((n = 2; n <= SIZE; n++)); do
    [[ " $members " == *" $(node_name "$n") "* ]] || join_node "$n"
  done
  wait_until "all $SIZE nodes to run clustered" clustered
  echo "cluster up in $(elapsed "$started")s: $(all_names)"
  print_urls
}

elapsed() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

cmd_down() {
  local n pid pids=() deadline
  lock
  if [[ -e "$CLUSTER_DIR" && ! -f "$CLUSTER_DIR/$MARKER" ]]; then
    die 1 "$CLUSTER_DIR exists but was not made by cluster.sh (no $MARKER); not touching it"
  fi
  for ((n = 1; n <= SIZE; n++)); do
    pid="$(node_pid "$n")"
    if [[ -n "$pid" ]]; then
      log "stopping $(node_name "$n") (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  deadline=$(($(date +%s) + STOP_TIMEOUT))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null; do
      if (($(date +%s) >= deadline)); then
        log "pid $pid still runs after ${STOP_TIMEOUT}s; SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
      fi
      sleep 0.2
    done
  done
  [[ -e "$CLUSTER_DIR" ]] && rm -rf -- "$CLUSTER_DIR"
  rm -f -- "${CLUSTER_DIR%/}.lock"
  echo "cluster down"
}

# One line per node from one rabbitmqctl call: "running|<running members>|<disc members>|<erlang:memory(total)>"
# or "app-stopped".
readonly STATUS_EVAL='J = fun(Ns) -> lists:join(" ", lists:sort([atom_to_list(N) || N <- Ns])) end,
case rabbit:is_running() of
  true -> io:format("running|~s|~s|~b", [J(rabbit_nodes:all_running()), J(rabbit_mnesia:cluster_nodes(all)), erlang:memory(total)]);
  false -> io:format("app-stopped")
end.'

cmd_status() {
  local n pid state up=0 seen_by="" tmp members disc erl_mb line
  tmp="$(mktemp -d)"
  trap 'rm -rf -- "$tmp"' RETURN
  for ((n = 1; n <= SIZE; n++)); do
    pid="$(node_pid "$n")"
    echo "$pid" >"$tmp/pid$n"
    [[ -z "$pid" ]] || { ctl "$n" eval "$STATUS_EVAL" 2>/dev/null | head -n 1 >"$tmp/eval$n" || true; } &
  done
  wait
  echo "cluster dir: $CLUSTER_DIR"
  for ((n = 1; n <= SIZE; n++)); do
    pid="$(cat "$tmp/pid$n")"
    line="$(cat "$tmp/eval$n" 2>/dev/null || true)"
    erl_mb=-
    if [[ -z "$pid" ]]; then
      state=stopped
    elif [[ "$line" == running* ]]; then
      state=running
      up=$((up + 1))
      IFS='|' read -r _ m d bytes <<<"$line"
      bytes="${bytes%ok}"
      erl_mb=$((bytes / 1048576))
      if [[ -z "$seen_by" ]]; then seen_by=$n members=$m disc=$d; fi
    elif [[ "$line" == app-stopped* ]]; then
      state=app-stopped
    else
      state=unreachable
    fi
    printf '%-22s %-11s pid %-7s rss %5s MB  erlang %5s MB  %s\n' "$(node_name "$n")" "$state" "${pid:--}" \
      "$([[ -n "$pid" ]] && rss_mb "$pid" || echo -)" "$erl_mb" "$(amqp_url "$n")"
  done
  if [[ -n "$seen_by" ]]; then
    echo "running members (as $(node_name "$seen_by") sees them): $members"
    echo "disc members: ${disc%ok}"
  fi
  ((up == 0)) && return 3
  [[ "$members" == "$(all_names)" ]] && return 0
  return 1
}

node_arg() {
  [[ "${1:-}" =~ ^[1-9][0-9]*$ ]] && (($1 <= SIZE)) || die 2 "expected a node number 1..$SIZE, got '${1:-}'"
  [[ -f "$CLUSTER_DIR/$MARKER" ]] || die 1 "no cluster in $CLUSTER_DIR (run: scripts/cluster.sh up)"
  echo "$1"
}

# Ends node N's process, `kill` (kill -9) or `stop` (graceful rabbitmqctl stop), and waits until it is gone.
end_node() {
  local how="$1" n pid
  n="$(node_arg "${2:-}")"
  lock
  pid="$(node_pid "$n")"
  [[ -n "$pid" ]] || {
    echo "$(node_name "$n") is not running"
    return 0
  }
  if [[ "$how" == kill ]]; then kill -KILL "$pid"; else ctl "$n" stop >/dev/null; fi
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  if [[ "$how" == kill ]]; then echo "killed $(node_name "$n") (pid $pid)"; else echo "stopped $(node_name "$n")"; fi
}

cmd_kill() { end_node kill "$@"; }
cmd_stop() { end_node stop "$@"; }

cmd_stop_app() {
  local n
  n="$(node_arg "${1:-}")"
  lock
  ctl "$n" stop_app >/dev/null
  echo "stopped the rabbit app on $(node_name "$n") (the VM still runs)"
}

# Node N runs, and every peer whose rabbit app runs lists N among its running members and vice versa (one
# rabbitmqctl call: the check runs on N and asks the peers over RPC).
readonly REJOINED_EVAL='case rabbit:is_running() of
  false -> io:format("booting");
  true ->
    Me = node(), Mine = rabbit_nodes:all_running(),
    Stale = [P || P <- rabbit_nodes:all() -- [Me],
                  rpc:call(P, rabbit, is_running, [], 5000) =:= true,
                  not (lists:member(P, Mine) andalso
                       lists:member(Me, rpc:call(P, rabbit_nodes, all_running, [], 5000)))],
    io:format("~s", [case Stale of [] -> "rejoined"; _ -> "waiting" end])
end.'
rejoined() { [[ "$(ctl "$1" eval "$REJOINED_EVAL" 2>/dev/null | head -n 1)" == rejoined* ]]; }

cmd_start() {
  local n started
  n="$(node_arg "${1:-}")"
  started=$(date +%s.%N)
  lock
  if [[ -n "$(node_pid "$n")" ]]; then
    app_running "$n" || {
      log "starting the rabbit app on $(node_name "$n")"
      ctl "$n" start_app >/dev/null
    }
  else
    launch_node "$n"
  fi
  await_node "$n"
  wait_until "$(node_name "$n") to rejoin the cluster" rejoined "$n"
  echo "$(node_name "$n") running and rejoined in $(elapsed "$started")s: $(running_members "$n")"
}

case "${1:-}" in
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
kill) cmd_kill "${2:-}" ;;
stop) cmd_stop "${2:-}" ;;
stop-app) cmd_stop_app "${2:-}" ;;
start) cmd_start "${2:-}" ;;
urls) print_urls ;;
ctl)
  n="$(node_arg "${2:-}")"
  shift 2
  ctl "$n" "$@"
  ;;
*)
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
  ;;
esac
