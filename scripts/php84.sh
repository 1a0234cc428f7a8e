#!/usr/bin/env bash
# The extension under PHP 8.4, Coolify's runtime (its production image runs PHP 8.4 FPM), on
# this Debian 12 machine whose own PHP is 8.2:
#   scripts/php84.sh [root] [build] [test]    (no argument: all three, in that order)
# root   a Debian trixie root with php8.4-{cli,dev,mbstring,xml} and PHPUnit 11, made by
#        mmdebstrap in $COOLIFY_K8S_CACHE/php84/root (default ~/.cache/coolify-k8s), once per
#        machine; made anew when the package list below changes.
# build  the extension built on the host (cargo, clang) against the root's PHP 8.4 headers:
#        ext-php-rs's PHP / PHP_CONFIG point at scripts/php84/{php,php-config}, which run the
#        root's php8.4 / php-config8.4 through chroot. Its own target directory
#        ($CARGO_TARGET_DIR or target/, then php84/) so the 8.2 build in target/release stays.
# test   the whole PHPUnit suite under the root's PHP 8.4 and PHPUnit 11, in a private mount
#        namespace (nothing stays mounted): the checkout read-only at /src/coolify-k8s,
#        ../shared (when present) read-only at /src/shared, the .so at /src/ext.
#        PHP's deprecations, notices and warnings fail the run, and so do PHPUnit's own.
# Needs root (chroot, mount namespaces, mmdebstrap); re-runs itself through sudo otherwise.
# Recipe and figures: ../shared/docs/PHP84-TRIAL.md.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

if [ "$(id -u)" != 0 ]; then exec sudo --preserve-env=PATH,HOME,CARGO_TARGET_DIR,COOLIFY_K8S_CACHE,COOLIFY_K8S_SHARED "$0" "$@"; fi

SUITE=trixie
# php-illuminate-support: Laravel helpers that Coolify's runner functions call (CoolifyRunnerTest).
PACKAGES=(php8.4-cli php8.4-dev php8.4-mbstring php8.4-xml phpunit php-illuminate-support)
CACHE="${COOLIFY_K8S_CACHE:-$HOME/.cache/coolify-k8s}/php84"
ROOTFS="$CACHE/root"
STAMP="$CACHE/root.packages"
TARGET="$TARGET_DIR/php84"
SO="$TARGET/release/libcoolify_k8s.so"
export COOLIFY_K8S_PHP84_ROOT="$ROOTFS"

# The root's identity: suite and packages; a change makes the root anew.
wanted_stamp() { printf '%s %s\n' "$SUITE" "${PACKAGES[*]}"; }

cmd_root() {
  if [ -x "$ROOTFS/usr/bin/php8.4" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$(wanted_stamp)" ]; then
    log "PHP 8.4 root cached in $ROOTFS"; return 0
  fi
  apt_install mmdebstrap
  mkdir -p "$CACHE"
  log "making the $SUITE root in $ROOTFS (${PACKAGES[*]})"
  rm -rf "$ROOTFS" "$ROOTFS.new" "$STAMP"
  local list
  list="$(IFS=,; echo "${PACKAGES[*]}")"
  # No mirror named: mmdebstrap's default Debian mirror. Into .new first, so an interrupted
  # run never leaves a half-made root that looks cached.
  mmdebstrap --quiet --variant=apt --include="$list" "$SUITE" "$ROOTFS.new" >&2
  mv "$ROOTFS.new" "$ROOTFS"
  wanted_stamp >"$STAMP"
}

cmd_build() {
  [ -x "$ROOTFS/usr/bin/php8.4" ] || die "no PHP 8.4 root in $ROOTFS: run scripts/php84.sh root"
  apt_install libclang-dev clang
  # A first build starts from the 8.2 build's compiled dependencies when there is one: only
  # ext-php-rs (whose build script reads PHP 8.4 now) and the extension are compiled again.
  if [ ! -d "$TARGET/release" ] && [ -d "$TARGET_DIR/release/deps" ]; then
    log "seeding $TARGET/release from $TARGET_DIR/release"
    mkdir -p "$TARGET"
    cp -a "$TARGET_DIR/release" "$TARGET/release"
  fi
  (cd "$ROOT" && PHP="$ROOT/scripts/php84/php" PHP_CONFIG="$ROOT/scripts/php84/php-config" \
    CARGO_TARGET_DIR="$TARGET" cargo build --release -p coolify_k8s >&2)
  echo "$SO"
}

# in_root COMMAND...: runs COMMAND in the root, in a private mount namespace with /proc, a
# fresh /tmp, and under a fresh /src the checkout, ../shared (only when present: the tests
# look for it beside the checkout) and the .so's folder (see the header).
in_root() {
  local shared_mount=""
  mkdir -p "$ROOTFS/src"
  [ -d "$SHARED" ] && shared_mount="$(cd "$SHARED" && pwd)"
  unshare --mount --propagation private -- bash -euo pipefail -c '
    rootfs="$1" project="$2" shared="$3" sodir="$4"; shift 4
    mount -t proc proc "$rootfs/proc"
    mount -t tmpfs tmpfs "$rootfs/tmp"
    mount -t tmpfs tmpfs "$rootfs/src"
    mkdir "$rootfs/src/coolify-k8s" "$rootfs/src/ext"
    mount -o bind,ro "$project" "$rootfs/src/coolify-k8s"
    mount -o bind,ro "$sodir" "$rootfs/src/ext"
    if [ -n "$shared" ]; then
      mkdir "$rootfs/src/shared"
      mount -o bind,ro "$shared" "$rootfs/src/shared"
    fi
    exec chroot "$rootfs" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
      bash -c "cd /src/coolify-k8s && exec \"\$@\"" bash "$@"
  ' bash "$ROOTFS" "$ROOT" "$shared_mount" "$(dirname "$SO")" "$@"
}

cmd_test() {
  [ -f "$SO" ] || die "no PHP 8.4 build at $SO: run scripts/php84.sh build"
  local ext=/src/ext/libcoolify_k8s.so
  # A failed load is only a warning and PHP exits 0, so ask PHP whether it is loaded.
  in_root php8.4 -d extension="$ext" -r 'exit(extension_loaded("coolify_k8s") ? 0 : 1);' \
    || die "PHP 8.4 did not load $SO"
  in_root php8.4 -d extension="$ext" -d error_reporting=-1 -d display_errors=stderr \
    /usr/bin/phpunit -c php-tests/phpunit.xml \
    --display-deprecations --display-notices --display-warnings --display-phpunit-deprecations \
    --fail-on-deprecation --fail-on-notice --fail-on-warning --fail-on-phpunit-deprecation
}

steps=("$@")
[ "${#steps[@]}" -gt 0 ] || steps=(root build test)
for step in "${steps[@]}"; do
  case "$step" in
    root | build | test) "cmd_$step" ;;
    *) die "unknown step '$step' (steps: root build test)" ;;
  esac
done
