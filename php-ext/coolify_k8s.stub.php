<?php

// Stubs for coolify_k8s: generated with `cargo php stubs` (cargo-php 0.2.2), then reviewed:
// element types of arrays added to the docblocks, `mixed` returns narrowed to `array`,
// constructors PHP cannot call marked private. Regenerate and re-apply after API changes.

namespace Coolify\Kubernetes {
    /**
     * Builds kubectl command lines (each a string) that run the same through Coolify's
     * `remote_process`, `instant_remote_process` (with or without `no_sudo`) and
     * `execute_remote_command`, on root and non-root servers. Options: `kubeconfig`,
     * `context`, `namespace`, `extra_flags` (list of strings), `sudo` (bool: kubectl under
     * sudo, for runners that do not add it), `create_namespace` (bool, default true),
     * `files_dir` (absolute directory on the server for `apply()`'s files, default
     * `/data/coolify/kubernetes`).
     */
    class Kubectl {
        /**
         * A builder for one cluster and namespace. Unknown keys and wrong types throw a
         * TranslationException naming the option.
         *
         * @param array{kubeconfig?: string, context?: string, namespace?: string, extra_flags?: list<string>, sudo?: bool, create_namespace?: bool, files_dir?: string}|null $options
         */
        public function __construct(?array $options = null) {}

        /**
         * Namespace, server-side apply (field manager `coolify`), pruning of objects of the
         * same resource that this set no longer has. Run `prepare`, upload every file
         * (`instant_scp`), run `commands`, then always `cleanup`. The object bodies, Secret
         * values included, are only in `files`. `$resource` must hold every object (manifests,
         * or `toJson()` text); a handle or `toJson(false)` text throws a TranslationException.
         *
         * @param \Coolify\Kubernetes\Manifests|string $resource the manifests, or the text of `Manifests::handle()` or `toJson()`
         * @return array{prepare: list<string>, files: array<string, string>, commands: list<string>, cleanup: list<string>}
         */
        public function apply(mixed $resource): array {}

        /**
         * Copy the server file `$from` into `$service`'s container as `$to`, streamed through
         * kubectl's stdin (`sh` and `cat` in the image; the body is never in the line): a dump
         * Coolify uploaded for an import.
         *
         * @param \Coolify\Kubernetes\Manifests|string $resource the manifests, or the text of `Manifests::handle()` or `toJson()`
         * @param string $service the Compose service (or Application)
         * @param string $from absolute path on the server
         * @param string $to path in the container
         * @param array{container?: string, pod?: string}|null $options
         * @return list<string> command lines
         */
        public function copyIn(mixed $resource, mixed $service, mixed $from, mixed $to, ?array $options = null): array {}

        /**
         * Copy the file `$from` in `$service`'s container to the server file `$to`, streamed
         * through kubectl's stdout: a backup the database wrote inside its container.
         *
         * @param \Coolify\Kubernetes\Manifests|string $resource the manifests, or the text of `Manifests::handle()` or `toJson()`
         * @param string $service
         * @param string $from path in the container
         * @param string $to absolute path on the server
         * @param array{container?: string, pod?: string}|null $options
         * @return list<string> command lines
         */
        public function copyOut(mixed $resource, mixed $service, mixed $from, mixed $to, ?array $options = null): array {}

        /**
         * Delete every object of the resource by label; its PersistentVolumeClaims unless
         * `$volumes` is false; its namespace only when `$namespace` is true.
         *
         * @param \Coolify\Kubernetes\Manifests|string $resource the manifests, or the text of `Manifests::handle()` or `toJson()`
         * @return list<string> command lines
         */
        public function delete(mixed $resource, bool $volumes = true, bool $namespace = false): array {}

        /**
         * Run `$command` (program and arguments) in a pod of `$service`, optionally in one
         * container; not interactive. `$options`: `pod` (a name from `parsePods()`),
         * `stdin_file` / `stdout_file` (absolute server paths: `< FILE`, `> FILE`, for imports
         * and backups; the SSH user reads and writes them, as Coolify's `docker exec … > FILE`).
         *
         * @param \Coolify\Kubernetes\Manifests|string $resource the manifests, or the text of `Manifests::handle()` or `toJson()`
         * @param string $service
         * @param list<string> $command
         * @param string|null $container
         * @param array{pod?: string, stdin_file?: string, stdout_file?: string}|null $options
         * @return list<string> command lines
         */
        public function exec(mixed $resource, mixed $service, mixed $command, mixed $container = null, ?array $options = null): array {}

        /**
         * Log lines of `$service`'s pods, each prefixed with pod and container: the last
         * `$tail` of every container (-1: all), as Coolify's logs page runs `docker logs -n N -t`.
         * `$options`: `since` (`10m`, `1h30m`, or an RFC 3339 time), `timestamps`, `previous`
         * (the run before the last restart), `container`, `pod` (a name from `parsePods()`).
         *
         * @param \Coolify\Kubernetes\Manifests|string $resource the manifests, or the text of `Manifests::handle()` or `toJson()`
         * @param string $service
         * @param array{since?: string, timestamps?: bool, previous?: bool, container?: string, pod?: string, tail?: int}|null $options
         * @return list<string> command lines
         */
        public function logs(mixed $resource, mixed $service, int $tail = 100, ?array $options = null): array {}

        /**
         * The output of the `pods()` line (trimmed, concatenated chunks and noise are fine):
         * each pod with its containers in Coolify's words (`running:healthy`, `running:unknown`
         * without a health check, `restarting:unknown`, `created:unknown`, `exited`).
         *
         * @param string $output
         * @return list<array{namespace: string, name: string, instance: string, service: string, phase: string, terminating: bool, excluded: bool, containers: list<array{name: string, status: string, ready: bool, restarts: int, reason: string}>}>
         */
        public function parsePods(mixed $output): array {}

        /**
         * The output of the `status()` line as `['status' => running|degraded|exited,
         * 'workloads' => [['kind', 'name', 'state', 'ready', 'desired'], …]]`.
         *
         * @param \Coolify\Kubernetes\Manifests|string $resource the manifests, or the text of `Manifests::handle()` or `toJson()`
         * @param string $output
         * @return array{status: string, workloads: list<array{kind: string, name: string, state: string, ready: int, desired: int}>}
         */
        public function parseStatus(mixed $resource, mixed $output): array {}

        /**
         * The output of the `statusPoll()` line: one entry per resource seen, keyed by its
         * instance label (the uuid; `<uuid>-pr-<N>` for a preview), with Coolify's aggregated word
         * (`running:healthy`, `running:unhealthy`, `running:unknown`, `restarting:unhealthy`,
         * `degraded:unhealthy`, `starting:unknown`, `exited`; `…:excluded` when only excluded
         * services run) and the highest restart count. Resources not listed have no pod: set them
         * `exited`, as `GetContainersStatus` does (unless the output was empty).
         *
         * @param string $output
         * @return list<array{namespace: string, instance: string, status: string, restart_count: int, pods: list<array<string, mixed>>}>
         */
        public function parseStatusPoll(mixed $output): array {}

        /**
         * One line listing the resource's pods and containers with their state, for the logs
         * and terminal pages; read its output with `parsePods()`.
         *
         * @param \Coolify\Kubernetes\Manifests|string $resource the manifests, or the text of `Manifests::handle()` or `toJson()`
         * @return list<string> command lines
         */
        public function pods(mixed $resource): array {}

        /**
         * `kubectl rollout restart` of every Deployment, StatefulSet and DaemonSet.
         *
         * @param \Coolify\Kubernetes\Manifests|string $resource the manifests, or the text of `Manifests::handle()` or `toJson()`
         * @return list<string> command lines
         */
        public function restart(mixed $resource): array {}

        /**
         * Wait for every workload (`$timeout` seconds each); on failure print pods, events and
         * the last 100 log lines, and end the batch with status 1.
         *
         * @param \Coolify\Kubernetes\Manifests|string $resource the manifests, or the text of `Manifests::handle()` or `toJson()`
         * @return list<string> command lines
         */
        public function rolloutStatus(mixed $resource, int $timeout = 300): array {}

        /**
         * A scheduled task's line, as Coolify's `ScheduledTaskJob` runs one: `$command` through
         * `sh -c` in the container of `$service` (the task's `container` column), or of the only
         * long-running service when it is null (more than one is a TranslationException, as in
         * Coolify). Coolify's `boundedTaskCommand` may wrap the line.
         *
         * @param \Coolify\Kubernetes\Manifests|string $resource the manifests, or the text of `Manifests::handle()` or `toJson()`
         * @param string $command
         * @param string|null $service
         * @return list<string> command lines
         */
        public function scheduledTask(mixed $resource, mixed $command, mixed $service = null): array {}

        /**
         * Undo `stop()`.
         *
         * @param \Coolify\Kubernetes\Manifests|string $resource the manifests, or the text of `Manifests::handle()` or `toJson()`
         * @return list<string> command lines
         */
        public function start(mixed $resource): array {}

        /**
         * One line printing a `<Kind/name=counts>` record per workload; read its output, as
         * Coolify's runner hands it back (trimmed, concatenated), with `parseStatus()`.
         *
         * @param \Coolify\Kubernetes\Manifests|string $resource the manifests, or the text of `Manifests::handle()` or `toJson()`
         * @return list<string> command lines
         */
        public function status(mixed $resource): array {}

        /**
         * One line printing a record per pod this project manages, in the target's namespace
         * (in every namespace when the target names none): the destination-wide poll that
         * Coolify's `GetContainersStatus` makes with one `docker container inspect`. Read its
         * output with `parseStatusPoll()`.
         *
         * @return list<string> command lines
         */
        public function statusPoll(): array {}

        /**
         * Scale to zero, remembering the replica count; suspend CronJobs.
         *
         * @param \Coolify\Kubernetes\Manifests|string $resource the manifests, or the text of `Manifests::handle()` or `toJson()`
         * @return list<string> command lines
         */
        public function stop(mixed $resource): array {}

        /**
         * The terminal page's line: an interactive shell in `$service`'s container
         * (`exec --stdin --tty`), started as Coolify's terminal starts one (`.profile`, then
         * `$SHELL` or `sh`). Run it in an SSH session with a TTY, as Coolify runs `docker exec -it`.
         *
         * @param \Coolify\Kubernetes\Manifests|string $resource the manifests, or the text of `Manifests::handle()` or `toJson()`
         * @param string $service
         * @param string|null $container
         * @param string|null $pod a name from `parsePods()`
         * @return list<string> command lines
         */
        public function terminal(mixed $resource, mixed $service, mixed $container = null, mixed $pod = null): array {}
    }

    /**
     * Kubernetes objects in apply order, plus the report of what was mapped, approximated or
     * dropped. Made by `Translator`, or from stored JSON with `Manifests::fromJson()`.
     */
    class Manifests {
        /** Made by Translator or Manifests::fromJson(), not with `new`. */
        private function __construct() {}

        /**
         * Number of objects.
         *
         * @return int
         */
        public function count(): int {}

        /**
         * Manifests from JSON: what `toJson()` wrote (a `List`), or a JSON array of objects.
         * The report is empty. For building commands from stored manifests. Text that is not
         * UTF-8 (or not a string) throws a TranslationException naming `json` and the byte.
         *
         * @param string $json
         * @return \Coolify\Kubernetes\Manifests
         */
        public static function fromJson(mixed $json): \Coolify\Kubernetes\Manifests {}

        /**
         * The resource handle: a small JSON text (namespace, instance, workloads, kinds,
         * claims; never a Secret value) that every `Kubectl` method accepts in place of the
         * manifests, for the commands Coolify runs long after the deployment.
         *
         * @return string
         */
        public function handle(): string {}

        /**
         * The report as a list of `['path' => …, 'outcome' => mapped|approximated|dropped|warning,
         * 'message' => …]`.
         *
         * @return list<array{path: string, outcome: string, message: string}>
         */
        public function report(): array {}

        /**
         * The objects as PHP arrays, in apply order.
         *
         * @return list<array<string, mixed>>
         */
        public function toArray(): array {}

        /**
         * A JSON `v1` `List` of the objects; with `$secrets = false`, every Secret without
         * its data (annotated `coolify.io/secret-data: omitted`): what Coolify can store for
         * the lifecycle commands without a second copy of its secrets (`Kubectl::apply()`
         * refuses it).
         *
         * @return string
         */
        public function toJson(bool $secrets = true): string {}

        /**
         * Multi-document YAML (`---` before each object), ready for `kubectl apply -f`.
         *
         * @return string
         */
        public function toYaml(): string {}

        /**
         * The report as lines (`dropped: services.web.pid: …`).
         *
         * @return list<string>
         */
        public function warnings(): array {}

        /**
         * These manifests plus a `kubernetes.io/dockerconfigjson` Secret `$name` holding the
         * registry credentials (what `docker login $server` takes), referenced by every
         * pod's `imagePullSecrets`. The password is only in that Secret: `Kubectl::apply()`
         * uploads it as a file; no command line, error or report holds it. A non-string or
         * non-UTF-8 argument throws a TranslationException naming it.
         *
         * @param string $name
         * @param string $server
         * @param string $username
         * @param string $password
         * @return \Coolify\Kubernetes\Manifests
         */
        public function withPullSecret(mixed $name, mixed $server, mixed $username, mixed $password): \Coolify\Kubernetes\Manifests {}
    }

    /**
     * The base of every exception the extension throws, so that callers can catch all of
     * them in one clause; a `\RuntimeException`.
     */
    class KubernetesException extends \RuntimeException {
        /** Thrown by the extension only. */
        private function __construct() {}
    }

    /**
     * Input errors: bad input (with the path in the input), bad options, or an internal
     * error. The message holds one line per error. A `KubernetesException`, so a
     * `\RuntimeException` too.
     */
    class TranslationException extends \Coolify\Kubernetes\KubernetesException {
        /** Thrown by the extension only. */
        private function __construct() {}

        /**
         * Every error: a list of `['path' => string, 'message' => string]`.
         *
         * @return list<array{path: string, message: string}>
         */
        public function getErrors(): array {}

        /**
         * The path in the input of the first error (`services.web.ports[1]`), `""` for the
         * whole input.
         *
         * @return string
         */
        public function getInputPath(): string {}
    }

    /**
     * Translates Coolify's Compose dialect and Application attributes with fixed options.
     * Option keys are the CLI flags in snake_case (`namespace`, `router`, …).
     */
    class Translator {
        /**
         * A translator; unknown option keys and wrong types throw a TranslationException
         * naming the option (`options: unknown field `routr``). The keys are the CLI flags in
         * snake_case (README, "Options"); keep this shape in step with the core's `Options`.
         *
         * @param array{namespace?: string, name?: string, router?: 'ingress'|'traefik'|'gateway'|'none', ingress_class?: string, cluster_issuer?: string, entrypoints?: string|array{0: string, 1: string}, gateway?: string, listeners?: string|array{0: string, 1: string}, storage_class?: string, storage_size?: string, bind_mounts?: 'pvc'|'hostpath'|'error', published_ports?: 'clusterip'|'nodeport'|'loadbalancer', network_policies?: bool, images?: array<string, string>, seed?: string, deployment_id?: string, pull_latest_images?: bool, labels?: array<string, string>, annotations?: array<string, string>, secret_variables?: list<string>, profiles?: list<string>, ingress_controller?: 'none'|'traefik'|'nginx', base_domain?: string, autoscale?: array{min?: int, max: int, cpu?: int, memory?: int}, route_ports?: array<string, int>, required_port?: int, liveness_probes?: bool, cluster_dns?: string, shared_volumes?: 'affinity'|'rwx', volume_sizes?: array<string, string>, image_pull_secrets?: list<string>, registry?: string, namespace_strategy?: 'resource'|'shared'}|null $options
         */
        public function __construct(?array $options = null) {}

        /**
         * Translate one Compose document; `$env` holds the values of `${VAR}` references and
         * Coolify's stored magic variables (`SERVICE_PASSWORD_DB` => '…'). A text that is not
         * UTF-8 (or not a string) throws a TranslationException naming `yaml` and the byte.
         * The `name` option is the resource's identity (its instance label): pass the
         * Service's or Application's `uuid` (`<uuid>-pr-<N>` for a preview), as Coolify's
         * `docker compose --project-name` does.
         *
         * @param string $yaml
         * @param array<string, string|int|float|bool|null>|null $env
         * @return \Coolify\Kubernetes\Manifests
         */
        public function compose(mixed $yaml, ?array $env = null): \Coolify\Kubernetes\Manifests {}

        /**
         * Translate an Application from its attributes as Coolify's models hold them
         * (`$application->toArray()` with `settings`, `environment_variables`,
         * `persistent_storages` and `file_storages` loaded; `image` or
         * `docker_registry_image_name`/`_tag` for the built image). `$env` holds runtime
         * variables that win over the stored ones and over the generated `COOLIFY_*` values
         * (pass Coolify's `generate_coolify_env_variables()` to reproduce it exactly).
         * Objects are keyed by the `uuid` (`<uuid>-pr-<N>` for a preview), never the `name`.
         *
         * @param array<string, mixed> $attributes
         * @param array<string, string|int|float|bool|null>|null $env
         * @return \Coolify\Kubernetes\Manifests
         */
        public function application(array $attributes, ?array $env = null): \Coolify\Kubernetes\Manifests {}

        /**
         * Translate a standalone database: `$type` is `postgresql`, `mysql`, `mariadb`,
         * `mongodb`, `redis`, `keydb`, `dragonfly` or `clickhouse` (also as Coolify's
         * `database_type`, `standalone-postgresql`); `$attributes` the model's `toArray()` with
         * `environment_variables`, `persistent_storages` and `file_storages` loaded; `$env`
         * variables that win over the stored ones and the credential columns.
         *
         * @param 'postgresql'|'mysql'|'mariadb'|'mongodb'|'redis'|'keydb'|'dragonfly'|'clickhouse'|string $type
         * @param array<string, mixed> $attributes
         * @param array<string, string|int|float|bool|null>|null $env
         * @return \Coolify\Kubernetes\Manifests
         */
        public function database(string $type, array $attributes, ?array $env = null): \Coolify\Kubernetes\Manifests {}
    }
}

namespace {
    /**
     * Self-test of the panic guard: panics inside it, so PHP sees a TranslationException.
     * Used by the PHPUnit suite; does nothing else.
     *
     * @return void
     */
    function coolify_k8s_selftest_panic(): void {}

    /**
     * The extension's version, for `phpversion('coolify_k8s')` checks.
     *
     * @return string
     */
    function coolify_k8s_version(): string {}
}
