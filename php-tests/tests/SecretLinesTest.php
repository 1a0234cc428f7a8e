<?php

declare(strict_types=1);

namespace Coolify\Kubernetes\Tests;

use Coolify\Kubernetes\Kubectl;
use Coolify\Kubernetes\Manifests;
use Coolify\Kubernetes\TranslationException;
use Coolify\Kubernetes\Translator;
use PHPUnit\Framework\TestCase;

/**
 * No Secret value, as written or base64-encoded at any byte alignment, is in any line any
 * builder returns through PHP, for every Coolify template of ../shared/corpus that
 * translates (Coolify stores every command's text in its activity and deployment logs:
 * app/Traits/ExecuteRemoteCommand.php). The values are in apply()'s files only.
 */
final class SecretLinesTest extends TestCase
{
    /** @return list<string> every line of every builder for $m */
    private static function lines(Kubectl $k, Manifests $m): array
    {
        $apply = $k->apply($m);
        $h = $m->handle();
        $lines = array_merge($apply['prepare'], $apply['commands'], $apply['cleanup'], $k->rolloutStatus($m), $k->restart($m),
            $k->stop($m), $k->start($m), $k->delete($m), $k->delete($m, false, true), $k->status($m),
            $k->statusPoll(), $k->pods($m), $k->pods($h));
        foreach ($m->toArray() as $o) {
            if (in_array($o['kind'], ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'], true)) {
                $name = $o['metadata']['name'];
                $lines = array_merge(
                    $lines,
                    $k->logs($m, $name),
                    $k->logs($h, $name, -1, ['since' => '10m', 'timestamps' => true, 'previous' => true]),
                    $k->exec($m, $name, ['env']),
                    $k->exec($h, $name, ['sh', '-c', 'pg_dump'], null, ['stdout_file' => '/data/coolify/backups/x.dmp']),
                    $k->copyIn($h, $name, '/data/coolify/import/dump.sql', '/tmp/dump.sql'),
                    $k->copyOut($h, $name, '/tmp/x', '/data/coolify/x'),
                );
                if ($o['kind'] !== 'Job') {
                    $lines = array_merge($lines, $k->terminal($h, $name), $k->scheduledTask($h, 'php artisan schedule:run', $name));
                }
            }
        }
        return $lines;
    }

    /** @return list<string> the Secret values of $m (stringData as written, data decoded) */
    private static function secretValues(Manifests $m): array
    {
        $values = [];
        foreach ($m->toArray() as $o) {
            if ($o['kind'] !== 'Secret') {
                continue;
            }
            foreach ($o['stringData'] ?? [] as $v) {
                $values[] = (string) $v;
            }
            // The resource Secret is Coolify's `.env`: it also holds values that are not
            // secret (URLs, the template's defaults, names that are in paths); its secret keys
            // are the magic ones other than SERVICE_URL_* / SERVICE_FQDN_* (as in the Rust
            // test, corpus_kubectl.rs).
            $dotenv = str_ends_with((string) ($o['metadata']['name'] ?? ''), '-secrets');
            foreach ($o['data'] ?? [] as $k => $v) {
                if ($dotenv && !preg_match('/^SERVICE_(?!URL_|FQDN_)[A-Z0-9]+_/', (string) $k)) {
                    continue;
                }
                $values[] = (string) base64_decode((string) $v, true);
            }
        }
        return $values;
    }

    /**
     * The texts that give $value away: itself, and its base64 as it appears inside a longer
     * base64 stream at each byte alignment. Values under 6 bytes are left out (`1`, `true`).
     *
     * @return list<string>
     */
    private static function needles(string $value): array
    {
        if (strlen($value) < 6) {
            return [];
        }
        $needles = [$value];
        for ($skip = 0; $skip < 3; $skip++) {
            $rest = substr($value, $skip);
            $whole = intdiv(strlen($rest), 3) * 3;
            if ($whole >= 6) {
                $needles[] = base64_encode(substr($rest, 0, $whole));
            }
        }
        return $needles;
    }

    public function testNeedlesFindAValueInsideABase64Stream(): void
    {
        foreach (['', 'x', 'xy'] as $prefix) {
            $stream = base64_encode($prefix . 'hunter2-is-my-password' . '-tail');
            $found = array_filter(self::needles('hunter2-is-my-password'), fn ($n) => str_contains($stream, $n));
            $this->assertNotEmpty($found, "prefix '$prefix'");
        }
    }

    public function testNoSecretValueInAnyLineOverTheCorpus(): void
    {
        $shared = Support::shared();
        if ($shared === null) {
            $this->markTestSkipped('no ../shared corpus');
        }
        $templates = glob($shared . '/corpus/coolify-templates/*.yaml') ?: [];
        $translated = 0;
        $values = 0;
        $found = [];
        foreach ([false, true] as $sudo) {
            $k = new Kubectl(['sudo' => $sudo, 'context' => 'prod']);
            foreach ($templates as $template) {
                $t = new Translator(['seed' => 'coolify-k8s-golden', 'name' => basename($template, '.yaml')]);
                try {
                    $m = $t->compose((string) file_get_contents($template));
                } catch (TranslationException) {
                    continue; // needs caller values (required variables, images to build)
                }
                $translated++;
                $secrets = self::secretValues($m);
                $values += count($secrets);
                foreach (self::lines($k, $m) as $line) {
                    foreach ($secrets as $v) {
                        foreach (self::needles($v) as $needle) {
                            if (str_contains($line, $needle)) {
                                $found[] = basename($template) . ": $line";
                            }
                        }
                    }
                }
            }
        }
        $this->assertGreaterThan(300, $translated);
        $this->assertGreaterThan(500, $values);
        $this->assertSame([], $found);
    }
}
