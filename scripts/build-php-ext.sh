#!/usr/bin/env bash
# Builds the PHP extension coolify_k8s (release) into target/release/libcoolify_k8s.so
# ($CARGO_TARGET_DIR/release when set),
# installing Debian's PHP build packages when missing, and checks that PHP loads it.
#   scripts/build-php-ext.sh          build, print the .so path
#   scripts/build-php-ext.sh --test   build, then run the PHPUnit suite against it
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

# php-illuminate-support: Laravel's Collection/Str/Stringable, which Coolify's own runner
# functions (loaded from ../shared/coolify-src by php-tests/tests/CoolifyRunnerTest.php) call.
apt_install php8.2-dev php8.2-cli phpunit libclang-dev clang php8.2-mbstring php8.2-xml php-illuminate-support
cd "$ROOT"
cargo build --release -p coolify_k8s >&2
so="$TARGET_DIR/release/libcoolify_k8s.so"
# A failed load is only a warning and PHP exits 0, so ask PHP whether it is loaded.
php -d extension="$so" -r 'exit(extension_loaded("coolify_k8s") ? 0 : 1);' \
  || die "PHP did not load $so (built for another PHP version or thread-safety mode?)"
if [ "${1:-}" = "--test" ]; then
  php -d extension="$so" /usr/bin/phpunit -c php-tests/phpunit.xml
else
  echo "$so"
fi
