<?php

declare(strict_types=1);

namespace App\Jobs\Kubernetes;

use Coolify\Kubernetes\Kubectl;
use Coolify\Kubernetes\Manifests;

require_once __DIR__ . '/BatchRunner.php';

/**
 * The job steps Coolify runs for one resource (Application, Service, standalone database),
 * each named after the Coolify code it replaces, on the extension's API. A deployment
 * returns what Coolify stores with the resource (the handle, and the manifests without
 * Secret data); every later action (the buttons, the status job, the logs and terminal
 * pages, scheduled tasks, backups) runs from that stored text alone, long after the
 * deployment, as Coolify's actions run from the database.
 */
final class KubernetesResource
{
    private Kubectl $kubectl;

    /**
     * @param string $stored   what deploy() returned: the handle (or toJson() text)
     * @param array<string, mixed> $server Kubectl options (kubeconfig, context, sudo, files_dir …)
     */
    public function __construct(private string $stored, array $server, private BatchRunner $runner)
    {
        $this->kubectl = new Kubectl($server);
    }

    /**
     * ApplicationDeploymentJob (rolling_update + health_check), StartService,
     * Start<Database>: upload, apply, wait. Returns the state to store with the resource.
     *
     * @param array<string, mixed> $server
     * @return array{handle: string, manifests: string}
     */
    public static function deploy(Manifests $m, array $server, BatchRunner $runner, int $timeout = 300): array
    {
        $k = new Kubectl($server);
        $steps = $k->apply($m);
        $runner->run('Prepare the upload directory', $steps['prepare']);
        try {
            foreach ($steps['files'] as $path => $content) {
                $runner->upload($path, $content);
            }
            $runner->run('Apply (replaces docker compose up -d)', $steps['commands']);
        } finally {
            $runner->run('Remove the uploaded files', $steps['cleanup']);
        }
        $runner->run('Wait for the rollout (replaces the health-check loop)', $k->rolloutStatus($m, $timeout));
        return ['handle' => $m->handle(), 'manifests' => $m->toJson(false)];
    }

    /** StopApplication / StopService / StopDatabase. */
    public function stop(): void
    {
        $this->runner->run('Stop', $this->kubectl->stop($this->stored));
    }

    /** The start button after a stop (Coolify redeploys; the objects are still there). */
    public function start(): void
    {
        $this->runner->run('Start', $this->kubectl->start($this->stored));
    }

    /** RestartService / RestartDatabase / the application's restart. */
    public function restart(): void
    {
        $this->runner->run('Restart', $this->kubectl->restart($this->stored));
    }

    /** DeleteResourceJob: `$volumes` as its "delete volumes" choice. */
    public function delete(bool $volumes = true): void
    {
        $this->runner->run('Delete', $this->kubectl->delete($this->stored, $volumes));
    }

    /**
     * GetContainersStatus for this resource: the destination's poll (in Coolify, one line
     * per server for every resource), then this resource's word; none seen is `exited`.
     *
     * @return array{status: string, restart_count: int}
     */
    public function status(): array
    {
        $output = $this->runner->run('Status (replaces docker container inspect)', $this->kubectl->statusPoll());
        $instance = json_decode($this->handle(), true, 512, JSON_THROW_ON_ERROR)['instance'];
        foreach ($this->kubectl->parseStatusPoll($output) as $r) {
            if ($r['instance'] === $instance) {
                return ['status' => $r['status'], 'restart_count' => $r['restart_count']];
            }
        }
        return ['status' => 'exited', 'restart_count' => 0];
    }

    /**
     * The logs and terminal pages' container list (getCurrentApplicationContainerStatus).
     *
     * @return list<array<string, mixed>>
     */
    public function containers(): array
    {
        return $this->kubectl->parsePods($this->runner->run('Containers', $this->kubectl->pods($this->stored)));
    }

    /** GetLogs: `docker logs -n N [-t] CONTAINER`. */
    public function logs(string $service, int $lines = 100, bool $timestamps = false): string
    {
        return $this->runner->run('Logs', $this->kubectl->logs($this->stored, $service, $lines, ['timestamps' => $timestamps]));
    }

    /** Terminal: the line Coolify hands to its terminal websocket (run with a TTY, not here). */
    public function terminal(string $service, ?string $container = null): string
    {
        return $this->kubectl->terminal($this->stored, $service, $container)[0];
    }

    /** ScheduledTaskJob: `$command` in the task's service (its `container` column). */
    public function scheduled_task(string $command, ?string $service = null): string
    {
        return $this->runner->run('Scheduled task', $this->kubectl->scheduledTask($this->stored, $command, $service));
    }

    /**
     * DatabaseBackupJob (PostgreSQL): `pg_dump` inside the database's container, its stdout
     * into a file on the server (then Coolify's S3 upload as today). The password stays in
     * the pod's environment (the Secret), not in the line as Coolify's `-e PGPASSWORD=`.
     */
    public function backup(string $service, string $database, string $file): void
    {
        $dump = ['sh', '-c', 'PGPASSWORD="$POSTGRES_PASSWORD" pg_dump --format=custom --no-acl --no-owner --username "$POSTGRES_USER" "$1"', 'sh', $database];
        $this->runner->run('Backup', array_merge(
            ['mkdir -p ' . escapeshellarg(dirname($file))],
            $this->kubectl->exec($this->stored, $service, $dump, null, ['stdout_file' => $file])
        ));
    }

    /** The database import: the uploaded dump copied in, then restored from inside. */
    public function import(string $service, string $serverFile): void
    {
        $restore = ['sh', '-c', 'PGPASSWORD="$POSTGRES_PASSWORD" pg_restore --clean --if-exists --no-owner --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" /tmp/import.dump'];
        $this->runner->run('Import', array_merge(
            $this->kubectl->copyIn($this->stored, $service, $serverFile, '/tmp/import.dump'),
            $this->kubectl->exec($this->stored, $service, $restore),
        ));
    }

    /**
     * The services (Compose services, or the Application's one) of the resource, as the
     * logs and terminal pages offer them.
     *
     * @return list<string>
     */
    public function services(): array
    {
        $h = json_decode($this->handle(), true, 512, JSON_THROW_ON_ERROR);
        return array_values(array_unique(array_map(static fn ($w) => $w['service'] ?? $w['name'], $h['workloads'])));
    }

    private function handle(): string
    {
        $decoded = json_decode($this->stored, true, 512, JSON_THROW_ON_ERROR);
        return isset($decoded['handle']) ? $this->stored : Manifests::fromJson($this->stored)->handle();
    }
}
