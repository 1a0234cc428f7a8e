<?php

// Loaded after Coolify's app/Traits/ExecuteRemoteCommand.php (see load.php).

declare(strict_types=1);

namespace Coolify\Kubernetes\Tests;

/** A deployment job with Coolify's ExecuteRemoteCommand trait, unchanged. */
final class FakeDeploymentJob
{
    use \App\Traits\ExecuteRemoteCommand;

    public \App\Models\Server $server;
    public FakeDeploymentQueue $application_deployment_queue;
    public \Illuminate\Support\Collection $saved_outputs;

    public function __construct(\App\Models\Server $server)
    {
        $this->server = $server;
        $this->application_deployment_queue = new FakeDeploymentQueue();
        $this->saved_outputs = collect();
    }
}

