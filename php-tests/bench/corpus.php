<?php

declare(strict_types=1);

// What the benchmarks share: the visible Coolify templates and the values Coolify would ask for.

/**
 * The templates' paths (`COOLIFY_K8S_CORPUS`, default `../shared/corpus/coolify-templates`);
 * exits with a message when there are none.
 *
 * @return list<string>
 */
function corpus_files(): array
{
    $dir = getenv('COOLIFY_K8S_CORPUS') ?: dirname(__DIR__, 3) . '/shared/corpus/coolify-templates';
    $files = glob("$dir/*.yaml") ?: [];
    if ($files === []) {
        fwrite(STDERR, "no templates in $dir\n");
        exit(2);
    }
    return $files;
}

/**
 * A value for each variable a template requires (`${VAR:?}` / `${VAR?}`), as Coolify asks
 * for them before a deploy.
 *
 * @return array<string, string>
 */
function required_values(string $yaml): array
{
    preg_match_all('/\$\{([A-Za-z0-9_]+):?\?/', $yaml, $m);
    return array_fill_keys($m[1], 'value');
}
