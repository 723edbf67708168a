#!/usr/bin/env bash
# The multi-site contact center on one machine, as real processes: Redis (AOF on), three silos clustered through it
# (two labelled london, one manchester) and one SIP edge process per site. See docs/operations.md, "Run the
# multi-site system locally".
#
#   scripts/multisite.sh [start] [--detach] [--no-build]   build, start everything, wait until ready, print the table;
#                                                          without --detach it stays in the foreground and Ctrl-C stops all
#   scripts/multisite.sh stop                              edges, then silos one at a time (SIGTERM: they drain), then Redis
#   scripts/multisite.sh status                            the table, with what is still running
#
# Environment:
#   MULTISITE_DIR            state folder: redis/ (AOF), logs/, run/ (pids)        default: <repo>/.multisite
#   MULTISITE_BASE_PORT      put every port at an offset of this base (see port_layout); unset: the usual ports
#                            (Redis 6380, HTTP 8080/8090/8100, SIP 5060/5070)
#   MULTISITE_CONFIGURATION  Release or Debug                                      default: Release
#   MULTISITE_CLUSTER_ID     Orleans:ClusterId and Orleans:ServiceId               default: callcenter-local
#   MULTISITE_READY_TIMEOUT  seconds to wait for the silos and edges               default: 180
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE_DIR=${MULTISITE_DIR:-$ROOT/.multisite}
CONFIGURATION=${MULTISITE_CONFIGURATION:-Release}
CLUSTER_ID=${MULTISITE_CLUSTER_ID:-callcenter-local}
READY_TIMEOUT=${MULTISITE_READY_TIMEOUT:-180}
SILO_DIR=$ROOT/src/Silo/bin/$CONFIGURATION/net10.0
EDGE_DIR=$ROOT/src/EdgeSip/bin/$CONFIGURATION/net10.0
LOG_DIR=$STATE_DIR/logs
RUN_DIR=$STATE_DIR/run
REDIS_DIR=$STATE_DIR/redis

# Stop order: edges first (they carry calls and call into the silos), silos next, Redis last.
SILOS=(silo-london-1 silo-london-2 silo-manchester-1)
EDGES=(edge-london edge-manchester)

declare -A SITE HTTP_PORT GRPC_PORT SILO_PORT GATEWAY_PORT SIP_PORT RTP_FIRST RTP_LAST
REDIS_PORT=0

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

say() { printf '%s\n' "$*"; }
fail() { printf 'multisite: %s\n' "$*" >&2; exit 1; }

# Every port of every process. With MULTISITE_BASE_PORT=B: Redis B; silo n (0, 1, 2) HTTP B+10+10n, agent gRPC +1,
# Orleans silo +2, Orleans gateway +3; edge london SIP B+40, RTP B+100..B+199; edge manchester SIP B+50, RTP
# B+200..B+299. Tests use it to run beside anything else on the machine.
port_layout() {
  SITE=([silo-london-1]=london [silo-london-2]=london [silo-manchester-1]=manchester
        [edge-london]=london [edge-manchester]=manchester)
  local base=${MULTISITE_BASE_PORT:-} n=0 silo
  if [[ -n $base ]]; then
    [[ $base =~ ^[0-9]+$ ]] && (( base >= 1024 && base + 299 <= 65535 )) \
      || fail "MULTISITE_BASE_PORT must be a number from 1024 to 65236, not '$base'"
    REDIS_PORT=$base
    for silo in "${SILOS[@]}"; do
      HTTP_PORT[$silo]=$(( base + 10 + 10 * n )); GRPC_PORT[$silo]=$(( base + 11 + 10 * n ))
      SILO_PORT[$silo]=$(( base + 12 + 10 * n )); GATEWAY_PORT[$silo]=$(( base + 13 + 10 * n ))
      n=$(( n + 1 ))
    done
    SIP_PORT[edge-london]=$(( base + 40 )); RTP_FIRST[edge-london]=$(( base + 100 )); RTP_LAST[edge-london]=$(( base + 199 ))
    SIP_PORT[edge-manchester]=$(( base + 50 )); RTP_FIRST[edge-manchester]=$(( base + 200 )); RTP_LAST[edge-manchester]=$(( base + 299 ))
  else
    # 6380, not 6379: a Redis the machine already runs keeps its port.
    REDIS_PORT=6380
    for silo in "${SILOS[@]}"; do
      HTTP_PORT[$silo]=$(( 8080 + 10 * n )); GRPC_PORT[$silo]=$(( 8081 + 10 * n ))
      SILO_PORT[$silo]=$(( 11111 + n )); GATEWAY_PORT[$silo]=$(( 30000 + n ))
      n=$(( n + 1 ))
    done
    SIP_PORT[edge-london]=5060; RTP_FIRST[edge-london]=20000; RTP_LAST[edge-london]=20999
    SIP_PORT[edge-manchester]=5070; RTP_FIRST[edge-manchester]=21000; RTP_LAST[edge-manchester]=21999
  fi
}

pid_file() { printf '%s/%s.pid' "$RUN_DIR" "$1"; }

# What a process' command line must contain for its pid file to still name it (a pid may be reused after a reboot).
marker() {
  case $1 in
    redis) printf 'redis-server' ;;
    silo-*) printf 'CallCenter.Silo.dll' ;;
    edge-*) printf 'CallCenter.EdgeSip.dll' ;;
  esac
}

# The pid of a running process of ours, or nothing. A zombie counts as gone: it has exited and only waits to be reaped.
# (The process may end between two reads of /proc: each read that fails means it has gone.)
running_pid() {
  local name=$1 file pid state command_line
  file=$(pid_file "$name")
  [[ -f $file ]] || return 0
  pid=$(<"$file")
  state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || return 0
  [[ $state == Z || -z $state ]] && return 0
  command_line=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 0
  [[ $command_line == *"$(marker "$name")"* ]] && printf '%s' "$pid"
  return 0
}

all_names() { printf '%s\n' redis "${SILOS[@]}" "${EDGES[@]}"; }

tcp_in_use() { [[ -n $(ss -Htln "sport = :$1" 2>/dev/null) ]]; }
udp_in_use() { [[ -n $(ss -Huln "sport = :$1" 2>/dev/null) ]]; }

check_ports_free() {
  local busy=() silo edge port
  tcp_in_use "$REDIS_PORT" && busy+=("$REDIS_PORT (redis)")
  for silo in "${SILOS[@]}"; do
    for port in "${HTTP_PORT[$silo]}" "${GRPC_PORT[$silo]}" "${SILO_PORT[$silo]}" "${GATEWAY_PORT[$silo]}"; do
      tcp_in_use "$port" && busy+=("$port ($silo)")
    done
  done
  for edge in "${EDGES[@]}"; do
    port=${SIP_PORT[$edge]}
    { tcp_in_use "$port" || udp_in_use "$port"; } && busy+=("$port ($edge)")
  done
  (( ${#busy[@]} == 0 )) || fail "ports already in use: ${busy[*]}. Stop what holds them, or set MULTISITE_BASE_PORT."
}

build() {
  say "Building src/Silo and src/EdgeSip ($CONFIGURATION)..."
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
    dotnet build "$ROOT/src/Silo/CallCenter.Silo.csproj" -c "$CONFIGURATION" -nologo -clp:ErrorsOnly >"$LOG_DIR/build.log" 2>&1 \
    || { tail -n 30 "$LOG_DIR/build.log" >&2; fail "the build failed (whole output in $LOG_DIR/build.log)"; }
}

# Starts one process in a session of its own (setsid), so a Ctrl-C in the terminal reaches only this script, which then
# stops everything in order; the process writes to logs/<name>.log and its pid goes to run/<name>.pid.
#   launch <name> <working directory> <VAR=value>... -- <command> <argument>...
launch() {
  local name=$1 directory=$2 log pid_path deadline
  shift 2
  local environment=()
  while [[ $1 != -- ]]; do environment+=("$1"); shift; done
  shift
  log=$LOG_DIR/$name.log
  pid_path=$(pid_file "$name")
  [[ -f $log ]] && mv -f "$log" "$log.previous"
  rm -f "$pid_path"
  # setsid forks when it is a process group leader (a shell with job control), so $! may not be the process: the
  # inner shell writes its own pid, then becomes the process (exec keeps the pid).
  (cd "$directory" && exec setsid bash -c 'printf "%s" "$$" >"$0"; exec env "$@"' "$pid_path" \
    "${environment[@]}" "$@" >"$log" 2>&1 </dev/null) &
  deadline=$(( SECONDS + 10 ))
  until [[ -s $pid_path ]]; do
    (( SECONDS < deadline )) || fail "$name did not start (log: $log)"
    sleep 0.05
  done
}

start_redis() {
  mkdir -p "$REDIS_DIR"
  launch redis "$REDIS_DIR" -- redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_DIR" \
    --appendonly yes --appendfsync everysec --daemonize no
  wait_until "redis answering PING on $REDIS_PORT" redis redis_ready
}

redis_ready() { [[ $(redis-cli -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }

# What every silo and edge of this contact center shares: Redis membership, one cluster and service id.
cluster_environment() {
  printf '%s\n' \
    Orleans__Clustering__ProviderType=Redis \
    "Orleans__Clustering__ConnectionString=127.0.0.1:$REDIS_PORT" \
    "Orleans__ClusterId=$CLUSTER_ID" \
    "Orleans__ServiceId=$CLUSTER_ID" \
    CallCenter__DemoCredentials__Enabled=true \
    Logging__Console__TimestampFormat='yyyy-MM-ddTHH:mm:ss.fff '
}

start_silo() {
  local silo=$1 environment
  mapfile -t environment < <(cluster_environment)
  # Silos run in their build folder, whose appsettings.json and demo-callcenter.json they read.
  launch "$silo" "$SILO_DIR" "${environment[@]}" \
    "CallCenter__SiteId=${SITE[$silo]}" \
    "Urls=http://127.0.0.1:${HTTP_PORT[$silo]}" \
    "CallCenter__SiloPort=${SILO_PORT[$silo]}" \
    "CallCenter__GatewayPort=${GATEWAY_PORT[$silo]}" \
    "CallCenter__Gateway__Port=${GRPC_PORT[$silo]}" \
    "CallCenter__Gateway__TokenSigningKey=$(token_signing_key)" \
    "CallCenter__Gateway__AuditLogPath=$LOG_DIR/$silo.audit.log" \
    CallCenter__Sip__Enabled=false \
    HostOptions__ShutdownTimeout=00:00:30 \
    -- dotnet "$SILO_DIR/CallCenter.Silo.dll"
}

start_edge() {
  local edge=$1 environment
  mapfile -t environment < <(cluster_environment)
  # The edge reads the silo's appsettings.json and demo-credentials.json (--contentRoot): the IVR numbers and demo phone accounts.
  launch "$edge" "$EDGE_DIR" "${environment[@]}" \
    "CallCenter__Sip__SiteId=${SITE[$edge]}" \
    "CallCenter__Sip__Port=${SIP_PORT[$edge]}" \
    "CallCenter__Sip__RtpPortFirst=${RTP_FIRST[$edge]}" \
    "CallCenter__Sip__RtpPortLast=${RTP_LAST[$edge]}" \
    HostOptions__ShutdownTimeout=00:00:15 \
    -- dotnet "$EDGE_DIR/CallCenter.EdgeSip.dll" --contentRoot "$SILO_DIR"
}

# One signing key for every silo, kept with the state, so a desktop's session token is good at any silo.
token_signing_key() {
  local file=$STATE_DIR/token-signing-key
  [[ -s $file ]] || (umask 077 && openssl rand -base64 32 >"$file")
  cat "$file"
}

silo_ready() { curl -sf --max-time 5 "http://127.0.0.1:${HTTP_PORT[$1]}/health/ready" >/dev/null 2>&1; }

# The edge binds its SIP port only once its Orleans client has connected to the cluster and it has read the phone
# accounts and the configuration: a bound port means it can authenticate a REGISTER and route an INVITE.
edge_ready() { udp_in_use "${SIP_PORT[$1]}"; }

# wait_until <what> <process name> <check command...>: polls until the check passes; fails (with the log's end) when
# the process exits or MULTISITE_READY_TIMEOUT passes.
wait_until() {
  local what=$1 name=$2 deadline=$(( SECONDS + READY_TIMEOUT ))
  shift 2
  until "$@"; do
    if [[ -z $(running_pid "$name") ]]; then
      tail -n 40 "$LOG_DIR/$name.log" >&2 || true
      fail "$name exited before $what (log: $LOG_DIR/$name.log)"
    fi
    if (( SECONDS >= deadline )); then
      tail -n 40 "$LOG_DIR/$name.log" >&2 || true
      fail "no $what within ${READY_TIMEOUT} s (log: $LOG_DIR/$name.log)"
    fi
    sleep 0.5
  done
}

# stop_process <name> <seconds>: SIGTERM, then SIGKILL if it is still there after the given time.
stop_process() {
  local name=$1 limit=$2 pid deadline
  pid=$(running_pid "$name")
  if [[ -z $pid ]]; then
    rm -f "$(pid_file "$name")"
    return 0
  fi
  printf 'stopping %-18s (pid %s) ... ' "$name" "$pid"
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$(( SECONDS + limit ))
  while [[ -n $(running_pid "$name") ]] && (( SECONDS < deadline )); do sleep 0.2; done
  if [[ -n $(running_pid "$name") ]]; then
    kill -KILL "$pid" 2>/dev/null || true
    while [[ -n $(running_pid "$name") ]]; do sleep 0.2; done
    say "killed after ${limit} s"
  else
    say "stopped"
  fi
  rm -f "$(pid_file "$name")"
}

stop_all() {
  local name
  for name in "${EDGES[@]}"; do stop_process "$name" 20; done
  # One silo at a time, as a scale-in would: each leaves the membership and hands its grains over.
  for name in "${SILOS[@]}"; do stop_process "$name" 45; done
  stop_process redis 20
}

print_table() {
  local show_state=${1:-no} name pid state
  say ""
  say "CallCenter.Orleans, multi-site, on this machine (cluster '$CLUSTER_ID', state in $STATE_DIR)"
  say ""
  printf '%-18s %-11s %-8s %s\n' PROCESS SITE PID "WHERE"
  for name in $(all_names); do
    pid=$(running_pid "$name")
    state=${pid:-"-"}
    [[ $show_state == yes && -z $pid ]] && state="stopped"
    case $name in
      redis) printf '%-18s %-11s %-8s %s\n' "$name" "-" "$state" \
        "redis 127.0.0.1:$REDIS_PORT (AOF in $REDIS_DIR)" ;;
      silo-*) printf '%-18s %-11s %-8s %s\n' "$name" "${SITE[$name]}" "$state" \
        "http://127.0.0.1:${HTTP_PORT[$name]}/ (wallboard, API)  agent gRPC ${GRPC_PORT[$name]}  Orleans silo ${SILO_PORT[$name]} gateway ${GATEWAY_PORT[$name]}" ;;
      edge-*) printf '%-18s %-11s %-8s %s\n' "$name" "${SITE[$name]}" "$state" \
        "SIP udp+tcp 127.0.0.1:${SIP_PORT[$name]}  RTP ${RTP_FIRST[$name]}-${RTP_LAST[$name]}" ;;
    esac
  done
  say ""
  say "logs:  $LOG_DIR/<process>.log"
  say "call:  register a phone at 127.0.0.1:${SIP_PORT[edge-manchester]} (user grace, password grace-phone), log grace in, dial 2000;"
  say "       with SIPp: docs/operations.md, \"Run the multi-site system locally\""
  say "stop:  scripts/multisite.sh stop"
}

start() {
  local detach=no build_first=yes argument silo edge name
  for argument in "$@"; do
    case $argument in
      --detach) detach=yes ;;
      --no-build) build_first=no ;;
      *) usage >&2; fail "unknown option '$argument'" ;;
    esac
  done
  for tool in dotnet redis-server redis-cli curl ss setsid openssl; do
    command -v "$tool" >/dev/null || fail "$tool is not installed (redis-server and redis-cli: apt-get install redis-server)"
  done
  mkdir -p "$LOG_DIR" "$RUN_DIR"
  for name in $(all_names); do
    [[ -z $(running_pid "$name") ]] || fail "$name is already running (pid $(running_pid "$name")): scripts/multisite.sh stop first"
    rm -f "$(pid_file "$name")"
  done
  check_ports_free
  remember_settings
  [[ $build_first == yes ]] && build
  [[ -f $SILO_DIR/CallCenter.Silo.dll && -f $EDGE_DIR/CallCenter.EdgeSip.dll ]] \
    || fail "src/Silo or src/EdgeSip is not built in $CONFIGURATION (run without --no-build)"

  # Whatever fails from here stops what has started.
  trap 'stop_all' EXIT
  start_redis
  for silo in "${SILOS[@]}"; do start_silo "$silo"; done
  for silo in "${SILOS[@]}"; do wait_until "$silo ready (GET /health/ready)" "$silo" silo_ready "$silo"; done
  # Edges are Orleans clients: they need a silo's gateway in the membership before they start.
  for edge in "${EDGES[@]}"; do start_edge "$edge"; done
  for edge in "${EDGES[@]}"; do wait_until "$edge listening on SIP ${SIP_PORT[$edge]}" "$edge" edge_ready "$edge"; done
  trap - EXIT

  print_table
  if [[ $detach == yes ]]; then
    return 0
  fi

  say "Running in the foreground: Ctrl-C stops everything."
  trap 'say ""; stop_all; exit 0' INT TERM
  watch_processes
}

# Stays in the foreground and says when a process ends by itself (its log says why); Ctrl-C ends the watch.
watch_processes() {
  local name reported=" "
  while true; do
    for name in $(all_names); do
      if [[ -z $(running_pid "$name") && $reported != *" $name "* ]]; then
        say "$name has exited: see $LOG_DIR/$name.log"
        reported+="$name "
      fi
    done
    sleep 1 &
    wait $! || true
  done
}

# stop and status use the base port and cluster id the system was started with, whatever the environment says now.
remember_settings() {
  printf 'MULTISITE_BASE_PORT=%q\nCLUSTER_ID=%q\n' "${MULTISITE_BASE_PORT:-}" "$CLUSTER_ID" >"$RUN_DIR/settings"
}

recall_settings() {
  local file=$RUN_DIR/settings
  [[ -f $file ]] || return 0
  MULTISITE_BASE_PORT=$(. "$file" && printf '%s' "$MULTISITE_BASE_PORT")
  CLUSTER_ID=$(. "$file" && printf '%s' "$CLUSTER_ID")
}

main() {
  local command=${1:-start}
  [[ $command == stop || $command == status ]] && recall_settings
  port_layout
  case $command in
    start) shift || true; start "$@" ;;
    --detach|--no-build) start "$@" ;;
    stop) stop_all ;;
    status) print_table yes ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
