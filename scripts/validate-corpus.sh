#!/usr/bin/env bash
# Translate every Coolify template in ../shared/corpus/coolify-templates/ and every loadable
# kompose fixture (one `coolify-k8s config` accepts) with `coolify-k8s convert`, for each
# router (ingress, traefik, gateway), and validate every output with validate-manifests.sh.
#   scripts/validate-corpus.sh [--release]      (CLI: debug build unless --release or $COOLIFY_K8S_CLI)
# Outputs go to target/validate-corpus/<router>/...; counts are printed per router.
# Exit status: 0 all translated and valid; 1 a template or loadable fixture failed to translate
# or produced an invalid manifest; skipped (exit 0, message) when ../shared is absent.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

profile=debug
[ "${1:-}" = --release ] && profile=release
if ! shared_present; then
  echo "skipped: $SHARED (corpus and schemas) is absent"
  exit 0
fi
TEMPLATES="$SHARED/corpus/coolify-templates"
KOMPOSE="$SHARED/corpus/kompose-fixtures"
ROUTERS=(ingress traefik gateway)
OUT="$ROOT/target/validate-corpus"

cli="${COOLIFY_K8S_CLI:-}"
if [ -z "$cli" ]; then
  if [ "$profile" = release ]; then
    (cd "$ROOT" && cargo build -q --release --bin coolify-k8s)
  else
    (cd "$ROOT" && cargo build -q --bin coolify-k8s)
  fi
  cli="$TARGET_DIR/$profile/coolify-k8s"
fi
ensure_venv

rm -rf "$OUT"
mkdir -p "$OUT"
mapfile -t templates < <(find "$TEMPLATES" -maxdepth 1 -type f \( -name '*.yaml' -o -name '*.yml' \) | sort)
mapfile -t fixtures < <(find "$KOMPOSE" -type f \( -name '*.yaml' -o -name '*.yml' \) ! -name 'output*' | sort)

# image_flags CONFIG_YAML: `--image S=registry.example/S:latest` for each service that has only
# `build:`, as a caller who built and pushed its image would pass (Compose `build` is reported,
# not built).
image_flags() {
  "$VENV/bin/python" -c '
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1])) or {}
for name, svc in sorted((doc.get("services") or {}).items()):
    if not (svc or {}).get("image"):
        print("--image=%s=registry.example/%s:latest" % (name, name))
' "$1"
}

# Loadable kompose fixtures: the ones the loader accepts (the rest are meant to be invalid, or
# are not Compose files); their rejections are listed in $OUT/kompose-not-loadable.txt.
# Every input's loaded model (`config`) is kept to find its build-only services.
# What Coolify's UI asks the user for: a value for each required variable without one of
# its own (`${VAR:?}`), here a placeholder (the loader gives `${TZ:?UTC}` its text, as
# Coolify stores it); plus denoKV's volume source, which the user sets in Coolify's UI.
env_flags() {
  "$VENV/bin/python" -c '
import re, sys
text = open(sys.argv[1]).read()
seen = {}
for m in re.finditer(r"(?<!\$)\$\{([A-Za-z0-9_]+)(:?\?)([^}]*)\}", text):
    if not m.group(3).strip():
        seen.setdefault(m.group(1), "value")
if "${COOLIFY_VOLUME_APP}" in text:
    seen["COOLIFY_VOLUME_APP"] = "app-data"
for k, v in sorted(seen.items()):
    print("--env=%s=%s" % (k, v))
' "$1"
}

loadable=()
declare -A images
declare -A envs
: >"$OUT/kompose-not-loadable.txt"
mkdir -p "$OUT/config"
n=0
for f in "${templates[@]}" "${fixtures[@]}"; do
  n=$((n + 1))
  cfg="$OUT/config/$n.yaml"
  mapfile -t env_args < <(env_flags "$f")
  envs["$f"]="$(printf '%s\n' "${env_args[@]}")"
  if (cd "$(dirname "$f")" && "$cli" config "${env_args[@]}" "$f" >"$cfg" 2>"$OUT/last.err"); then
    case "$f" in "$KOMPOSE"/*) loadable+=("$f") ;; esac
    images["$f"]="$(image_flags "$cfg" | tr '\n' ' ')"
  else
    case "$f" in
      "$KOMPOSE"/*) { echo "${f#"$KOMPOSE/"}:"; sed 's/^/    /' "$OUT/last.err"; } >>"$OUT/kompose-not-loadable.txt" ;;
      *) images["$f"]="" ;; # convert reports why it cannot load the template
    esac
  fi
done
rm -f "$OUT/last.err"

# output_name FILE: a flat, unique file name for one input.
output_name() {
  case "$1" in
    "$TEMPLATES"/*) echo "templates/$(basename "${1%.*}").yaml" ;;
    *) local rel="${1#"$KOMPOSE/"}"; echo "kompose/${rel//\//__}" ;;
  esac
}

status=0
summary=()
for router in "${ROUTERS[@]}"; do
  mkdir -p "$OUT/$router/templates" "$OUT/$router/kompose"
  converted=() convert_failed=()
  for f in "${templates[@]}" "${loadable[@]}"; do
    out="$OUT/$router/$(output_name "$f")"
    # Run from the input's folder: relative env_file / content paths resolve as in Coolify.
    # shellcheck disable=SC2086 # one word per --image flag; names hold no spaces
    mapfile -t env_args < <(printf '%s' "${envs["$f"]}")
    if (cd "$(dirname "$f")" && "$cli" convert --router "$router" --seed corpus ${images["$f"]} "${env_args[@]}" "$f" >"$out" 2>"$out.err"); then
      converted+=("$out")
    else
      convert_failed+=("$f")
    fi
  done
  invalid=0 invalid_files=0
  if [ "${#converted[@]}" -gt 0 ]; then
    # Exit status 1 (invalid) is counted below; 2 (could not validate) is a failure of its own.
    rc=0
    "$VENV/bin/python" "$ROOT/scripts/validate_manifests.py" -q --crd-dir "$SHARED/schemas/crds" \
      "${converted[@]}" >"$OUT/$router/validation.txt" 2>&1 || rc=$?
    [ "$rc" -le 1 ] || { cat "$OUT/$router/validation.txt"; die "validator could not run (exit $rc)"; }
    problems="$(grep -E ': (document [0-9]+ \(|invalid YAML)' "$OUT/$router/validation.txt" || true)"
    if [ -n "$problems" ]; then
      invalid="$(wc -l <<<"$problems")"
      invalid_files="$(cut -d: -f1 <<<"$problems" | sort -u | wc -l)"
    fi
  fi
  n_tpl_fail=0 n_kom_fail=0
  for f in "${convert_failed[@]}"; do
    case "$f" in "$TEMPLATES"/*) n_tpl_fail=$((n_tpl_fail + 1)) ;; *) n_kom_fail=$((n_kom_fail + 1)) ;; esac
  done
  line="$router: templates ${#templates[@]} (convert failed $n_tpl_fail), kompose loadable ${#loadable[@]}/${#fixtures[@]} (convert failed $n_kom_fail), outputs validated ${#converted[@]}, invalid files $invalid_files ($invalid problems)"
  summary+=("$line")
  if [ "${#convert_failed[@]}" -gt 0 ] || [ "$invalid_files" != 0 ]; then
    status=1
    echo "== $router: failures"
    for f in "${convert_failed[@]:0:10}"; do
      echo "convert failed: ${f#"$SHARED/corpus/"}: $(head -n1 "$OUT/$router/$(output_name "$f").err")"
    done
    [ "${#convert_failed[@]}" -gt 10 ] && echo "... $(( ${#convert_failed[@]} - 10 )) more convert failures"
    if [ -f "$OUT/$router/validation.txt" ]; then
      grep ': document [0-9]* (\|invalid YAML' "$OUT/$router/validation.txt" | head -n 10 || true
    fi
  fi
done
echo "== corpus validation (outputs in ${OUT#"$ROOT/"})"
printf '%s\n' "${summary[@]}"
exit "$status"
