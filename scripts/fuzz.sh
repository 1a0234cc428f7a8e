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
#   scripts/fuzz.sh campaign TARGET [MAX]  run TARGET until it plateaus (no new cov: for
#                                          QUIET seconds, default 600, and for the last
#                                          quarter of the run; PLATEAU=ft also waits for
#                                          ft:) or for MAX seconds (default
#                                          3600); logs every libFuzzer line with its time to
#                                          FUZZ_LOG and prints the report row; FUZZ_KEEP=1 as
#                                          for run
#   scripts/fuzz.sh report LOG [NOW]       the report row of a campaign's log (NOW: epoch
#                                          seconds, for a campaign still running)
#   scripts/fuzz.sh edges LOG [FROM]       where a campaign's new edges are: the code of
#                                          each one found after FROM (a fraction of the run,
#                                          default 0.5), by crate and by function
#   scripts/fuzz.sh watchdog               checks that the harness's watchdog saves a unit
#                                          that outlives the timeout (in the CI phase)
#   scripts/fuzz.sh tests                  the harness's unit tests (in the CI phase)
#   scripts/fuzz.sh dict                   regenerates fuzz/dict/project.dict, the words
#                                          every run gives libFuzzer (-dict; FUZZ_DICT=0:
#                                          none)
# Exits 0 with "skipped: …" when the nightly toolchain is missing. One fuzzing process, as
# libFuzzer runs by default (`-jobs=N` would fork and log to fuzz-N.log): the machine is small
# and shared.
set -uo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT/fuzz"

# The instrumented builds live in the project's cache (as the local cluster's binaries do), so
# a second run on one machine (CI's included) reuses them; a new machine builds them once.
FUZZ_TARGET_DIR="${COOLIFY_K8S_FUZZ_TARGET:-${COOLIFY_K8S_CACHE:-$HOME/.cache/coolify-k8s}/fuzz-target}"

TARGETS=(compose_load translate proxy_labels application database kubectl_target manifests_json status)
# Seconds a smoke run adds for reading a target's corpus, since libFuzzer's -max_total_time
# counts the replay: translate's 2,000+ whole translations take about 8 s, so a 5 s smoke
# would end before mutating anything.
declare -A SMOKE_REPLAY=([translate]=10)
# libFuzzer's -timeout for one unit. A translation into a Service of 40,000 ports (a
# 400-byte input with port ranges, as Docker publishes them) writes 6 MB and takes about 9 s
# under the instrumented build with every check; past the timeout libFuzzer's handler can
# deadlock instead of saving the unit (see `campaign`), so the bound leaves room for them.
UNIT_TIMEOUT="${FUZZ_UNIT_TIMEOUT:-30}"
# A campaign runs without address-space randomization, so the program counters libFuzzer
# prints for new edges (-print_pcs) are the binary's addresses plus this fixed base.
PIE_BASE=0x555555554000
# The translate target's options header (fuzz_targets/translate.rs): zeros = default options.
HEADER_BYTES=32

# libFuzzer's dictionary (fuzz/dict/generate.py says why), unless FUZZ_DICT=0.
DICT=()
[ "${FUZZ_DICT:-1}" != 0 ] && [ -f dict/project.dict ] && DICT=(-dict=dict/project.dict)

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
  local target="$1" seconds="$2" keep="${3:-0}" scratch regress=()
  scratch="$(mktemp -d)"
  mkdir -p "corpus/$target"
  # The inputs of past findings, kept apart: `cmin` keeps only what adds edges and dropped
  # them from the corpus, but the smoke must replay them.
  [ -d "regressions/$target" ] && regress=("regressions/$target")
  cargo +nightly fuzz run --sanitizer=none --target-dir "$FUZZ_TARGET_DIR" "$target" "$scratch" "corpus/$target" "${regress[@]}" -- \
    -max_total_time="$seconds" -timeout="$UNIT_TIMEOUT" -rss_limit_mb=2048 "${DICT[@]}" \
    -max_len=262144 -print_final_stats=1 2>&1 | grep -E '^(#[0-9]+.*(INITED|DONE|pulse)|stat::|==|SUMMARY|Done|thread|panicked|ERROR|Error)' | tail -40
  local rc="${PIPESTATUS[0]}"
  if [ "$keep" = 1 ]; then
    # libFuzzer's merge copies into the first folder only the inputs that add coverage.
    cargo +nightly fuzz run --sanitizer=none --target-dir "$FUZZ_TARGET_DIR" "$target" "corpus/$target" "$scratch" -- \
      -merge=1 -timeout="$UNIT_TIMEOUT" -rss_limit_mb=2048 -max_len=262144 2>&1 | grep -E 'MERGE-OUTER' | tail -2
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
    -merge=1 -use_counters=0 -timeout="$UNIT_TIMEOUT" -rss_limit_mb=2048 -max_len=262144 2>&1 | grep -E 'MERGE-OUTER' | tail -2
  rc="${PIPESTATUS[0]}"
  if [ "$rc" != 0 ] || [ -z "$(ls -A "$fresh")" ]; then
    rm -rf "$fresh"
    die "cmin $target failed (exit $rc); corpus/$target left as it was"
  fi
  rm -rf "corpus/$target" && mv "$fresh" "corpus/$target"
}

# What a plateau waits for. `cov` counts the edges (code) reached; `ft` also counts how often
# each edge ran, in power-of-two buckets, so a parser's ft keeps rising for hours while no new
# code is reached (session 4: every target's ft still rose after 10+ minutes without new cov).
# The plateau is therefore that of cov, the coverage; PLATEAU=ft waits for ft too.
plateau_keys() {
  case "${PLATEAU:-cov}" in
    cov) echo 0 ;;
    ft) echo 1 ;;
    *) die "PLATEAU must be cov or ft, not '${PLATEAU}'" ;;
  esac
}

# Reads a campaign log (lines `EPOCH libFuzzer-line`) and prints one row: seconds, executions,
# cov and ft at start (INITED) -> end, the execution and second of the last change of cov (and
# of ft with PLATEAU=ft), the edges found in the second half of the run's seconds, and whether the run plateaued: nothing new for the last QUIET seconds
# and the last quarter of its executions (so a run starved of CPU, nice 19 beside a build,
# cannot plateau by the clock alone). With NOW (epoch seconds) it reads a running campaign:
# libFuzzer prints a count only at new coverage and at powers of two, so the executions since
# its last line come from its exec/s.
report() {
  awk -v quiet="${QUIET:-600}" -v withft="$(plateau_keys)" -v now="${2:-0}" '
    function num(key,   i) { for (i = 2; i <= NF; i++) if ($i == key) return $(i + 1); return "" }
    # The clock stops at the final stats: what follows them is the exit, not fuzzing.
    !total { t = $1 }
    NR == 1 { t0 = t }
    /INITED/ { inited = 1; c0 = num("cov:"); f0 = num("ft:"); c = c0; f = f0; tl = t; el = substr($2, 2) + 0 }
    inited && $2 ~ /^#[0-9]+$/ && num("cov:") != "" {
      e = substr($2, 2) + 0; te = t; rate = num("exec/s:") + 0
      if (num("cov:") != c || (withft && num("ft:") != f)) { tl = t; el = e }
      c = num("cov:"); f = num("ft:"); n++; T[n] = t; C[n] = c
    }
    /stat::number_of_executed_units:/ { total = $3 + 0 }
    # A unit past the timeout whose handler never saved it: the fuzzer was stuck, and the
    # executions the rate extrapolates never ran.
    # An alarm after the final stats is an exit that deadlocked, not a unit that hung.
    /ALARM: working on the last Unit/ { if (!total) alarm = 1 }
    /Test unit written/ { alarm = 0 }
    # The harness'"'"'s watchdog saves such a unit before the alarm (fuzz/src/watchdog.rs).
    /watchdog: a unit has run .* saved to / { saved = $NF }
    END {
      if (!inited) { print "no INITED line: the run did not start"; exit 1 }
      if (now && !total) t = now
      if (!total) total = int(e + rate * (t - te))
      secs = t - t0
      plateau = (total - el >= total / 4 && t - tl >= quiet) ? "yes" : "no"
      if (alarm) plateau = saved == "" ? "no (hung: a unit past the timeout was not saved)" : "no (hung: a unit past the timeout, saved by the watchdog to " saved ")"
      # Edges found in the second half of the run: how flat the curve is when not yet flat.
      half = c0; for (k = 1; k <= n && T[k] <= t0 + secs / 2; k++) half = C[k]
      printf "seconds %d, executions %d, cov %s -> %s, ft %s -> %s, last new at #%d (%d s), second half +%d cov, plateau %s\n",
        secs, total, c0, c, f0, f, el, tl - t0, c - half, plateau
    }' "$1"
}

# Where a campaign's late edges are: every NEW_PC line after FROM (a fraction of the run's
# seconds) symbolized in the binary the campaign ran (LOG's .bin), counted by crate (the
# first path segment of the function the edge's code was inlined into) and by function. It
# tells whether a curve that keeps rising does so in the project's code or in a library's
# (number parsing, Unicode tables, formatting).
edges() {
  local log="$1" from="${2:-0.5}" bin="${1%.log}.bin" found
  [ -f "$bin" ] || die "no $bin: the campaign ran before binaries were kept"
  command -v addr2line >/dev/null || die "addr2line (binutils) is needed"
  found="$(mktemp)"
  # "second-of-the-run address" of each new edge after the cut.
  awk -v from="$from" '
    $2 ~ /^#[0-9]+$/ && !t0 { t0 = $1 }
    /NEW_PC: 0x/ { n++; T[n] = $1; P[n] = $3 }
    /INITED/ { t0 = $1 }
    { last = $1 }
    END {
      cut = t0 + (last - t0) * from
      for (i = 1; i <= n; i++) if (T[i] >= cut) print T[i] - t0, P[i]
    }' "$log" >"$found"
  # libFuzzer prints the address after the edge's instruction. Without -i addr2line names
  # the function the code was inlined into and the file of the innermost inlined line: the
  # file says whose branch it is.
  cut -d' ' -f2 "$found" |
    while read -r pc; do printf '0x%x\n' $((pc - PIE_BASE - 1)); done |
    addr2line -f -C -e "$bin" | paste - - | paste -d '\t' <(cut -d' ' -f1 "$found") - |
    awk -F '\t' '
      { fn = $2; file = $3; area = "other"
        if (file ~ /\/registry\/src\//) { area = file; sub(/.*\/registry\/src\/[^\/]*\//, "", area); sub(/\/.*/, "", area); sub(/-[0-9][0-9.]*[^\/]*$/, "", area) }
        else if (file ~ /\/library\//) {
          area = "std"
          # Standard-library code inlined into one of the project`s functions: the project`s branch.
          if (match(fn, /coolify_k8s_core::[a-z_0-9]+/)) area = "coolify-k8s-core::" substr(fn, RSTART + 18, RLENGTH - 18)
        }
        else if (file ~ /coolify-k8s-core\/src\//) { area = file; sub(/.*coolify-k8s-core\/src\//, "", area); sub(/[\/.].*/, "", area); area = "coolify-k8s-core::" area }
        else if (file ~ /\/fuzz\//) area = "fuzz harness"
        if (area ~ /^coolify-k8s-core/) { own++; own_last = $1 }
        a[area]++; f[fn]++; total++ }
      END {
        printf "%d new edges after the cut, %d in coolify-k8s-core", total, own
        if (own) printf " (the last at %d s)", own_last
        printf "\n"
        for (k in a) printf "area %6d  %s\n", a[k], k
        for (k in f) printf "fn   %6d  %s\n", f[k], k
      }' | sort -k1,1 -k2,2nr | awk '/^fn/ && ++shown > 15 { next } { print }'
  rm -f "$found"
}

# Builds TARGET's instrumented binary and prints its path.
built_target() {
  cargo +nightly fuzz build --sanitizer=none --target-dir "$FUZZ_TARGET_DIR" "$1" >&2 || return 1
  find "$FUZZ_TARGET_DIR" -path "*/release/$1" -type f | head -1
}

# Runs TARGET (one worker) until it plateaus or MAX seconds pass; every output line gets its
# epoch second, so the log shows when the last new coverage came. libFuzzer prints its final
# stats on SIGINT, which ends a plateaued run.
campaign() {
  local target="$1" max="${2:-3600}" scratch bin pid rc
  plateau_keys >/dev/null || exit 1
  local log="${FUZZ_LOG:-$FUZZ_TARGET_DIR/logs/$target-$(date -u +%Y%m%dT%H%M%S).log}"
  bin="$(built_target "$target")" || exit 1
  scratch="$(mktemp -d)"
  mkdir -p "$(dirname "$log")" "artifacts/$target" "corpus/$target"
  log "campaign $target (at most $max s), log $log"
  # The binary beside the log, and a fixed load address, so `edges` can name the code of
  # every new edge afterwards, whatever was built since.
  cp "$bin" "${log%.log}.bin"
  local norandom=()
  setarch "$(uname -m)" -R true 2>/dev/null && norandom=(setarch "$(uname -m)" -R)
  "${norandom[@]}" "$bin" "$scratch" "corpus/$target" -max_total_time="$max" -timeout="$UNIT_TIMEOUT" -rss_limit_mb=2048 "${DICT[@]}" \
    -max_len=262144 -print_final_stats=1 -print_pcs=1 -artifact_prefix="artifacts/$target/" \
    > >(while IFS= read -r l; do printf '%(%s)T %s\n' -1 "$l"; done >"$log") 2>&1 &
  pid=$!
  local hung=0 exit_stuck=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 10
    # Final stats printed: the run is over. libFuzzer prints them from its SIGINT handler,
    # which allocates, and an interrupted malloc can then deadlock its exit (session 12:
    # its alarm fired later, and the run passed for hung). Nothing is left to run.
    if grep -q 'stat::peak_rss_mb' "$log"; then
      sleep 10
      if kill -0 "$pid" 2>/dev/null; then
        exit_stuck=1
        kill -KILL "$pid" 2>/dev/null
      fi
      break
    fi
    # A unit past -timeout: libFuzzer's alarm handler should save it and exit, but it
    # allocates, and a handler that interrupted malloc deadlocks (session 9: ten minutes
    # stuck, the unit not saved). A stuck fuzzer finds nothing, which must not pass for a
    # plateau: stop it and say so.
    if grep -q 'ALARM: working on the last Unit' "$log" && ! grep -q 'Test unit written' "$log"; then
      sleep 20
      if kill -0 "$pid" 2>/dev/null && ! grep -q 'Test unit written' "$log"; then
        hung=1
        kill -KILL "$pid" 2>/dev/null
        break
      fi
    fi
    # A plateau ends the run; so does `touch LOG.stop` (a campaign stopped by hand).
    if report "$log" "$(date +%s)" 2>/dev/null | grep -q 'plateau yes$' || [ -e "${log%.log}.stop" ]; then
      kill -INT "$pid" 2>/dev/null
    fi
  done
  wait "$pid"
  rc=$?
  if [ "$exit_stuck" = 1 ]; then
    log "campaign $target: libFuzzer printed its final stats and did not exit; killed"
    # Stopped, unless it stopped on a finding: a saved crash or timeout stays a failure
    # (a slow unit, saved along the way, is not one).
    rc=72
    grep -qE 'Test unit written to .*/(crash|timeout|oom|leak)-' "$log" && rc=1
  fi
  if [ "$hung" = 1 ]; then
    local saved
    saved="$(grep -o 'watchdog: a unit has run .* saved to .*' "$log" | tail -1 | sed 's/.* saved to //')"
    log "campaign $target: a unit outlived the unit timeout and libFuzzer's timeout handler hung; ${saved:+the watchdog saved the unit to fuzz/$saved; }stopped, not a plateau"
    rc=1
  fi
  sleep 1
  grep -E 'ERROR|panicked|SUMMARY|Test unit written' "$log" | tail -5
  report "$log"
  if [ "${FUZZ_KEEP:-0}" = 1 ]; then
    "$bin" "corpus/$target" "$scratch" -merge=1 -timeout="$UNIT_TIMEOUT" -rss_limit_mb=2048 -max_len=262144 2>&1 |
      grep -E 'MERGE-OUTER' | tail -2
  fi
  rm -rf "$scratch"
  # libFuzzer exits 72 (its -interrupted_exitcode) when the plateau stopped it.
  [ "$rc" = 0 ] || [ "$rc" = 72 ]
}

# The harness's watchdog (fuzz/src/watchdog.rs) against a unit known to be slow: translate's
# regressions/translate/slow-most-ports (`ports: ["1-65535/udp"]` and `expose: ["1-65535"]`,
# the most the loader expands) with a 1 s timeout (saved at 0.83 s) must leave a `hang-*`
# file with the unit's bytes, whether libFuzzer's own handler then saves the unit too or
# hangs (killed after a minute).
watchdog_check() {
  local unit out bin rc=0
  unit=regressions/translate/slow-most-ports
  [ -f "$unit" ] || die "watchdog check: the slow unit $unit is missing"
  bin="$(built_target translate)" || exit 1
  out="$(mktemp -d)"
  timeout -s KILL 60 "$bin" -timeout=1 -artifact_prefix="$out/" "$unit" >"$out/log" 2>&1
  if ls "$out"/hang-* >/dev/null 2>&1 && cmp -s "$out"/hang-* "$unit"; then
    echo "watchdog: saved the slow unit ($(grep -o 'a unit has run [0-9.]* s' "$out/log"))"
  else
    echo "watchdog: FAILED, no hang-* file equal to the unit; libFuzzer's output:"
    tail -20 "$out/log"
    rc=1
  fi
  rm -rf "$out"
  return "$rc"
}

# The harness's own unit tests (fuzz/src: the bash lexer against `bash -n`, the watchdog's
# flags), in a target directory of their own beside the instrumented builds.
harness_tests() {
  cargo +nightly test --lib --target-dir "$FUZZ_TARGET_DIR/tests" 2>&1 | grep -E '^test |^test result|^error|panicked'
  return "${PIPESTATUS[0]}"
}

cmd="${1:-smoke}"
# Reading a log needs neither the toolchain nor cargo-fuzz.
if [ "$cmd" != report ] && [ "$cmd" != edges ] && [ "$cmd" != dict ]; then
  need_nightly
  ensure_cargo_fuzz
fi
# bash reads a script as it runs it: `exit` on the line of `esac` ends the script before it
# reads on, so a campaign survives this file being edited under it (session 13: an edit
# during a campaign ran a piece of a line as a command).
case "$cmd" in
  smoke)
    seconds="${2:-5}"
    failed=0
    cargo +nightly fuzz build --sanitizer=none --target-dir "$FUZZ_TARGET_DIR" || exit 1
    for t in "${TARGETS[@]}"; do
      s=$((seconds + ${SMOKE_REPLAY[$t]:-0}))
      echo "--- $t (${s}s)"
      run_target "$t" "$s" || { echo "FAILED: $t"; failed=1; }
    done
    exit "$failed"
    ;;
  run) run_target "${2:?target}" "${3:-300}" "${FUZZ_KEEP:-0}" ;;
  seed) seed ;;
  cmin) cmin "${2:?target}" ;;
  campaign) campaign "${2:?target}" "${3:-3600}" ;;
  report) report "${2:?log}" "${3:-}" ;;
  edges) edges "${2:?log}" "${3:-0.5}" ;;
  watchdog) watchdog_check ;;
  tests) harness_tests ;;
  dict) python3 dict/generate.py "$ROOT" "$SHARED/schemas/compose-spec.json" ;;
  *) die "unknown command '$cmd' (smoke, run, seed, cmin, campaign, report, edges, watchdog, tests, dict)" ;;
esac; exit $?
