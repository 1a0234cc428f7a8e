<?php

declare(strict_types=1);

namespace Coolify\Kubernetes\Tests;

use Coolify\Kubernetes\Kubectl;
use Coolify\Kubernetes\TranslationException;
use Coolify\Kubernetes\Translator;
use PHPUnit\Framework\TestCase;

/**
 * 20,000 translations (and command builds, and failures) in one process: resident memory
 * after them is no larger than after a warm-up, within a small margin. A size check, not
 * a timing.
 */
final class MemoryTest extends TestCase
{
    private const ROUNDS = 20000;
    private const WARMUP = 2000;
    /** Allowed growth: allocator noise, far below the ~KiB per round a leak would add. */
    private const MARGIN_KIB = 8192;

    public function testResidentMemoryDoesNotGrow(): void
    {
        if (Support::residentKib() === null) {
            $this->markTestSkipped('no /proc/self/status');
        }
        $yaml = (string) file_get_contents(Support::fixture('compose-web-db.yaml'));
        $translator = new Translator(['namespace' => 'acme-prod', 'name' => 'acme']);
        $kubectl = new Kubectl(['context' => 'prod']);
        $translated = 0;
        $round = function () use ($translator, $kubectl, $yaml, &$translated): void {
            $m = $translator->compose($yaml, ['SERVICE_PASSWORD_DB' => 'p4ss']);
            $m->toYaml();
            $m->toArray();
            $translated++;
            $kubectl->apply($m);
            // The failure path too: an exception object with its errors.
            try {
                $translator->compose("services:\n  web:\n    ports: 80\n");
            } catch (TranslationException $e) {
                $e->getErrors();
            }
            try {
                new Kubectl(['bogus' => 1]);
            } catch (TranslationException $e) {
                $e->getInputPath();
            }
        };
        for ($i = 0; $i < self::WARMUP; $i++) {
            $round();
        }
        gc_collect_cycles();
        $before = Support::residentKib();
        for ($i = 0; $i < self::ROUNDS; $i++) {
            $round();
        }
        gc_collect_cycles();
        $after = Support::residentKib();
        $this->assertSame(self::WARMUP + self::ROUNDS, $translated);
        $this->assertLessThan(
            $before + self::MARGIN_KIB,
            $after,
            sprintf('resident memory grew from %d KiB to %d KiB over %d rounds (%d translated)', $before, $after, self::ROUNDS, $translated)
        );
    }
}
