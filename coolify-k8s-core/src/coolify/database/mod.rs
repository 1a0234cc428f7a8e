//! A standalone database's attributes (Coolify's `Standalone*` models, as `toArray()` gives
//! them with `environment_variables`, `persistent_storages` and `file_storages` loaded) into
//! the Compose service `app/Actions/Database/Start*.php` writes for it on Docker, translated
//! through the same plan as a Compose file.
//!
//! Differences from Docker, each by design: credentials reach the container only from the
//! resource Secret (the start command refers to `$(REDIS_PASSWORD)`, health checks read the
//! variables in `sh -c`); configuration and init files are files in the pod (ConfigMap keys);
//! the public port (`is_public`, `public_port`, which `StartDatabaseProxy` serves with an
//! nginx container) is a host-published port, a NodePort or LoadBalancer Service under the
//! `published_ports` option.

pub mod kind;
mod tls;

pub use kind::DatabaseKind;

use super::attributes::{
    apply_limits, apply_run_options, apply_storages, checked_env, health_check_timings,
    identity_labels, is_coolify_variable, one_service_project, port_mappings, rebase_volumes,
    stored_variables, volume, Attrs,
};
use crate::compose::{
    magic::deferred, HealthcheckTest, MountType, Port, Project, Protocol, PullPolicy, Restart,
    Service,
};
use crate::error::{Error, Errors};
use crate::path::InputPath;
use crate::report::{Outcome, Report};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Columns every kind reads; a kind adds its credential, configuration and init columns.
const KNOWN: &[&str] = &[
    "id",
    "uuid",
    "name",
    "image",
    "is_public",
    "public_port",
    "ports_mappings",
    "limits_memory",
    "limits_memory_swap",
    "limits_memory_swappiness",
    "limits_memory_reservation",
    "limits_cpus",
    "limits_cpuset",
    "limits_cpu_shares",
    "health_check_enabled",
    "health_check_interval",
    "health_check_timeout",
    "health_check_retries",
    "health_check_start_period",
    "environment_variables",
    "runtime_environment_variables",
    "persistent_storages",
    "file_storages",
    "project_name",
    "environment_name",
];

/// Columns that are Coolify's bookkeeping or computed for its pages.
const BOOKKEEPING: &[&str] = &[
    "description",
    "status",
    "started_at",
    "restart_count",
    "last_restart_at",
    "last_restart_type",
    "last_online_at",
    "destination_type",
    "destination_id",
    "environment_id",
    "created_at",
    "updated_at",
    "deleted_at",
    "internal_db_url",
    "external_db_url",
    "database_type",
    "server_status",
    "config_hash",
    "is_log_drain_enabled",
    "is_include_timestamps",
    "public_port_timeout",
];

/// A database, ready for the plan.
#[derive(Debug, Clone)]
pub struct DatabaseInput {
    /// A project with the one service.
    pub project: Project,
    /// The service's (and resource's) name: the normalized `uuid`, Coolify's container name.
    pub service: String,
    /// Values of the variables the service's environment refers to.
    pub variables: BTreeMap<String, String>,
    /// Every one of them: credentials and stored variables go only into the Secret.
    pub secret_variables: BTreeSet<String>,
    /// What could not be carried over exactly.
    pub report: Report,
    /// The storage each of the service's volumes comes from, by index, so report lines
    /// name the attribute rather than the Compose service made from it.
    pub volume_origins: Vec<InputPath>,
}

/// `Always` unless the image is pinned by digest: every `Start*` action runs
/// `docker compose pull` before it recreates the container, so a start or restart runs the
/// newest image under the tag (`postgres:16-alpine` today, a later 16.x next month). With
/// Kubernetes' default a node would keep the copy it pulled first.
fn pull_policy(image: &str) -> Option<PullPolicy> {
    (!image.contains("@sha256:")).then_some(PullPolicy::Always)
}

/// Read a database's attributes; `env` (`NAME => value`) wins over the stored variables and
/// the credential columns.
pub fn from_attributes(
    kind: DatabaseKind,
    attrs: &Value,
    env: &BTreeMap<String, String>,
) -> Result<DatabaseInput, Errors> {
    let a = Attrs::root(attrs, "a database")?;
    let at = |k: &str| InputPath::root().key(k);
    let mut errors = Vec::new();
    let mut report = Report::default();
    report_unused(kind, &a, &mut report);

    let Some(uuid) = a.text("uuid").or_else(|| a.text("name")) else {
        return Err(Error::new(at("uuid"), "a database needs its `uuid`").into());
    };
    let service = crate::plan::names::dns_label(&uuid, 63);
    let image = a.text("image");
    if image.is_none() {
        errors.push(Error::new(
            at("image"),
            format!(
                "an image is required (Coolify's default for {kind} is set when it is created)"
            ),
        ));
    }

    let (environment, variables, secret_variables) = environment(kind, &a, env, &mut errors);
    let mut svc = Service {
        pull_policy: image.as_deref().and_then(pull_policy),
        image,
        restart: Some(Restart::UnlessStopped),
        environment,
        ..Service::default()
    };
    svc.expose.push(crate::compose::ExposedPort {
        target: kind.port(),
        protocol: Protocol::Tcp,
    });
    apply_limits(&a, &mut svc, &mut errors, &mut report);
    let mut volume_origins = apply_storages(&a, &mut svc, &mut errors, "");
    tls::drop_stale_files(kind, &a, &mut svc, &mut volume_origins, &mut report);
    svc.ports = ports(kind, &a, &mut errors);
    if a.flag("health_check_enabled", true) {
        svc.healthcheck = Some(health_check(kind, &a, &mut errors));
    }
    let config = config_file(kind, &a, &mut svc);
    let password = kind
        .credentials()
        .iter()
        .find(|(var, _)| *var == "REDIS_PASSWORD")
        .map(|(var, _)| deferred::reference(var))
        .unwrap_or_default();
    svc.command = kind.command(config.as_deref(), &password);
    tls::apply(
        kind,
        &a,
        &mut svc,
        config.as_deref(),
        &mut errors,
        &mut report,
    );
    init_scripts(kind, &a, &mut svc, &mut errors);
    labels(kind, &a, &mut svc);
    apply_run_options(&a, &mut svc, &mut errors, &mut report);

    let project = one_service_project(service.clone(), &service, svc, errors)?;
    Ok(DatabaseInput {
        project,
        service,
        variables,
        secret_variables,
        report,
        volume_origins,
    })
}

/// Every column neither read nor bookkeeping is reported; TLS settings Coolify does not
/// use for the kind are reported when set.
fn report_unused(kind: DatabaseKind, a: &Attrs<'_>, report: &mut Report) {
    let at = |k: &str| InputPath::root().key(k);
    for key in a.obj.keys() {
        let own = kind.credentials().iter().any(|(_, c)| c == key)
            || kind.config_file().is_some_and(|c| c.column == key)
            || (kind.has_init_scripts() && key == "init_scripts");
        if own || KNOWN.contains(&key.as_str()) {
            continue;
        }
        let ssl = a.flag("enable_ssl", false);
        if key == "enable_ssl" || (key == "ca_certificate" && kind != DatabaseKind::Postgresql) {
            if ssl && kind == DatabaseKind::Clickhouse {
                report.add(
                    at(key),
                    Outcome::Dropped,
                    "Coolify sets up no TLS for ClickHouse (StartClickhouse), so neither does the translation",
                );
            }
            continue;
        }
        if key == "ssl_mode" {
            if ssl && kind != DatabaseKind::Mongodb {
                report.add(
                    at(key),
                    Outcome::Dropped,
                    "the clients' TLS mode in Coolify's connection URLs, not part of the server",
                );
            }
            continue;
        }
        if key == "custom_docker_run_options" {
            continue;
        }
        let why = if BOOKKEEPING.contains(&key.as_str()) {
            "Coolify's bookkeeping, not part of the container"
        } else {
            "not used by the Kubernetes translation"
        };
        report.add(at(key), Outcome::Dropped, why);
    }
}

type Environment = (
    indexmap::IndexMap<String, Option<String>>,
    BTreeMap<String, String>,
    BTreeSet<String>,
);

/// Stored runtime variables, then the credential columns under the image's variable names
/// (unless stored), then `env`: all values in the Secret, references in the pod.
fn environment(
    kind: DatabaseKind,
    a: &Attrs<'_>,
    env: &BTreeMap<String, String>,
    errors: &mut Vec<Error>,
) -> Environment {
    let mut values: indexmap::IndexMap<String, String> = indexmap::IndexMap::new();
    for list_key in ["environment_variables", "runtime_environment_variables"] {
        for v in stored_variables(a, list_key, errors) {
            if v.attrs.flag("is_runtime", true) {
                values.insert(v.key, v.attrs.string("value").unwrap_or_default());
            }
        }
    }
    for (var, column) in kind.credentials() {
        if values.contains_key(*var) || env.contains_key(*var) {
            continue;
        }
        match a.string(column) {
            Some(v) => {
                values.insert((*var).to_string(), v);
            }
            None if column.ends_with("password") => errors.push(Error::new(
                InputPath::root().key(*column),
                format!("the {kind} password is required ({var})"),
            )),
            None => {}
        }
    }
    for (key, value) in checked_env(env, errors) {
        values.insert(key.clone(), value.clone());
    }
    let mut environment = indexmap::IndexMap::new();
    let mut variables = BTreeMap::new();
    let mut secret = BTreeSet::new();
    for (key, value) in values {
        if is_coolify_variable(&key) {
            environment.insert(key, Some(value));
            continue;
        }
        environment.insert(key.clone(), Some(deferred::reference(&key)));
        variables.insert(key.clone(), value);
        secret.insert(key);
    }
    (environment, variables, secret)
}

/// `ports_mappings` as on Docker, and the public port (`is_public` + `public_port`) that
/// `StartDatabaseProxy` publishes on the server, to the database's port.
fn ports(kind: DatabaseKind, a: &Attrs<'_>, errors: &mut Vec<Error>) -> Vec<Port> {
    let mut ports = port_mappings(a, errors);
    if a.flag("is_public", false) {
        match a
            .number("public_port", errors)
            .and_then(|p| u16::try_from(p).ok())
        {
            Some(p) if p > 0 => ports.push(Port {
                name: None,
                target: kind.port(),
                published: Some(p.to_string()),
                host_ip: None,
                protocol: Protocol::Tcp,
                app_protocol: None,
                mode: None,
                written_index: None,
            }),
            _ => errors.push(Error::new(
                InputPath::root().key("public_port"),
                "a public database needs a port from 1 to 65535",
            )),
        }
    }
    ports
}

/// Coolify's health check with the `health_check_*` timings (seconds).
fn health_check(
    kind: DatabaseKind,
    a: &Attrs<'_>,
    errors: &mut Vec<Error>,
) -> crate::compose::Healthcheck {
    crate::compose::Healthcheck {
        test: Some(HealthcheckTest::Shell(kind.health_check().to_string())),
        ..health_check_timings(a, errors)
    }
}

/// The configuration column as a read-only file where Coolify mounts it. PostgreSQL's gets
/// `listen_addresses = '*'` when it has none, as `StartPostgresql::add_custom_conf` writes.
fn config_file(kind: DatabaseKind, a: &Attrs<'_>, svc: &mut Service) -> Option<String> {
    let file = kind.config_file()?;
    let mut content = a.string(file.column).filter(|c| !c.trim().is_empty())?;
    if kind == DatabaseKind::Postgresql && !content.contains("listen_addresses") {
        content.push_str("\nlisten_addresses = '*'");
    }
    let mut v = volume(
        MountType::Bind,
        Some(file.target.to_string()),
        file.target.to_string(),
        Some(content.clone()),
        Some(false),
    );
    v.read_only = true;
    svc.volumes.push(v);
    Some(content)
}

/// `init_scripts: [{filename, content}]` as read-only files in `/docker-entrypoint-initdb.d/`
/// (file name reduced to its last part, as Coolify's `basename()`); MongoDB also gets
/// Coolify's `01-default-database.js`, reading the credentials from the environment.
fn init_scripts(kind: DatabaseKind, a: &Attrs<'_>, svc: &mut Service, errors: &mut Vec<Error>) {
    if !kind.has_init_scripts() {
        return;
    }
    let mut scripts = Vec::new();
    if kind == DatabaseKind::Mongodb {
        scripts.push((
            "01-default-database.js".to_string(),
            "const dbName = process.env.MONGO_INITDB_DATABASE;\n\
             db = db.getSiblingDB(dbName);\n\
             db.createCollection('init_collection');\n\
             db.createUser({user: process.env.MONGO_INITDB_ROOT_USERNAME, \
             pwd: process.env.MONGO_INITDB_ROOT_PASSWORD, roles: [{role: 'readWrite', db: dbName}]});\n"
                .to_string(),
        ));
    }
    if let Some(list) = a.get("init_scripts").and_then(Value::as_array) {
        for (i, s) in list.iter().enumerate() {
            let p = InputPath::root().key("init_scripts").index(i);
            let sa = s.as_object().map(Attrs::of);
            let name = sa
                .as_ref()
                .and_then(|x| x.text("filename"))
                .and_then(|f| f.rsplit('/').next().map(str::to_string))
                .filter(|f| !f.is_empty() && f != "." && f != "..");
            let Some(name) = name else {
                errors.push(Error::new(
                    p.key("filename"),
                    "an init script needs a file name",
                ));
                continue;
            };
            let content = sa.and_then(|x| x.string("content")).unwrap_or_default();
            scripts.push((name, content));
        }
    }
    for (name, content) in scripts {
        let target = format!("/docker-entrypoint-initdb.d/{name}");
        let mut v = volume(
            MountType::Bind,
            Some(target.clone()),
            target,
            Some(content),
            Some(false),
        );
        v.read_only = true;
        svc.volumes.push(v);
    }
}

/// `defaultDatabaseLabels()` (`bootstrap/helpers/docker.php`).
fn labels(kind: DatabaseKind, a: &Attrs<'_>, svc: &mut Service) {
    let name = a.text("name");
    identity_labels(a, svc, "database", "coolify.databaseId", name.as_deref());
    svc.labels
        .insert("coolify.database.subType".into(), kind.name().to_string());
}

impl crate::Translator {
    /// Translate a standalone database (see [`from_attributes`]) through the same plan as a
    /// Compose file. The resource's name and namespace default to its `uuid`.
    pub fn database(
        &self,
        kind: DatabaseKind,
        attrs: &Value,
        env: &BTreeMap<String, String>,
    ) -> Result<crate::Manifests, Errors> {
        let mut input = from_attributes(kind, attrs, env)?;
        let mut options = self.options().clone();
        options
            .secret_variables
            .extend(input.secret_variables.iter().cloned());
        if options.name.is_none() {
            options.name = Some(input.service.clone());
        }
        let instance = crate::plan::instance_name(&input.project, &options, None);
        let namespace = crate::plan::namespace_name(&options, &instance);
        super::identity::report_reach(&options, &input.service, &namespace, &mut input.report);
        let mut manifests = crate::Translator::new(options).project(
            &input.project,
            input.report,
            &input.variables,
            None,
        )?;
        rebase_volumes(
            manifests.report_mut(),
            &input.service,
            &input.volume_origins,
        );
        Ok(manifests)
    }
}

#[cfg(test)]
mod tests;
