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

    public function testApplicationComposeIsWhatCoolifyWrites(): void
    {
        $compose = (new KubernetesDeployment(self::application(), self::SERVER))->application_compose();
        $web = $compose['services']['ao8ks4w'];
        $this->assertSame('ao8ks4w', $compose['name']);
        $this->assertSame('ghcr.io/acme/shop-frontend:1.4.2', $web['image']);
        $this->assertSame(['3000'], $web['expose']);
        $this->assertSame(
            ['PORT' => '3000', 'HOST' => '0.0.0.0', 'COOLIFY_RESOURCE_UUID' => 'ao8ks4w', 'DATABASE_URL' => '${DATABASE_URL}', 'NODE_ENV' => '${NODE_ENV}'],
            $web['environment']
        );
        $this->assertSame('Host(`shop.example.com`) && PathPrefix(`/`)', $web['labels']['traefik.http.routers.https-0-ao8ks4w.rule']);
        $this->assertSame('3000', $web['labels']['traefik.http.services.https-0-ao8ks4w.loadbalancer.server.port']);
        $this->assertSame(['ao8ks4w-uploads:/app/uploads'], $web['volumes']);
        $this->assertSame('512m', $web['mem_limit']);
        $this->assertSame(
            ['CMD-SHELL', 'curl -s -X GET -f http://localhost:3000/healthz > /dev/null || wget -q -O- http://localhost:3000/healthz > /dev/null || exit 1'],
            $web['healthcheck']['test']
        );
        // No secret value in the document: variables are references.
        $this->assertStringNotContainsString('hunter2', json_encode($compose));
    }

    public function testFullRunWhenTranslationIsAvailable(): void
    {
        $env = ['DATABASE_URL' => 'postgres://shop:hunter2@db.internal:5432/shop', 'NODE_ENV' => 'production'];
        $job = new KubernetesDeployment(self::application(), self::SERVER, ['secret_variables' => array_keys($env)], $env);
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
