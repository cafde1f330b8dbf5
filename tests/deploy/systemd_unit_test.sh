#!/usr/bin/env bash
# deploy/systemd/sage.service, with ExecStart pointed at the built `sage`, passes
# `systemd-analyze verify` without a single message and rates at most 2.0 ("OK") in
# `systemd-analyze security`. Broken copies (missing binary, misspelt key, bad value, hardening
# removed) must fail the same checks, so the checks can catch a real mistake.
# Usage: systemd_unit_test.sh SAGE_BINARY UNIT_FILE WORK_DIR
set -euo pipefail
sage=$1 unit=$2 work=$3

if ! command -v systemd-analyze >/dev/null; then
  echo "systemd-analyze is missing: run deploy/install-deps.sh" >&2
  exit 1
fi
rm -rf "$work"
mkdir -p "$work"
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# A copy of the unit, edited by a sed script, as WORK/NAME/sage.service (the file name must
# stay a valid unit name).
variant() {
  local name=$1 script=$2
  mkdir -p "$work/$name"
  sed -e "s|^ExecStart=/usr/local/bin/sage |ExecStart=$sage |" -e "$script" "$unit" \
    >"$work/$name/sage.service"
  echo "$work/$name/sage.service"
}

# `verify` exits non-zero only for errors such as a missing executable; misspelt keys and
# unparsable values are printed as warnings with exit 0, so any output counts as a failure.
verify() {
  local out
  if ! out=$(cd "$(dirname "$1")" && systemd-analyze verify ./sage.service 2>&1); then
    echo "$out"
    return 1
  fi
  [[ -z $out ]] || { echo "$out"; return 1; }
}

# Exposure above 2.0 (the tool's threshold is in tenths) fails.
secure() {
  systemd-analyze security --offline=true --threshold=20 "$1" >"$1.security" 2>&1
}

good=$(variant good "")
grep -qx "ExecStart=$sage serve --host 0.0.0.0" "$good" || fail "ExecStart was not pointed at $sage"
if out=$(verify "$good"); then echo "verify: clean"; else fail "verify of the unit: $out"; fi
if secure "$good"; then
  tail -n 1 "$good.security"
else
  fail "security exposure above 2.0: $(tail -n 1 "$good.security")"
fi

# The settings the other deployments mirror: the drain time (compose.yaml, the Deployment), a
# dedicated user, restarts, the key from a file.
for line in "TimeoutStopSec=30s" "User=sage" "Restart=on-failure" "NoNewPrivileges=yes" \
  "ProtectSystem=strict" "PrivateTmp=yes" "StateDirectory=sage" "EnvironmentFile=/etc/sage/sage.env"; do
  grep -qx "$line" "$unit" || fail "the unit lacks the line $line"
done

# Each broken copy must be refused.
expect_refused() {
  local name=$1 script=$2 check=$3 want=$4 out
  local copy
  copy=$(variant "$name" "$script")
  if cmp -s "$copy" "$good"; then
    fail "$name: the edit changed nothing"
  elif out=$($check "$copy"); then
    fail "$name: $check accepted the broken unit"
  elif [[ $check == verify && $out != *"$want"* ]]; then
    fail "$name: expected '$want' in: $out"
  else
    echo "refused as expected: $name"
  fi
}
expect_refused missing-binary "s|^ExecStart=[^ ]*|ExecStart=$work/missing/sage|" verify "not executable"
expect_refused misspelt-key "s|^NoNewPrivileges=|NoNewPrivilege=|" verify "Unknown key"
expect_refused bad-value "s|^TimeoutStopSec=30s|TimeoutStopSec=thirty|" verify "Failed to parse"
expect_refused weak-hardening \
  "/^ProtectSystem=\|^SystemCallFilter=\|^CapabilityBoundingSet=\|^PrivateUsers=/d" secure ""

if ((failures)); then
  echo "deploy_systemd: $failures failure(s)" >&2
  exit 1
fi
echo "deploy_systemd: pass"
