<?php

declare(strict_types=1);

namespace Coolify\Kubernetes\Tests;

use Coolify\Kubernetes\Kubectl;
use Coolify\Kubernetes\Manifests;
use Coolify\Kubernetes\TranslationException;
use Coolify\Kubernetes\Translator;
use PHPUnit\Framework\Attributes\DataProvider;
use PHPUnit\Framework\TestCase;

/**
 * Hostile arguments into every function of the extension: nested and self-referencing
 * arrays, objects, resources, huge strings, invalid UTF-8, INF/NAN, references. A call
 * returns, or throws a TranslationException (never the "internal error" of a caught Rust
 * panic), or PHP's own TypeError for a parameter's declared type; the process survives.
 */
final class HostileInputTest extends TestCase
{
    private const WEB = "services:\n  web:\n    image: nginx:1.27\n    ports:\n      - \"8080:80\"\n";

    /** @var resource|null */
    private static $resource = null;

    /** @return array<string, mixed> */
    private static function values(): array
    {
        if (self::$resource === null) {
            self::$resource = fopen('php://memory', 'r');
        }
        $deep = 'leaf';
        for ($i = 0; $i < 200; $i++) {
            $deep = ['k' => $deep];
        }
        $selfRef = ['a' => 1];
        $selfRef['self'] = &$selfRef;
        $target = 'referenced';
        $withRef = ['context' => &$target, 'namespace' => &$target];
        return [
            'null' => null,
            'true' => true,
            'false' => false,
            'zero' => 0,
            'negative' => -1,
            'int max' => PHP_INT_MAX,
            'int min' => PHP_INT_MIN,
            'INF' => INF,
            '-INF' => -INF,
            'NAN' => NAN,
            'float' => 1.5,
            'empty string' => '',
            'invalid UTF-8' => "\xff\xfe\xfd",
            'Latin-1' => "caf\xe9: 1\n",
            'NUL' => "a\0b",
            'shell' => "\$(touch /tmp/x) `id` ' \" ; \n",
            'huge string' => str_repeat('a', 8 * 1024 * 1024),
            'huge YAML list' => "x: [" . str_repeat('1,', 200000) . "1]\n",
            'deep YAML' => str_repeat('[', 100000),
            'empty array' => [],
            'list' => [1, 'two', 3.0],
            'nested 200' => $deep,
            'self reference' => $selfRef,
            'references' => $withRef,
            'list of arrays' => [[[]], [['x' => INF]]],
            'array with NAN' => ['a' => NAN],
            'invalid UTF-8 key' => ["\xff" => 'v'],
            'object' => new \stdClass(),
            'closure' => static fn () => 1,
            'ArrayObject' => new \ArrayObject(['a' => 1]),
            'resource' => self::$resource,
        ];
    }

    /**
     * Each call under test, taking one hostile value.
     *
     * @return array<string, callable(mixed): mixed>
     */
    private static function calls(): array
    {
        $m = (new Translator(['seed' => 'hostile']))->compose(self::WEB);
        $k = new Kubectl();
        $calls = [
            'new Translator($v)' => static fn ($v) => new Translator($v),
            'Translator->compose($v)' => static fn ($v) => (new Translator())->compose($v),
            'Translator->compose(WEB, $v)' => static fn ($v) => (new Translator())->compose(self::WEB, $v),
            'Translator->compose(WEB, [A => $v])' => static fn ($v) => (new Translator())->compose(self::WEB, ['A' => $v]),
            'new Kubectl($v)' => static fn ($v) => new Kubectl($v),
            'Manifests::fromJson($v)' => static fn ($v) => Manifests::fromJson($v),
            'Kubectl->apply($v)' => static fn ($v) => $k->apply($v),
            'Kubectl->rolloutStatus(m, $v)' => static fn ($v) => $k->rolloutStatus($m, $v),
            'Kubectl->delete(m, $v)' => static fn ($v) => $k->delete($m, $v),
            'Kubectl->parseStatus(m, $v)' => static fn ($v) => $k->parseStatus($m, $v),
            'Kubectl->logs(m, $v)' => static fn ($v) => $k->logs($m, $v),
            'Kubectl->logs(m, web, $v)' => static fn ($v) => $k->logs($m, 'web', $v),
            'Kubectl->exec(m, web, $v)' => static fn ($v) => $k->exec($m, 'web', $v),
            'Kubectl->exec(m, web, [sh], $v)' => static fn ($v) => $k->exec($m, 'web', ['sh'], $v),
            'Kubectl->exec(m, web, [$v])' => static fn ($v) => $k->exec($m, 'web', [$v]),
            'Kubectl->exec(m, web, [sh], null, $v)' => static fn ($v) => $k->exec($m, 'web', ['sh'], null, $v),
            'Kubectl->exec(m, web, [sh], null, [pod => $v])' => static fn ($v) => $k->exec($m, 'web', ['sh'], null, ['pod' => $v]),
            'Kubectl->exec(m, web, [sh], null, [stdout_file => $v])' => static fn ($v) => $k->exec($m, 'web', ['sh'], null, ['stdout_file' => $v]),
            'Kubectl->restart($v)' => static fn ($v) => $k->restart($v),
            'Kubectl->stop($v)' => static fn ($v) => $k->stop($v),
            'Kubectl->start($v)' => static fn ($v) => $k->start($v),
            'Kubectl->status($v)' => static fn ($v) => $k->status($v),
            'Kubectl->pods($v)' => static fn ($v) => $k->pods($v),
            'Kubectl->parsePods($v)' => static fn ($v) => $k->parsePods($v),
            'Kubectl->parseStatusPoll($v)' => static fn ($v) => $k->parseStatusPoll($v),
            'Kubectl->parseStatus($v, x)' => static fn ($v) => $k->parseStatus($v, ''),
            'Kubectl->logs(m, web, 10, $v)' => static fn ($v) => $k->logs($m, 'web', 10, $v),
            'Kubectl->logs(m, web, 10, [since => $v])' => static fn ($v) => $k->logs($m, 'web', 10, ['since' => $v]),
            'Kubectl->logs(m, web, 10, [container => $v])' => static fn ($v) => $k->logs($m, 'web', 10, ['container' => $v]),
            'Kubectl->terminal(m, $v)' => static fn ($v) => $k->terminal($m, $v),
            'Kubectl->terminal(m, web, $v)' => static fn ($v) => $k->terminal($m, 'web', $v),
            'Kubectl->terminal(m, web, null, $v)' => static fn ($v) => $k->terminal($m, 'web', null, $v),
            'Kubectl->scheduledTask(m, $v)' => static fn ($v) => $k->scheduledTask($m, $v),
            'Kubectl->scheduledTask(m, date, $v)' => static fn ($v) => $k->scheduledTask($m, 'date', $v),
            'Kubectl->copyIn(m, web, $v, /tmp/x)' => static fn ($v) => $k->copyIn($m, 'web', $v, '/tmp/x'),
            'Kubectl->copyIn(m, web, /srv/x, $v)' => static fn ($v) => $k->copyIn($m, 'web', '/srv/x', $v),
            'Kubectl->copyOut(m, $v, /tmp/x, /srv/x)' => static fn ($v) => $k->copyOut($m, $v, '/tmp/x', '/srv/x'),
            'Kubectl->copyOut(m, web, /tmp/x, /srv/x, $v)' => static fn ($v) => $k->copyOut($m, 'web', '/tmp/x', '/srv/x', $v),
            'Manifests->toJson($v)' => static fn ($v) => $m->toJson($v),
        ];
        $calls += self::modelCalls($m);
        $translatorOptions = [
            'namespace', 'name', 'router', 'ingress_class', 'cluster_issuer', 'entrypoints', 'gateway',
            'listeners', 'storage_class', 'storage_size', 'bind_mounts', 'published_ports',
            'network_policies', 'images', 'seed', 'labels', 'annotations', 'secret_variables',
            'profiles', 'ingress_controller', 'base_domain', 'autoscale', 'volume_sizes',
            'image_pull_secrets', 'registry',
        ];
        foreach ($translatorOptions as $key) {
            $calls["new Translator([$key => \$v])"] = static fn ($v) => (new Translator([$key => $v]))->compose(self::WEB);
        }
        foreach (['kubeconfig', 'context', 'namespace', 'extra_flags', 'sudo', 'create_namespace', 'files_dir'] as $key) {
            $calls["new Kubectl([$key => \$v])"] = static fn ($v) => (new Kubectl([$key => $v]))->apply($m);
        }
        return $calls;
    }

    /** @return array<string, mixed> */
    private static function application(): array
    {
        return json_decode((string) file_get_contents(Support::fixture('application-model.json')), true, 512, JSON_THROW_ON_ERROR);
    }

    /** @return array<string, mixed> */
    private static function postgresql(): array
    {
        $file = Support::root() . '/coolify-k8s-core/tests/testdata/databases/postgresql.json';
        return json_decode((string) file_get_contents($file), true, 512, JSON_THROW_ON_ERROR);
    }

    /**
     * `application()`, `database()` and `withPullSecret()` with the value in every argument,
     * every column of a real model, and as an `$env` key's value.
     *
     * @return array<string, callable(mixed): mixed>
     */
    private static function modelCalls(Manifests $m): array
    {
        $t = new Translator(['seed' => 'hostile']);
        $app = self::application();
        $pg = self::postgresql();
        $calls = [
            'Translator->application($v)' => static fn ($v) => $t->application($v),
            'Translator->application(app, $v)' => static fn ($v) => $t->application($app, $v),
            'Translator->application(app, [A => $v])' => static fn ($v) => $t->application($app, ['A' => $v]),
            'Translator->database($v, pg)' => static fn ($v) => $t->database($v, $pg),
            'Translator->database(postgresql, $v)' => static fn ($v) => $t->database('postgresql', $v),
            'Translator->database(postgresql, pg, $v)' => static fn ($v) => $t->database('postgresql', $pg, $v),
            'Translator->database(postgresql, pg, [A => $v])' => static fn ($v) => $t->database('postgresql', $pg, ['A' => $v]),
            'Manifests->withPullSecret($v, …)' => static fn ($v) => $m->withPullSecret($v, 'r.example.com', 'u', 'p'),
            'Manifests->withPullSecret(n, $v, …)' => static fn ($v) => $m->withPullSecret('n', $v, 'u', 'p'),
            'Manifests->withPullSecret(n, r, $v, p)' => static fn ($v) => $m->withPullSecret('n', 'r.example.com', $v, 'p'),
            'Manifests->withPullSecret(n, r, u, $v)' => static fn ($v) => $m->withPullSecret('n', 'r.example.com', 'u', $v),
        ];
        foreach (array_keys($app) as $column) {
            $calls["Translator->application([$column => \$v])"] = static fn ($v) => $t->application(array_replace($app, [$column => $v]));
        }
        foreach (array_keys($pg) as $column) {
            $calls["Translator->database(postgresql, [$column => \$v])"] = static fn ($v) => $t->database('postgresql', array_replace($pg, [$column => $v]));
        }
        return $calls;
    }

    /** @return array<string, array{0: string}> */
    public static function callNames(): array
    {
        $out = [];
        foreach (array_keys(self::calls()) as $name) {
            $out[$name] = [$name];
        }
        return $out;
    }

    /** @dataProvider callNames */
    #[DataProvider('callNames')]
    public function testHostileValuesNeverCrash(string $call): void
    {
        $f = self::calls()[$call];
        $outcomes = [];
        foreach (self::values() as $name => $value) {
            try {
                $f($value);
                $outcomes[$name] = 'returned';
            } catch (TranslationException $e) {
                $this->assertStringNotContainsString('internal error', $e->getMessage(), "$call with $name: a Rust panic");
                $this->assertNotSame('', $e->getMessage());
                $outcomes[$name] = 'TranslationException';
            } catch (\TypeError $e) {
                // PHP's own check of a declared parameter type (array, int, Manifests).
                $outcomes[$name] = 'TypeError';
            }
        }
        $this->assertCount(count(self::values()), $outcomes, $call);
    }

    /**
     * `application()`, `database()` and `withPullSecret()` take every argument as any value:
     * no hostile value raises PHP's TypeError, which Coolify's `catch (Exception $e)` misses.
     */
    public function testModelArgumentsNeverRaiseTypeError(): void
    {
        $m = (new Translator(['seed' => 'hostile']))->compose(self::WEB);
        foreach (self::modelCalls($m) as $call => $f) {
            foreach (self::values() as $name => $value) {
                try {
                    $f($value);
                } catch (TranslationException $e) {
                    $this->assertStringNotContainsString('internal error', $e->getMessage(), "$call with $name");
                } catch (\TypeError $e) {
                    $this->fail("$call with $name: TypeError " . $e->getMessage());
                }
            }
        }
    }

    public function testModelTextThatIsNotUtf8NamesTheArgumentTheKeyAndTheOffset(): void
    {
        $t = new Translator();
        $cases = [
            'type' => static fn () => $t->database("postgre\xe9", self::postgresql()),
            'name' => static fn () => $t->application(array_replace(self::application(), ['name' => "Caf\xe9"])),
            'postgres_password' => static fn () => $t->database('postgresql', array_replace(self::postgresql(), ['postgres_password' => "pw\xe9"])),
            'environment_variables[0].value' => static fn () => $t->application(array_replace(self::application(), [
                'environment_variables' => [['key' => 'A', 'value' => "Z\xfcrich"]],
            ])),
            'env.CITY' => static fn () => $t->database('postgresql', self::postgresql(), ['CITY' => "Z\xfcrich"]),
            'password' => static fn () => (new Translator())->compose(self::WEB)->withPullSecret('regcred', 'r.example.com', 'ci', "s\xe9cret"),
        ];
        foreach ($cases as $path => $f) {
            try {
                $f();
                $this->fail("$path: no exception");
            } catch (TranslationException $e) {
                $this->assertSame($path, $e->getInputPath(), $e->getMessage());
                $this->assertMatchesRegularExpression('/not UTF-8 at byte \d+/', $e->getMessage());
                $this->assertStringNotContainsString("s\xe9cret", $e->getMessage());
            }
        }
        foreach ([42, null, 'text', new \stdClass()] as $value) {
            foreach ([
                'attributes' => static fn () => $t->application($value),
                'env' => static fn () => $t->application(self::application(), is_null($value) ? 7 : $value),
            ] as $path => $f) {
                try {
                    $f();
                    $this->fail("$path: no exception");
                } catch (TranslationException $e) {
                    $this->assertSame($path, $e->getInputPath());
                    $this->assertStringContainsString('must be an array', $e->getMessage());
                }
            }
        }
        // A NUL byte in a value is text like any other: in a name it is an error naming the key.
        try {
            $t->database('postgresql', self::postgresql(), ["A\0B" => 'v']);
            $this->fail('no exception');
        } catch (TranslationException $e) {
            $this->assertSame("env[\"A\0B\"]", $e->getInputPath());
        }
    }

    public function testComposeTextThatIsNotUtf8NamesTheArgumentAndTheOffset(): void
    {
        $latin1 = "services:\n  web:\n    image: nginx\n    environment:\n      CITY: Z\xfcrich\n";
        try {
            (new Translator())->compose($latin1);
            $this->fail('no exception');
        } catch (TranslationException $e) {
            $this->assertSame('yaml', $e->getInputPath());
            $this->assertStringContainsString('not UTF-8 at byte ' . strpos($latin1, "\xfc"), $e->getMessage());
        }
    }

    public function testComposeTextThatIsNotAStringIsATranslationException(): void
    {
        foreach ([null, 42, ['services' => []], new \stdClass()] as $value) {
            try {
                (new Translator())->compose($value);
                $this->fail('no exception');
            } catch (TranslationException $e) {
                $this->assertSame('yaml', $e->getInputPath());
                $this->assertStringContainsString('must be a string', $e->getMessage());
            }
        }
    }

    public function testManifestsJsonThatIsNotUtf8NamesTheArgumentAndTheOffset(): void
    {
        try {
            Manifests::fromJson("[{\"kind\": \"Caf\xe9\"}]");
            $this->fail('no exception');
        } catch (TranslationException $e) {
            $this->assertSame('json', $e->getInputPath());
            $this->assertStringContainsString('not UTF-8 at byte 14', $e->getMessage());
        }
    }

    public function testAnArrayKeyThatIsNotUtf8IsATranslationException(): void
    {
        // ext-php-rs's array iterator panics on such a key; the conversion reads raw keys.
        try {
            new Translator(['labels' => ["a\xffb" => 'v']]);
            $this->fail('no exception');
        } catch (TranslationException $e) {
            $this->assertSame('options.labels', $e->getInputPath());
            $this->assertStringContainsString('array key is not UTF-8 (at byte 1)', $e->getMessage());
        }
    }

    public function testAMessageQuotingANulByteIsThrown(): void
    {
        // PHP cannot throw a message that holds NUL: it is written as \0.
        try {
            new Translator(['router' => "a\0b"]);
            $this->fail('no exception');
        } catch (TranslationException $e) {
            $this->assertStringContainsString('unknown variant `a\\0b`', $e->getMessage());
        }
    }

    /**
     * Issue 14: every string argument of every Kubectl method takes any value; invalid
     * UTF-8 and wrong types are a TranslationException naming the argument (and the byte),
     * which Coolify's `catch (Exception $e)` catches, never PHP's TypeError.
     *
     * @return array<string, array{0: string, 1: callable(mixed): mixed}>
     */
    public static function stringArguments(): array
    {
        $m = (new Translator(['seed' => 'hostile']))->compose(self::WEB);
        $k = new Kubectl();
        return [
            'resource' => ['resource', static fn ($v) => $k->stop($v)],
            'apply resource' => ['resource', static fn ($v) => $k->apply($v)],
            'logs service' => ['service', static fn ($v) => $k->logs($m, $v)],
            'exec service' => ['service', static fn ($v) => $k->exec($m, $v, ['sh'])],
            'exec command element' => ['command[1]', static fn ($v) => $k->exec($m, 'web', ['sh', $v])],
            'exec container' => ['container', static fn ($v) => $k->exec($m, 'web', ['sh'], $v)],
            'exec options pod' => ['pod', static fn ($v) => $k->exec($m, 'web', ['sh'], null, ['pod' => $v])],
            'logs options since' => ['since', static fn ($v) => $k->logs($m, 'web', 10, ['since' => $v])],
            'terminal service' => ['service', static fn ($v) => $k->terminal($m, $v)],
            'terminal container' => ['container', static fn ($v) => $k->terminal($m, 'web', $v)],
            'terminal pod' => ['pod', static fn ($v) => $k->terminal($m, 'web', null, $v)],
            'scheduledTask command' => ['command', static fn ($v) => $k->scheduledTask($m, $v)],
            'scheduledTask service' => ['service', static fn ($v) => $k->scheduledTask($m, 'date', $v)],
            'copyIn from' => ['from', static fn ($v) => $k->copyIn($m, 'web', $v, '/tmp/x')],
            'copyOut to' => ['to', static fn ($v) => $k->copyOut($m, 'web', '/tmp/x', $v)],
            'parseStatus output' => ['output', static fn ($v) => $k->parseStatus($m, $v)],
            'parsePods output' => ['output', static fn ($v) => $k->parsePods($v)],
            'parseStatusPoll output' => ['output', static fn ($v) => $k->parseStatusPoll($v)],
            'Kubectl option context' => ['context', static fn ($v) => new Kubectl(['context' => $v])],
        ];
    }

    /** @dataProvider stringArguments */
    #[DataProvider('stringArguments')]
    public function testEveryKubectlStringArgumentNamesItselfAndTheByte(string $argument, callable $call): void
    {
        $text = "ok-\xe9-latin1";
        foreach (['not UTF-8 at byte 3' => $text, 'must be' => 42, 'must be ' => new \stdClass()] as $expect => $value) {
            try {
                $call($value);
                $this->fail("$argument: no exception for " . get_debug_type($value));
            } catch (TranslationException $e) {
                $this->assertSame($argument, $e->getInputPath(), $e->getMessage());
                $this->assertStringContainsString(trim($expect), $e->getMessage());
            }
        }
    }

    public function testAReferencedYamlStringIsRead(): void
    {
        $yaml = self::WEB;
        $ref = &$yaml;
        $this->assertGreaterThan(0, (new Translator())->compose($ref)->count());
    }
}
