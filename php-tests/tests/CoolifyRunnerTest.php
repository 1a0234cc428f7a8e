<?php

declare(strict_types=1);

namespace Coolify\Kubernetes\Tests;

use App\Exceptions\DeploymentException;
use App\Models\Server;
use Coolify\Kubernetes\Kubectl;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

/**
 * Every builder's lines run through Coolify's own runner functions, loaded unchanged from
 * ../shared/coolify-src: `instant_remote_process` (bootstrap/helpers/remoteProcess.php: sudo
 * rewriting by parseCommandsByLineForSudo, lines joined into one `bash -se` script, output
 * trimmed), the same with `no_sudo`, and `execute_remote_command`
 * (app/Traits/ExecuteRemoteCommand.php: parseLineForSudo, one session per line, every output
 * chunk trimmed and concatenated), for a root and a non-root server. `remote_process` rewrites
 * and joins exactly as `instant_remote_process` does; only its queueing differs.
 *
 * The lines run in bash against fixtures/runner-bin: a recording, stateful `kubectl`, and
 * stand-ins for `sudo` (runs programs only, as "root") and `chown`. Each runner must make the
 * same kubectl calls, with the same arguments and files, as the lines run as written on a
 * root server, every one as root (unless the operator turned sudo off on a non-root server
 * with `no_sudo`), with the same outcome; a hostile context and kubeconfig stay data.
 */
final class CoolifyRunnerTest extends TestCase
{
    private string $dir;

    protected function setUp(): void
    {
        $why = require __DIR__ . '/../coolify-runner/load.php';
        if ($why !== null) {
            $this->markTestSkipped("Coolify's runner functions not loaded: $why");
        }
        // Under /tmp/coolify…: the prefix for which Coolify's rewriting chowns `mkdir -p`.
        $this->dir = '/tmp/coolify-k8s-runner-test-' . getmypid() . '-' . bin2hex(random_bytes(4));
        mkdir($this->dir . '/stub', 0700, true);
        RunnerSession::$env = [
            'PATH' => Support::fixture('runner-bin') . ':/usr/bin:/bin',
            'STUB_DIR' => $this->dir . '/stub',
            'HOME' => $this->dir,
            'LANG' => 'C.UTF-8',
        ];
        // Small reads: chunk boundaries fall inside lines and records.
        FakeProcess::$chunk = 5;
    }

    protected function tearDown(): void
    {
        if (isset($this->dir) && str_starts_with($this->dir, '/tmp/coolify-k8s-runner-test-')) {
            exec('rm -rf ' . escapeshellarg($this->dir));
        }
    }

    private function marker(): string
    {
        return $this->dir . '/pwned';
    }

    /** Values holding every sequence Coolify's rewriting edits, and injections. */
    private function hostile(string $tag): string
    {
        $m = $this->marker();
        return "$tag \$(touch $m) `touch $m` || touch $m && touch $m | tee $m; it's sh -c 'touch $m'";
    }

    private function kubectl(bool $sudo): Kubectl
    {
        return new Kubectl([
            'context' => $this->hostile('ctx'),
            'kubeconfig' => $this->hostile('/kube config'),
            'sudo' => $sudo,
            'files_dir' => $this->dir . '/files',
        ]);
    }

    /**
     * Runs `$lines` the way `$runner` does on `$server`; returns [succeeded, output as the
     * runner hands it back].
     *
     * @param list<string> $lines
     * @return array{0: bool, 1: string}
     */
    private function runLines(string $runner, Server $server, array $lines): array
    {
        if ($lines === []) {
            return [true, ''];
        }
        if ($runner === 'execute_remote_command') {
            $job = new FakeDeploymentJob($server);
            try {
                foreach ($lines as $line) {
                    $job->execute_remote_command(['command' => $line, 'save' => 'out', 'hidden' => false]);
                }
                $ok = true;
            } catch (DeploymentException) {
                $ok = false;
            }
            return [$ok, (string) $job->saved_outputs->get('out', '')];
        }
        try {
            $out = instant_remote_process($lines, $server, true, $runner === 'instant_remote_process(no_sudo)');
            return [true, (string) $out];
        } catch (\RuntimeException) {
            return [false, ''];
        }
    }

    /**
     * The whole life of the acme fixture through one runner: deploy (prepare, upload,
     * commands, cleanup), wait, status, stop, start, restart, logs, exec, a failing wait,
     * delete. Returns what happened: per step its success and the kubectl calls it made.
     *
     * @return array{steps: array<string, bool>, calls: list<array{args: list<string>, root: bool, input: ?string}>, status: array, outputs: array<string, string>}
     */
    private function lifecycle(string $runner, Server $server, Kubectl $k): array
    {
        $m = Support::manifests();
        file_put_contents($this->dir . '/stub/state/api-resources', "ingressroutes.traefik.io\nmiddlewares.traefik.io\n");
        $steps = [];
        $outputs = [];
        $apply = $k->apply($m);
        [$steps['prepare']] = $this->runLines($runner, $server, $apply['prepare']);
        foreach ($apply['files'] as $path => $content) {
            // instant_scp: fails when the directory is missing.
            $this->assertDirectoryExists(dirname($path), 'prepare made the upload directory');
            file_put_contents($path, $content);
            chmod($path, 0600);
        }
        [$steps['apply']] = $this->runLines($runner, $server, $apply['commands']);
        [$steps['cleanup']] = $this->runLines($runner, $server, $apply['cleanup']);
        foreach (array_keys($apply['files']) as $path) {
            $this->assertFileDoesNotExist($path, "cleanup removed $path");
        }
        [$steps['rollout']] = $this->runLines($runner, $server, $k->rolloutStatus($m, 30));
        file_put_contents($this->dir . '/stub/state/status', "<Deployment/web=2,2,,,,,,>\n<StatefulSet/db=1,1,,,,,,>\n");
        [$steps['status'], $statusOut] = $this->runLines($runner, $server, $k->status($m));
        $status = $k->parseStatus($m, $statusOut);
        [$steps['stop']] = $this->runLines($runner, $server, $k->stop($m));
        [$steps['start']] = $this->runLines($runner, $server, $k->start($m));
        [$steps['restart']] = $this->runLines($runner, $server, $k->restart($m));
        [$steps['logs'], $outputs['logs']] = $this->runLines($runner, $server, $k->logs($m, 'web', 10));
        $command = ['sh', '-c', 'echo a && echo b | cat', $this->hostile('arg')];
        [$steps['exec'], $outputs['exec']] = $this->runLines($runner, $server, $k->exec($m, 'web', $command));
        // The pages (issue 11 item 7): pods and the destination poll (records glued by the
        // runner), logs with options, a scheduled task, an import and a backup through
        // server files (the bodies never in a line).
        file_put_contents($this->dir . '/stub/state/status', "<pod;acme-prod;web-5d-a;acme;web;Running;;;web/10,;web/true/1/2026-01-01T00:00:00Z///,>\n<pod;acme-prod;db-0;acme;db;Running;;;postgres/,;postgres/true/0/2026-01-01T00:00:00Z///,>\n");
        [$steps['pods'], $podsOut] = $this->runLines($runner, $server, $k->pods($m));
        $outputs['pods'] = json_encode($k->parsePods($podsOut), JSON_THROW_ON_ERROR);
        [$steps['poll'], $pollOut] = $this->runLines($runner, $server, $k->statusPoll());
        $outputs['poll'] = json_encode($k->parseStatusPoll($pollOut), JSON_THROW_ON_ERROR);
        $logs = ['since' => '5m', 'timestamps' => true, 'previous' => true, 'container' => 'web', 'pod' => 'web-5d-a'];
        [$steps['logs with options']] = $this->runLines($runner, $server, $k->logs($m, 'web', 10, $logs));
        [$steps['scheduled task']] = $this->runLines($runner, $server, $k->scheduledTask($m, 'echo a && echo b | cat', 'web'));
        $dump = $this->dir . '/import it\'s $(x).sql';
        file_put_contents($dump, "INSERT 1;\n");
        [$steps['copy in']] = $this->runLines($runner, $server, $k->copyIn($m, 'db', $dump, '/tmp/import.sql'));
        @mkdir($this->dir . '/backups');
        $backup = $this->dir . '/backups/db | `x`.dmp';
        @unlink($backup);
        [$steps['copy out']] = $this->runLines($runner, $server, $k->copyOut($m, 'db', '/tmp/db.dmp', $backup));
        $outputs['backup'] = (string) @file_get_contents($backup);
        touch($this->dir . '/stub/state/rollout-fails');
        [$steps['failed rollout']] = $this->runLines($runner, $server, $k->rolloutStatus($m, 30));
        unlink($this->dir . '/stub/state/rollout-fails');
        [$steps['delete']] = $this->runLines($runner, $server, $k->delete($m, true, true));
        return ['steps' => $steps, 'calls' => $this->calls(), 'status' => $status, 'outputs' => $outputs];
    }

    /** @return list<array{args: list<string>, root: bool, input: ?string}> */
    private function calls(): array
    {
        $d = $this->dir . '/stub/calls';
        $n = (int) @file_get_contents("$d/count");
        $calls = [];
        for ($i = 1; $i <= $n; $i++) {
            $args = explode("\0", (string) file_get_contents("$d/$i.args"));
            array_pop($args);
            $input = @file_get_contents("$d/$i.input");
            $calls[] = ['args' => $args, 'root' => trim((string) file_get_contents("$d/$i.root")) === '1', 'input' => $input === false ? null : $input];
        }
        return $calls;
    }

    /** Forget the stub's calls and state, for the next runner. */
    private function resetStub(): void
    {
        exec('rm -rf ' . escapeshellarg($this->dir . '/stub') . ' ' . escapeshellarg($this->dir . '/files'));
        mkdir($this->dir . '/stub/state', 0700, true);
    }

    /** @return array<string, array{0: string, 1: string, 2: bool, 3: bool}> */
    public static function runners(): array
    {
        // [runner, SSH user, the Kubectl `sudo` option, kubectl must run as root]
        return [
            'root server, execute_remote_command' => ['execute_remote_command', 'root', false, true],
            'non-root server, instant_remote_process' => ['instant_remote_process', 'coolify', false, true],
            'non-root server, execute_remote_command' => ['execute_remote_command', 'coolify', false, true],
            'non-root server, instant_remote_process, sudo option too' => ['instant_remote_process', 'coolify', true, true],
            'non-root server, execute_remote_command, sudo option too' => ['execute_remote_command', 'coolify', true, true],
            'non-root server, no_sudo, sudo option' => ['instant_remote_process(no_sudo)', 'coolify', true, true],
            'non-root server, no_sudo, no sudo option' => ['instant_remote_process(no_sudo)', 'coolify', false, false],
        ];
    }

    /**
     * @dataProvider runners
     */
    #[DataProvider('runners')]
    public function testEveryBuilderDoesTheSameThroughTheRunner(string $runner, string $user, bool $sudo, bool $asRoot): void
    {
        // The reference: the lines as written, as root (a root server: no rewriting).
        $this->resetStub();
        $want = $this->lifecycle('instant_remote_process', new Server('root'), $this->kubectl(false));
        $this->assertSame(
            ['prepare' => true, 'apply' => true, 'cleanup' => true, 'rollout' => true, 'status' => true, 'stop' => true,
             'start' => true, 'restart' => true, 'logs' => true, 'exec' => true, 'pods' => true, 'poll' => true,
             'logs with options' => true, 'scheduled task' => true, 'copy in' => true, 'copy out' => true,
             'failed rollout' => false, 'delete' => true],
            $want['steps'],
        );
        $this->assertReferenceDoesWhatItSays($want);

        $this->resetStub();
        $got = $this->lifecycle($runner, new Server($user), $this->kubectl($sudo));
        $this->assertFileDoesNotExist($this->marker(), 'an injected command ran');
        $this->assertSame($want['steps'], $got['steps']);
        $strip = fn (array $calls) => array_map(fn ($c) => ['args' => $c['args'], 'input' => $c['input']], $calls);
        $this->assertSame($strip($want['calls']), $strip($got['calls']));
        foreach ($got['calls'] as $i => $c) {
            $this->assertSame($asRoot, $c['root'], "call $i (" . implode(' ', array_slice($c['args'], 2)) . ') as root');
        }
        $this->assertEquals($want['status'], $got['status']);
        $this->assertSame('running', $got['status']['status']);
        // Output as the runner hands it back (trimmed, chunks glued): its text is there.
        $this->assertStringContainsString('web-1weblogline', preg_replace('/\s+/', '', $got['outputs']['logs']));
        $this->assertStringContainsString('[sh][-c][echoa&&echob|cat]', preg_replace('/\s+/', '', $got['outputs']['exec']));
        foreach (['pods', 'poll', 'backup'] as $what) {
            $this->assertSame($want['outputs'][$what], $got['outputs'][$what], $what);
        }
        $this->assertStringContainsString('"status":"running:unknown"', $got['outputs']['poll']);
        $this->assertSame("[cat][/tmp/db.dmp]\n", $got['outputs']['backup']);
        $imports = array_values(array_filter($got['calls'], fn ($c) => in_array('--stdin=true', $c['args'], true)));
        $this->assertSame(["INSERT 1;\n"], array_column($imports, 'input'));
    }

    /** The reference run's calls are the ones the lines say, in order (spot checks). */
    private function assertReferenceDoesWhatItSays(array $want): void
    {
        $verbs = array_map(fn ($c) => implode(' ', array_slice($c['args'], 2, 2)), $want['calls']);
        $applied = array_values(array_filter($want['calls'], fn ($c) => ($c['args'][2] ?? '') === 'apply'));
        $this->assertCount(2, $applied);
        $this->assertStringContainsString('"kind":"Namespace"', (string) $applied[0]['input']);
        $this->assertStringContainsString('s3cr3t-Value', (string) $applied[1]['input']);
        // The guarded sweep deleted the served custom kinds, and only probed for the others.
        $this->assertContains('delete ingressroute.traefik.io', $verbs);
        $this->assertContains('delete middleware.traefik.io', $verbs);
        $this->assertNotContains('delete httproute.gateway.networking.k8s.io', $verbs);
        // stop remembered 2 replicas of web, start scaled back to them and forgot them.
        $flat = array_map(fn ($c) => implode(' ', array_slice($c['args'], 2)), $want['calls']);
        $this->assertContains('annotate deployment.apps/web --namespace=acme-prod --overwrite coolify.io/replicas-before-stop=2', $flat);
        $this->assertContains('scale deployment.apps/web --namespace=acme-prod --replicas=0', $flat);
        $this->assertContains('scale deployment.apps/web --namespace=acme-prod --replicas=2', $flat);
        $this->assertContains('annotate deployment.apps/web --namespace=acme-prod coolify.io/replicas-before-stop-', $flat);
        // The failed wait collected pods, events and logs.
        $this->assertContains('get pods', $verbs);
        $this->assertContains('get events', $verbs);
    }

    /** What each rewriting makes of the lines: no `|| sudo {`, no `sudo if`, no `sudo replicas=`. */
    public function testRewrittenLinesHoldNoBrokenSudo(): void
    {
        $m = Support::manifests();
        foreach ([false, true] as $sudo) {
            $k = $this->kubectl($sudo);
            $apply = $k->apply($m);
            $lines = array_merge($apply['prepare'], $apply['commands'], $apply['cleanup'], $k->rolloutStatus($m, 5), $k->stop($m),
                $k->start($m), $k->restart($m), $k->delete($m), $k->status($m), $k->logs($m, 'web', 1),
                $k->pods($m), $k->statusPoll(), $k->logs($m, 'web', -1, ['since' => '1h', 'timestamps' => true]),
                $k->scheduledTask($m, 'a && b || c | d $(e)', 'web'), $k->copyIn($m, 'db', '/srv/a b', '/tmp/x'),
                $k->copyOut($m, 'db', '/tmp/x', '/srv/$(y)'), $k->terminal($m, 'web'));
            $server = new Server('coolify');
            $rewritten = array_merge(parseCommandsByLineForSudo(collect($lines), $server), array_map(fn ($l) => parseLineForSudo($l, $server), $lines));
            foreach ($rewritten as $line) {
                $this->assertDoesNotMatchRegularExpression('/sudo +(\{|\(|if\b|then\b|fi\b|exit\b|!|[A-Za-z_]+=)/', $line, $line);
            }
        }
    }
}
