#!/usr/bin/env bash
# Runs every scenario of tests/sipp against the SIPp peer in validation/ that plays the edge's part (or, for the
# baseline, against uas-baseline.xml), over UDP and TCP, on free loopback ports; prints one line per pair and exits
# non-zero when a pair failed. Logs of a failed pair are kept in the temporary folder it names.
#   tests/sipp/validation/validate.sh [u1|t1 ...]
set -uo pipefail
cd "$(dirname "$0")/.."
command -v sipp >/dev/null || { echo "needs sipp (Debian package sip-tester)" >&2; exit 2; }
transports=("${@:-u1}")
[ $# -eq 0 ] && transports=(u1 t1)
work=$(mktemp -d)
failures=0

free_port() { # an even port free for both UDP and TCP on 127.0.0.1 (and the next one, for RTCP)
  python3 - <<'PY'
import socket
while True:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); probe.bind(("127.0.0.1", 0)); port = probe.getsockname()[1]; probe.close()
    if port % 2 or port > 65000: continue
    try:
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            for p in (port, port + 1):
                s = socket.socket(socket.AF_INET, kind); s.bind(("127.0.0.1", p)); s.close()
    except OSError: continue
    print(port); break
PY
}

# pair NAME TRANSPORT "server args" "client args": the server is started first, then the client against it.
pair() {
  local name=$1 transport=$2 server_args=$3 client_args=$4
  local server_port client_port dir=$work/$name-$transport
  mkdir -p "$dir"
  server_port=$(free_port); client_port=$(free_port)
  eval "sipp $server_args -i 127.0.0.1 -p $server_port -mp $(free_port) -t $transport -nostdin -timeout 30 -timeout_error \
        -trace_err -error_file $dir/server.err -trace_screen -screen_file $dir/server.screen" </dev/null >/dev/null 2>&1 &
  local server_pid=$!
  sleep 0.3
  eval "sipp 127.0.0.1:$server_port $client_args -i 127.0.0.1 -p $client_port -mp $(free_port) -t $transport -nostdin \
        -timeout 30 -timeout_error -trace_err -error_file $dir/client.err -trace_screen -screen_file $dir/client.screen" \
        </dev/null >/dev/null 2>&1
  local client_rc=$?
  wait $server_pid
  local server_rc=$?
  if [ $client_rc -eq 0 ] && [ $server_rc -eq 0 ]; then
    printf 'ok    %-36s %s\n' "$name" "$transport"
    rm -rf "$dir"
  else
    printf 'FAIL  %-36s %s (client %d, server %d; logs in %s)\n' "$name" "$transport" $client_rc $server_rc "$dir"
    failures=$((failures + 1))
  fi
}

for t in "${transports[@]}"; do
  pair baseline "$t" "-sf uas-baseline.xml -m 20" "-sf uac-baseline.xml -m 20 -r 50"
  pair caller-hangs-up "$t" "-sf validation/edge-answers.xml -m 2" "-sf caller-hangs-up.xml -s 5000 -set caller 0611 -set hold_ms 500 -m 2"
  pair caller-waits-for-bye/pcma "$t" "-sf validation/edge-answers.xml -set answer_pt 8 -set bye_after_ms 500 -m 2" \
       "-sf caller-waits-for-bye.xml -s 5000 -set caller 0612 -recv_timeout 5000 -m 2"
  pair caller-dtmf/caller-hangs-up "$t" "-sf validation/edge-answers.xml -m 1" \
       "-sf caller-dtmf.xml -s 5000 -set caller 0613 -set digits '12*#' -set dtmf_delay_ms 300 -set dtmf_gap_ms 300 -set bye_after_ms 300 -m 1"
  pair caller-dtmf/waits-for-bye "$t" "-sf validation/edge-answers.xml -set answer_pt 8 -set bye_after_ms 2000 -m 1" \
       "-sf caller-dtmf.xml -s 5000 -set digits 9 -recv_timeout 5000 -m 1"
  pair caller-cancel "$t" "-sf validation/edge-rings.xml -m 2" "-sf caller-cancel.xml -s 5000 -m 2"
  pair agent-register "$t" "-sf validation/edge-registrar.xml -set password secret1 -m 3" \
       "-sf agent-register.xml -inf agents.csv -set phone_port 5999 -m 3"
  pair agent-phone/edge-hangs-up "$t" "-sf agent-phone.xml -m 2" \
       "-sf validation/edge-calls-agent.xml -s agent1 -set bye_after_ms 300 -m 2"
  pair agent-phone/agent-hangs-up "$t" "-sf agent-phone.xml -set bye_after_ms 300 -m 2" \
       "-sf validation/edge-calls-agent.xml -s agent1 -set offer '8 0 101' -recv_timeout 5000 -m 2"
done
[ $failures -eq 0 ] && rm -rf "$work"
exit $((failures > 0))
