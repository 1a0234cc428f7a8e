<?php

declare(strict_types=1);

namespace Coolify\Kubernetes\Tests;

use Coolify\Kubernetes\Kubectl;
use Coolify\Kubernetes\KubernetesException;
use Coolify\Kubernetes\Manifests;
use Coolify\Kubernetes\TranslationException;
use Coolify\Kubernetes\Translator;
use PHPUnit\Framework\TestCase;

/** The exception hierarchy: one base to catch everything, input errors under it. */
final class ExceptionTest extends TestCase
{
    public function testHierarchy(): void
    {
        $this->assertSame(
            [KubernetesException::class, \RuntimeException::class, \Exception::class],
            array_values(class_parents(TranslationException::class))
        );
        $this->assertSame([\RuntimeException::class, \Exception::class], array_values(class_parents(KubernetesException::class)));
    }

    /** @return array<string, array{0: callable}> */
    public static function failures(): array
    {
        return [
            'translator options' => [fn () => new Translator(['routr' => 'x'])],
            'compose text' => [fn () => (new Translator())->compose("services: [\n")],
            'application attributes' => [fn () => (new Translator())->application(['name' => 'a'])],
            'kubectl options' => [fn () => new Kubectl(['sudo' => 'yes'])],
            'stored manifests' => [fn () => Manifests::fromJson('{')],
            'panic' => [fn () => coolify_k8s_selftest_panic()],
        ];
    }

    /** @dataProvider failures */
    #[\PHPUnit\Framework\Attributes\DataProvider('failures')]
    public function testEveryFailureIsAKubernetesException(callable $f): void
    {
        try {
            $f();
            $this->fail('no exception');
        } catch (KubernetesException $e) {
            // Input errors are TranslationExceptions; existing `catch (\RuntimeException)` still works.
            $this->assertInstanceOf(TranslationException::class, $e);
            $this->assertInstanceOf(\RuntimeException::class, $e);
        }
    }
}
