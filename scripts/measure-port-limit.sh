#!/usr/bin/env bash
# How many ports a Service and a Deployment can list before the API server refuses them
# (the figure behind plan::listed_ports::LISTED_PORTS_MAX). For each count N it applies,
# server-side as the project's apply lines do, a headless Service and a Deployment each
# listing UDP ports 1..N, and prints whether the API server took them and the size of what
# it stored (managedFields included); the ReplicaSet and the Pod the controllers make from
# the Deployment are counted too. Uses the local API server (scripts/kube-local.sh, a fake
# node: nothing runs). Usage: scripts/measure-port-limit.sh [N...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=lib/common.sh
. scripts/lib/common.sh
counts=("$@")
[ "${#counts[@]}" -gt 0 ] || counts=(2000 4000 8000 12000 16000 20000)
ensure_kubectl
apt_install python3
bash scripts/kube-local.sh build
started=0
if ! bash scripts/kube-local.sh status >/dev/null 2>&1; then
  KUBE_LOCAL_NODE=fake bash scripts/kube-local.sh start >/dev/null
  started=1
fi
cleanup() { [ "$started" = 1 ] && bash scripts/kube-local.sh stop >/dev/null 2>&1; rm -rf "$work"; }
work="$(mktemp -d)"
trap cleanup EXIT
export KUBECONFIG
KUBECONFIG="$(bash scripts/kube-local.sh env | sed 's/^export KUBECONFIG=//')"
ns="port-limit-$(date +%s)"  # a namespace of an earlier run may still be terminating
kubectl create namespace "$ns" --dry-run=client -o yaml | kubectl apply --server-side -f - >/dev/null

size() { kubectl -n "$ns" get "$1" -o json 2>/dev/null | wc -c; }

printf '%-7s %-8s %-8s %-8s %-9s %-8s %s\n' ports service deploy rs_bytes pod_bytes svc_bytes deploy_bytes
for n in "${counts[@]}"; do
  python3 - "$n" "$work" <<'PY'
import json, sys
n, work = int(sys.argv[1]), sys.argv[2]
ports = range(1, n + 1)
labels = {"app.kubernetes.io/name": "relay"}
service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "relay", "labels": labels},
           "spec": {"clusterIP": "None", "selector": labels,
                    "ports": [{"name": f"udp-{p}", "port": p, "targetPort": p, "protocol": "UDP"} for p in ports]}}
deploy = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "relay", "labels": labels},
          "spec": {"selector": {"matchLabels": labels},
                   "template": {"metadata": {"labels": labels},
                                "spec": {"containers": [{"name": "relay", "image": "busybox",
                                         "ports": [{"name": f"udp-{p}", "containerPort": p, "protocol": "UDP"} for p in ports]}]}}}}
json.dump(service, open(f"{work}/svc.json", "w"))
json.dump(deploy, open(f"{work}/deploy.json", "w"))
PY
  kubectl -n "$ns" delete service,deployment relay --ignore-not-found --wait=true >/dev/null
  # No kubelet: a deleted pod stays until forced.
  kubectl -n "$ns" delete pod --all --force --grace-period=0 >/dev/null 2>&1 || true
  svc=refused deploy=refused
  kubectl -n "$ns" apply --server-side --field-manager=coolify --force-conflicts -f "$work/svc.json" >"$work/svc.out" 2>&1 && svc=ok
  kubectl -n "$ns" apply --server-side --field-manager=coolify --force-conflicts -f "$work/deploy.json" >"$work/deploy.out" 2>&1 && deploy=ok
  rs=0 pod=0
  if [ "$deploy" = ok ]; then
    for _ in $(seq 1 30); do
      rs="$(kubectl -n "$ns" get rs -l app.kubernetes.io/name=relay -o name | head -1)"
      pod="$(kubectl -n "$ns" get pod -l app.kubernetes.io/name=relay -o name | head -1)"
      [ -n "$rs" ] && [ -n "$pod" ] && break
      sleep 1
    done
    rs="$([ -n "$rs" ] && size "$rs" || echo none)"
    pod="$([ -n "$pod" ] && size "$pod" || echo none)"
  fi
  printf '%-7s %-8s %-8s %-8s %-9s %-8s %s\n' "$n" "$svc" "$deploy" "$rs" "$pod" \
    "$([ "$svc" = ok ] && size service/relay || tail -c 160 "$work/svc.out" | tr '\n' ' ')" \
    "$([ "$deploy" = ok ] && size deployment/relay || tail -c 160 "$work/deploy.out" | tr '\n' ' ')"
done
kubectl delete namespace "$ns" --wait=false >/dev/null
