<?php

declare(strict_types=1);

namespace Coolify\Kubernetes\Tests;

use Coolify\Kubernetes\Manifests;
use Coolify\Kubernetes\TranslationException;
use Coolify\Kubernetes\Translator;
use PHPUnit\Framework\TestCase;

/** Translator: options, errors with input paths, translated output, corpus regression. */
final class TranslatorTest extends TestCase
{
    private const WEB = "services:\n  web:\n    image: nginx:1.27\n    ports:\n      - \"8080:80\"\n";

    /** Translate one Compose document. */
    public static function compose(Translator $t, string $yaml, array $env = []): Manifests
    {
        return $t->compose($yaml, $env);
    }

    /**
     * What the Rust corpus tests give as the caller's values (`convert_support::caller_values`):
     * `value` for each required variable without a value of its own (`${VAR:?}`; the translator
     * gives `${TZ:?UTC}` its text, as Coolify stores it); denoKV's volume.
     *
     * @return array<string, string>
     */
    public static function callerValues(string $yaml): array
    {
        $env = [];
        preg_match_all('/(?<!\$)\$\{([A-Za-z0-9_]+):?\?([^}]*)\}/', $yaml, $found, PREG_SET_ORDER);
        foreach ($found as [, $name, $hint]) {
            if (trim($hint) === '') {
                $env[$name] = 'value';
            }
        }
        if (str_contains($yaml, '${COOLIFY_VOLUME_APP}')) {
            $env['COOLIFY_VOLUME_APP'] = 'app-data';
        }
        return $env;
    }

    /** @return array<string, array{0: array<string, mixed>, 1: string}> */
    public static function badOptions(): array
    {
        return [
            'unknown key' => [['routr' => 'traefik'], 'unknown field `routr`'],
            'unknown router' => [['router' => 'nginx'], 'unknown variant `nginx`'],
            'wrong type' => [['network_policies' => 'yes'], 'invalid type'],
            'bad pair' => [['entrypoints' => 'web'], 'expected two names'],
            'list instead of options' => [['a', 'b'], 'options'],
        ];
    }

    /** @dataProvider badOptions */
    #[\PHPUnit\Framework\Attributes\DataProvider('badOptions')]
    public function testOptionErrors(array $options, string $message): void
    {
        try {
            new Translator($options);
            $this->fail('no exception');
        } catch (TranslationException $e) {
            $this->assertStringStartsWith('options', $e->getInputPath());
            $this->assertStringContainsString($message, $e->getMessage());
        }
    }

    public function testAcceptedOptions(): void
    {
        $t = new Translator([
            'namespace' => 'acme-prod', 'name' => 'acme', 'router' => 'traefik', 'ingress_class' => 'nginx',
            'cluster_issuer' => '', 'entrypoints' => 'web,websecure', 'gateway' => 'infra/gw', 'listeners' => ['http', 'https'],
            'storage_class' => 'fast', 'storage_size' => '5Gi', 'bind_mounts' => 'hostpath', 'published_ports' => 'nodeport',
            'network_policies' => true, 'images' => ['app' => 'registry/app:1'], 'seed' => 'abc',
        ]);
        $this->assertInstanceOf(Translator::class, $t);
        $this->assertInstanceOf(Translator::class, new Translator());
        $this->assertInstanceOf(Translator::class, new Translator([]));
    }

    public function testEnvMustHoldScalars(): void
    {
        try {
            (new Translator())->compose(self::WEB, ['A' => ['nested']]);
            $this->fail('no exception');
        } catch (TranslationException $e) {
            $this->assertSame('env.A', $e->getInputPath());
        }
    }

    public function testInputErrorsNameThePath(): void
    {
        $yaml = "services:\n  web:\n    image: nginx\n    ports:\n      - \"80:80\"\n      - \"80800:80\"\n";
        try {
            self::compose(new Translator(), $yaml);
            $this->fail('no exception');
        } catch (TranslationException $e) {
            $this->assertSame('services.web.ports[1]', $e->getInputPath(), $e->getMessage());
            $this->assertStringContainsString('80800', $e->getMessage());
        }
        try {
            self::compose(new Translator(), "services: [\n");
            $this->fail('no exception');
        } catch (TranslationException $e) {
            $this->assertNotSame('', $e->getMessage());
        }
    }

    public function testTranslatesAService(): void
    {
        $m = self::compose(new Translator(['namespace' => 'acme-prod', 'name' => 'acme']), self::WEB);
        $objects = $m->toArray();
        $kinds = array_column($objects, 'kind');
        $this->assertContains('Deployment', $kinds);
        $this->assertContains('Service', $kinds);
        foreach ($objects as $o) {
            if ($o['kind'] !== 'Namespace') {
                $this->assertSame('acme', $o['metadata']['labels']['app.kubernetes.io/instance'] ?? null, $o['kind']);
            }
        }
        $this->assertStringStartsWith('---', $m->toYaml());
        $this->assertSame($objects, json_decode($m->toJson(), true)['items']);
        // Host-published port: reported, not silently dropped.
        $this->assertNotEmpty(array_filter($m->warnings(), fn ($w) => str_contains($w, 'services.web.ports[0]')));
        $this->assertSame(count($m->warnings()), count($m->report()));
        // Deterministic.
        $this->assertSame($m->toYaml(), self::compose(new Translator(['namespace' => 'acme-prod', 'name' => 'acme']), self::WEB)->toYaml());
    }

    /**
     * "Pull latest images & restart" (RestartService with pullLatestImages runs
     * `docker compose pull` before `up`): the option makes this start's pods pull their tags.
     */
    public function testPullLatestImagesPullsEveryTagAgain(): void
    {
        $policy = function (array $options): ?string {
            $m = self::compose(new Translator(['name' => 'acme'] + $options), self::WEB);
            $d = array_values(array_filter($m->toArray(), fn ($o) => $o['kind'] === 'Deployment'))[0];
            return $d['spec']['template']['spec']['containers'][0]['imagePullPolicy'] ?? null;
        };
        $this->assertSame('Always', $policy(['pull_latest_images' => true, 'deployment_id' => 'restart-2']));
        $this->assertNull($policy([]));
    }

    /**
     * Corpus regression: each golden in coolify-k8s-core/tests/golden/ (translate's reviewed
     * outputs) is what the PHP API gives for the same template. Skips while there are none.
     */
    public function testCorpusGoldens(): void
    {
        $goldens = glob(Support::root() . '/coolify-k8s-core/tests/golden/*.yaml') ?: [];
        $shared = Support::shared();
        if ($goldens === [] || $shared === null) {
            $this->markTestSkipped($goldens === [] ? 'no goldens checked in yet' : 'no ../shared corpus');
        }
        $checked = 0;
        foreach ($goldens as $golden) {
            $template = $shared . '/corpus/coolify-templates/' . basename($golden);
            if (!is_file($template)) {
                continue;
            }
            // The Rust golden test's settings: its fixed seed, the resource named after the file,
            // the caller values of its required variables (they are stored in the .env Secret).
            $t = new Translator(['seed' => 'coolify-k8s-golden', 'name' => basename($golden, '.yaml')]);
            $yaml = (string) file_get_contents($template);
            $m = self::compose($t, $yaml, self::callerValues($yaml));
            $this->assertSame(file_get_contents($golden), $m->toYaml(), basename($golden));
            $checked++;
        }
        $this->assertGreaterThan(0, $checked, 'no golden matched a template');
    }
}
