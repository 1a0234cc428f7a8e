<?php

declare(strict_types=1);

namespace Coolify\Kubernetes\Tests;

use Coolify\Kubernetes\Kubectl;
use Coolify\Kubernetes\Manifests;
use Coolify\Kubernetes\TranslationException;
use Coolify\Kubernetes\Translator;
use PHPUnit\Framework\TestCase;

/** The extension is there, with the API of ARCHITECTURE.md. Runs first (alphabetical order is not relied on: bootstrap.php checks too). */
final class ExtensionTest extends TestCase
{
    public function testExtensionIsLoaded(): void
    {
        $this->assertTrue(extension_loaded('coolify_k8s'));
        $this->assertSame('0.1.0', phpversion('coolify_k8s'));
        $this->assertSame('0.1.0', \coolify_k8s_version());
    }

    public function testClassesExist(): void
    {
        foreach ([Translator::class, Manifests::class, Kubectl::class, TranslationException::class] as $class) {
            $this->assertTrue(class_exists($class), $class);
        }
        $this->assertContains(\RuntimeException::class, class_parents(TranslationException::class));
    }

    public function testMethodsOfThePublicSurface(): void
    {
        $expected = [
            Translator::class => ['__construct', 'compose'],
            Manifests::class => ['toYaml', 'toJson', 'toArray', 'warnings', 'report', 'fromJson', 'count'],
            Kubectl::class => ['__construct', 'apply', 'rolloutStatus', 'restart', 'stop', 'start', 'delete', 'status', 'parseStatus', 'logs', 'exec'],
            TranslationException::class => ['getInputPath', 'getErrors', 'getMessage'],
        ];
        foreach ($expected as $class => $methods) {
            foreach ($methods as $method) {
                $this->assertTrue(method_exists($class, $method), "$class::$method");
            }
        }
    }

    public function testARustPanicBecomesAnException(): void
    {
        try {
            \coolify_k8s_selftest_panic();
            $this->fail('no exception');
        } catch (TranslationException $e) {
            $this->assertStringStartsWith('internal error in coolify-k8s', $e->getMessage());
            $this->assertSame('', $e->getInputPath());
        }
        // And PHP goes on working with the extension.
        $this->assertNotEmpty((new Kubectl())->restart(Support::manifests()));
    }

    public function testTranslationExceptionCannotBeFaked(): void
    {
        // A Rust-defined exception class is thrown by the extension, not constructed by users.
        $this->expectException(\Throwable::class);
        new TranslationException('x');
    }
}
