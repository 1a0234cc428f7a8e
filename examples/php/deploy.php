<?php

declare(strict_types=1);

// Prints the command batches Coolify would send over SSH for each kind of resource: an
// Application (and its preview), a one-click Service, a standalone PostgreSQL; from the
// deployment to every later action run from the stored handle (examples.php). The same
// steps one kind at a time, or run (`--run`) against the kubectl on PATH:
//   php -d extension=$PWD/target/release/libcoolify_k8s.so examples/php/database.php --run
// Run: scripts/run-php-example.sh (builds the extension), or
//      php -d extension=$PWD/target/release/libcoolify_k8s.so examples/php/deploy.php

require_once __DIR__ . '/examples.php';

$status = 0;
foreach (['application', 'service', 'database'] as $kind) {
    echo "######## $kind\n";
    try {
        $status |= App\Jobs\Kubernetes\main("App\\Jobs\\Kubernetes\\{$kind}_example", $argv);
    } catch (Coolify\Kubernetes\KubernetesException $e) {
        echo "$kind failed: " . $e->getMessage() . "\n";
        $status = 1;
    }
    echo "\n";
}
exit($status);
