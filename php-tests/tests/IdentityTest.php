<?php

declare(strict_types=1);

namespace Coolify\Kubernetes\Tests;

use Coolify\Kubernetes\Kubectl;
use Coolify\Kubernetes\Manifests;
use Coolify\Kubernetes\Translator;
use PHPUnit\Framework\TestCase;

/**
 * Identity as Coolify's (issue 11, items 2 and 3): resources are keyed by their `uuid`
 * (`<uuid>-pr-<N>` for a preview), never by the user-editable `name`, so two same-named
 * resources and a preview beside production share no object, and every kubectl line
 * (apply's prune, stop, delete) selects one resource only. Attributes shaped like
 * ../shared/coolify-src/app/Models/Application.php and StandalonePostgresql.php.
 */
final class IdentityTest extends TestCase
{
    /** @return array<string, mixed> */
    private static function application(): array
    {
        return json_decode((string) file_get_contents(Support::fixture('application-model.json')), true, 512, JSON_THROW_ON_ERROR);
    }

    /** @return array<string, mixed> */
    private static function postgres(): array
    {
        $file = Support::root() . '/coolify-k8s-core/tests/testdata/databases/postgresql.json';
        return json_decode((string) file_get_contents($file), true, 512, JSON_THROW_ON_ERROR);
    }

    /** @return list<string> namespace/kind/name of every object but the Namespace */
    private static function ids(Manifests $m): array
    {
        $out = [];
        foreach ($m->toArray() as $o) {
            if ($o['kind'] !== 'Namespace') {
                $out[] = ($o['metadata']['namespace'] ?? '') . '/' . $o['kind'] . '/' . $o['metadata']['name'];
            }
        }
        return $out;
    }

    /** Every object carries `$instance` as its instance label. */
    private function assertInstance(string $instance, Manifests $m): void
    {
        foreach ($m->toArray() as $o) {
            $this->assertSame($instance, $o['metadata']['labels']['app.kubernetes.io/instance'], $o['kind'] . '/' . $o['metadata']['name']);
        }
    }

    /** Every selector in `$lines` is the instance's: prune, stop and delete touch only it. */
    private function assertSelectsOnly(string $instance, array $lines): void
    {
        $selectors = 0;
        foreach ($lines as $line) {
            preg_match_all('/app\.kubernetes\.io\/instance=([a-z0-9-]+)/', $line, $found);
            foreach ($found[1] as $value) {
                $this->assertSame($instance, $value, $line);
                $selectors++;
            }
        }
        $this->assertGreaterThan(0, $selectors);
    }

    public function testTwoSameNamedApplicationsShareNoObject(): void
    {
        $a = self::application();
        $b = self::application();
        $b['uuid'] = 'm2x9q7p';
        $b['id'] = 99;
        $this->assertSame($a['name'], $b['name']);
        $t = new Translator(['router' => 'traefik']);
        $ma = $t->application($a);
        $mb = $t->application($b);
        $this->assertSame([], array_values(array_intersect(self::ids($ma), self::ids($mb))));
        $this->assertInstance('vgsco4o', $ma);
        $this->assertInstance('m2x9q7p', $mb);
        // The name stays readable.
        foreach ($ma->toArray() as $o) {
            if ($o['kind'] === 'StatefulSet') {
                $this->assertSame('shop-api', $o['metadata']['labels']['coolify.io/name']);
            }
        }
        $k = new Kubectl(['context' => 'prod']);
        $this->assertSelectsOnly('vgsco4o', $k->apply($ma)['commands']);
        // Stop names the workloads: production's, never the other blog's.
        $stop = implode("\n", $k->stop($ma));
        $this->assertStringContainsString('statefulset.apps/vgsco4o', $stop);
        $this->assertStringNotContainsString('m2x9q7p', $stop);
        $this->assertSelectsOnly('m2x9q7p', $k->delete($mb));
    }

    public function testTwoSameNamedDatabasesShareNoObject(): void
    {
        $a = self::postgres();
        $b = self::postgres();
        $b['uuid'] = 'p9d8b7c6a5';
        $this->assertSame($a['name'], $b['name']);
        $ma = (new Translator())->database('postgresql', $a);
        $mb = (new Translator())->database('postgresql', $b);
        $this->assertSame([], array_values(array_intersect(self::ids($ma), self::ids($mb))));
        $this->assertInstance($a['uuid'], $ma);
        $this->assertSelectsOnly($b['uuid'], (new Kubectl([]))->delete($mb));
    }

    public function testAPreviewBesideProductionNeverTouchesIt(): void
    {
        $prod = self::application();
        $preview = self::application();
        $preview['pull_request_id'] = 7;
        // The deployment's commit: Coolify tags a preview's image pr-N-<commit>.
        $preview['git_commit_sha'] = '9e1d2c3';
        $t = new Translator(['router' => 'traefik']);
        $mp = $t->application($prod);
        $mr = $t->application($preview);
        // One namespace (production's uuid), no object name in common.
        $ns = fn (Manifests $m) => array_values(array_unique(array_filter(array_map(fn ($o) => $o['metadata']['namespace'] ?? null, $m->toArray()))));
        $this->assertSame(['vgsco4o'], $ns($mp));
        $this->assertSame(['vgsco4o'], $ns($mr));
        $this->assertSame([], array_values(array_intersect(self::ids($mp), self::ids($mr))));
        $this->assertInstance('vgsco4o-pr-7', $mr);
        // The preview's prune and delete select the preview only.
        $k = new Kubectl([]);
        $this->assertSelectsOnly('vgsco4o-pr-7', $k->apply($mr)['commands']);
        $this->assertSelectsOnly('vgsco4o-pr-7', $k->delete($mr));
    }

    public function testPreviewVariablesFallBackToProductionOnes(): void
    {
        $app = self::application();
        $app['pull_request_id'] = 3;
        $app['git_commit_sha'] = '9e1d2c3';
        $app['environment_variables'][] = ['key' => 'MAIL_HOST', 'value' => 'smtp.example.com', 'is_preview' => false, 'is_runtime' => true, 'is_buildtime' => false];
        $secrets = [];
        foreach ((new Translator())->application($app)->toArray() as $o) {
            if ($o['kind'] === 'Secret') {
                $secrets += array_map('base64_decode', $o['data'] ?? []);
            }
        }
        // The preview's own DATABASE_URL, production's MAIL_HOST for the key it lacks
        // (ApplicationDeploymentJob::generate_runtime_environment_variables).
        $this->assertSame('postgres://shop:preview@k4o8:5432/preview', $secrets['DATABASE_URL']);
        $this->assertSame('smtp.example.com', $secrets['MAIL_HOST']);
    }

    public function testTwoCopiesOfATemplateInASharedNamespace(): void
    {
        $yaml = <<<'YAML'
            services:
              web:
                image: ghost:5
                environment:
                  - database__connection__host=db
                  - DATABASE_URL=mysql://ghost:${SERVICE_PASSWORD_DB}@db:3306/ghost
                  - SERVICE_URL_WEB_2368
              db:
                image: mysql:8
                volumes:
                  - db-data:/var/lib/mysql
            YAML;
        $copies = [];
        foreach (['x8k2m4q1r7', 'q4w8e2r6t1'] as $uuid) {
            $m = (new Translator(['name' => $uuid, 'namespace_strategy' => 'shared', 'seed' => 's']))->compose($yaml);
            $this->assertInstance($uuid, $m);
            $objects = [];
            foreach ($m->toArray() as $o) {
                $this->assertNotSame('Namespace', $o['kind'], 'the shared namespace is nobody\'s');
                $this->assertSame('coolify', $o['metadata']['namespace']);
                $objects[$o['kind'] . '/' . $o['metadata']['name']] = $o;
            }
            // Coolify's container names, <service>-<uuid>; the neighbour host is the own copy.
            $this->assertArrayHasKey("Service/db-$uuid", $objects);
            $this->assertArrayHasKey("PersistentVolumeClaim/db-data-$uuid", $objects);
            $env = array_column($objects["Deployment/web-$uuid"]['spec']['template']['spec']['containers'][0]['env'], null, 'name');
            $this->assertSame("db-$uuid", $env['database__connection__host']['value']);
            $this->assertSame("mysql://ghost:$(SERVICE_PASSWORD_DB)@db-$uuid:3306/ghost", $env['DATABASE_URL']['value']);
            $copies[] = self::ids($m);
        }
        $this->assertSame([], array_values(array_intersect($copies[0], $copies[1])));
    }

    public function testCoolifyCrossResourceNamesInASharedNamespace(): void
    {
        $t = new Translator(['namespace_strategy' => 'shared', 'router' => 'none']);
        $db = self::postgres();
        $services = [];
        foreach (array_merge($t->database('postgresql', $db)->toArray(), $t->application(self::application())->toArray()) as $o) {
            if ($o['kind'] === 'Service') {
                $services[] = $o['metadata']['namespace'] . '/' . $o['metadata']['name'];
            }
        }
        // internal_db_url's host (StandalonePostgresql::internalDbUrl) and an Application's
        // container name resolve in the destination namespace.
        $this->assertContains('coolify/' . $db['uuid'], $services);
        $this->assertContains('coolify/vgsco4o', $services);
    }
}
