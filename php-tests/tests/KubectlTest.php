<?php

declare(strict_types=1);

namespace Coolify\Kubernetes\Tests;

use Coolify\Kubernetes\Kubectl;
use Coolify\Kubernetes\Manifests;
use Coolify\Kubernetes\TranslationException;
use PHPUnit\Framework\TestCase;

/**
 * Command builders through PHP: exact lines for fixtures/acme.json, written by hand from
 * kubectl's documented flags (the Rust tests check the same builders from Rust).
 */
final class KubectlTest extends TestCase
{
    private const K = "kubectl '--kubeconfig=/data/coolify/kube/prod config' --context=prod";
    private const NS = '--namespace=acme-prod';

    private function kubectl(array $extra = []): Kubectl
    {
        return new Kubectl(['kubeconfig' => '/data/coolify/kube/prod config', 'context' => 'prod'] + $extra);
    }

    public function testApply(): void
    {
        $steps = $this->kubectl()->apply(Support::manifests());
        $this->assertSame(['prepare', 'files', 'commands', 'cleanup'], array_keys($steps));
        $dir = '/data/coolify/kubernetes';
        $this->assertSame(["mkdir -p $dir", "chmod 700 $dir"], $steps['prepare']);
        $this->assertSame(["$dir/acme-prod.acme.namespaces.json", "$dir/acme-prod.acme.objects.json"], array_keys($steps['files']));
        $files = array_values($steps['files']);
        $this->assertSame(['Namespace'], array_column(json_decode($files[0], true, 512, JSON_THROW_ON_ERROR)['items'], 'kind'));
        $items = json_decode($files[1], true, 512, JSON_THROW_ON_ERROR)['items'];
        $this->assertSame(['Secret', 'Deployment', 'StatefulSet', 'Service'], array_column($items, 'kind'));
        $this->assertSame('s3cr3t-Value', $items[0]['stringData']['POSTGRES_PASSWORD']);
        $lines = $steps['commands'];
        $this->assertCount(6, $lines);
        $this->assertSame(self::K . " apply --server-side --field-manager=coolify --force-conflicts -f $dir/acme-prod.acme.namespaces.json", $lines[0]);
        $this->assertSame(self::K . " apply --server-side --field-manager=coolify --force-conflicts " . self::NS . " -f $dir/acme-prod.acme.objects.json", $lines[1]);
        $set = $items[0]['metadata']['labels']['coolify.io/object-set'];
        $this->assertMatchesRegularExpression('/^[0-9a-f]{16}$/', $set);
        $this->assertSame(
            self::K . " delete configmap,cronjob.batch,daemonset.apps,deployment.apps,horizontalpodautoscaler.autoscaling,ingress.networking.k8s.io,job.batch,networkpolicy.networking.k8s.io,poddisruptionbudget.policy,secret,service,serviceaccount,statefulset.apps " . self::NS . " '--selector=app.kubernetes.io/instance=acme,app.kubernetes.io/managed-by=coolify,coolify.io/object-set!=$set' --ignore-not-found=true --wait=false",
            $lines[2]
        );
        $this->assertSame(["rm -f $dir/acme-prod.acme.namespaces.json $dir/acme-prod.acme.objects.json"], $steps['cleanup']);
        $lines = array_merge($steps['prepare'], $lines, $steps['cleanup']);
        foreach ($lines as $line) {
            $this->assertStringNotContainsString('s3cr3t', $line, 'a secret value in a command line');
            $this->assertStringNotContainsString("\n", $line);
        }
    }

    public function testRolloutStatus(): void
    {
        $lines = $this->kubectl()->rolloutStatus(Support::manifests(), 120);
        $this->assertCount(2, $lines);
        $sel = '--selector=app.kubernetes.io/instance=acme,app.kubernetes.io/name=web';
        // One `bash -c` script per workload (the kubeconfig's quotes escaped for the script's).
        $k = str_replace("'", "'\\''", self::K);
        $this->assertSame(
            "bash -c 'if ! $k rollout status deployment.apps/web " . self::NS . " --timeout=120s; then echo '\\''Deployment web did not become ready; its pods, the events of namespace acme-prod and the last 100 log lines follow.'\\'' >&2; "
            . "$k get pods " . self::NS . " $sel -o wide; "
            . "$k get events " . self::NS . " --sort-by=.lastTimestamp; "
            . "$k logs " . self::NS . " $sel --all-containers=true --prefix=true --tail=100; exit 1; fi'",
            $lines[0]
        );
        $this->assertStringStartsWith("bash -c 'if ! $k rollout status statefulset.apps/db " . self::NS . " --timeout=120s; then", $lines[1]);
        // The default timeout is 300 seconds.
        $this->assertStringContainsString('--timeout=300s', $this->kubectl()->rolloutStatus(Support::manifests())[0]);
    }

    public function testRestartStopStart(): void
    {
        $k = $this->kubectl();
        $m = Support::manifests();
        $this->assertSame([self::K . " rollout restart deployment.apps/web statefulset.apps/db " . self::NS], $k->restart($m));
        $stop = $k->stop($m);
        $this->assertCount(4, $stop);
        $this->assertSame(self::K . " scale deployment.apps/web " . self::NS . " --replicas=0", $stop[1]);
        $this->assertStringContainsString('"coolify.io/replicas-before-stop=$replicas"', $stop[0]);
        $start = $k->start($m);
        $this->assertCount(2, $start);
        $this->assertStringContainsString('"--replicas=$replicas"', $start[0]);
    }

    public function testDelete(): void
    {
        $k = $this->kubectl();
        $m = Support::manifests();
        $lines = $k->delete($m);
        $this->assertCount(4, $lines);
        $this->assertStringContainsString(',persistentvolumeclaim,', $lines[0]);
        $this->assertStringContainsString(' --selector=app.kubernetes.io/instance=acme,app.kubernetes.io/managed-by=coolify ', $lines[0]);
        $keep = $k->delete($m, false, true);
        $this->assertStringNotContainsString('persistentvolumeclaim', $keep[0]);
        $this->assertSame(self::K . " delete namespace acme-prod --ignore-not-found=true --wait=false", $keep[4]);
    }

    public function testStatusAndParseStatus(): void
    {
        $k = $this->kubectl();
        $m = Support::manifests();
        $lines = $k->status($m);
        $this->assertCount(1, $lines);
        $this->assertStringStartsWith(self::K . " get deployment.apps,statefulset.apps,daemonset.apps,job.batch " . self::NS, $lines[0]);
        $this->assertSame(
            ['status' => 'running', 'workloads' => [
                ['kind' => 'Deployment', 'name' => 'web', 'state' => 'running', 'ready' => 2, 'desired' => 2],
                ['kind' => 'StatefulSet', 'name' => 'db', 'state' => 'running', 'ready' => 1, 'desired' => 1],
            ]],
            $k->parseStatus($m, "<Deployment/web=2,2,,,,,,>\n<StatefulSet/db=1,1,,,,,,>\n")
        );
        // As Coolify's runner hands it back: trimmed, chunks glued, trailing counts missing.
        $this->assertSame('degraded', $k->parseStatus($m, "<Deployment/web=2,1><StatefulSet/db=1,1,,,,,,>")['status']);
        $this->assertSame('degraded', $k->parseStatus($m, "<Deployment/web=2,2,,,,,,>")['status']);
        $this->assertSame('exited', $k->parseStatus($m, "<Deployment/web=0><StatefulSet/db=0>")['status']);
        try {
            $k->parseStatus($m, "garbage\n");
            $this->fail('no exception');
        } catch (TranslationException $e) {
            $this->assertSame('output', $e->getInputPath());
        }
    }

    public function testLogsAndExec(): void
    {
        $k = $this->kubectl();
        $m = Support::manifests();
        $this->assertSame(
            [self::K . " logs " . self::NS . " --selector=app.kubernetes.io/instance=acme,app.kubernetes.io/name=web --all-containers=true --prefix=true --tail=100"],
            $k->logs($m, 'web')
        );
        $this->assertStringEndsWith('--tail=5', $k->logs($m, 'web', 5)[0]);
        $this->assertSame(
            [self::K . " exec statefulset.apps/db " . self::NS . " --container=postgres -- psql -c 'select 1;'"],
            $k->exec($m, 'db', ['psql', '-c', 'select 1;'], 'postgres')
        );
        $this->assertSame([self::K . " exec deployment.apps/web " . self::NS . " -- date"], $k->exec($m, 'web', ['date']));
    }

    public function testSudoAndExtraFlags(): void
    {
        $k = new Kubectl(['sudo' => true, 'extra_flags' => ['--request-timeout=30s', 'a b'], 'namespace' => 'acme-prod']);
        $this->assertSame(
            ["sudo kubectl --request-timeout=30s 'a b' rollout restart deployment.apps/web statefulset.apps/db --namespace=acme-prod"],
            $k->restart(Support::manifests())
        );
    }

    /** @return array<string, array{0: array<string, mixed>, 1: string, 2: string}> */
    public static function badOptions(): array
    {
        return [
            'unknown key' => [['kubecfg' => '/x'], 'kubecfg', 'unknown kubectl option'],
            'sudo not bool' => [['sudo' => 'yes'], 'sudo', 'must be a boolean, not a string'],
            'context not string' => [['context' => 3], 'context', 'must be a string, not a number'],
            'flags not list' => [['extra_flags' => '--x'], 'extra_flags', 'must be a list of strings'],
            'flag not string' => [['extra_flags' => ['ok', false]], 'extra_flags[1]', 'must be a string, not a boolean'],
            'empty namespace' => [['namespace' => ''], 'namespace', 'must not be empty'],
            'NUL in context' => [['context' => "a\0b"], 'context', 'contains a NUL character'],
            'not an object' => [['a', 'b'], '', 'kubectl options must be an object'],
        ];
    }

    /** @dataProvider badOptions */
    #[\PHPUnit\Framework\Attributes\DataProvider('badOptions')]
    public function testOptionErrorsNameTheKey(array $options, string $path, string $message): void
    {
        try {
            new Kubectl($options);
            $this->fail('no exception');
        } catch (TranslationException $e) {
            $this->assertSame($path, $e->getInputPath());
            $this->assertStringContainsString($message, $e->getMessage());
            $this->assertSame($path, $e->getErrors()[0]['path']);
        }
    }

    public function testBuilderErrors(): void
    {
        $k = $this->kubectl();
        $m = Support::manifests();
        $cases = [
            [fn () => $k->logs($m, 'nope'), 'service', 'no workload for service "nope" (known: web, db)'],
            [fn () => $k->exec($m, 'web', []), 'command', 'is empty'],
            [fn () => $k->exec($m, 'web', ['ls', 3]), 'command[1]', 'must be a string'],
            [fn () => $k->exec($m, 'web', ['a' => 'ls']), 'command', 'must be a list of strings'],
            [fn () => $k->rolloutStatus($m, 0), 'timeout', 'must be a positive number of seconds'],
            [fn () => $k->logs($m, 'web', -2), 'tail', 'must be a number of lines ≥ 0, or -1 for all'],
            [fn () => (new Kubectl(['namespace' => 'other']))->apply($m), 'objects[1].metadata.namespace', 'is "acme-prod", the target namespace is "other"'],
            [fn () => $k->apply(Manifests::fromJson('[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}]')), '', 'no namespace'],
            [fn () => Manifests::fromJson('{"kind":"List","items":[1]}'), 'items[0]', 'must be an object'],
            [fn () => Manifests::fromJson('not json'), '', 'not JSON'],
        ];
        foreach ($cases as [$call, $path, $message]) {
            try {
                $call();
                $this->fail("no exception for $path");
            } catch (TranslationException $e) {
                $this->assertSame($path, $e->getInputPath(), $e->getMessage());
                $this->assertStringContainsString($message, $e->getMessage());
            }
        }
    }
}
