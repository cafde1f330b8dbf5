-- wrk script of bench/http_bench.sh: at the end of a run, one line of figures for the script to
-- read (latencies in microseconds; wrk counts every answer with a status over 399 as `status`).
-- SPDX-License-Identifier: MIT

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "http_bench: requests=%d duration_us=%d p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f " ..
    "connect=%d read=%d write=%d timeout=%d status=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout, e.status))
end
