<?php

declare(strict_types=1);

namespace App\Traits;

use App\Models\Server;
use Coolify\Kubernetes\Kubectl;
use Coolify\Kubernetes\Manifests;

/**
 * Sketch: how Coolify's ApplicationDeploymentJob (app/Jobs/ApplicationDeploymentJob.php, which
 * uses the ExecuteRemoteCommand trait) would run the Kubectl builders through Coolify's own
 * runner. Not runnable outside Coolify: it calls Coolify's execute_remote_command(),
 * instant_remote_process() and instant_scp() (bootstrap/helpers/remoteProcess.php), and
 * reads the job's $server, $saved_outputs and deployment queue. php-tests/tests/
 * CoolifyRunnerTest.php runs the same calls with Coolify's functions against a stub kubectl.
 *
 * What it relies on (see the README's "Running the lines in Coolify"):
 * - every line survives Coolify's sudo rewriting, so on a non-root server the Kubectl
 *   option `sudo` stays off here: execute_remote_command adds sudo itself;
 * - no line holds a Secret value: apply() returns the object bodies as files, uploaded with
 *   instant_scp (as Coolify's Service::saveComposeConfigs uploads docker-compose.yml) and
 *   removed afterwards whatever happens;
 * - every line streams its output into the deployment log as it runs (one SSH session per
 *   line); lines whose output is plumbing are `hidden` (shown only with debug logs);
 * - parseStatus() reads what `save` collects (chunks trimmed and concatenated).
 *
 * Usage inside the job:
 *   use ExecuteRemoteCommand, KubectlRunner;
 *   $k = new Kubectl(['kubeconfig' => …, 'context' => …,
 *                     'files_dir' => application_configuration_dir()."/{$this->application->uuid}/kubernetes"]);
 *   $this->kubernetes_deploy($k, $manifests, $timeout);
 */
trait KubectlRunner
{
    /** Deploy: apply, wait for the rollout, read the status. */
    private function kubernetes_deploy(Kubectl $kubectl, Manifests $manifests, int $timeout): array
    {
        $this->kubernetes_apply($kubectl, $manifests);
        $this->kubernetes_run($kubectl->rolloutStatus($manifests, $timeout));
        return $this->kubernetes_status($kubectl, $manifests);
    }

    /** apply(): prepare, upload, apply, and always remove the uploaded files. */
    private function kubernetes_apply(Kubectl $kubectl, Manifests $manifests): void
    {
        $steps = $kubectl->apply($manifests);
        $this->kubernetes_run($steps['prepare'], hidden: true);
        try {
            foreach ($steps['files'] as $remotePath => $content) {
                $this->kubernetes_upload($remotePath, $content);
            }
            // Streams "…/web serverside-applied" lines into the deployment log.
            $this->kubernetes_run($steps['commands']);
        } finally {
            $this->kubernetes_run($steps['cleanup'], hidden: true, ignore_errors: true);
        }
    }

    /** The status Coolify shows for the resource: running / degraded / exited. */
    private function kubernetes_status(Kubectl $kubectl, Manifests $manifests): array
    {
        $this->saved_outputs->forget('kubernetes_status');
        $this->kubernetes_run($kubectl->status($manifests), hidden: true, save: 'kubernetes_status');
        return $kubectl->parseStatus($manifests, (string) $this->saved_outputs->get('kubernetes_status', ''));
    }

    /**
     * A file for the server: written locally readable by this process only (tempnam makes
     * it 0600), copied with instant_scp, removed locally. Its content never enters a command
     * line, the activity log or the deployment log.
     */
    private function kubernetes_upload(string $remotePath, string $content): void
    {
        $local = tempnam(sys_get_temp_dir(), 'coolify-k8s-');
        try {
            file_put_contents($local, $content);
            instant_scp($local, $remotePath, $this->server);
        } finally {
            @unlink($local);
        }
    }

    /**
     * Each line in its own SSH session (execute_remote_command), its output streamed into
     * the deployment log as it comes; the first failing line fails the deployment with
     * "Command execution failed … {line}" (a line holds no secret, so that message may show).
     *
     * @param list<string> $lines
     */
    private function kubernetes_run(array $lines, bool $hidden = false, bool $ignore_errors = false, ?string $save = null): void
    {
        foreach ($lines as $line) {
            $this->execute_remote_command(array_filter([
                'command' => $line,
                'hidden' => $hidden,
                'ignore_errors' => $ignore_errors,
                'save' => $save,
            ], fn ($v) => $v !== null));
        }
    }

    /**
     * The no-sudo variant, for actions outside a deployment (Coolify's stop / start / restart
     * buttons, which call instant_remote_process): the lines as one batch, not rewritten; the
     * Kubectl builder adds sudo itself on a non-root server.
     *
     * @param callable(Kubectl): list<string> $build e.g. fn ($k) => $k->stop($manifests)
     */
    private static function kubernetes_instant(Server $server, array $options, callable $build): ?string
    {
        $kubectl = new Kubectl($options + ['sudo' => $server->isNonRoot()]);
        return instant_remote_process($build($kubectl), $server, throwError: true, no_sudo: true);
    }
}
