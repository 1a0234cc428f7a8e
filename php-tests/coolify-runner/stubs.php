<?php

// Stand-ins for the parts of Coolify (and of newer Laravel) that its runner functions call,
// so that CoolifyRunnerTest can load Coolify's own `bootstrap/helpers/sudo.php`,
// `bootstrap/helpers/remoteProcess.php` and `app/Traits/ExecuteRemoteCommand.php` unchanged
// and run them. What is real: the sudo rewriting, the joining of lines, the trimming and
// concatenation of output, the log entries. What is stood in: the SSH connection (the
// script goes to a local `bash -se` through the same heredoc form Coolify's
// SshMultiplexingHelper writes), the database models, the retry policy (one try).
// Loaded only when ../shared/coolify-src and Debian's php-illuminate-support are present.

declare(strict_types=1);

namespace App\Models {
    /** The fields of Coolify's Server that the runner reads; isNonRoot() as Coolify's. */
    class Server
    {
        public string $uuid = 'runner-test';
        public string $ip = '127.0.0.1';
        public int $team_id = 0;

        public function __construct(public string $user)
        {
        }

        public function isNonRoot(): bool
        {
            return $this->user !== 'root';
        }
    }
}

namespace App\Helpers {
    use Coolify\Kubernetes\Tests\RunnerSession;

    /** The session Coolify opens with `ssh … USER@IP 'bash -se' << \DELIM`, run locally. */
    class SshMultiplexingHelper
    {
        public static function generateSshCommand($server, string $command, bool $disableMultiplexing = false, ?int $timeout = null): string
        {
            // As Coolify: a delimiter the command cannot hold.
            $delimiter = 'EOF' . bin2hex(random_bytes(8));
            $command = str_replace($delimiter, '', $command);
            return RunnerSession::shellPrefix($server) . " bash -se << \\$delimiter" . PHP_EOL . $command . PHP_EOL . $delimiter;
        }
    }

    /** One try: Coolify retries only SSH connection errors, which a local shell has none of. */
    class SshRetryHandler
    {
        public static function retry(callable $callback, array $context = [], bool $throwError = true)
        {
            try {
                return $callback();
            } catch (\Throwable $e) {
                if ($throwError) {
                    throw $e;
                }
                return null;
            }
        }
    }
}

namespace App\Traits {
    trait SshRetryable
    {
        protected function isRetryableSshError(string $message): bool
        {
            return false;
        }

        protected function calculateRetryDelay(int $attempt): int
        {
            return 0;
        }
    }
}

namespace App\Enums {
    enum ApplicationDeploymentStatus: string
    {
        case QUEUED = 'queued';
        case IN_PROGRESS = 'in_progress';
        case FINISHED = 'finished';
        case FAILED = 'failed';
        case CANCELLED_BY_USER = 'cancelled-by-user';
    }
}

namespace App\Exceptions {
    class DeploymentException extends \Exception
    {
    }
}

namespace Coolify\Kubernetes\Tests {
    /**
     * Laravel's Process facade, reduced to what Coolify's runner calls: `timeout()`,
     * `idleTimeout()`, `run()` and `start()` with an output callback that gets each chunk as
     * it is read ('out' or 'err', as Symfony's Process passes them), in pieces of at most
     * `$chunk` bytes so that chunk boundaries fall inside lines.
     */
    final class FakeProcess
    {
        public static int $chunk = 8192;

        public function timeout($seconds): self
        {
            return $this;
        }

        public function idleTimeout($seconds): self
        {
            return $this;
        }

        public function run(string $command): FakeProcessResult
        {
            return $this->start($command)->wait();
        }

        public function start(string $command, ?callable $output = null): FakeRunningProcess
        {
            return new FakeRunningProcess($command, $output);
        }
    }

    final class FakeRunningProcess
    {
        private string $out = '';
        private string $err = '';
        private int $code;

        public function __construct(string $command, ?callable $callback)
        {
            $proc = proc_open(['bash', '-c', $command], [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, RunnerSession::$env);
            if (!is_resource($proc)) {
                throw new \RuntimeException('cannot start bash');
            }
            stream_set_blocking($pipes[1], false);
            stream_set_blocking($pipes[2], false);
            $open = [1 => $pipes[1], 2 => $pipes[2]];
            while ($open) {
                $read = array_values($open);
                $w = $e = null;
                if (stream_select($read, $w, $e, 5) === false) {
                    break;
                }
                foreach ($read as $stream) {
                    $fd = array_search($stream, $open, true);
                    $data = fread($stream, FakeProcess::$chunk);
                    if ($data === '' || $data === false) {
                        if (feof($stream)) {
                            fclose($stream);
                            unset($open[$fd]);
                        }
                        continue;
                    }
                    if ($fd === 1) {
                        $this->out .= $data;
                    } else {
                        $this->err .= $data;
                    }
                    if ($callback) {
                        $callback($fd === 1 ? 'out' : 'err', $data);
                    }
                }
            }
            $this->code = proc_close($proc);
        }

        public function id(): int
        {
            return 0;
        }

        public function wait(): FakeProcessResult
        {
            return new FakeProcessResult($this->out, $this->err, $this->code);
        }
    }

    final class FakeProcessResult
    {
        public function __construct(private string $out, private string $err, private int $code)
        {
        }

        public function output(): string
        {
            return $this->out;
        }

        public function errorOutput(): string
        {
            return $this->err;
        }

        public function exitCode(): int
        {
            return $this->code;
        }
    }

    /** The deployment-queue row execute_remote_command writes its log entries to. */
    final class FakeDeploymentQueue
    {
        public ?string $logs = null;
        public string $status = 'in_progress';
        public int $id = 1;

        public function refresh(): void
        {
        }

        public function save(): void
        {
        }

        public function update(array $values): void
        {
        }

        public function addLogEntry(string $message, bool $hidden = false): void
        {
            $logs = $this->logs ? json_decode($this->logs, true) : [];
            $logs[] = ['output' => $message, 'hidden' => $hidden, 'order' => count($logs) + 1];
            $this->logs = json_encode($logs);
        }
    }

    /** The environment of the fake SSH session: the stub directory first on PATH, and
     * STUB_ROOT=1 when the session's user is root (the sudo stand-in sets it otherwise). */
    final class RunnerSession
    {
        /** @var array<string, string> */
        public static array $env = [];

        public static function shellPrefix(\App\Models\Server $server): string
        {
            // `env` sets what sshd would: the user's name; STUB_ROOT says whether it is root.
            return 'env USER=' . escapeshellarg($server->user) . ' STUB_ROOT=' . ($server->isNonRoot() ? '0' : '1');
        }
    }
}

namespace {
    if (!defined('REDACTED')) {
        define('REDACTED', '<REDACTED>');
    }

    if (!function_exists('config')) {
        /** Coolify's config/constants.php values the runner reads. */
        function config($key = null, $default = null)
        {
            return [
                'constants.ssh.command_timeout' => 3600,
                'constants.ssh.max_retries' => 1,
            ][$key] ?? $default;
        }
    }

    // Laravel 9 added the `str()` helper and Stringable::value(); Debian bookworm has
    // Laravel 8, so they are added here when missing (both return the plain string).
    if (!function_exists('str')) {
        function str($string = null)
        {
            return \Illuminate\Support\Str::of($string ?? '');
        }
    }
    if (!method_exists(\Illuminate\Support\Stringable::class, 'value')) {
        \Illuminate\Support\Stringable::macro('value', function () {
            return (string) $this;
        });
    }

    // Laravel 10 added the Process facade: swap the fake in, or stand in for the facade.
    if (class_exists(\Illuminate\Support\Facades\Process::class)) {
        \Illuminate\Support\Facades\Process::swap(new \Coolify\Kubernetes\Tests\FakeProcess());
    } else {
        require __DIR__ . '/process-facade.php';
    }
}
