#!/usr/bin/env bash
# Coverage-guided fuzzing with cargo-fuzz (libFuzzer, nightly toolchain); README "Fuzzing".
#   scripts/fuzz.sh smoke [SECONDS]        build every target, run each SECONDS (default 5)
#                                          over its corpus (the CI phase `fuzz`)
#   scripts/fuzz.sh run TARGET [SECONDS]   one campaign (default 300 s), one worker; with
#                                          FUZZ_KEEP=1 the inputs that add coverage are
#                                          merged into the committed corpus afterwards
#   scripts/fuzz.sh seed                   add the Coolify templates, kompose fixtures and
#                                          the project's fixtures to the corpora, then cmin
#   scripts/fuzz.sh cmin TARGET            minimize one corpus in place
# Exits 0 with "skipped: …" when the nightly toolchain is missing. One fuzzing process, as
# libFuzzer runs by default (`-jobs=N` would fork and log to fuzz-N.log): the machine is small
# and shared.
set -uo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT/fuzz"

# The instrumented builds live in the project's cache (as the local cluster's binaries do), so
# a second run on one machine (CI's included) reuses them; a new machine builds them once.
FUZZ_TARGET_DIR="${COOLIFY_K8S_FUZZ_TARGET:-${COOLIFY_K8S_CACHE:-$HOME/.cache/coolify-k8s}/fuzz-target}"

TARGETS=(compose_load translate proxy_labels application kubectl_target manifests_json status)
# The translate target's options header (fuzz_targets/translate.rs): zeros = default options.
HEADER_BYTES=32

need_nightly() {
  if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "skipped: the nightly toolchain is missing (rustup toolchain install nightly)"
    exit 0
  fi
}

# cargo-fuzz from crates.io, cached in ~/.cargo/bin.
ensure_cargo_fuzz() {
  cargo fuzz --version >/dev/null 2>&1 && return 0
  log "installing cargo-fuzz"
  cargo install --locked cargo-fuzz >/dev/null || die "cannot install cargo-fuzz"
}

# Runs TARGET for SECONDS over its committed corpus, writing new inputs to a scratch folder
# (so a smoke run never changes the repo; KEEP=1 merges what adds coverage into the corpus
# afterwards); a crash fails.
run_target() {
  local target="$1" seconds="$2" keep="${3:-0}" scratch
  scratch="$(mktemp -d)"
  mkdir -p "corpus/$target"
  cargo +nightly fuzz run --sanitizer=none --target-dir "$FUZZ_TARGET_DIR" "$target" "$scratch" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=262144 -print_final_stats=1 2>&1 | grep -E '^(#[0-9]+.*(INITED|DONE|pulse)|stat::|==|SUMMARY|Done|thread|panicked|ERROR|Error)' | tail -40
  local rc="${PIPESTATUS[0]}"
  if [ "$keep" = 1 ]; then
    # libFuzzer's merge copies into the first folder only the inputs that add coverage.
    cargo +nightly fuzz run --sanitizer=none --target-dir "$FUZZ_TARGET_DIR" "$target" "corpus/$target" "$scratch" -- \
      -merge=1 -timeout=10 -rss_limit_mb=2048 -max_len=262144 2>&1 | grep -E 'MERGE-OUTER' | tail -2
  fi
  rm -rf "$scratch"
  return "$rc"
}

# Seeds: Compose inputs for compose_load and translate (translate's get the zero header).
seed() {
  local scratch f i=0
  scratch="$(mktemp -d)"
  mkdir -p "$scratch/compose_load" "$scratch/translate"
  local inputs=(seeds/*.yaml "$ROOT"/coolify-k8s-core/tests/testdata/*/*.yaml)
  if shared_present; then
    while IFS= read -r f; do inputs+=("$f"); done < <(
      find "$SHARED/corpus" -type f \( -name '*.yaml' -o -name '*.yml' \) | sort
    )
  fi
  for f in "${inputs[@]}"; do
    i=$((i + 1))
    cp "$f" "$scratch/compose_load/$i"
    { head -c "$HEADER_BYTES" /dev/zero; cat "$f"; } >"$scratch/translate/$i"
  done
  for t in compose_load translate; do
    cp corpus/$t/* "$scratch/$t/" 2>/dev/null
    rm -rf "corpus/$t" && mkdir -p "corpus/$t"
    cargo +nightly fuzz cmin --sanitizer=none --target-dir "$FUZZ_TARGET_DIR" "$t" "$scratch/$t" -- \
      -max_len=262144 >/dev/null 2>&1
    # cmin writes the minimized set into its first folder.
    cp "$scratch/$t"/* "corpus/$t/"
  done
  rm -rf "$scratch"
}

# Minimizes one corpus: libFuzzer's merge copies into an empty folder the inputs that together
# keep the corpus's coverage; the corpus is replaced only when that succeeded (cargo fuzz cmin
# takes one folder, and a failed call used to leave the corpus empty).
cmin() {
  local target="$1" fresh="corpus/$1.cmin" rc
  rm -rf "$fresh" && mkdir -p "$fresh"
  cargo +nightly fuzz run --sanitizer=none --target-dir "$FUZZ_TARGET_DIR" "$target" "$fresh" "corpus/$target" -- \
    -merge=1 -use_counters=0 -timeout=10 -rss_limit_mb=2048 -max_len=262144 2>&1 | grep -E 'MERGE-OUTER' | tail -2
  rc="${PIPESTATUS[0]}"
  if [ "$rc" != 0 ] || [ -z "$(ls -A "$fresh")" ]; then
    rm -rf "$fresh"
    die "cmin $target failed (exit $rc); corpus/$target left as it was"
  fi
  rm -rf "corpus/$target" && mv "$fresh" "corpus/$target"
}

cmd="${1:-smoke}"
need_nightly
ensure_cargo_fuzz
case "$cmd" in
  smoke)
    seconds="${2:-5}"
    failed=0
    cargo +nightly fuzz build --sanitizer=none --target-dir "$FUZZ_TARGET_DIR" || exit 1
    for t in "${TARGETS[@]}"; do
      echo "--- $t (${seconds}s)"
      run_target "$t" "$seconds" || { echo "FAILED: $t"; failed=1; }
    done
    exit "$failed"
    ;;
  run) run_target "${2:?target}" "${3:-300}" "${FUZZ_KEEP:-0}" ;;
  seed) seed ;;
  cmin) cmin "${2:?target}" ;;
  *) die "unknown command '$cmd' (smoke, run, seed, cmin)" ;;
esac
