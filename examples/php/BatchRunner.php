<?php

declare(strict_types=1);

namespace App\Jobs\Kubernetes;

/**
 * Where the examples' batches go. Coolify runs a batch with `remote_process` /
 * `instant_remote_process` (the lines joined into one `bash -se` script over SSH) and
 * uploads files with `instant_scp` (see KubectlRunner.php for that trait); the examples
 * either print the batches (PrintingRunner) or run them here in `bash -se` (BashRunner),
 * which the PHPUnit suite does against its recording stub `kubectl`.
 */
interface BatchRunner
{
    /**
     * Run `$lines` as one batch; returns its output as Coolify hands it back (trimmed).
     *
     * @param list<string> $lines
     */
    public function run(string $title, array $lines): string;

    /** Put `$content` at `$path` on the server, mode 0600 (Coolify: `instant_scp`). */
    public function upload(string $path, string $content): void;
}

/** Prints every batch as the SSH heredoc Coolify would send; outputs are empty. */
final class PrintingRunner implements BatchRunner
{
    public function run(string $title, array $lines): string
    {
        echo "\n# ---- $title\n";
        if ($lines === []) {
            echo "# (no command)\n";
            return '';
        }
        $delimiter = 'EOF_COOLIFY_' . strtoupper(substr(hash('sha256', implode("\n", $lines)), 0, 12));
        echo "ssh root@kube-host 'bash -se' << \\$delimiter\n" . implode("\n", $lines) . "\n$delimiter\n";
        return '';
    }

    public function upload(string $path, string $content): void
    {
        echo "\n# ---- upload $path (" . strlen($content) . " bytes, not shown: Secret values)\n";
    }
}

/**
 * Runs every batch here in `bash -se`, as `instant_remote_process` runs it on the server:
 * fails like it when the batch fails, returns the trimmed output. `$env` is the whole
 * environment (PATH decides which `kubectl` runs).
 */
final class BashRunner implements BatchRunner
{
    /** @var list<array{title: string, lines: list<string>, output: string}> */
    public array $log = [];

    /** @param array<string, string> $env */
    public function __construct(private array $env)
    {
    }

    public function run(string $title, array $lines): string
    {
        if ($lines === []) {
            $this->log[] = ['title' => $title, 'lines' => [], 'output' => ''];
            return '';
        }
        $p = proc_open(['bash', '-se'], [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $this->env);
        if (!is_resource($p)) {
            throw new \RuntimeException('cannot start bash');
        }
        fwrite($pipes[0], implode("\n", $lines) . "\n");
        fclose($pipes[0]);
        $out = (string) stream_get_contents($pipes[1]);
        $err = (string) stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        $status = proc_close($p);
        $this->log[] = ['title' => $title, 'lines' => $lines, 'output' => trim($out)];
        if ($status !== 0) {
            throw new \RuntimeException("$title failed ($status): " . trim($err));
        }
        return trim($out);
    }

    public function upload(string $path, string $content): void
    {
        if (!is_dir(dirname($path))) {
            throw new \RuntimeException("upload: $path: the prepare batch did not make its directory");
        }
        file_put_contents($path, $content);
        chmod($path, 0600);
    }
}
