<?php

declare(strict_types=1);

namespace Coolify\Kubernetes\Tests;

use Coolify\Kubernetes\Manifests;
use PHPUnit\Framework\TestCase;

/** Manifests: rendering and the JSON round trip, on the hand-written fixture. */
final class ManifestsTest extends TestCase
{
    public function testFromJsonAcceptsAListAnArrayAndOneObject(): void
    {
        $m = Support::manifests();
        $this->assertSame(5, $m->count());
        $objects = $m->toArray();
        $this->assertSame(['Namespace', 'Secret', 'Deployment', 'StatefulSet', 'Service'], array_column($objects, 'kind'));
        $this->assertSame($objects, Manifests::fromJson(json_encode($objects))->toArray());
        $this->assertSame(1, Manifests::fromJson(json_encode($objects[2]))->count());
        $this->assertSame([], $m->warnings());
        $this->assertSame([], $m->report());
    }

    public function testToJsonRoundTrips(): void
    {
        $m = Support::manifests();
        $json = $m->toJson();
        $this->assertSame('List', json_decode($json, true)['kind']);
        $this->assertSame($m->toArray(), Manifests::fromJson($json)->toArray());
    }

    public function testToYamlHasOneDocumentPerObject(): void
    {
        $yaml = Support::manifests()->toYaml();
        $this->assertSame(5, substr_count($yaml, "---\n"));
        $this->assertStringContainsString('kind: StatefulSet', $yaml);
        $this->assertStringContainsString('replicas: 2', $yaml);
    }

    public function testTypesSurviveTheBridge(): void
    {
        $m = Manifests::fromJson('[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":"1"},"x":{"i":3,"f":1.5,"b":true,"n":null,"l":[1,"two"]}}]');
        $o = $m->toArray()[0];
        $this->assertSame(['i' => 3, 'f' => 1.5, 'b' => true, 'n' => null, 'l' => [1, 'two']], $o['x']);
        $this->assertSame('1', $o['data']['a']);
    }
}
