#!/usr/bin/env bash
# The README's "run" command: builds the coolify-k8s CLI (release), converts an example
# Compose file from examples/compose/ and prints the manifests (and the mapping report on
# stderr); then, when present, runs the PHP example (scripts/run-php-example.sh).
#   scripts/run-example.sh [COMPOSE_FILE] [CONVERT_OPTION...]
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

example="${1:-examples/compose/wordpress.yaml}"
[ "$#" -gt 0 ] && shift
[ -f "$example" ] || die "no such example: $example"
command -v cargo >/dev/null || die "cargo not found: install Rust (rustup) first"
apt_install build-essential pkg-config

echo "== building the coolify-k8s CLI (release)" >&2
cargo build --release --bin coolify-k8s
echo "== coolify-k8s convert $example --report $*" >&2
"$TARGET_DIR/release/coolify-k8s" convert --report "$@" "$example"

if [ -f scripts/run-php-example.sh ]; then
  echo "== PHP example (scripts/run-php-example.sh)" >&2
  bash scripts/run-php-example.sh
else
  echo "== PHP example skipped: scripts/run-php-example.sh is missing" >&2
fi
