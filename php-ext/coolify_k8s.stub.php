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
         * values included, are only in `files`.
         *
         * @param \Coolify\Kubernetes\Manifests $manifests
         * @return array{prepare: list<string>, files: array<string, string>, commands: list<string>, cleanup: list<string>}
         */
        public function apply(\Coolify\Kubernetes\Manifests $manifests): array {}

        /**
         * Delete every object of the resource by label; its PersistentVolumeClaims unless
         * `$volumes` is false; its namespace only when `$namespace` is true.
         *
         * @param \Coolify\Kubernetes\Manifests $manifests
         * @param bool $volumes
         * @param bool $namespace
         * @return list<string> command lines
         */
        public function delete(\Coolify\Kubernetes\Manifests $manifests, bool $volumes = true, bool $namespace = false): array {}

        /**
         * Run `$command` (program and arguments) in a pod of `$service`, optionally in one
         * container; not interactive.
         *
         * @param \Coolify\Kubernetes\Manifests $manifests
         * @param string $service
         * @param list<string> $command
         * @param string|null $container
         * @return list<string> command lines
         */
        public function exec(\Coolify\Kubernetes\Manifests $manifests, string $service, array $command, ?string $container = null): array {}

        /**
         * The last `$tail` log lines of every container of `$service`'s pods.
         *
         * @param \Coolify\Kubernetes\Manifests $manifests
         * @param string $service
         * @param int $tail
         * @return list<string> command lines
         */
        public function logs(\Coolify\Kubernetes\Manifests $manifests, string $service, int $tail = 100): array {}

        /**
         * The output of the `status()` line as `['status' => running|degraded|exited,
         * 'workloads' => [['kind', 'name', 'state', 'ready', 'desired'], …]]`.
         *
         * @param \Coolify\Kubernetes\Manifests $manifests
         * @param string $output
         * @return array{status: string, workloads: list<array{kind: string, name: string, state: string, ready: int, desired: int}>}
         */
        public function parseStatus(\Coolify\Kubernetes\Manifests $manifests, string $output): array {}

        /**
         * `kubectl rollout restart` of every Deployment, StatefulSet and DaemonSet.
         *
         * @param \Coolify\Kubernetes\Manifests $manifests
         * @return list<string> command lines
         */
        public function restart(\Coolify\Kubernetes\Manifests $manifests): array {}

        /**
         * Wait for every workload (`$timeout` seconds each); on failure print pods, events and
         * the last 100 log lines, and end the batch with status 1.
         *
         * @param \Coolify\Kubernetes\Manifests $manifests
         * @param int $timeout
         * @return list<string> command lines
         */
        public function rolloutStatus(\Coolify\Kubernetes\Manifests $manifests, int $timeout = 300): array {}

        /**
         * Undo `stop()`.
         *
         * @param \Coolify\Kubernetes\Manifests $manifests
         * @return list<string> command lines
         */
        public function start(\Coolify\Kubernetes\Manifests $manifests): array {}

        /**
         * One line printing a `<Kind/name=counts>` record per workload; read its output, as
         * Coolify's runner hands it back (trimmed, concatenated), with `parseStatus()`.
         *
         * @param \Coolify\Kubernetes\Manifests $manifests
         * @return list<string> command lines
         */
        public function status(\Coolify\Kubernetes\Manifests $manifests): array {}

        /**
         * Scale to zero, remembering the replica count; suspend CronJobs.
         *
         * @param \Coolify\Kubernetes\Manifests $manifests
         * @return list<string> command lines
         */
        public function stop(\Coolify\Kubernetes\Manifests $manifests): array {}
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
         * A JSON `v1` `List` of the objects.
         *
         * @return string
         */
        public function toJson(): string {}

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
         * @param array{namespace?: string, name?: string, router?: 'ingress'|'traefik'|'gateway'|'none', ingress_class?: string, cluster_issuer?: string, entrypoints?: string|array{0: string, 1: string}, gateway?: string, listeners?: string|array{0: string, 1: string}, storage_class?: string, storage_size?: string, bind_mounts?: 'pvc'|'hostpath'|'error', published_ports?: 'clusterip'|'nodeport'|'loadbalancer', network_policies?: bool, images?: array<string, string>, seed?: string, labels?: array<string, string>, annotations?: array<string, string>, secret_variables?: list<string>, profiles?: list<string>, ingress_controller?: 'none'|'traefik'|'nginx', base_domain?: string, autoscale?: array{min?: int, max: int, cpu?: int, memory?: int}, route_ports?: array<string, int>, required_port?: int, liveness_probes?: bool, cluster_dns?: string, shared_volumes?: 'affinity'|'rwx', volume_sizes?: array<string, string>, image_pull_secrets?: list<string>, registry?: string}|null $options
         */
        public function __construct(?array $options = null) {}

        /**
         * Translate one Compose document; `$env` holds the values of `${VAR}` references and
         * Coolify's stored magic variables (`SERVICE_PASSWORD_DB` => '…'). A text that is not
         * UTF-8 (or not a string) throws a TranslationException naming `yaml` and the byte.
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
