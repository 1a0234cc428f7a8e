<?php

declare(strict_types=1);

namespace Coolify\Kubernetes\Tests;

use App\Jobs\KubernetesDeployment;
use Coolify\Kubernetes\Kubectl;
use PHPUnit\Framework\TestCase;

require_once Support::root() . '/examples/php/KubernetesDeployment.php';

/** examples/php: the deployment-job example produces the batches of the Kubectl API. */
final class ExampleTest extends TestCase
{
    private const SERVER = ['context' => 'prod'];

    private static function application(): array
    {
        return json_decode((string) file_get_contents(Support::root() . '/examples/php/application.json'), true, 512, JSON_THROW_ON_ERROR);
    }

    public function testBatchesReplaceTheDockerSteps(): void
    {
        $m = Support::manifests();
        $job = (new KubernetesDeployment(self::application(), self::SERVER))->with_manifests($m);
        $job->rolling_update();
        $job->health_check();
        $job->stop_running_container();
        $job->lifecycle_batches();
        $k = new Kubectl(self::SERVER);
        $batches = $job->batches();
        $this->assertSame(
            ['Prepare the upload directory', 'Apply manifests (replaces docker compose up -d)', 'Remove the uploaded files',
             'Wait for the rollout (replaces the health check loop)', 'Read the status (replaces docker ps / inspect)',
             'Stop (replaces docker stop)', 'Start (replaces docker start)', 'Restart (replaces docker restart)', 'Delete, keeping volumes (replaces docker compose down)'],
            array_column($batches, 'title')
        );
        $apply = $k->apply($m);
        $this->assertSame($apply['prepare'], $batches[0]['commands']);
        $this->assertSame($apply['commands'], $batches[1]['commands']);
        $this->assertSame($apply['cleanup'], $batches[2]['commands']);
        $this->assertSame($apply['files'], $job->uploads());
        // start period 5 + interval 5 x retries 10 + 300 seconds of rollout.
        $this->assertSame($k->rolloutStatus($m, 355), $batches[3]['commands']);
        $this->assertSame($k->status($m), $batches[4]['commands']);
        $this->assertSame($k->delete($m, false), $batches[8]['commands']);
        $heredoc = KubernetesDeployment::as_heredoc($batches[5]);
        $this->assertMatchesRegularExpression("/^ssh root@kube-host 'bash -se' << \\\\(EOF_COOLIFY_[0-9A-F]{12})\n.*\n\\1\n\$/s", $heredoc);
    }

    public function testApplicationGoesThroughTranslatorApplication(): void
    {
        // The stored variables are in the attributes; $env is the job's generated values.
        $job = new KubernetesDeployment(self::application(), self::SERVER, [], ['SOURCE_COMMIT' => '4f2a9c1']);
        $m = $job->generate_manifests();
        $deployment = null;
        foreach ($m->toArray() as $o) {
            if (in_array($o['kind'], ['Deployment', 'StatefulSet'], true)) {
                $deployment = $o;
            }
        }
        $this->assertNotNull($deployment);
        $c = $deployment['spec']['template']['spec']['containers'][0];
        $this->assertSame('ghcr.io/acme/shop-frontend:1.4.2', $c['image']);
        $env = array_column($c['env'], null, 'name');
        $this->assertSame('4f2a9c1', $env['SOURCE_COMMIT']['value']);
        $this->assertSame('ao8ks4w-secrets', $env['DATABASE_URL']['valueFrom']['secretKeyRef']['name']);
        $this->assertSame('/healthz', $c['readinessProbe']['httpGet']['path']);
        $this->assertStringNotContainsString('hunter2', $m->toYaml());
        $this->assertFalse(method_exists($job, 'application_compose'), 'the Compose fallback is gone');
    }

    public function testFullRunWhenTranslationIsAvailable(): void
    {
        $job = new KubernetesDeployment(self::application(), self::SERVER);
        $job->handle();
        // Prepare, apply, cleanup, wait, status.
        $this->assertCount(5, $job->batches());
        foreach ($job->batches() as $batch) {
            foreach ($batch['commands'] as $line) {
                $this->assertStringNotContainsString('hunter2', $line);
            }
        }
    }
}
