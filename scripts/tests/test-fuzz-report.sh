#!/usr/bin/env bash
# Test of `scripts/fuzz.sh report`, which decides when a campaign has plateaued (and so when
# `campaign` stops it), against hand-written logs in fuzz-report/: each case gives the
# settings, the log and the row it must print, so a rule that always or never says
# "plateau yes" is caught. The logs carry the NEW_PC lines a campaign prints (-print_pcs, for
# `fuzz.sh edges`), which the row must ignore. Needs neither the nightly toolchain nor
# cargo-fuzz.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
fuzz="$here/../fuzz.sh"
logs="$here/fuzz-report"
failed=0 checked=0

# check QUIET PLATEAU LOG NOW EXPECTED
check() {
  local out
  checked=$((checked + 1))
  out="$(QUIET="$1" PLATEAU="$2" bash "$fuzz" report "$logs/$3" "$4" 2>&1)"
  if [ "$out" != "$5" ]; then
    printf 'FAIL: QUIET=%s PLATEAU=%s report %s %s\n  got:      %s\n  expected: %s\n' \
      "$1" "$2" "$3" "$4" "$out" "$5"
    failed=$((failed + 1))
  fi
}

# Edges last changed at 1010 s (#5,000): 690 quiet seconds and 257,144 of 262,144 executions.
check 600 cov quiet-edges.log "" \
  "seconds 700, executions 262144, cov 100 -> 105, ft 200 -> 260, last new at #5000 (10 s), second half +0 cov, plateau yes"
# ft changed until 1300 s: 400 quiet seconds are too few when ft counts.
check 600 ft quiet-edges.log "" \
  "seconds 700, executions 262144, cov 100 -> 105, ft 200 -> 260, last new at #100000 (300 s), second half +0 cov, plateau no"
check 300 ft quiet-edges.log "" \
  "seconds 700, executions 262144, cov 100 -> 105, ft 200 -> 260, last new at #100000 (300 s), second half +0 cov, plateau yes"
# 690 quiet seconds but only 1,000 of 6,000 executions: a run starved of CPU.
check 600 cov starved.log "" \
  "seconds 700, executions 6000, cov 100 -> 105, ft 200 -> 210, last new at #5000 (10 s), second half +0 cov, plateau no"
# A running campaign: 500 exec/s since its last line at 1010 s.
check 600 cov running.log 1700 \
  "seconds 700, executions 350000, cov 100 -> 105, ft 200 -> 210, last new at #5000 (10 s), second half +0 cov, plateau yes"
check 600 cov running.log 1200 \
  "seconds 200, executions 100000, cov 100 -> 105, ft 200 -> 210, last new at #5000 (10 s), second half +0 cov, plateau no"
# Read without NOW, it ends at its last line: the 5 edges of 1010 s are in the second half.
check 600 cov running.log "" \
  "seconds 10, executions 5000, cov 100 -> 105, ft 200 -> 210, last new at #5000 (10 s), second half +5 cov, plateau no"
# A finished run ignores NOW.
check 600 cov starved.log 5000 \
  "seconds 700, executions 6000, cov 100 -> 105, ft 200 -> 210, last new at #5000 (10 s), second half +0 cov, plateau no"
check 600 cov not-started.log "" "no INITED line: the run did not start"
# Stuck on a unit past the timeout, whose handler never saved it (session 9): the quiet
# minutes and the executions the rate extrapolates say yes, but nothing ran.
check 600 cov hung.log 1700 \
  "seconds 700, executions 350000, cov 100 -> 105, ft 200 -> 210, last new at #5000 (10 s), second half +0 cov, plateau no (hung: a unit past the timeout was not saved)"
# The same, with the harness's watchdog having saved the unit before the alarm.
check 600 cov hung-saved.log 1700 \
  "seconds 700, executions 350000, cov 100 -> 105, ft 200 -> 210, last new at #5000 (10 s), second half +0 cov, plateau no (hung: a unit past the timeout, saved by the watchdog to artifacts/translate/hang-00c0ffee00c0ffee)"
# Interrupted at its plateau, libFuzzer printed its final stats from the SIGINT handler, whose
# allocation then deadlocked the exit; the alarm fired later (sessions 12 and 13). Not hung.
check 600 cov exit-deadlock.log "" \
  "seconds 700, executions 262144, cov 100 -> 105, ft 200 -> 260, last new at #5000 (10 s), second half +0 cov, plateau yes"

if [ "$failed" -gt 0 ]; then
  echo "test-fuzz-report: $failed of $checked checks failed"
  exit 1
fi
echo "test-fuzz-report: $checked checks passed"
