#!/usr/bin/env bash
# The YAML under deploy/ (Compose and Kubernetes): every file parses and follows the rules of
# deploy_manifest_check; the ConfigMap's sage.yaml loads in the real `sage`; and a copy with
# one mistake per rule is refused with the message naming it, so the checks can fail.
# Usage: manifests_test.sh CHECKER SAGE_BINARY REPO_ROOT WORK_DIR
set -euo pipefail
checker=$1 sage=$2 repo=$3 work=$4
rm -rf "$work"
mkdir -p "$work/config" "$work/home"
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

"$checker" "$repo/deploy" "$work/config" || fail "the manifests under deploy/ break a rule"

# `sage config show` rejects unknown keys and bad values, so the file must be one it accepts.
[[ -s $work/config/sage.yaml ]] || fail "the ConfigMap holds no sage.yaml"
if shown=$(cd "$work" && env -i PATH="$PATH" HOME="$work/home" "$sage" config show --sources \
  --config "$work/config/sage.yaml" 2>&1); then
  grep -q "workers: 2  # $work/config/sage.yaml" <<<"$shown" ||
    fail "sage did not take engine.workers from the ConfigMap's sage.yaml"
  echo "configmap sage.yaml: loaded by sage"
else
  fail "sage refuses the ConfigMap's sage.yaml: $shown"
fi

# -- a broken copy: each mistake must be reported ----------------------------------------------
mutant=$work/mutant
mkdir -p "$mutant"
cp -r "$repo/deploy" "$mutant/"
m=$mutant/deploy
sed -i 's|path: /health|path: /healthz|; s|runAsNonRoot: true|runAsNonRoot: false|
        s|readOnlyRootFilesystem: true|readOnlyRootFilesystem: false|
        s|claimName: sage-data|claimName: sage-dat|
        s|^\( *\)mountPath: /tmp|\1mountPath: /scratch|' "$m/kubernetes/deployment.yaml"
sed -i 's|targetPort: metrics|targetPort: mcp|' "$m/kubernetes/service.yaml"
sed -i '/- pvc.yaml/d' "$m/kubernetes/kustomization.yaml"
sed -i 's|      workers: 2|      workers: [2|' "$m/kubernetes/configmap.yaml"
sed -i 's|"9000:9000"|"9001:9001"|; s|SAGE_API_KEY: .*|SAGE_API_KEY: changeme|
        s|dockerfile: deploy/Dockerfile|dockerfile: deploy/Dockerfile.missing|
        s|"sage", "health"|"sage", "version"|' "$m/compose.yaml"
printf 'kind: [unclosed\n' >"$m/kubernetes/extra.yaml"

if "$checker" "$m" 2>"$work/mutant.err"; then
  fail "the checker accepted the broken copy"
fi
for want in \
  "livenessProbe must ask GET /health, not /healthz" \
  "readinessProbe must ask GET /health, not /healthz" \
  "the pod must run as non-root" \
  "readOnlyRootFilesystem must be true" \
  "volume refers to PersistentVolumeClaim sage-dat, which no manifest defines" \
  "nothing writable is mounted at /tmp" \
  "service port 9000 must lead to container port 9000" \
  "resources does not list pvc.yaml" \
  "data.sage.yaml is not valid YAML" \
  "services.sage.ports lacks container port 9000" \
  "SAGE_API_KEY must be required from the environment" \
  "names a Dockerfile that does not exist" \
  "healthcheck.test must run \`sage health\`" \
  "extra.yaml: failed to parse YAML"; do
  grep -qF "$want" "$work/mutant.err" || fail "the broken copy was not reported: $want"
done
echo "broken copy: $(wc -l <"$work/mutant.err") problems reported"

if ((failures)); then
  echo "--- checker output on the broken copy:" >&2
  cat "$work/mutant.err" >&2
  echo "deploy_manifests: $failures failure(s)" >&2
  exit 1
fi
echo "deploy_manifests: pass"
