#!/usr/bin/env bash
# Renders the plain manifests from the Helm chart, the one source of Herald's install objects:
#   deploy/rbac/controller.yaml, deploy/rbac/speaker.yaml, deploy/controller/deployment.yaml,
#   deploy/controller/poddisruptionbudget.yaml, deploy/speaker/daemonset.yaml
#                                   the chart's templates with default values, namespace herald-system
#                                   (the PodMonitor, off by default, is the chart's only)
#   deploy/helm/herald/crds/        a copy of deploy/crds (which the api module generates)
#   deploy/herald.yaml              everything in one file for kubectl apply -f: kubectl kustomize deploy/
# Run it after changing the chart; DeployE2E fails while a rendered file is stale.
# Usage: deploy/render.sh [OUTPUT-ROOT]   (default: this checkout; the test renders elsewhere to compare)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root}
helm=$("$root/e2e/k8s/extras.sh" helm)
kubectl=$("$root/e2e/k8s/build.sh")/kubectl
chart=$root/deploy/helm/herald
header="# Rendered by deploy/render.sh from the Helm chart deploy/helm/herald (default values, namespace
# herald-system). Edit the chart, then run deploy/render.sh; DeployE2E fails while this is stale."

render() { # TEMPLATE FILE
  mkdir -p "$(dirname "$out/$2")"
  { echo "$header"; "$helm" template herald "$chart" --namespace herald-system --kube-version 1.34.0 --show-only "templates/$1" |
    grep -v '^# Source: '; } >"$out/$2"
}
render controller-rbac.yaml deploy/rbac/controller.yaml
render speaker-rbac.yaml deploy/rbac/speaker.yaml
render controller-deployment.yaml deploy/controller/deployment.yaml
render controller-poddisruptionbudget.yaml deploy/controller/poddisruptionbudget.yaml
render speaker-daemonset.yaml deploy/speaker/daemonset.yaml
mkdir -p "$out/deploy/helm/herald/crds"
cp "$root/deploy/crds/"*.yml "$out/deploy/helm/herald/crds/"
if [ "$out" != "$root" ]; then # kustomize reads the base from the output tree
  mkdir -p "$out/deploy/crds"
  cp "$root/deploy/kustomization.yaml" "$root/deploy/namespace.yaml" "$out/deploy/"
  cp "$root/deploy/crds/"*.yml "$out/deploy/crds/"
fi
{ echo "# Herald: every object it needs, for kubectl apply -f. Rendered by deploy/render.sh (kubectl kustomize"
  echo "# deploy/); the same objects as the Helm chart with default values, plus the Namespace."
  "$kubectl" kustomize "$out/deploy"; } >"$out/deploy/herald.yaml"
