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

    private static function body(string $line): array
    {
        self::assertSame(1, preg_match("/^echo '([A-Za-z0-9+\\/=]+)' \\| base64 -d \\| /", $line, $m), $line);
        return json_decode(base64_decode($m[1], true), true, 512, JSON_THROW_ON_ERROR);
    }

    public function testApply(): void
    {
        $lines = $this->kubectl()->apply(Support::manifests());
        $this->assertCount(6, $lines);
        $this->assertStringEndsWith("| base64 -d | " . self::K . " apply --server-side --field-manager=coolify --force-conflicts -f -", $lines[0]);
        $this->assertSame(['Namespace'], array_column(self::body($lines[0])['items'], 'kind'));
        $this->assertStringEndsWith("| base64 -d | " . self::K . " apply --server-side --field-manager=coolify --force-conflicts " . self::NS . " -f -", $lines[1]);
        $items = self::body($lines[1])['items'];
        $this->assertSame(['Secret', 'Deployment', 'StatefulSet', 'Service'], array_column($items, 'kind'));
        $set = $items[0]['metadata']['labels']['coolify.io/object-set'];
        $this->assertMatchesRegularExpression('/^[0-9a-f]{16}$/', $set);
        $this->assertSame(
            self::K . " delete configmap,cronjob.batch,daemonset.apps,deployment.apps,horizontalpodautoscaler.autoscaling,ingress.networking.k8s.io,job.batch,networkpolicy.networking.k8s.io,poddisruptionbudget.policy,secret,service,serviceaccount,statefulset.apps " . self::NS . " '--selector=app.kubernetes.io/instance=acme,app.kubernetes.io/managed-by=coolify,coolify.io/object-set!=$set' --ignore-not-found=true --wait=false",
            $lines[2]
        );
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
        $this->assertSame(
            self::K . " rollout status deployment.apps/web " . self::NS . " --timeout=120s || { echo 'Deployment web did not become ready; its pods, the events of namespace acme-prod and the last 100 log lines follow.' >&2; "
            . self::K . " get pods " . self::NS . " $sel -o wide || true; "
            . self::K . " get events " . self::NS . " --sort-by=.lastTimestamp || true; "
            . self::K . " logs " . self::NS . " $sel --all-containers=true --prefix=true --tail=100 || true; exit 1; }",
            $lines[0]
        );
        $this->assertStringStartsWith(self::K . " rollout status statefulset.apps/db " . self::NS . " --timeout=120s || {", $lines[1]);
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
            $k->parseStatus($m, "Deployment\tweb\t2\t2\t\t\t\t\t\t\nStatefulSet\tdb\t1\t1\t\t\t\t\t\t\n")
        );
        $this->assertSame('degraded', $k->parseStatus($m, "Deployment\tweb\t2\t1\t\t\t\t\t\t\nStatefulSet\tdb\t1\t1\t\t\t\t\t\t\n")['status']);
        $this->assertSame('degraded', $k->parseStatus($m, "Deployment\tweb\t2\t2\t\t\t\t\t\t\n")['status']);
        $this->assertSame('exited', $k->parseStatus($m, "Deployment\tweb\t0\t\t\t\t\t\t\t\nStatefulSet\tdb\t0\t\t\t\t\t\t\t\n")['status']);
        try {
            $k->parseStatus($m, "garbage\n");
            $this->fail('no exception');
        } catch (TranslationException $e) {
            $this->assertSame('output[0]', $e->getInputPath());
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
            [fn () => $k->logs($m, 'web', -1), 'tail', 'must be a number of lines'],
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
