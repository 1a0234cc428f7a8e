<?php

declare(strict_types=1);

// The job steps for Application resources: see examples.php. Prints the batches; --run runs them.
// php -d extension=$PWD/target/release/libcoolify_k8s.so examples/php/application.php [--run]

require_once __DIR__ . '/examples.php';

exit(App\Jobs\Kubernetes\main('App\Jobs\Kubernetes\application_example', $argv));
