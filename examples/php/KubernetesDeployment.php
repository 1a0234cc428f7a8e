<?php

declare(strict_types=1);

namespace App\Jobs;

use Coolify\Kubernetes\Kubectl;
use Coolify\Kubernetes\Manifests;
use Coolify\Kubernetes\TranslationException;
use Coolify\Kubernetes\Translator;

/**
 * The Kubernetes half of Coolify's ApplicationDeploymentJob, written the way that job is
 * (snake_case steps, execute_remote_command batches, a deployment log), but runnable with
 * plain PHP: instead of sending the batches over SSH it collects them, and deploy.php
 * prints them.
 *
 * Each step names the Docker step of ApplicationDeploymentJob it replaces:
 *   generate_compose_file()               -> generate_manifests()
 *   docker compose up -d (rolling_update) -> rolling_update(): upload, kubectl apply (server-side)
 *   health_check() (docker inspect loop)  -> health_check(): kubectl rollout status
 *   stop_running_container() (docker rm)  -> stop_running_container(): prune by label
 * Building the image stays a Docker job on the build server. The steps after the
 * deployment, per resource kind and from the stored handle, are in examples.php.
 */
final class KubernetesDeployment
{
    /** @var list<array{title: string, commands: list<string>}> */
    private array $batches = [];

    /** @var list<string> */
    private array $log = [];

    /** @var array<string, string> remote path => content, for instant_scp */
    private array $uploads = [];

    private Translator $translator;

    private Kubectl $kubectl;

    private ?Manifests $manifests = null;

    /**
     * @param array<string, mixed> $resource   an Application's attributes (Coolify's column
     *                                          names) or ['docker_compose_raw' => …, 'uuid' => …]
     * @param array<string, mixed> $server      Kubectl options: kubeconfig, context, sudo, …
     * @param array<string, mixed> $options     Translator options (router, cluster_issuer, …)
     * @param array<string, string> $environment stored variables (Coolify's .env of the resource)
     */
    public function __construct(
        private array $resource,
        array $server,
        array $options = [],
        private array $environment = [],
    ) {
        $this->translator = new Translator($options + ['name' => (string) $resource['uuid']]);
        $this->kubectl = new Kubectl($server);
    }

    /** The whole deployment, in the order ApplicationDeploymentJob::handle() runs it. */
    public function handle(): void
    {
        $this->add_log('Starting deployment of ' . $this->resource['uuid'] . ' to Kubernetes.');
        $this->generate_manifests();
        $this->rolling_update();
        $this->health_check();
        $this->stop_running_container();
        $this->add_log('Deployment finished.');
    }

    /**
     * Replaces generate_compose_file(): the resource becomes Kubernetes manifests. A
     * Compose-based resource is translated as it is; an Application through its attributes
     * (Translator::application(), with $environment as the runtime variables that win over
     * the stored ones, e.g. Coolify's generate_coolify_env_variables()).
     */
    public function generate_manifests(): Manifests
    {
        try {
            if (isset($this->resource['docker_compose_raw'])) {
                $this->manifests = $this->translator->compose((string) $this->resource['docker_compose_raw'], $this->environment);
            } else {
                $this->manifests = $this->translator->application($this->resource, $this->environment);
            }
        } catch (TranslationException $e) {
            // Coolify shows this in the deployment log; the path tells the user what to fix.
            $this->add_log('Translation failed at ' . ($e->getInputPath() ?: 'the input') . ': ' . $e->getMessage());
            throw $e;
        }
        foreach ($this->manifests->warnings() as $warning) {
            $this->add_log($warning);
        }
        return $this->manifests;
    }

    /**
     * Replaces `docker network create` + `docker compose up -d`: the upload directory, the
     * object files (uploaded with instant_scp in Coolify: see KubectlRunner.php; their
     * content, Secret values included, is in no command line), the apply batch, and the
     * removal of the files.
     */
    public function rolling_update(): void
    {
        $steps = $this->kubectl->apply($this->manifests());
        $this->execute_remote_command('Prepare the upload directory', $steps['prepare']);
        foreach ($steps['files'] as $path => $content) {
            $this->uploads[$path] = $content;
            $this->add_log("Upload $path (" . strlen($content) . ' bytes, not logged)');
        }
        $this->execute_remote_command('Apply manifests (replaces docker compose up -d)', $steps['commands']);
        $this->execute_remote_command('Remove the uploaded files', $steps['cleanup']);
    }

    /**
     * Replaces the health-check loop (docker inspect .State.Health.Status every
     * health_check_interval, health_check_retries times): the readiness probes gate the
     * rolling update and kubectl waits for it. On failure the batch prints events and logs,
     * and exits non-zero, so the deployment is marked failed.
     */
    public function health_check(): void
    {
        $timeout = (int) ($this->resource['health_check_start_period'] ?? 0)
            + (int) ($this->resource['health_check_interval'] ?? 5) * (int) ($this->resource['health_check_retries'] ?? 10)
            + 300;
        $this->execute_remote_command('Wait for the rollout (replaces the health check loop)', $this->kubectl->rolloutStatus($this->manifests(), $timeout));
    }

    /**
     * Replaces stop_running_container() (docker rm -f of the previous container, found by
     * the coolify.applicationId label): the Deployment already replaced the old pods, and
     * the apply batch deleted objects the previous deployment had and this one lacks. What
     * is left is the status Coolify records, like its container status job.
     */
    public function stop_running_container(): void
    {
        $this->execute_remote_command('Read the status (replaces docker ps / inspect)', $this->kubectl->status($this->manifests()));
    }

    /**
     * What Coolify stores with the resource after the deployment: the handle, from which
     * the buttons below run long after it (no object bodies, no Secret value).
     */
    public function stored_state(): string
    {
        return $this->manifests()->handle();
    }

    /** Coolify's stop / start / restart / delete buttons, from the stored handle. */
    public function lifecycle_batches(): void
    {
        $m = $this->stored_state();
        $this->execute_remote_command('Stop (replaces docker stop)', $this->kubectl->stop($m));
        $this->execute_remote_command('Start (replaces docker start)', $this->kubectl->start($m));
        $this->execute_remote_command('Restart (replaces docker restart)', $this->kubectl->restart($m));
        $this->execute_remote_command('Delete, keeping volumes (replaces docker compose down)', $this->kubectl->delete($m, false));
    }

    /**
     * Like ApplicationDeploymentJob::execute_remote_command(): one batch for
     * remote_process, which joins the lines into one `bash -se` heredoc over SSH.
     *
     * @param list<string> $commands
     */
    private function execute_remote_command(string $title, array $commands): void
    {
        $this->batches[] = ['title' => $title, 'commands' => $commands];
        $this->add_log($title . ': ' . count($commands) . ' command(s)');
    }

    private function add_log(string $line): void
    {
        $this->log[] = $line;
    }

    private function manifests(): Manifests
    {
        return $this->manifests ?? $this->generate_manifests();
    }

    /** Use already translated manifests (e.g. stored from an earlier deployment). */
    public function with_manifests(Manifests $manifests): self
    {
        $this->manifests = $manifests;
        return $this;
    }

    /** @return list<array{title: string, commands: list<string>}> */
    public function batches(): array
    {
        return $this->batches;
    }

    /** @return array<string, string> the files rolling_update() uploads (path => content) */
    public function uploads(): array
    {
        return $this->uploads;
    }

    /** @return list<string> */
    public function deployment_log(): array
    {
        return $this->log;
    }

    /** A batch as Coolify's SSH runner sends it: `ssh … 'bash -se' << \EOF … EOF`. */
    public static function as_heredoc(array $batch, string $server = 'root@kube-host'): string
    {
        $delimiter = 'EOF_COOLIFY_' . strtoupper(substr(hash('sha256', implode("\n", $batch['commands'])), 0, 12));
        return "ssh $server 'bash -se' << \\$delimiter\n" . implode("\n", $batch['commands']) . "\n$delimiter\n";
    }
}
