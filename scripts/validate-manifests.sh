#!/usr/bin/env bash
# Validate Kubernetes manifest files offline: core kinds against the Kubernetes 1.33 and 1.37
# schemas (kubernetes-validate, strict), custom resources against the CRDs in
# schemas/crds (jsonschema; copies of the development corpus's, see schemas/README.md).
# Sets up .venv on first use. COOLIFY_K8S_CRD_DIR names another CRD folder.
#   scripts/validate-manifests.sh [-q] [-k VERSION]... FILE...
# Exit status: 0 valid, 1 invalid, 2 could not validate.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
[ "$#" -gt 0 ] || { echo "usage: $0 [-q] [-k VERSION]... FILE..." >&2; exit 2; }
ensure_venv
exec "$VENV/bin/python" "$ROOT/scripts/validate_manifests.py" --crd-dir "${COOLIFY_K8S_CRD_DIR:-$ROOT/schemas/crds}" "$@"
