<?php
// A failed `-d extension=` load is only a warning and PHP goes on, so a suite run without
// the extension must stop here instead of reporting green (ExtensionTest asserts it too).
if (!extension_loaded('coolify_k8s')) {
    fwrite(STDERR, "coolify_k8s is not loaded: run php -d extension=\$PWD/target/release/libcoolify_k8s.so /usr/bin/phpunit -c php-tests/phpunit.xml\n");
    exit(1);
}

require __DIR__ . '/tests/Support.php';
