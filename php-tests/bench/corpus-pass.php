<?php

declare(strict_types=1);

// Benchmark workload (not a test), for instruction counts under callgrind (scripts/bench.sh):
// one pass over the visible Coolify templates doing MODE to each file's text, read first.
//
//   php [-d extension=…/libcoolify_k8s.so] php-tests/bench/corpus-pass.php MODE
//
// MODE: `read` (the baseline: PHP start and reading the files), `translate` (one
// Translator::compose() + toYaml(), as Coolify's job would call it) or `symfony` (Symfony
// YAML's Yaml::parse(), Coolify's parser). The cost of a mode is its count minus `read`'s.

use Coolify\Kubernetes\TranslationException;
use Coolify\Kubernetes\Translator;
use Symfony\Component\Yaml\Yaml;

$mode = $argv[1] ?? '';
if (!in_array($mode, ['read', 'translate', 'symfony'], true)) {
    fwrite(STDERR, "usage: corpus-pass.php read|translate|symfony\n");
    exit(2);
}
require __DIR__ . '/corpus.php';
$files = corpus_files();
$texts = array_map(fn ($f) => (string) file_get_contents($f), $files);
$envs = array_map('required_values', $texts);
if ($mode === 'symfony') {
    require '/usr/share/php/Symfony/Component/Yaml/autoload.php';
    // Autoload the parser's classes outside the measured loop's first file.
    Yaml::parse("a: 1\n");
}
$translator = $mode === 'translate' ? new Translator(['seed' => 'bench']) : null;
$bytes = 0;
$failed = 0;
foreach ($texts as $i => $yaml) {
    if ($mode === 'symfony') {
        $bytes += count((array) Yaml::parse($yaml));
    } elseif ($translator !== null) {
        try {
            $bytes += strlen($translator->compose($yaml, $envs[$i])->toYaml());
        } catch (TranslationException $e) {
            $failed++;
        }
    } else {
        $bytes += strlen($yaml);
    }
}
printf("%s: %d files, %d failed, %d\n", $mode, count($texts), $failed, $bytes);
