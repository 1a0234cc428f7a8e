<?php

// Laravel's Process facade (Laravel 10+) for an older Laravel: forwards to FakeProcess.

declare(strict_types=1);

namespace Illuminate\Support\Facades;

final class Process
{
    public static function __callStatic(string $method, array $args)
    {
        return (new \Coolify\Kubernetes\Tests\FakeProcess())->$method(...$args);
    }
}
