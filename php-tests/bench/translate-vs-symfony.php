<?php

declare(strict_types=1);

// Benchmark (not a test): per visible Coolify template, the median time of one
// Translator::compose() + toYaml() from PHP, beside the median time of Symfony YAML's
// Yaml::parse() of the same file (Debian's php-symfony-yaml, the parser Coolify uses
// today). Prints both medians over all templates and their ratio (goal: below 1/3).
//
//   php -d extension=$PWD/target/release/libcoolify_k8s.so php-tests/bench/translate-vs-symfony.php [ROUNDS]
//
// Templates that do not translate are counted and left out of both medians.

use Coolify\Kubernetes\TranslationException;
use Coolify\Kubernetes\Translator;
use Symfony\Component\Yaml\Yaml;

require '/usr/share/php/Symfony/Component/Yaml/autoload.php';

if (!extension_loaded('coolify_k8s')) {
    fwrite(STDERR, "load the extension with -d extension=…/libcoolify_k8s.so\n");
    exit(2);
}
require __DIR__ . '/corpus.php';
$files = corpus_files();
$rounds = max(1, (int) ($argv[1] ?? 15));


function median(array $xs): float
{
    sort($xs);
    $n = count($xs);
    return $n % 2 ? $xs[intdiv($n, 2)] : ($xs[$n / 2 - 1] + $xs[$n / 2]) / 2;
}

$translator = new Translator(['seed' => 'bench']);
$ours = [];
$symfony = [];
$failed = [];
foreach ($files as $file) {
    $yaml = (string) file_get_contents($file);
    try {
        $translator->compose($yaml, required_values($yaml))->toYaml();
    } catch (TranslationException $e) {
        $failed[basename($file)] = strtok($e->getMessage(), "\n");
        continue;
    }
    $env = required_values($yaml);
    $t = [];
    $s = [];
    for ($i = 0; $i < $rounds; $i++) {
        // Interleaved, so machine noise hits both sides alike.
        $a = hrtime(true);
        $translator->compose($yaml, $env)->toYaml();
        $t[] = hrtime(true) - $a;
        $a = hrtime(true);
        Yaml::parse($yaml);
        $s[] = hrtime(true) - $a;
    }
    $ours[basename($file)] = median($t);
    $symfony[basename($file)] = median($s);
}
printf("templates: %d, translated: %d, failed: %d, rounds each: %d\n", count($files), count($ours), count($failed), $rounds);
foreach (array_slice($failed, 0, 10, true) as $name => $why) {
    printf("  failed %s: %s\n", $name, $why);
}
if ($ours === []) {
    exit(1);
}
$m1 = median(array_values($ours));
$m2 = median(array_values($symfony));
printf("median compose()+toYaml(): %.1f us\n", $m1 / 1000);
printf("median Symfony Yaml::parse(): %.1f us\n", $m2 / 1000);
printf("ratio: %.3f (goal < 0.333)\n", $m1 / $m2);
