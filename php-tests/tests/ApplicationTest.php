<?php

declare(strict_types=1);

namespace Coolify\Kubernetes\Tests;

use Coolify\Kubernetes\Kubectl;
use Coolify\Kubernetes\Manifests;
use Coolify\Kubernetes\TranslationException;
use Coolify\Kubernetes\Translator;
use PHPUnit\Framework\TestCase;

/**
 * Translator::application(): attributes as `$application->toArray()` gives them with its
 * relations loaded (columns of app/Models/Application.php, ApplicationSetting.php,
 * EnvironmentVariable.php, LocalPersistentVolume.php, LocalFileVolume.php in
 * ../shared/coolify-src), manifests and command lines out.
 */
final class ApplicationTest extends TestCase
{
    /** @return array<string, mixed> */
    private static function model(): array
    {
        return json_decode((string) file_get_contents(Support::fixture('application-model.json')), true, 512, JSON_THROW_ON_ERROR);
    }

    /** @return array<string, array<string, mixed>> kind/name => object */
    private static function objects(Manifests $m): array
    {
        $out = [];
        foreach ($m->toArray() as $o) {
            $out[$o['kind'] . '/' . $o['metadata']['name']] = $o;
        }
        return $out;
    }

    /** @return array<string, array<string, mixed>> name => env entry */
    private static function env(array $workload): array
    {
        return array_column($workload['spec']['template']['spec']['containers'][0]['env'], null, 'name');
    }

    public function testProductionFromTheModel(): void
    {
        $m = (new Translator(['router' => 'traefik']))->application(self::model(), [
            // What generate_coolify_env_variables() gives for this deployment.
            'SOURCE_COMMIT' => '4f2a9c1e',
            'COOLIFY_CONTAINER_NAME' => 'vgsco4o-093015123456',
        ]);
        $o = self::objects($m);
        $this->assertArrayHasKey('StatefulSet/vgsco4o', $o, implode(', ', array_keys($o)));
        $d = $o['StatefulSet/vgsco4o'];
        $c = $d['spec']['template']['spec']['containers'][0];
        $this->assertSame('ghcr.io/acme/shop-api:4f2a9c1', $c['image']);
        $this->assertSame(['cpu' => '1', 'memory' => '512Mi'], $c['resources']['limits']);
        $this->assertSame(['path' => '/health', 'port' => 3000, 'scheme' => 'HTTP'], $c['readinessProbe']['httpGet']);
        $env = self::env($d);
        $this->assertSame('4f2a9c1e', $env['SOURCE_COMMIT']['value']);
        $this->assertSame('vgsco4o-093015123456', $env['COOLIFY_CONTAINER_NAME']['value']);
        $this->assertSame('https://api.shop.example.com,https://shop.example.com/api', $env['COOLIFY_URL']['value']);
        $this->assertSame('api.shop.example.com,shop.example.com/api', $env['COOLIFY_FQDN']['value']);
        $this->assertSame('main', $env['COOLIFY_BRANCH']['value']);
        $this->assertSame('vgsco4o', $env['COOLIFY_RESOURCE_UUID']['value']);
        $this->assertSame('3000', $env['PORT']['value']);
        // A stored variable comes from the Secret; a build-time-only one is not in the pod.
        $this->assertSame(['key' => 'DATABASE_URL', 'name' => 'vgsco4o-secrets'], $env['DATABASE_URL']['valueFrom']['secretKeyRef']);
        $this->assertArrayNotHasKey('NPM_TOKEN', $env);
        $this->assertArrayHasKey('Secret/vgsco4o-secrets', $o);
        // Both FQDNs are routed; the storage is a claim, the file storage a file in the pod.
        $routes = array_filter(array_keys($o), fn (string $k) => str_starts_with($k, 'IngressRoute/'));
        $this->assertNotEmpty($routes);
        $yaml = $m->toYaml();
        $this->assertStringContainsString('Host(`api.shop.example.com`)', $yaml);
        $this->assertStringContainsString('PathPrefix(`/api`)', $yaml);
        $this->assertArrayHasKey('PersistentVolumeClaim/vgsco4o-uploads', $o);
        $this->assertContains('{"feature": true}', $o['ConfigMap/vgsco4o-files']['data']);
        $mounts = array_column($c['volumeMounts'], 'mountPath');
        $this->assertContains('/app/uploads', $mounts);
        $this->assertContains('/app/config.json', $mounts);
        // The secret value is only in the Secret (base64), never in plain text.
        $this->assertStringNotContainsString('hunter2', $yaml);
        foreach ((new Kubectl(['context' => 'prod']))->apply($m)['commands'] as $line) {
            $this->assertStringNotContainsString('hunter2', $line);
        }
        // Build and bookkeeping columns are reported, not silently dropped; `build_pack` is
        // not among them: it chooses the image tag.
        $this->assertContains('build or bookkeeping setting: images are built before deploying to Kubernetes',
            array_column(array_filter($m->report(), fn (array $r) => $r['path'] === 'git_repository'), 'message'));
        $this->assertSame([], array_filter($m->report(), fn (array $r) => $r['path'] === 'build_pack'));
    }

    public function testPreviewUsesPreviewVariablesAndDomains(): void
    {
        $app = self::model();
        $app['pull_request_id'] = 7;
        // The deployment's commit: Coolify tags a preview's image pr-N-<commit>.
        $app['git_commit_sha'] = '9e1d2c3';
        $o = self::objects((new Translator(['router' => 'traefik']))->application($app));
        $this->assertArrayHasKey('StatefulSet/vgsco4o-pr-7', $o, implode(', ', array_keys($o)));
        $this->assertSame('ghcr.io/acme/shop-api:pr-7-9e1d2c3', $o['StatefulSet/vgsco4o-pr-7']['spec']['template']['spec']['containers'][0]['image']);
        $env = self::env($o['StatefulSet/vgsco4o-pr-7']);
        $this->assertSame('https://7.api.shop.example.com,https://7.shop.example.com/api', $env['COOLIFY_URL']['value']);
        $this->assertSame('vgsco4o-pr-7', $env['COOLIFY_CONTAINER_NAME']['value']);
        $this->assertSame('vgsco4o-pr-7-secrets', $env['DATABASE_URL']['valueFrom']['secretKeyRef']['name']);
        $secret = $o['Secret/vgsco4o-pr-7-secrets'];
        $this->assertSame('postgres://shop:preview@k4o8:5432/preview', base64_decode($secret['data']['DATABASE_URL']));
        // Previews publish no host ports (ports_mappings), as on Docker.
        $this->assertArrayHasKey('ports_mappings', array_column($this->reportOf($app), null, 'path'));
    }

    public function testEveryDeploymentStartsNewPodsAsCoolifysJobDoes(): void
    {
        // Coolify starts a new container on every deployment: its id on the pod template
        // makes an apply of an otherwise unchanged application roll the pods.
        $app = self::model();
        $pods = fn (array $a) => self::objects((new Translator())->application($a))['StatefulSet/vgsco4o']['spec']['template'];
        $app['deployment_uuid'] = 'qc8g0w4ckoc0wgo8';
        $first = $pods($app);
        $this->assertSame('qc8g0w4ckoc0wgo8', $first['metadata']['annotations']['coolify.io/deploymentId']);
        $app['deployment_uuid'] = 'zk0o4w8ssg4c8k0c';
        $this->assertNotSame($first, $pods($app));
        $this->assertArrayNotHasKey('deployment_uuid', array_column($this->reportOf($app), null, 'path'));
        // The `deployment_id` option is the same for every kind of resource; the job's own
        // attribute wins over it.
        $byOption = self::objects((new Translator(['deployment_id' => 'opt-1']))->application(self::model()));
        $this->assertSame('opt-1', $byOption['StatefulSet/vgsco4o']['spec']['template']['metadata']['annotations']['coolify.io/deploymentId']);
        $both = self::objects((new Translator(['deployment_id' => 'opt-1']))->application($app));
        $this->assertSame('zk0o4w8ssg4c8k0c', $both['StatefulSet/vgsco4o']['spec']['template']['metadata']['annotations']['coolify.io/deploymentId']);
        // A preview whose commit is still HEAD is tagged with the deployment, as previewImageTag() does.
        $app['pull_request_id'] = 7;
        $app['git_commit_sha'] = 'HEAD';
        $o = self::objects((new Translator())->application($app));
        $this->assertSame('ghcr.io/acme/shop-api:pr-7-zk0o4w8ssg4c8k0c', $o['StatefulSet/vgsco4o-pr-7']['spec']['template']['spec']['containers'][0]['image']);
    }

    public function testOldParserVersionSwapsUrlAndFqdn(): void
    {
        $app = self::model();
        $app['compose_parsing_version'] = '2';
        $env = self::env(self::objects((new Translator())->application($app))['StatefulSet/vgsco4o']);
        $this->assertSame('api.shop.example.com,shop.example.com/api', $env['COOLIFY_URL']['value']);
        $this->assertSame('https://api.shop.example.com,https://shop.example.com/api', $env['COOLIFY_FQDN']['value']);
        // git_commit_sha 'HEAD' is what the job resolves to a commit; unresolved it is 'unknown'.
        $this->assertSame('unknown', $env['SOURCE_COMMIT']['value']);
    }

    public function testBadAttributesNameTheColumn(): void
    {
        $app = self::model();
        $app['ports_exposes'] = '3000,http';
        try {
            (new Translator())->application($app);
            $this->fail('no exception');
        } catch (TranslationException $e) {
            $this->assertSame('ports_exposes[1]', $e->getInputPath());
        }
        try {
            (new Translator())->application(self::model(), ['9X' => 'v']);
            $this->fail('no exception');
        } catch (TranslationException $e) {
            $this->assertSame('env.9X', $e->getInputPath());
        }
        $this->expectException(TranslationException::class);
        (new Translator())->application(['a', 'b']);
    }

    /** @return list<array{path: string, outcome: string, message: string}> */
    private function reportOf(array $app): array
    {
        return (new Translator())->application($app)->report();
    }
}
