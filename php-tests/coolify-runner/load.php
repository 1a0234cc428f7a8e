<?php

// Loads Coolify's runner functions (from ../shared/coolify-src, unchanged) with the
// stand-ins of stubs.php. Returns null when loaded, or why it cannot be (for a skip).

declare(strict_types=1);

return (static function (): ?string {
    $src = dirname(__DIR__, 3) . '/shared/coolify-src';
    if (!is_dir($src)) {
        return "Coolify's source is not at $src";
    }
    $autoload = stream_resolve_include_path('Illuminate/Support/autoload.php');
    if ($autoload === false) {
        return "Laravel's Illuminate\\Support is missing (apt-get install php-illuminate-support)";
    }
    if (!extension_loaded('mbstring')) {
        return 'the mbstring extension is missing (Coolify\'s sanitize_utf8_text needs it)';
    }
    require_once $autoload;
    require_once __DIR__ . '/stubs.php';
    require_once "$src/bootstrap/helpers/sudo.php";
    require_once "$src/bootstrap/helpers/remoteProcess.php";
    require_once "$src/app/Traits/ExecuteRemoteCommand.php";
    require_once __DIR__ . '/job.php';
    return null;
})();
