#!/usr/bin/env bash
# Throughput and latency of `sage serve`'s REST API under wrk on loopback (GET /v1/search and
# GET /health), beside http_ceiling, a bare cpp-httplib server set up as the API server is.
# SPDX-License-Identifier: MIT
#
# usage: bench/http_bench.sh BUILD_DIR
#   BUILD_DIR  a build with the sage and http_ceiling targets built (Release for figures)
# environment:
#   HTTP_BENCH_DURATION     length of each measured run (default 30s; 5s for a quick check)
#   HTTP_BENCH_WARMUP       length of the warm-up run per URL (default 3s)
#   HTTP_BENCH_CONNECTIONS  connection counts to run (default "16 64")
#   HTTP_BENCH_TIMEOUT      wrk's request timeout (default 2s, wrk's own; slower answers are
#                           errors and are left out of the latencies)
#   HTTP_BENCH_SERVER_THREADS  server.threads of sage and --threads of http_ceiling (default 64,
#                           sage's default)
#   HTTP_BENCH_QUERY        the search (default: a realistic question about the bundled KB)
#
# sage runs on the bundled knowledge base with a private HOME, cache and data folder in a
# temporary folder, rate limiting off (server.rate_limit.requests_per_second 0) and otherwise
# the default configuration. Each URL is warmed up, then measured with
# `wrk -t2 -cN -dDURATION --latency` for every N, the targets taking turns per N. Prints wrk's
# output on stderr and one table on stdout; any error (socket error, timeout, status over 399)
# is shown in the table and makes the exit status 1. The latencies are wrk's (corrected for
# coordinated omission, answers after the timeout left out). Beside them, sampled once a second
# with `ss`: the median number of connections that wait for a server thread (accepted, request
# unread) and the longest wait seen, since wrk counts only the requests that were answered;
# and the server's CPU time (user + system, all its threads) per answered request.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
usage="usage: bench/http_bench.sh BUILD_DIR"
[[ -d "${1:-}" ]] || { echo "error: build folder '${1:-}' not found; $usage" >&2; exit 2; }
build="$(cd "$1" && pwd)"
sage="$build/services/sage"
ceiling="$build/bench/http_ceiling"
duration="${HTTP_BENCH_DURATION:-30s}"
warmup="${HTTP_BENCH_WARMUP:-3s}"
connections="${HTTP_BENCH_CONNECTIONS:-16 64}"
timeout="${HTTP_BENCH_TIMEOUT:-2s}"
server_threads="${HTTP_BENCH_SERVER_THREADS:-64}"
query="${HTTP_BENCH_QUERY:-error handling with retries and timeouts}"

[[ -x "$sage" ]] || { echo "error: $sage not found; build the sage target first" >&2; exit 1; }
[[ -x "$ceiling" ]] ||
  { echo "error: $ceiling not found; build the http_ceiling target first" >&2; exit 1; }
for tool in wrk curl ss; do
  command -v "$tool" >/dev/null ||
    { echo "error: $tool not found; run deploy/install-deps.sh" >&2; exit 1; }
done
build_type="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null || true)"
[[ "$build_type" == Release ]] ||
  echo "warning: $build is a '$build_type' build; figures worth keeping come from Release" >&2

tmp="$(mktemp -d -t sage-http-bench.XXXXXX)"
children=()
cleanup() {
  for pid in "${children[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${children[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# -- servers ------------------------------------------------------------------------------------

# A clean environment, so that no SAGE_* variable, ~/.sage/config.yaml, ./sage.yaml or ./.env of
# the caller changes the configuration.
mkdir -p "$tmp/home" "$tmp/cache" "$tmp/data" "$tmp/cwd"
(cd "$tmp/cwd" && exec env -i PATH="$PATH" HOME="$tmp/home" SAGE_CACHE_DIR="$tmp/cache" \
  SAGE_DATA_DIR="$tmp/data" SAGE_SERVER__RATE_LIMIT__REQUESTS_PER_SECOND=0 \
  SAGE_SERVER__THREADS="$server_threads" \
  "$sage" serve --api-port 0 --mcp-port 0 --metrics-port 0) >"$tmp/sage.out" 2>"$tmp/sage.log" &
children+=($!)
sage_pid=$!
"$ceiling" --port 0 --threads "$server_threads" >"$tmp/ceiling.out" 2>"$tmp/ceiling.log" &
children+=($!)
ceiling_pid=$!

# Waits up to 60 s for a line of FILE matching the sed expression; prints what it captured.
wait_for() { # pid file sed-expression what
  local found
  for _ in $(seq 600); do
    found="$(sed -n "$3" "$2" | head -n 1)"
    [[ -n "$found" ]] && { echo "$found"; return 0; }
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  echo "error: $4 did not start; its log:" >&2
  cat "$tmp"/*.log >&2
  return 1
}
sage_port="$(wait_for "$sage_pid" "$tmp/sage.log" \
  's|.*api server listening on http://127\.0\.0\.1:\([0-9]*\)/v1.*|\1|p' "sage serve")"
ceiling_port="$(wait_for "$ceiling_pid" "$tmp/ceiling.out" 's/^\([0-9][0-9]*\)$/\1/p' \
  "http_ceiling")"

encoded="$(printf '%s' "$query" | sed 's/ /%20/g')"
names=("sage /v1/search" "sage /health" "http_ceiling")
ports=("$sage_port" "$sage_port" "$ceiling_port")
pids=("$sage_pid" "$sage_pid" "$ceiling_pid")
urls=("http://127.0.0.1:$sage_port/v1/search?q=$encoded"
      "http://127.0.0.1:$sage_port/health"
      "http://127.0.0.1:$ceiling_port/")

# Every URL must answer 200 before it is measured; the search must find something.
for i in "${!urls[@]}"; do
  status=""
  for _ in $(seq 50); do
    status="$(curl -s -o "$tmp/answer" -w '%{http_code}' "${urls[$i]}" || true)"
    [[ "$status" == 200 ]] && break
    sleep 0.1
  done
  if [[ "$status" != 200 ]]; then
    echo "error: ${names[$i]} answered status '$status' to ${urls[$i]}:" >&2
    cat "$tmp/answer" >&2 2>/dev/null || true
    exit 1
  fi
done
curl -s "${urls[0]}" | grep -q '"count":[1-9]' ||
  { echo "error: the search '$query' finds nothing; set HTTP_BENCH_QUERY" >&2; exit 1; }

# -- runs ---------------------------------------------------------------------------------------

# Runs wrk and prints its figure line (http_bench.lua); wrk's whole output goes to stderr.
run_wrk() { # connections duration url
  local out
  out="$(wrk -t2 -c"$1" -d"$2" --timeout "$timeout" --latency -s "$here/http_bench.lua" "$3")"
  echo "$out" >&2
  grep '^http_bench:' <<<"$out"
}

# Once a second until STOP-FILE exists (or this script is gone): how many connections wait for
# a server thread, and the longest wait in ms. A connection waits from its first request until
# a thread takes it: the server has received bytes on it (Recv-Q > 0, `lastrcv` ms ago) and
# never sent any (no `bytes_sent`). Waits under 100 ms are not counted, so that a connection
# just being taken up is not.
sample_waiting() { # port stop-file
  while sleep 1 && [[ ! -e "$2" ]] && kill -0 $$ 2>/dev/null; do
    ss -Htni state established "( sport = :$1 )" | awk '
      /^[0-9]/ { queued = $1 > 0; next }
      {
        rcv = -1
        if (match($0, /lastrcv:[0-9]+/)) rcv = substr($0, RSTART + 8, RLENGTH - 8) + 0
        if (queued && $0 !~ /bytes_sent:/ && rcv >= 100) { n++; if (rcv > longest) longest = rcv }
      }
      END { printf("%d %d\n", n, longest) }'
  done
}

# CPU time (user + system) a process has used, in clock ticks.
cpu_ticks() { # pid
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}
ticks_per_second="$(getconf CLK_TCK)"

# The value of KEY in a figure line.
field() { # line key
  sed -n "s/.* $2=\([0-9]*\).*/\1/p" <<<"$1"
}

ms() { # microseconds
  awk -v us="$1" \
    'BEGIN { ms = us / 1000; printf(ms < 10 ? "%.2f" : ms < 100 ? "%.1f" : "%.0f", ms) }'
}

echo "sage serve on port $sage_port (pid $sage_pid), http_ceiling on port $ceiling_port;" \
     "server threads $server_threads, wrk -t2, $duration per run, timeout $timeout" >&2
for i in "${!urls[@]}"; do
  echo "== warm-up: ${names[$i]}, 16 connections, $warmup" >&2
  run_wrk 16 "$warmup" "${urls[$i]}" >/dev/null
done

rows=()
failed=0
for c in $connections; do
  for i in "${!urls[@]}"; do
    sleep 1 # the connections of the run before are closed
    echo "== ${names[$i]}, $c connections, $duration: ${urls[$i]}" >&2
    rm -f "$tmp/stop"
    sample_waiting "${ports[$i]}" "$tmp/stop" >"$tmp/waiting" &
    sampler=$!
    cpu_before="$(cpu_ticks "${pids[$i]}")"
    line="$(run_wrk "$c" "$duration" "${urls[$i]}")"
    cpu_after="$(cpu_ticks "${pids[$i]}")"
    touch "$tmp/stop"
    wait "$sampler"
    waiting="$(sort -n "$tmp/waiting" | awk '{ n[NR] = $1; if ($2 > w) w = $2 }
      END { printf("%d | %s", NR ? n[int((NR + 1) / 2)] : 0,
                   w ? sprintf("%.1f", w / 1000) : "-") }')"
    requests="$(field "$line" requests)"
    rps="$(awk -v n="$requests" -v us="$(field "$line" duration_us)" \
      'BEGIN { printf("%.0f", n / (us / 1e6)) }')"
    cpu_us="$(awk -v t=$((cpu_after - cpu_before)) -v hz="$ticks_per_second" -v n="$requests" \
      'BEGIN { printf("%.0f", n ? t / hz * 1e6 / n : 0) }')"
    errors=0
    detail=""
    for kind in connect read write timeout status; do
      n="$(field "$line" "$kind")"
      ((n == 0)) && continue
      errors=$((errors + n))
      detail+="${detail:+, }$kind $n"
    done
    ((errors == 0)) || failed=1
    rows+=("| ${names[$i]} | $c | $rps | $(ms "$(field "$line" p50_us)") |\
 $(ms "$(field "$line" p90_us)") | $(ms "$(field "$line" p99_us)") |\
 $(ms "$(field "$line" max_us)") | $errors${detail:+ ($detail)} | $waiting | $cpu_us |")
  done
done

if ! kill -0 "$sage_pid" 2>/dev/null; then
  echo "error: sage serve exited during the runs; its log:" >&2
  cat "$tmp/sage.log" >&2
  exit 1
fi

echo "| target | connections | requests/s | p50 ms | p90 ms | p99 ms | max ms | errors |" \
     "waiting connections | longest wait s | server CPU us/request |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
if ((failed)); then
  echo "error: some requests failed (socket errors, timeouts over $timeout or statuses over 399);" \
       "wrk's output above says which" >&2
  exit 1
fi
