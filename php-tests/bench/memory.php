<?php

declare(strict_types=1);

// Benchmark (not a test; MemoryTest is the test): memory over many calls in one PHP process.
// CALLS times one Translator::compose() + toYaml() (the templates in turn, one failing input
// every 100th call, and a Kubectl::apply() every 10th), printing PHP's heap
// (memory_get_usage()) and the process's resident memory (VmRSS) every STEP calls. P4's goal:
// both flat after the first step.
//
//   php -d extension=…/libcoolify_k8s.so php-tests/bench/memory.php [CALLS] [STEP]

use Coolify\Kubernetes\Kubectl;
use Coolify\Kubernetes\TranslationException;
use Coolify\Kubernetes\Translator;

$calls = max(1, (int) ($argv[1] ?? 100000));
$step = max(1, (int) ($argv[2] ?? 10000));
require __DIR__ . '/corpus.php';
$texts = array_map(fn ($f) => (string) file_get_contents($f), corpus_files());
$envs = array_map('required_values', $texts);

function rss_kib(): int
{
    $status = (string) file_get_contents('/proc/self/status');
    return preg_match('/^VmRSS:\s+(\d+)/m', $status, $m) ? (int) $m[1] : -1;
}

$translator = new Translator(['seed' => 'bench']);
$kubectl = new Kubectl(['kubeconfig' => '/etc/kubernetes/admin.conf']);
$failed = 0;
$first = null;
printf("%9s %12s %10s\n", 'calls', 'heap_bytes', 'rss_kib');
for ($i = 1; $i <= $calls; $i++) {
    try {
        $k = $i % count($texts);
        $m = $i % 100 === 0 ? $translator->compose("services: [1, 2") : $translator->compose($texts[$k], $envs[$k]);
        $m->toYaml();
        if ($i % 10 === 0) {
            $kubectl->apply($m);
        }
    } catch (TranslationException $e) {
        $failed++;
    }
    unset($m);
    if ($i % $step === 0) {
        $row = [memory_get_usage(), rss_kib()];
        $first ??= $row;
        printf("%9d %12d %10d\n", $i, $row[0], $row[1]);
    }
}
if ($first !== null) {
    printf("after the first step: heap %+d bytes, rss %+d KiB (%d failed calls)\n", $row[0] - $first[0], $row[1] - $first[1], $failed);
}
