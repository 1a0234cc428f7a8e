<?php

declare(strict_types=1);

// The job steps Coolify would run for each kind of resource, on the extension's API:
// translate, deploy, then every later action from the stored handle alone. Each function
// takes the runner (print the batches, or run them) and the server's Kubectl options, and
// returns what it learnt (stored state, status, outputs) for the caller to print or check.
// Run one: php -d extension=…/libcoolify_k8s.so examples/php/application.php [--run]

namespace App\Jobs\Kubernetes;

use Coolify\Kubernetes\Translator;

require_once __DIR__ . '/KubernetesResource.php';

/**
 * An Application (build pack dockerimage; the same for dockerfile, nixpacks and static once
 * the image is built and pushed), then its pull-request preview next to it.
 *
 * @param array<string, mixed> $server
 * @return array<string, mixed>
 */
function application_example(BatchRunner $runner, array $server): array
{
    $attributes = json_decode((string) file_get_contents(__DIR__ . '/application.json'), true, 512, JSON_THROW_ON_ERROR);
    // What generate_coolify_env_variables() adds for this deployment.
    $env = ['SOURCE_COMMIT' => '4f2a9c1'];
    // The job's own id: every deployment starts new pods, as Coolify starts a new container.
    $attributes['deployment_uuid'] = 'qc8g0w4ckoc0wgo8';
    $t = new Translator(['router' => 'traefik', 'entrypoints' => 'http,https']);
    $stored = KubernetesResource::deploy($t->application($attributes, $env), $server, $runner);
    $app = new KubernetesResource($stored['handle'], $server, $runner);
    $out = ['stored' => $stored, 'status' => $app->status()];
    $out['containers'] = $app->containers();
    // The Application's one service, named as the translation named it.
    [$service] = $app->services();
    $out['logs'] = $app->logs($service, 100, true);
    $out['terminal'] = $app->terminal($service);
    $out['task'] = $app->scheduled_task('php artisan schedule:run');
    $app->restart();
    $app->stop();
    $app->start();
    // A preview of pull request 7: its own instance, deleted alone.
    $preview = KubernetesResource::deploy($t->application(['pull_request_id' => 7] + $attributes, $env), $server, $runner);
    (new KubernetesResource($preview['handle'], $server, $runner))->delete();
    $out['preview'] = $preview;
    $app->delete(false);
    return $out;
}

/**
 * A one-click Service (a template's Compose text with its stored magic values).
 *
 * @param array<string, mixed> $server
 * @return array<string, mixed>
 */
function service_example(BatchRunner $runner, array $server): array
{
    $env = ['SERVICE_USER_POSTGRES' => 'umami', 'SERVICE_PASSWORD_POSTGRES' => 'stored-password-value'];
    // Any id new to each start: Coolify's StartService recreates every container
    // (`up --force-recreate`), so every pod rolls and one-shot services run again.
    $t = new Translator(['name' => 'k0s8w4c', 'router' => 'traefik', 'deployment_id' => 'start-20261130-0600']);
    $stored = KubernetesResource::deploy($t->compose((string) file_get_contents(__DIR__ . '/service.yaml'), $env), $server, $runner);
    $service = new KubernetesResource($stored['handle'], $server, $runner);
    $out = ['stored' => $stored, 'status' => $service->status()];
    $out['logs'] = $service->logs('umami', 50);
    $out['task'] = $service->scheduled_task('node scripts/cleanup.js', 'umami');
    $service->stop();
    $service->start();
    $service->restart();
    $service->delete();
    return $out;
}

/**
 * A standalone PostgreSQL, with a backup and an import through files on the server.
 *
 * @param array<string, mixed> $server
 * @return array<string, mixed>
 */
function database_example(BatchRunner $runner, array $server, string $backupDir = '/data/coolify/backups/p0sk8w4'): array
{
    $attributes = json_decode((string) file_get_contents(__DIR__ . '/postgresql.json'), true, 512, JSON_THROW_ON_ERROR);
    $t = new Translator(['published_ports' => 'nodeport']);
    $stored = KubernetesResource::deploy($t->database('postgresql', $attributes), $server, $runner);
    // Later, from the stored manifests without Secret data rather than the handle: both work.
    $db = new KubernetesResource($stored['manifests'], $server, $runner);
    $out = ['stored' => $stored, 'status' => $db->status()];
    $service = $attributes['uuid'];
    $db->backup($service, (string) $attributes['postgres_db'], "$backupDir/pg-dump-1.dmp");
    $db->import($service, "$backupDir/pg-dump-1.dmp");
    $out['terminal'] = $db->terminal($service);
    $db->stop();
    $db->start();
    $db->restart();
    $db->delete(true);
    return $out;
}

/**
 * Runs one example from the command line: prints the batches, or with `--run` runs them
 * in `bash -se` here (against whatever `kubectl` is on PATH; the PHPUnit suite uses its
 * recording stub), then prints what the steps returned.
 *
 * @param callable(BatchRunner, array<string, mixed>): array<string, mixed> $example
 * @param list<string> $argv
 */
function main(callable $example, array $argv): int
{
    if (!extension_loaded('coolify_k8s')) {
        fwrite(STDERR, "load the extension: php -d extension=\$PWD/target/release/libcoolify_k8s.so {$argv[0]}\n");
        return 2;
    }
    $run = in_array('--run', $argv, true);
    $server = ['context' => 'prod'];
    if ($run) {
        $server['files_dir'] = (getenv('COOLIFY_K8S_EXAMPLE_FILES') ?: sys_get_temp_dir() . '/coolify-k8s-example') . '/files';
    }
    $runner = $run ? new BashRunner(array_filter(getenv(), 'is_string')) : new PrintingRunner();
    $result = $example($runner, $server);
    echo "\n# ---- result\n" . json_encode(
        ['status' => $result['status']] + array_intersect_key($result, ['terminal' => 1, 'task' => 1]),
        JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES
    ) . "\n";
    return 0;
}
