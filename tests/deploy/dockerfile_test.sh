#!/usr/bin/env bash
# deploy/Dockerfile without a container engine: the stages are Debian bookworm, the runtime
# stage installs exactly the packages that own the libraries the built `sage` loads (ldd, then
# dpkg -S) and each exists in Debian, what it copies exists and is not excluded by
# .dockerignore, and it runs `sage serve` as a non-root user with a `sage health` check.
# Usage: dockerfile_test.sh SAGE_BINARY REPO_ROOT
set -euo pipefail
sage=$1 repo=$2
dockerfile=$repo/deploy/Dockerfile
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
has_line() { grep -Eq "$1" "$dockerfile" || fail "deploy/Dockerfile has no line matching: $1"; }

# -- stages, user, ports, health check, command ------------------------------------------------
has_line '^ARG DEBIAN_RELEASE=bookworm$'
has_line '^FROM debian:\$\{DEBIAN_RELEASE\} AS build$'
has_line '^FROM debian:\$\{DEBIAN_RELEASE\}-slim$'
has_line '^RUN deploy/install-deps.sh --build '
has_line '^RUN /tmp/install-deps.sh --runtime '
has_line '^EXPOSE 8000 8001 9000$'
has_line '^HEALTHCHECK .*CMD \["sage", "health"\]$'
has_line '^CMD \["sage", "serve", "--host", "0.0.0.0"\]$'
has_line '^VOLUME \["/var/lib/sage"\]$'
[[ $(grep -c '^FROM ' "$dockerfile") == 2 ]] || fail "expected two stages (build, runtime)"

# The last USER decides who runs the container: never root, and the uid the pod runs as.
user=$(grep '^USER ' "$dockerfile" | tail -n 1 | cut -d' ' -f2)
[[ -n $user && ${user%%:*} != root && ${user%%:*} != 0 ]] || fail "the image must end with a non-root USER, got '$user'"
grep -q "runAsUser: ${user%%:*}$" "$repo/deploy/kubernetes/deployment.yaml" ||
  fail "deployment.yaml runs as another uid than the image's USER $user"
grep -q "^ENV SAGE_DATA_DIR=/var/lib/sage" "$dockerfile" || fail "SAGE_DATA_DIR must be the volume"

# -- what the build copies exists and reaches the build context ---------------------------------
for path in deploy/install-deps.sh config/sage.yaml data/tokenizers knowledge CMakeLists.txt; do
  [[ -e $repo/$path ]] || fail "the Dockerfile copies $path, which does not exist"
  if grep -qx "${path%%/*}" "$repo/.dockerignore"; then fail ".dockerignore excludes $path"; fi
done
for pattern in build 'build-\*' '\*\*/node_modules' .git; do
  grep -qx "$pattern" "$repo/.dockerignore" || fail ".dockerignore should exclude ${pattern//\\/}"
done

# -- runtime packages: exactly those owning the libraries `sage` loads --------------------------
mapfile -t libraries < <(ldd "$sage" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
((${#libraries[@]} > 5)) || fail "ldd found only ${#libraries[@]} libraries in $sage"
# One dpkg -S for all (each call reads the whole database); the database may record a library
# on either side of usr-merge, so ask for both spellings and the resolved path.
declare -A owner=()
candidates=()
for lib in "${libraries[@]}"; do candidates+=("$lib" "$(readlink -f "$lib")" "/usr$lib" "${lib#/usr}"); done
while read -r package path; do
  owner[$path]=${package%%:*}
done < <(dpkg -S "${candidates[@]}" 2>/dev/null | sed 's/, [^:]*//; s/: / /')
needed=$(for lib in "${libraries[@]}"; do
  found=""
  for c in "$lib" "$(readlink -f "$lib")" "/usr$lib" "${lib#/usr}"; do
    [[ -n ${owner[$c]:-} ]] && found=${owner[$c]} && break
  done
  echo "${found:-?no package owns $lib}"
done | sort -u)
listed=$("$repo/deploy/install-deps.sh" --runtime --list | sort -u)
if [[ $needed != "$listed" ]]; then
  fail "install-deps.sh --runtime differs from what ldd needs (< needed, > listed):
$(diff <(echo "$needed") <(echo "$listed") | grep '^[<>]')"
else
  echo "runtime packages: $(echo "$listed" | wc -l) packages, exactly those owning the libraries ldd lists"
fi

# -- every package the stages install exists in Debian (needs apt metadata) ---------------------
policy=$(apt-cache policy libc6 2>/dev/null || true)
if [[ $policy == *"Candidate: "[0-9]* ]]; then
  mapfile -t packages < <("$repo/deploy/install-deps.sh" --runtime --list
    "$repo/deploy/install-deps.sh" --build --list)
  # One apt-cache call for all (it exits 0 when only some are found, so compare the names).
  known=$(apt-cache show --no-all-versions "${packages[@]}" 2>/dev/null | sed -n 's/^Package: //p' | sort -u)
  missing=$(comm -23 <(printf '%s\n' "${packages[@]}" | sort -u) <(echo "$known"))
  if [[ -z $missing ]]; then
    echo "packages: ${#packages[@]}, all known to apt ($(grep -m1 PRETTY_NAME /etc/os-release))"
  else
    fail "no Debian package named: ${missing//$'\n'/ }"
  fi
else
  echo "SKIP: apt has no package lists here (apt-get update), package names not checked" >&2
  [[ ${CI:-} != true ]] || fail "apt package lists are needed in CI"
fi

if ((failures)); then
  echo "deploy_dockerfile: $failures failure(s)" >&2
  exit 1
fi
echo "deploy_dockerfile: pass"
