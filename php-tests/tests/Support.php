<?php

declare(strict_types=1);

namespace Coolify\Kubernetes\Tests;

use Coolify\Kubernetes\Manifests;

/** Paths and fixtures shared by the tests. */
final class Support
{
    public static function root(): string
    {
        return dirname(__DIR__, 2);
    }

    public static function fixture(string $name): string
    {
        return __DIR__ . '/../fixtures/' . $name;
    }

    /** The hand-written resource the command-builder tests use (see fixtures/README.md). */
    public static function manifests(): Manifests
    {
        return Manifests::fromJson((string) file_get_contents(self::fixture('acme.json')));
    }

    /** `../shared` beside the checkout (corpus, schemas), or null when absent. */
    public static function shared(): ?string
    {
        $dir = dirname(self::root()) . '/shared';
        return is_dir($dir) ? $dir : null;
    }

    /** Resident memory of this process in KiB (Linux), or null elsewhere. */
    public static function residentKib(): ?int
    {
        $status = @file_get_contents('/proc/self/status');
        if ($status === false || !preg_match('/^VmRSS:\s+(\d+) kB/m', $status, $m)) {
            return null;
        }
        return (int) $m[1];
    }
}
