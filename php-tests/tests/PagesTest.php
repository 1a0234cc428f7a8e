<?php

declare(strict_types=1);

namespace Coolify\Kubernetes\Tests;

use Coolify\Kubernetes\Kubectl;
use Coolify\Kubernetes\Manifests;
use Coolify\Kubernetes\TranslationException;
use PHPUnit\Framework\TestCase;

/**
 * Issue 11 items 6 and 7 through PHP: the lifecycle from what Coolify stored (a handle, or
 * toJson() with or without Secret data), and what Coolify's pages need (status poll, pods,
 * logs options, exec with files, terminal, scheduled task, copy in and out). Lines are
 * compared with the ones built from the manifests, or written by hand from kubectl's flags.
 */
final class PagesTest extends TestCase
{
    private const NS = '--namespace=acme-prod';

    /** Every lifecycle builder on one resource argument (manifests or stored text). */
    private static function lifecycle(Kubectl $k, Manifests|string $r): array
    {
        return [
            'rolloutStatus' => $k->rolloutStatus($r, 60),
            'restart' => $k->restart($r),
            'stop' => $k->stop($r),
            'start' => $k->start($r),
            'delete' => $k->delete($r),
            'delete keep volumes' => $k->delete($r, false, true),
            'status' => $k->status($r),
            'pods' => $k->pods($r),
            'logs' => $k->logs($r, 'web', -1, ['since' => '10m', 'timestamps' => true, 'previous' => true]),
            'exec' => $k->exec($r, 'db', ['pg_dump'], null, ['stdout_file' => '/data/coolify/backups/db.dmp']),
            'terminal' => $k->terminal($r, 'web'),
            'scheduledTask' => $k->scheduledTask($r, 'php artisan schedule:run', 'web'),
            'copyIn' => $k->copyIn($r, 'db', '/data/coolify/import/dump.sql', '/tmp/dump.sql'),
            'copyOut' => $k->copyOut($r, 'db', '/tmp/dump.sql', '/data/coolify/backups/dump.sql'),
        ];
    }

    public function testStoredHandleAndJsonGiveTheSameLines(): void
    {
        $m = Support::manifests();
        $k = new Kubectl(['context' => 'prod']);
        $want = self::lifecycle($k, $m);
        $handle = $m->handle();
        $stored = ['handle' => $handle, 'toJson()' => $m->toJson(), 'toJson(false)' => $m->toJson(false)];
        foreach ($stored as $form => $text) {
            if ($form !== 'toJson()') {
                $this->assertStringNotContainsString('s3cr3t', $text, "$form holds a Secret value");
            }
            $this->assertSame($want, self::lifecycle($k, $text), $form);
        }
        $h = json_decode($handle, true, 512, JSON_THROW_ON_ERROR);
        $this->assertSame(['handle', 'namespace', 'instance', 'kinds', 'claims', 'workloads'], array_keys($h));
        $this->assertSame(['acme-prod', 'acme'], [$h['namespace'], $h['instance']]);
        // Apply needs every object: the handle and JSON without Secret data are refused.
        $this->assertSame($k->apply($m), $k->apply($m->toJson()));
        foreach (['handle' => $handle, 'toJson(false)' => $m->toJson(false)] as $form => $text) {
            try {
                $k->apply($text);
                $this->fail("apply accepted the $form");
            } catch (TranslationException $e) {
                $this->assertStringContainsString('apply needs the manifests', $e->getMessage());
            }
        }
    }

    public function testABrokenHandleNamesTheKey(): void
    {
        $h = json_decode(Support::manifests()->handle(), true, 512, JSON_THROW_ON_ERROR);
        $h['workloads'][0]['kind'] = 'Pod';
        try {
            (new Kubectl())->stop(json_encode($h, JSON_THROW_ON_ERROR));
            $this->fail('no exception');
        } catch (TranslationException $e) {
            $this->assertSame('resource.workloads[0].kind', $e->getInputPath());
        }
    }

    public function testStatusPollInCoolifyWords(): void
    {
        $k = new Kubectl(['namespace' => 'dest']);
        $lines = $k->statusPoll();
        $this->assertCount(1, $lines);
        $this->assertStringStartsWith('kubectl get pods --namespace=dest --selector=app.kubernetes.io/managed-by=coolify -o ', $lines[0]);
        $this->assertStringStartsWith('kubectl get pods --all-namespaces ', (new Kubectl())->statusPoll()[0]);
        // What Coolify's runner hands back: trimmed chunks glued together.
        $output = '<pod;dest;web-1-a;u1;web;Running;;;web/10,;web/true/0/2026-01-01T00:00:00Z///,>'
            . '<pod;dest;db-0;u2;db;Running;;;db/,;db/false/3//CrashLoopBackOff//,>'
            . '<pod;dest;web-1-b;u1-pr-7;web;Running;;;web/10,;web/false/0/2026-01-01T00:00:00Z///,>';
        $s = $k->parseStatusPoll($output);
        $this->assertSame(
            [['u1', 'running:healthy', 0], ['u1-pr-7', 'running:unhealthy', 0], ['u2', 'restarting:unhealthy', 3]],
            array_map(static fn ($r) => [$r['instance'], $r['status'], $r['restart_count']], $s)
        );
        $this->assertSame('restarting:unknown', $s[2]['pods'][0]['containers'][0]['status']);
        $this->assertSame([], $k->parseStatusPoll(''));
    }

    public function testPodsListingForTheLogsAndTerminalPages(): void
    {
        $pods = (new Kubectl())->parsePods("<pod;acme-prod;web-5d-x;acme;web;Running;;;web/,;web/true/1/2026-01-01T00:00:00Z///,>\n");
        $this->assertSame([[
            'namespace' => 'acme-prod', 'name' => 'web-5d-x', 'instance' => 'acme', 'service' => 'web',
            'phase' => 'Running', 'terminating' => false, 'excluded' => false,
            'containers' => [['name' => 'web', 'status' => 'running:unknown', 'ready' => true, 'restarts' => 1, 'reason' => '']],
        ]], $pods);
    }

    public function testPageLinesByHand(): void
    {
        $m = Support::manifests();
        $k = new Kubectl();
        $this->assertSame(
            ['kubectl logs pod/web-5d-x ' . self::NS . ' --container=web --prefix=true --tail=50 --since-time=2026-01-01T00:00:00Z --timestamps=true'],
            $k->logs($m, 'web', 50, ['pod' => 'web-5d-x', 'container' => 'web', 'since' => '2026-01-01T00:00:00Z', 'timestamps' => true])
        );
        $this->assertSame(
            ['kubectl exec --stdin=true statefulset.apps/db ' . self::NS . " -- sh -c 'cat > \"\$1\"' sh /tmp/dump.sql < /data/coolify/import/dump.sql"],
            $k->copyIn($m, 'db', '/data/coolify/import/dump.sql', '/tmp/dump.sql')
        );
        $this->assertSame(
            ['kubectl exec statefulset.apps/db ' . self::NS . ' -- cat /tmp/dump.sql > /data/coolify/backups/dump.sql'],
            $k->copyOut($m, 'db', '/tmp/dump.sql', '/data/coolify/backups/dump.sql')
        );
        $this->assertSame(
            ['kubectl exec deployment.apps/web ' . self::NS . " -- sh -c 'php artisan schedule:run'"],
            $k->scheduledTask($m, 'php artisan schedule:run', 'web')
        );
        $terminal = $k->terminal($m, 'web')[0];
        $this->assertStringStartsWith('kubectl exec --stdin=true --tty=true deployment.apps/web ' . self::NS . ' -- sh -c ', $terminal);
        try {
            $k->scheduledTask($m, 'date');
            $this->fail('two services and none named');
        } catch (TranslationException $e) {
            $this->assertSame('service', $e->getInputPath());
        }
        try {
            $k->logs($m, 'web', 10, ['pod' => 'db-0']);
            $this->fail('a pod of another workload');
        } catch (TranslationException $e) {
            $this->assertSame('pod', $e->getInputPath());
        }
    }
}
