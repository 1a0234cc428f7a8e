#!/usr/bin/env bash
# The performance figures of issue 14 (README "Performance"), side by side in one run:
# wall times and, beside them, instruction counts from `valgrind --tool=callgrind` (counts
# hold on a busy machine; wall times do not). A benchmark, not a test: it fails only when a
# workload cannot run.
#
#   scripts/bench.sh [p1] [p2] [p3] [p4]      (default: all four)
#
# P1  PHP: one Translator::compose() + toYaml() per template, against Symfony YAML's
#     Yaml::parse() of the same text (goal: at most a third).
# P2  Rust, in process: translate every template (load, plan, build, to_yaml) against the
#     floor of serde-saphyr parse + emit of the same files (goal: at most 2x).
# P3  generated projects of BENCH_SIZES services (default 10 100 1000 10000), each with
#     environment, a volume, a health check, a route and a dependency (goal: 1,000 under
#     100 ms, linear growth: instructions per service flat).
# P4  PHP: heap and resident memory over BENCH_CALLS calls (default 100000; goal: flat).
# Environment: BENCH_ROUNDS (wall-time rounds, default 5), BENCH_CALLGRIND=0 skips the
# counts, BENCH_CALLGRIND_SIZES (default 10 100 1000), BENCH_ALLOCATORS (P2/P3: default
# "mimalloc system"), BENCH_OUT (callgrind files, kept for
# `callgrind_annotate --inclusive=yes FILE`; default target/bench).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

phases=("$@")
[ "${#phases[@]}" = 0 ] && phases=(p1 p2 p3 p4)
rounds="${BENCH_ROUNDS:-5}"
callgrind="${BENCH_CALLGRIND:-1}"
out="${BENCH_OUT:-$TARGET_DIR/bench}"
corpus="$SHARED/corpus/coolify-templates"
[ -d "$corpus" ] || die "$corpus is absent: the benchmarks read the corpus in ../shared"
mkdir -p "$out"

apt_install valgrind php-symfony-yaml
cargo build --release -p coolify-k8s-core --example perf --example perf_mimalloc >&2
# P2 and P3 run twice: with mimalloc, the allocator the CLI and the PHP extension ship
# (P1 and P4 run through the extension, so with it), and with the C library's, which a Rust
# caller of the library gets unless it chooses otherwise.
read -r -a allocators <<<"${BENCH_ALLOCATORS:-mimalloc system}"
perf_for() { if [ "$1" = mimalloc ]; then echo "$TARGET_DIR/release/examples/perf_mimalloc"; else echo "$TARGET_DIR/release/examples/perf"; fi; }
so=""
need_ext() { [ -n "$so" ] || so="$(bash scripts/build-php-ext.sh | tail -n 1)"; }

# instructions NAME CMD...: the program's instruction count (callgrind's "I refs"), its
# profile kept as $out/NAME.callgrind.
instructions() {
  local name=$1
  shift
  valgrind --tool=callgrind --callgrind-out-file="$out/$name.callgrind" "$@" \
    >"$out/$name.stdout" 2>"$out/$name.valgrind" || die "$name failed under valgrind (see $out/$name.valgrind)"
  sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' "$out/$name.valgrind" | tr -d , | tail -n 1
}
# ratio A B: A/B with three decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
# field KEY LINE: the value of KEY=VALUE in a line of the perf example's output.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

p1() {
  need_ext
  echo "== P1: PHP compose()+toYaml() vs Symfony Yaml::parse(), per template (goal <= 0.333)"
  php -d extension="$so" php-tests/bench/translate-vs-symfony.php "$rounds" | sed 's/^/   /'
  [ "$callgrind" = 1 ] || return 0
  local base ours theirs n
  n=$(find "$corpus" -maxdepth 1 -name '*.yaml' | wc -l)
  base=$(instructions p1-read php -d extension="$so" php-tests/bench/corpus-pass.php read)
  ours=$(instructions p1-translate php -d extension="$so" php-tests/bench/corpus-pass.php translate)
  theirs=$(instructions p1-symfony php -d extension="$so" php-tests/bench/corpus-pass.php symfony)
  printf '   instructions per template: compose()+toYaml() %d, Yaml::parse() %d, ratio %s (one pass over %d templates, less the pass that only reads them)\n' \
    $(((ours - base) / n)) $(((theirs - base) / n)) "$(ratio $((ours - base)) $((theirs - base)))" "$n"
}

p2() {
  echo "== P2: in-process translation vs serde-saphyr parse + emit of the same files (goal <= 2x)"
  local alloc perf t f ti fi oi
  for alloc in "${allocators[@]}"; do
    perf=$(perf_for "$alloc")
    echo "   -- allocator: $alloc"
    t=$("$perf" translate "$corpus" "$rounds")
    f=$("$perf" floor "$corpus" "$rounds")
    printf '   wall per pass over %s templates: translate %s ms, floor %s ms, ratio %s\n' \
      "$(field files "$t")" "$(field per_round_ms "$t")" "$(field per_round_ms "$f")" \
      "$(ratio "$(field per_round_ms "$t")" "$(field per_round_ms "$f")")"
    printf '   CPU per pass: translate %s ms, floor %s ms, ratio %s\n' \
      "$(field per_round_cpu_ms "$t")" "$(field per_round_cpu_ms "$f")" \
      "$(ratio "$(field per_round_cpu_ms "$t")" "$(field per_round_cpu_ms "$f")")"
    printf '   output bytes per pass: translate %s, floor %s\n' "$(($(field bytes "$t") / rounds))" "$(($(field bytes "$f") / rounds))"
    [ "$callgrind" = 1 ] || continue
    ti=$(instructions "p2-translate-$alloc" "$perf" translate "$corpus" 1)
    fi=$(instructions "p2-floor-$alloc" "$perf" floor "$corpus" 1)
    printf '   instructions per pass: translate %d, floor %d, ratio %s\n' "$ti" "$fi" "$(ratio "$ti" "$fi")"
    # The translation writes 4-5x the bytes it reads: the same parse, then serde-saphyr
    # emitting the translated objects, is the floor for output of that size (less the setup
    # pass that translates them once: floor-out with 0 rounds).
    oi=$(($(instructions "p2-floor-out-$alloc" "$perf" floor-out "$corpus" 1) - $(instructions "p2-floor-out-setup-$alloc" "$perf" floor-out "$corpus" 0)))
    printf '   instructions per pass against the floor for output of the same size (parse + serde-saphyr emit of the translated objects): floor %d, ratio %s\n' "$oi" "$(ratio "$ti" "$oi")"
  done
}

p3() {
  echo "== P3: generated projects (goal: 1,000 services < 100 ms; instructions per service flat)"
  local alloc perf n r line i
  for alloc in "${allocators[@]}"; do
    perf=$(perf_for "$alloc")
    echo "   -- allocator: $alloc"
    for n in ${BENCH_SIZES:-10 100 1000 10000}; do
      r=$((n >= 10000 ? 1 : n >= 1000 ? rounds : rounds * 10))
      line=$("$perf" generated "$n" "$r")
      printf '   %6d services: %9s ms wall, %7s ms CPU a translation (%d rounds), %s bytes of YAML\n' "$n" "$(field per_round_ms "$line")" "$(field per_round_cpu_ms "$line")" "$r" "$(($(field bytes "$line") / r))"
    done
    [ "$callgrind" = 1 ] || continue
    for n in ${BENCH_CALLGRIND_SIZES:-10 100 1000}; do
      i=$(instructions "p3-$n-$alloc" "$perf" generated "$n" 1)
      printf '   %6d services: %d instructions, %d per service\n' "$n" "$i" $((i / n))
    done
  done
}

p4() {
  need_ext
  echo "== P4: PHP heap and resident memory over ${BENCH_CALLS:-100000} calls (goal: flat)"
  php -d extension="$so" php-tests/bench/memory.php "${BENCH_CALLS:-100000}" "$(( ${BENCH_CALLS:-100000} / 10 ))" | sed 's/^/   /'
}

echo "bench: $(date -u +%FT%TZ), $(git rev-parse --short HEAD), load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
for p in "${phases[@]}"; do
  case "$p" in
    p1 | p2 | p3 | p4) "$p" ;;
    *) die "unknown phase $p (p1 p2 p3 p4)" ;;
  esac
done
