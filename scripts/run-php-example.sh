#!/usr/bin/env bash
# Builds the extension (installing PHP's packages when missing) and runs the PHP example:
# the command batches a Kubernetes ApplicationDeploymentJob would send over SSH, for an
# Application and for a Compose-based service.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

so="$("$ROOT/scripts/build-php-ext.sh")"
cd "$ROOT"
php -d extension="$so" examples/php/deploy.php
