<?php

declare(strict_types=1);

namespace Coolify\Kubernetes\Tests;

use Coolify\Kubernetes\Kubectl;
use Coolify\Kubernetes\Manifests;
use Coolify\Kubernetes\TranslationException;
use Coolify\Kubernetes\Translator;
use PHPUnit\Framework\TestCase;

/**
 * Translator::database(): each kind from attributes shaped like its Coolify model
 * (coolify-k8s-core/tests/testdata/databases/<kind>.json, columns of
 * ../shared/coolify-src/app/Models/Standalone*.php), manifests and command lines out.
 */
final class DatabaseTest extends TestCase
{
    /** @return array<string, array{0: string}> */
    public static function kinds(): array
    {
        $out = [];
        foreach (['postgresql', 'mysql', 'mariadb', 'mongodb', 'redis', 'keydb', 'dragonfly', 'clickhouse'] as $k) {
            $out[$k] = [$k];
        }
        return $out;
    }

    /** @return array<string, mixed> */
    private static function model(string $kind): array
    {
        $file = Support::root() . "/coolify-k8s-core/tests/testdata/databases/$kind.json";
        return json_decode((string) file_get_contents($file), true, 512, JSON_THROW_ON_ERROR);
    }

    /** @dataProvider kinds */
    #[\PHPUnit\Framework\Attributes\DataProvider('kinds')]
    public function testEveryKind(string $kind): void
    {
        $attrs = self::model($kind);
        $m = (new Translator(['published_ports' => 'nodeport']))->database($kind, $attrs);
        $this->assertInstanceOf(Manifests::class, $m);
        $sts = null;
        $public = [];
        foreach ($m->toArray() as $o) {
            if ($o['kind'] === 'StatefulSet') {
                $sts = $o;
            }
            if ($o['kind'] === 'Service' && ($o['spec']['type'] ?? '') === 'NodePort') {
                $public[] = $o;
            }
        }
        $this->assertNotNull($sts);
        $this->assertSame($attrs['uuid'], $sts['metadata']['name']);
        $this->assertSame($attrs['image'], $sts['spec']['template']['spec']['containers'][0]['image']);
        $this->assertCount($attrs['is_public'] ? 1 : 0, $public);
        // No password outside the Secret, nor in any command line.
        $passwords = array_values(array_filter($attrs, fn ($v, $k) => is_string($v) && str_ends_with($k, 'password'), ARRAY_FILTER_USE_BOTH));
        $this->assertNotEmpty($passwords);
        $lines = (new Kubectl(['context' => 'prod']))->apply($m)['commands'];
        foreach ($passwords as $pw) {
            $this->assertStringNotContainsString($pw, implode("\n", $lines));
            foreach ($m->toArray() as $o) {
                if ($o['kind'] !== 'Secret') {
                    $this->assertStringNotContainsString($pw, json_encode($o), "$kind: {$o['kind']}");
                }
            }
        }
    }

    /**
     * enable_ssl (StartMysql.php): the key from the file storages only in a Secret, the
     * server's CA from `ca_certificate`, the TLS arguments; without the CA, an exception
     * naming the attribute.
     */
    public function testEnableSslWithTheFileStoragesAndTheServersCa(): void
    {
        $attrs = self::model('mysql');
        $attrs['enable_ssl'] = true;
        $attrs['ca_certificate'] = "-----BEGIN CERTIFICATE-----\nMIIB-ca\n-----END CERTIFICATE-----\n";
        $attrs['file_storages'] = [
            ['mount_path' => '/etc/mysql/certs/server.crt', 'content' => "-----BEGIN CERTIFICATE-----\nMIIB-crt\n-----END CERTIFICATE-----\n", 'chmod' => '644', 'is_directory' => false],
            ['mount_path' => '/etc/mysql/certs/server.key', 'content' => "-----BEGIN PRIVATE KEY-----\nMIIE-key-0c1f\n-----END PRIVATE KEY-----\n", 'chmod' => '600', 'is_directory' => false],
        ];
        $m = (new Translator())->database('mysql', $attrs);
        $args = null;
        foreach ($m->toArray() as $o) {
            if ($o['kind'] !== 'Secret') {
                $this->assertStringNotContainsString('MIIE-key-0c1f', json_encode($o), $o['kind']);
            }
            if ($o['kind'] === 'StatefulSet') {
                $args = $o['spec']['template']['spec']['containers'][0]['args'];
            }
        }
        $this->assertContains('--require-secure-transport=1', $args);
        $this->assertContains('--ssl-ca=/etc/mysql/certs/coolify-ca.crt', $args);
        unset($attrs['ca_certificate']);
        try {
            (new Translator())->database('mysql', $attrs);
            $this->fail('no exception');
        } catch (TranslationException $e) {
            $this->assertSame('ca_certificate', $e->getInputPath());
        }
    }

    public function testCoolifyTypeNamesAndErrors(): void
    {
        $t = new Translator();
        $this->assertInstanceOf(Manifests::class, $t->database('standalone-redis', self::model('redis')));
        try {
            $t->database('sqlite', self::model('redis'));
            $this->fail('no exception');
        } catch (TranslationException $e) {
            $this->assertSame('type', $e->getInputPath());
        }
        $attrs = self::model('postgresql');
        unset($attrs['postgres_password']);
        try {
            $t->database('postgresql', $attrs);
            $this->fail('no exception');
        } catch (TranslationException $e) {
            $this->assertSame('postgres_password', $e->getInputPath());
        }
        // $env wins over the column.
        $m = $t->database('postgresql', self::model('postgresql'), ['POSTGRES_PASSWORD' => 'from-env-pw']);
        foreach ($m->toArray() as $o) {
            if ($o['kind'] === 'Secret') {
                $this->assertSame('from-env-pw', base64_decode($o['data']['POSTGRES_PASSWORD']));
            }
        }
    }
}
