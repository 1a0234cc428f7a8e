<?php

declare(strict_types=1);

namespace Coolify\Kubernetes\Tests;

use Coolify\Kubernetes\Kubectl;
use Coolify\Kubernetes\Manifests;
use PHPUnit\Framework\TestCase;

/**
 * The lines the PHP API returns, run as Coolify runs them (`bash -se`, script on stdin)
 * against fixtures/bin/kubectl, a stub that records its arguments and stdin. Names and
 * values hold quotes, $(), backticks, newlines, spaces and non-ASCII text: the stub must
 * get exactly the intended arguments and manifests, and nothing else may run.
 */
final class KubectlSafetyTest extends TestCase
{
    private string $dir;

    protected function setUp(): void
    {
        $this->dir = sys_get_temp_dir() . '/coolify-k8s-php-safety-' . getmypid() . '-' . bin2hex(random_bytes(4));
        mkdir($this->dir . '/log', 0700, true);
    }

    protected function tearDown(): void
    {
        foreach (array_merge(glob($this->dir . '/log/*') ?: [], glob($this->dir . '/files/*') ?: []) as $f) {
            unlink($f);
        }
        @rmdir($this->dir . '/files');
        @rmdir($this->dir . '/log');
        @unlink($this->marker());
        @rmdir($this->dir);
    }

    private function marker(): string
    {
        return $this->dir . '/pwned';
    }

    private function hostile(string $tag): string
    {
        $m = $this->marker();
        return "$tag it's \"q\" \$(touch $m) `touch $m` '; touch $m; ' \"; touch $m; \"\ntouch $m\r\n\ttab Grüße ☃ 日本 \$HOME \${PATH} \\ -n";
    }

    /** @param list<string> $lines */
    private function runBatch(array $lines, array $env = []): int
    {
        $env = $env + [
            'PATH' => dirname(Support::fixture('bin/kubectl')) . ':/usr/bin:/bin',
            'STUB_LOG' => $this->dir . '/log',
            'HOME' => $this->dir,
        ];
        $proc = proc_open(['bash', '-se'], [0 => ['pipe', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes, $this->dir, $env);
        $this->assertIsResource($proc);
        fwrite($pipes[0], implode("\n", $lines) . "\n");
        fclose($pipes[0]);
        return proc_close($proc);
    }

    /** @return list<array{0: list<string>, 1: ?string}> */
    private function calls(): array
    {
        $n = (int) @file_get_contents($this->dir . '/log/count');
        $calls = [];
        for ($i = 1; $i <= $n; $i++) {
            $args = explode("\0", (string) file_get_contents($this->dir . "/log/$i.args"));
            array_pop($args);
            $stdin = @file_get_contents($this->dir . "/log/$i.stdin");
            $calls[] = [$args, $stdin === false ? null : $stdin];
        }
        return $calls;
    }

    public function testHostileNamesAndValuesStayData(): void
    {
        $ns = $this->hostile('ns');
        $name = $this->hostile('web');
        $secret = $this->hostile('password');
        $options = [
            'kubeconfig' => $this->hostile('/kube config'),
            'context' => $this->hostile('ctx'),
            'namespace' => $ns,
            'extra_flags' => [$this->hostile('--flag')],
            'files_dir' => $this->dir . '/files',
        ];
        $global = ['kubectl', '--kubeconfig=' . $options['kubeconfig'], '--context=' . $options['context'], $options['extra_flags'][0]];
        $labels = ['app.kubernetes.io/instance' => 'acme', 'app.kubernetes.io/name' => 'web'];
        $m = Manifests::fromJson(json_encode([
            ['apiVersion' => 'v1', 'kind' => 'Secret', 'metadata' => ['name' => 'env', 'labels' => $labels], 'stringData' => ['PASSWORD' => $secret]],
            ['apiVersion' => 'apps/v1', 'kind' => 'Deployment', 'metadata' => ['name' => $name, 'labels' => $labels],
             'spec' => ['replicas' => 2, 'selector' => ['matchLabels' => $labels]]],
        ], JSON_THROW_ON_ERROR));
        $k = new Kubectl($options);
        $command = [$this->hostile('sh'), '-c', $this->hostile('echo')];
        $container = $this->hostile('app');
        $apply = $k->apply($m);
        // The upload (Coolify's instant_scp) of the files the apply lines read.
        mkdir($this->dir . '/files', 0700);
        foreach ($apply['files'] as $path => $content) {
            file_put_contents($path, $content);
        }
        $this->assertStringNotContainsString($secret, implode("\n", array_merge($apply['prepare'], $apply['cleanup'])));
        $lines = array_merge(
            $apply['commands'],
            $k->restart($m),
            $k->logs($m, 'web', 7),
            $k->exec($m, 'web', $command, $container)
        );
        foreach ($lines as $line) {
            $this->assertStringNotContainsString("\n", $line);
            $this->assertStringNotContainsString($secret, $line);
        }
        $this->assertSame(0, $this->runBatch($lines));
        $this->assertFileDoesNotExist($this->marker(), 'an injected command ran');
        $calls = $this->calls();
        $nsFlag = "--namespace=$ns";
        $argv = array_column($calls, 0);
        // get namespace, apply, prune, 3 probes, restart, logs, exec: nothing else.
        $this->assertCount(9, $argv);
        $this->assertSame(array_merge($global, ['get', 'namespace', $ns]), $argv[0]);
        $this->assertSame(array_merge($global, ['apply', '--server-side', '--field-manager=coolify', '--force-conflicts', $nsFlag, '-f', array_key_first($apply['files'])]), $argv[1]);
        $body = json_decode((string) $calls[1][1], true, 512, JSON_THROW_ON_ERROR);
        $this->assertSame($secret, $body['items'][0]['stringData']['PASSWORD']);
        $this->assertSame($name, $body['items'][1]['metadata']['name']);
        $this->assertSame('delete', $argv[2][count($global)]);
        $this->assertSame(array_merge($global, ['api-resources', '--api-group=traefik.io', '-o', 'name']), $argv[3]);
        $this->assertSame(array_merge($global, ['rollout', 'restart', "deployment.apps/$name", $nsFlag]), $argv[6]);
        $this->assertSame(array_merge($global, ['logs', $nsFlag, '--selector=app.kubernetes.io/instance=acme,app.kubernetes.io/name=web', '--all-containers=true', '--prefix=true', '--tail=7']), $argv[7]);
        $this->assertSame(array_merge($global, ['exec', "deployment.apps/$name", $nsFlag, "--container=$container", '--'], $command), $argv[8]);
    }

    public function testAFailedRolloutStopsTheBatchAfterDiagnostics(): void
    {
        $k = new Kubectl();
        $m = Support::manifests();
        $lines = array_merge($k->rolloutStatus($m, 60), $k->restart($m));
        $this->assertSame(1, $this->runBatch($lines, ['STUB_FAIL_ON' => 'rollout']));
        $argv = array_column($this->calls(), 0);
        $this->assertSame(
            [['kubectl', 'rollout', 'status', 'deployment.apps/web', '--namespace=acme-prod', '--timeout=60s'],
             ['kubectl', 'get', 'pods', '--namespace=acme-prod', '--selector=app.kubernetes.io/instance=acme,app.kubernetes.io/name=web', '-o', 'wide'],
             ['kubectl', 'get', 'events', '--namespace=acme-prod', '--sort-by=.lastTimestamp'],
             ['kubectl', 'logs', '--namespace=acme-prod', '--selector=app.kubernetes.io/instance=acme,app.kubernetes.io/name=web', '--all-containers=true', '--prefix=true', '--tail=100']],
            $argv
        );
    }

    public function testStopAndStartRoundTripTheReplicaCount(): void
    {
        $k = new Kubectl();
        $m = Support::manifests();
        $this->assertSame(0, $this->runBatch($k->stop($m), ['STUB_GET_OUTPUT' => '3']));
        $this->assertSame(0, $this->runBatch($k->start($m), ['STUB_GET_OUTPUT' => '3']));
        $argv = array_column($this->calls(), 0);
        $this->assertContains(['kubectl', 'annotate', 'deployment.apps/web', '--namespace=acme-prod', '--overwrite', 'coolify.io/replicas-before-stop=3'], $argv);
        $this->assertContains(['kubectl', 'scale', 'deployment.apps/web', '--namespace=acme-prod', '--replicas=0'], $argv);
        $this->assertContains(['kubectl', 'scale', 'deployment.apps/web', '--namespace=acme-prod', '--replicas=3'], $argv);
        $this->assertContains(['kubectl', 'annotate', 'deployment.apps/web', '--namespace=acme-prod', 'coolify.io/replicas-before-stop-'], $argv);
    }
}
