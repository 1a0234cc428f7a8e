#!/usr/bin/env bash
# Every check of the project, in order; a failing phase does not stop the others, and the
# script exits non-zero when any phase failed. A summary of phases is printed at the end.
#   scripts/test.sh              all phases
#   scripts/test.sh PHASE...     only these (fmt clippy doc test php php84 validator corpus e2e fuzz)
# A phase whose input does not exist yet prints "skipped: <why>" (an exact missing-file check).
# Installs what is missing (apt packages, .venv) on a Debian 12 machine, as root or with sudo.
set -uo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

ALL_PHASES=(fmt clippy doc test php php84 validator corpus e2e fuzz)
phases=("$@")
[ "${#phases[@]}" -gt 0 ] || phases=("${ALL_PHASES[@]}")
results=()
failed=0
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# PHP packages: the extension crate needs php8.2-dev + libclang-dev to compile at all (clippy,
# doc, test); the PHPUnit phase needs the CLI and PHPUnit (TOOLCHAIN.md).
PHP_BUILD_PACKAGES=(php8.2-dev libclang-dev clang)
PHP_TEST_PACKAGES=(php8.2-cli phpunit php8.2-mbstring php8.2-xml php-illuminate-support)

# skip WHY: the phase's input does not exist; recorded for the summary (not parsed from output,
# where a test's own "skipped" message could be mistaken for the phase's).
SKIP_FILE="$(mktemp)"
trap 'rm -f "$SKIP_FILE"' EXIT
skip() { echo "skipped: $*"; echo "skipped: $*" >"$SKIP_FILE"; }

phase_fmt() { cargo fmt --all -- --check; }
phase_clippy() { apt_install "${PHP_BUILD_PACKAGES[@]}" && cargo clippy --workspace --all-targets -- -D warnings; }
phase_doc() { apt_install "${PHP_BUILD_PACKAGES[@]}" && RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps; }
phase_test() { apt_install "${PHP_BUILD_PACKAGES[@]}" && cargo test --workspace; }

phase_php() {
  if [ ! -f scripts/build-php-ext.sh ]; then skip "scripts/build-php-ext.sh is missing"; return 0; fi
  apt_install "${PHP_BUILD_PACKAGES[@]}" "${PHP_TEST_PACKAGES[@]}" || return 1
  if [ ! -f php-tests/phpunit.xml ]; then
    bash scripts/build-php-ext.sh || return 1
    skip "php-tests/phpunit.xml is missing (extension built only)"; return 0
  fi
  # Builds the extension, checks that PHP loads it, runs PHPUnit against it.
  bash scripts/build-php-ext.sh --test
}

# PHP 8.4, Coolify's runtime: a Debian trixie root cached per machine, the extension built
# against it in its own target directory, the PHPUnit suite under it (scripts/php84.sh).
phase_php84() { bash scripts/php84.sh root build test; }

phase_validator() { bash scripts/tests/test-validator.sh; }

phase_corpus() {
  if ! shared_present; then skip "$SHARED (corpus, schemas) is missing"; return 0; fi
  bash scripts/validate-corpus.sh
}

# The e2e suite: a local API server (built once per machine, started here and stopped after,
# unless one was already running) and the #[ignore]d tests in coolify-k8s-core/tests/e2e_*.rs.
phase_e2e() {
  local tests=() t started=0 rc=0
  for t in coolify-k8s-core/tests/e2e_*.rs; do [ -f "$t" ] && tests+=(--test "$(basename "$t" .rs)"); done
  if [ "${#tests[@]}" = 0 ]; then skip "no coolify-k8s-core/tests/e2e_*.rs"; return 0; fi
  ensure_kubectl
  bash scripts/kube-local.sh build || return 1
  if ! bash scripts/kube-local.sh status >/dev/null 2>&1; then
    bash scripts/kube-local.sh start >/dev/null || { bash scripts/kube-local.sh stop; return 1; }
    started=1
  fi
  local kubeconfig
  kubeconfig="$(bash scripts/kube-local.sh env | sed 's/^export KUBECONFIG=//')"
  COOLIFY_K8S_E2E_KUBECONFIG="$kubeconfig" cargo test -p coolify-k8s-core --no-fail-fast "${tests[@]}" -- --ignored --test-threads=1 || rc=$?
  [ "$started" = 1 ] && bash scripts/kube-local.sh stop
  return "$rc"
}

# The campaigns' plateau rule against hand-written logs; then a few seconds of every fuzz
# target over its committed corpus (fuzz/), so new code meets the inputs earlier campaigns
# found, the watchdog that keeps a unit past the timeout, and the harness's unit tests
# (skipped without the nightly toolchain).
phase_fuzz() {
  bash scripts/tests/test-fuzz-report.sh || return 1
  if ! cargo +nightly --version >/dev/null 2>&1; then skip "the nightly toolchain is missing"; return 0; fi
  bash scripts/fuzz.sh smoke "${FUZZ_SMOKE_SECONDS:-5}" || return 1
  bash scripts/fuzz.sh watchdog || return 1
  bash scripts/fuzz.sh tests
}

for phase in "${phases[@]}"; do
  if ! declare -F "phase_$phase" >/dev/null; then
    echo "unknown phase '$phase' (phases: ${ALL_PHASES[*]})" >&2; exit 2
  fi
  echo "=== phase $phase"
  start=$SECONDS
  : >"$SKIP_FILE"
  "phase_$phase"
  rc=$?
  took=$((SECONDS - start))
  if [ "$rc" != 0 ]; then
    results+=("$(printf '%-10s FAILED (exit %s, %ss)' "$phase" "$rc" "$took")"); failed=1
  elif [ -s "$SKIP_FILE" ]; then
    results+=("$(printf '%-10s %s' "$phase" "$(cat "$SKIP_FILE")")")
  else
    results+=("$(printf '%-10s ok (%ss)' "$phase" "$took")")
  fi
done

echo "=== summary"
printf '%s\n' "${results[@]}"
exit "$failed"
