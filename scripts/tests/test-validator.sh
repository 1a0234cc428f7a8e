#!/usr/bin/env bash
# Test of scripts/validate-manifests.sh against hand-written manifests: every file in
# valid/ must pass; every file in invalid/ must fail (exit 1) with the message in its
# `# expect:` line, so a validator that accepts everything or fails for another reason is caught.
# The CRDs come from the project's schemas/crds, so a clone without ../shared runs all of it.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
validate="$here/../validate-manifests.sh"
fixtures="$here/validator"
failed=0 checked=0

for f in "$fixtures"/valid/*.yaml; do
  checked=$((checked + 1))
  if ! out="$("$validate" -q "$f" 2>&1)"; then
    echo "FAIL: $f should be valid:"; echo "$out"; failed=$((failed + 1))
  fi
done
for f in "$fixtures"/invalid/*.yaml; do
  checked=$((checked + 1))
  expect="$(sed -n 's/^# expect: //p' "$f" | head -n1)"
  [ -n "$expect" ] || { echo "FAIL: $f has no '# expect:' line"; failed=$((failed + 1)); continue; }
  out="$("$validate" -q "$f" 2>&1)"; rc=$?
  if [ "$rc" != 1 ]; then
    echo "FAIL: $f: exit $rc, expected 1:"; echo "$out"; failed=$((failed + 1))
  elif ! grep -qF -- "$expect" <<<"$out"; then
    echo "FAIL: $f: output lacks '$expect':"; echo "$out"; failed=$((failed + 1))
  fi
done
# The project carries its own copy of the schemas (schemas/README.md); where the development
# corpus is beside the checkout, the copy must be the same, so neither drifts unnoticed.
shared="${COOLIFY_K8S_SHARED:-$here/../../../shared}"
if [ -d "$shared/schemas/crds" ]; then
  for f in "$shared"/schemas/crds/*.yaml "$shared/schemas/compose-spec.json"; do
    checked=$((checked + 1))
    copy="$here/../../schemas/${f#"$shared/schemas/"}"
    if ! cmp -s "$f" "$copy"; then
      echo "FAIL: $copy differs from $f (or is missing): re-copy it (schemas/README.md)"
      failed=$((failed + 1))
    fi
  done
else
  echo "note: $shared/schemas is absent: the schemas' copy in schemas/ is not compared with it"
fi
echo "validator test: $checked check(s), $failed failure(s)"
[ "$failed" = 0 ]
