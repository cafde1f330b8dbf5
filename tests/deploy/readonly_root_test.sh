#!/usr/bin/env bash
# What the image, the Kubernetes pod and the systemd unit promise about the process: `sage`
# runs as the unprivileged uid of the image with every filesystem read-only except its data
# folder (SAGE_DATA_DIR, holding the cache too) and /tmp, and still searches, stores memory and
# serves, stopping with exit 0 on SIGTERM. Runs in private mount and network namespaces (root
# needed), so the default ports are free and nothing outside the work folder is touched.
# Usage: readonly_root_test.sh SAGE_BINARY WORK_DIR
set -euo pipefail
sage=$1 work=$2
uid=10001 # deploy/Dockerfile: USER 10001:10001

if [[ ${3:-} != --inside ]]; then
  for tool in unshare setpriv ip curl; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: run deploy/install-deps.sh" >&2; exit 1; }
  done
  if [[ $(id -u) != 0 ]]; then
    echo "SKIP: mount and network namespaces need root" >&2
    [[ ${CI:-} == true ]] && exit 1 || exit 0
  fi
  if [[ $(realpath -m "$work") == /tmp/* ]]; then
    echo "the work folder must not lie under /tmp, which the test replaces: $work" >&2
    exit 2
  fi
  rm -rf "$work"
  mkdir -p "$work/data" "$work/tmp"
  chown "$uid:$uid" "$work/data"
  chmod 1777 "$work/tmp"
  exec unshare --mount --net --propagation private bash "$0" "$sage" "$work" --inside
fi

# -- inside the namespaces: make everything read-only but the data folder and /tmp -------------
mount --bind "$work/data" "$work/data"
mount --bind "$work/tmp" /tmp
awk '{print $2}' /proc/self/mounts | while read -r target; do
  target=$(printf '%b' "${target//\\/\\0}") # mounts escapes spaces as \040
  case $target in
    "$work/data" | /tmp | /proc | /proc/* | /sys | /sys/* | /dev | /dev/*) ;;
    *) mount -o remount,bind,ro "$target" 2>/dev/null || true ;;
  esac
done
ip link set lo up
cd /

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# The control: even root cannot write beside the data folder now.
if touch "$work/probe" 2>/dev/null; then fail "the root filesystem is still writable"; fi

# The image's user and environment (a command array, not a function, so that `&` below starts
# `sage` itself and $! is its pid).
as_sage=(setpriv --reuid="$uid" --regid="$uid" --clear-groups
  env -i PATH=/usr/bin:/bin HOME="$work/data" SAGE_DATA_DIR="$work/data"
  SAGE_CACHE_DIR="$work/data/cache" "$sage")

if out=$("${as_sage[@]}" search "circuit breaker" --limit 3 2>&1) && [[ -n $out ]]; then
  echo "search: ok"
else
  fail "sage search on a read-only root: $out"
fi
out=""
if id=$("${as_sage[@]}" memory add "deploy check: memory on a read-only root" 2>/tmp/add.err) &&
  out=$("${as_sage[@]}" memory get "$id" 2>&1) && [[ $out == *"read-only root"* ]]; then
  echo "memory add and get: ok"
else
  fail "sage memory on a read-only root: $id $(cat /tmp/add.err) $out"
fi
[[ -n $(find "$work/data" -maxdepth 1 -type f -print -quit) ]] ||
  fail "nothing was written into SAGE_DATA_DIR"
[[ -n $(find "$work/data/cache" -type f -print -quit 2>/dev/null) ]] ||
  fail "no index cache was written into SAGE_CACHE_DIR"

# `sage serve` on its default ports (free: this network namespace is new).
"${as_sage[@]}" serve --host 127.0.0.1 >/tmp/serve.log 2>&1 &
pid=$!
trap 'kill -KILL "$pid" 2>/dev/null || true' EXIT
initialize='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"deploy-test","version":"1"}}}'
answer=""
for _ in $(seq 120); do # the first start may build the index cache; give up when serve exits
  answer=$(curl -sS --max-time 10 -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' --data "$initialize" \
    http://127.0.0.1:8001/mcp 2>&1) && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 1
done
# The signal below must reach `sage` itself, not a shell around it.
[[ $(readlink -f "/proc/$pid/exe") == "$(readlink -f "$sage")" ]] || fail "pid $pid is not sage"
if [[ $answer == *'"serverInfo"'* ]]; then
  echo "serve: answered initialize on 8001"
else
  fail "sage serve did not answer on 8001: $answer"
fi
kill -TERM "$pid" 2>/dev/null || true
status=0
wait "$pid" || status=$?
[[ $status == 0 ]] || fail "sage serve exited $status after SIGTERM, not 0"

if ((failures)); then
  echo "--- sage serve log:" >&2
  cat /tmp/serve.log >&2
  echo "deploy_readonly_root: $failures failure(s)" >&2
  exit 1
fi
echo "deploy_readonly_root: pass"
