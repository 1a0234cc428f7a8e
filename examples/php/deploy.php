<?php

declare(strict_types=1);

// Prints the command batches a Kubernetes-targeting ApplicationDeploymentJob would send over
// SSH, for an Application and for a Compose-based service.
// Run: scripts/run-php-example.sh (builds the extension), or
//      php -d extension=$PWD/target/release/libcoolify_k8s.so examples/php/deploy.php

require __DIR__ . '/KubernetesDeployment.php';

use App\Jobs\KubernetesDeployment;
use Coolify\Kubernetes\TranslationException;

if (!extension_loaded('coolify_k8s')) {
    fwrite(STDERR, "load the extension: php -d extension=\$PWD/target/release/libcoolify_k8s.so examples/php/deploy.php\n");
    exit(2);
}

$server = ['kubeconfig' => '/data/coolify/kubernetes/prod.yaml', 'context' => 'prod', 'sudo' => false];
$options = ['router' => 'traefik', 'entrypoints' => 'http,https'];

// An Application, as Coolify stores it (attribute names are Coolify's columns).
$application = json_decode((string) file_get_contents(__DIR__ . '/application.json'), true, 512, JSON_THROW_ON_ERROR);
// Its stored variables travel in the attributes (environment_variables); $env holds what
// the deployment job generates for this run (generate_coolify_env_variables()).
$applicationEnv = ['SOURCE_COMMIT' => '4f2a9c1', 'COOLIFY_CONTAINER_NAME' => $application['uuid'] . '-174512345678'];

// A Compose-based service (a Coolify one-click template) with its stored magic values.
$service = [
    'uuid' => 'k0s8w4c',
    'docker_compose_raw' => (string) file_get_contents(__DIR__ . '/service.yaml'),
];
$serviceEnv = ['SERVICE_PASSWORD_POSTGRES' => 'stored-password-value', 'SERVICE_USER_POSTGRES' => 'stored-user'];

$runs = [
    ['Application ' . $application['uuid'], $application, $options, $applicationEnv],
    ['Compose service ' . $service['uuid'], $service, $options + ['secret_variables' => array_keys($serviceEnv)], $serviceEnv],
];
$status = 0;
foreach ($runs as [$title, $resource, $opts, $env]) {
    echo "######## $title\n";
    $job = new KubernetesDeployment($resource, $server, $opts, $env);
    try {
        $job->handle();
        $job->lifecycle_batches();
    } catch (TranslationException $e) {
        echo 'translation failed: ' . $e->getMessage() . "\n";
        $status = 1;
        continue;
    }
    foreach ($job->deployment_log() as $line) {
        echo "# log: $line\n";
    }
    foreach ($job->batches() as $batch) {
        echo "\n# ---- {$batch['title']}\n";
        echo KubernetesDeployment::as_heredoc($batch);
    }
    echo "\n";
}
exit($status);
