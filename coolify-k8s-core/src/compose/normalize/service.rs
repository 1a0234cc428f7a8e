//! One service: the canonical rewrite of each key, and the typed [`Service`] with every
//! key of the specification (and Coolify's `exclude_from_hc`) checked against its type.

use super::value::{self, Diagnostics};
use super::{build, command, depends_on, deploy, files, healthcheck, key_values};
use super::{networks, ports, shape, ulimits, volumes};
use crate::compose::options::LoadOptions;
use crate::compose::service::{PullPolicy, Restart, Service};
use crate::path::InputPath;
use serde_json::{json, Value};

/// The service keys of the Compose Specification (`compose-spec.json`), and Coolify's.
pub(crate) const SERVICE_KEYS: &[&str] = &[
    "develop",
    "deploy",
    "annotations",
    "attach",
    "build",
    "blkio_config",
    "cap_add",
    "cap_drop",
    "cgroup",
    "cgroup_parent",
    "command",
    "configs",
    "container_name",
    "cpu_count",
    "cpu_percent",
    "cpu_shares",
    "cpu_quota",
    "cpu_period",
    "cpu_rt_period",
    "cpu_rt_runtime",
    "cpus",
    "cpuset",
    "credential_spec",
    "depends_on",
    "device_cgroup_rules",
    "devices",
    "dns",
    "dns_opt",
    "dns_search",
    "domainname",
    "entrypoint",
    "env_file",
    "label_file",
    "environment",
    "expose",
    "extends",
    "provider",
    "external_links",
    "extra_hosts",
    "gpus",
    "group_add",
    "healthcheck",
    "hostname",
    "image",
    "init",
    "ipc",
    "isolation",
    "labels",
    "links",
    "logging",
    "mac_address",
    "mem_limit",
    "mem_reservation",
    "mem_swappiness",
    "memswap_limit",
    "network_mode",
    "models",
    "networks",
    "oom_kill_disable",
    "oom_score_adj",
    "pid",
    "pids_limit",
    "platform",
    "ports",
    "post_start",
    "pre_stop",
    "privileged",
    "profiles",
    "pull_policy",
    "pull_refresh_after",
    "read_only",
    "restart",
    "runtime",
    "scale",
    "security_opt",
    "shm_size",
    "secrets",
    "sysctls",
    "stdin_open",
    "stop_grace_period",
    "stop_signal",
    "storage_opt",
    "tmpfs",
    "tty",
    "ulimits",
    "use_api_socket",
    "user",
    "uts",
    "userns_mode",
    "volumes",
    "volumes_from",
    "working_dir",
    // Coolify's own key (stripped by Coolify before Docker sees the file).
    "exclude_from_hc",
];

/// Rewrite one service's short syntaxes into the long ones, in place.
pub(crate) fn canonicalize_service(
    v: &mut Value,
    path: &InputPath,
    options: &LoadOptions,
    d: &mut Diagnostics,
) {
    let Some(m) = v.as_object_mut() else {
        d.error(path, value::expected("a mapping", v));
        return;
    };
    for (k, x) in m.iter_mut() {
        let p = path.key(k);
        match k.as_str() {
            "build" => build::canonicalize_build(x, &p, d),
            "ports" => ports::canonicalize_ports(x, &p, d),
            "expose" => ports::canonicalize_expose(x, &p, d),
            "volumes" => volumes::canonicalize_volumes(x, &p, d),
            "environment" => key_values::canonicalize_environment(x, &p, options, d),
            "labels" | "annotations" | "sysctls" => key_values::canonicalize_labels(x, &p, d),
            "extra_hosts" => key_values::canonicalize_extra_hosts(x, &p, d),
            "depends_on" => depends_on::canonicalize_depends_on(x, &p, d),
            "env_file" => files::canonicalize_env_file(x, &p, d),
            "label_file" => files::canonicalize_label_file(x),
            "configs" | "secrets" => files::canonicalize_file_references(x),
            "command" | "entrypoint" => command::canonicalize_command(x, &p, d),
            "networks" => networks::canonicalize_service_networks(x, &p, d),
            "healthcheck" => healthcheck::canonicalize_healthcheck(x),
            "deploy" => deploy::canonicalize_deploy(x, &p, d),
            "ulimits" => ulimits::canonicalize_ulimits(x, &p, d),
            "dns" | "dns_search" | "tmpfs" => match x {
                Value::String(s) => *x = json!([s]),
                Value::Array(items) => value::unique(items, &p, d),
                _ => {}
            },
            "extends" => {
                if let Value::String(s) = x {
                    *x = json!({ "service": s });
                }
            }
            // The schema's `uniqueItems`, checked file by file: merging removes repeats.
            "cap_add"
            | "cap_drop"
            | "dns_opt"
            | "security_opt"
            | "links"
            | "external_links"
            | "volumes_from"
            | "group_add"
            | "device_cgroup_rules"
            | "profiles" => {
                if let Value::Array(items) = x {
                    value::unique(items, &p, d);
                }
            }
            _ => {}
        }
    }
}

fn pull_policy(s: &str) -> Option<PullPolicy> {
    match s {
        "always" => Some(PullPolicy::Always),
        "never" => Some(PullPolicy::Never),
        "missing" | "if_not_present" => Some(PullPolicy::Missing),
        "build" => Some(PullPolicy::Build),
        "refresh" | "daily" | "weekly" => Some(PullPolicy::Refresh(s.to_string())),
        _ => {
            let every = s.strip_prefix("every_")?;
            let valid = !every.is_empty()
                && every
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b"wdhms".contains(&b))
                && every
                    .bytes()
                    .next_back()
                    .is_some_and(|b| b"wdhms".contains(&b))
                && every.bytes().next().is_some_and(|b| b.is_ascii_digit());
            valid.then(|| PullPolicy::Refresh(s.to_string()))
        }
    }
}

fn restart(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Option<Restart> {
    // YAML 1.1 parsers read an unquoted `restart: no` as the boolean false; Compose
    // (YAML 1.2) reads the string "no". Both mean "no".
    if v == &Value::Bool(false) {
        return Some(Restart::No);
    }
    let s = value::string(v, path, d)?;
    // docker compose (`getRestartPolicy`) splits the text at `:` and reads the count with Go's
    // `strconv.Atoi`, ignoring its error: a count that is not a number is 0. The engine then
    // refuses an unknown policy, a count with any policy but on-failure, and a negative count.
    let mut parts = s.split(':');
    let name = parts.next().unwrap_or_default();
    // The text after ':' and its number as docker compose reads it.
    let written_count = parts.next().map(|text| (text, go_atoi(text)));
    let count = written_count.and_then(|(_, n)| n).unwrap_or(0);
    let refused = |d: &mut Diagnostics, why: &str| {
        d.error(
            path,
            format!("invalid restart policy {s:?}: {why} (expected no, always, on-failure[:N] or unless-stopped)"),
        );
        None
    };
    let policy = match name {
        "no" | "" => Restart::No,
        "always" => Restart::Always,
        "unless-stopped" => Restart::UnlessStopped,
        "on-failure" if count < 0 => {
            return refused(d, "Docker refuses a negative retry limit");
        }
        "on-failure" => {
            if let Some((text, number)) = written_count {
                let read = if number.is_none() {
                    format!(" ({text:?} is not a number, which Docker reads as 0: no limit)")
                } else {
                    String::new()
                };
                d.approximated(
                    path,
                    format!("the retry limit of on-failure is not kept in the model{read}"),
                );
            }
            return Some(Restart::OnFailure);
        }
        _ => return refused(d, "unknown policy"),
    };
    match written_count.map(|(text, _)| text) {
        Some(_) if count != 0 => refused(d, "Docker takes a retry limit only with on-failure"),
        Some(text) => {
            d.dropped(
                path,
                format!(
                    "the retry count {text:?} after the policy is ignored, as Docker ignores it"
                ),
            );
            Some(policy)
        }
        None => Some(policy),
    }
}

/// Go's `strconv.Atoi`: an optional sign and decimal digits, anything else not a number
/// (`None`, which docker compose reads as 0); beyond the range of an `int`, saturated, as
/// the value Go returns with its range error.
fn go_atoi(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Accumulated with its sign, so that it saturates at either end as Go's does.
    let sign = if negative { -1 } else { 1 };
    Some(digits.bytes().fold(0i64, |n, b| {
        n.saturating_mul(10)
            .saturating_add(sign * i64::from(b - b'0'))
    }))
}

/// `memswap_limit`: `-1` (unlimited) or a byte size.
fn memswap(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Option<i64> {
    match v {
        Value::Number(n) if n.as_i64() == Some(-1) => Some(-1),
        Value::String(s) if s.trim() == "-1" => Some(-1),
        _ => deploy::byte_size(v, path, d).and_then(|b| i64::try_from(b.bytes()).ok()),
    }
}

/// The typed service.
pub(crate) fn service(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Service {
    let mut s = Service::default();
    let Some(m) = value::mapping(v, path, d) else {
        return s;
    };
    let options = LoadOptions::default();
    for (k, x) in m {
        let p = path.key(k);
        let d = &mut *d;
        match k.as_str() {
            // image and process
            "image" => s.image = value::string(x, &p, d),
            "build" => s.build = build::build(x, &p, d),
            "pull_policy" => {
                s.pull_policy = value::string(x, &p, d).and_then(|t| match pull_policy(&t) {
                    Some(pp) => Some(pp),
                    None => {
                        d.error(&p, format!("invalid pull policy {t:?} (expected always, never, missing, build, refresh, daily, weekly or every_<duration>)"));
                        None
                    }
                })
            }
            "pull_refresh_after" => s.pull_refresh_after = value::string(x, &p, d),
            "entrypoint" => s.entrypoint = command::command(x, &p, d).flatten(),
            "command" => s.command = command::command(x, &p, d).flatten(),
            "working_dir" => s.working_dir = value::string(x, &p, d),
            "user" => s.user = value::string(x, &p, d),
            "group_add" => s.group_add = value::string_or_number_list(x, &p, d).unwrap_or_default(),
            "init" => s.init = value::boolean(x, &p, d),
            "stdin_open" => s.stdin_open = value::boolean(x, &p, d),
            "tty" => s.tty = value::boolean(x, &p, d),
            "restart" => s.restart = restart(x, &p, d),
            "stop_grace_period" => s.stop_grace_period = deploy::duration(x, &p, d),
            "stop_signal" => s.stop_signal = value::string(x, &p, d),
            "post_start" => {
                shape::HOOKS.check(x, &p, d);
                s.post_start = Some(x.clone());
            }
            "pre_stop" => {
                shape::HOOKS.check(x, &p, d);
                s.pre_stop = Some(x.clone());
            }
            // environment and labels
            "environment" => s.environment = key_values::environment(x, &p, &options, d),
            "env_file" => s.env_file = files::env_file(x, &p, d),
            "labels" => s.labels = key_values::labels(x, &p, d),
            "label_file" => s.label_file = files::label_file(x, &p, d),
            "annotations" => s.annotations = key_values::labels(x, &p, d),
            // networking
            "ports" => s.ports = ports::ports(x, &p, d),
            "expose" => s.expose = ports::expose(x, &p, d),
            "networks" => s.networks = networks::service_networks(x, &p, d),
            "network_mode" => s.network_mode = value::string(x, &p, d),
            "hostname" => s.hostname = value::string(x, &p, d),
            "domainname" => s.domainname = value::string(x, &p, d),
            "container_name" => {
                s.container_name = value::string(x, &p, d);
                if let Some(name) = &s.container_name {
                    if !valid_container_name(name) {
                        d.error(&p, format!("invalid container name {name:?}"));
                    }
                }
            }
            "links" => s.links = value::string_list(x, &p, d).unwrap_or_default(),
            "external_links" => s.external_links = value::string_list(x, &p, d).unwrap_or_default(),
            "extra_hosts" => s.extra_hosts = key_values::extra_hosts(x, &p, d),
            "dns" => s.dns = value::string_or_list(x, &p, d).unwrap_or_default(),
            "dns_opt" => s.dns_opt = value::string_list(x, &p, d).unwrap_or_default(),
            "dns_search" => s.dns_search = value::string_or_list(x, &p, d).unwrap_or_default(),
            "mac_address" => s.mac_address = value::string(x, &p, d),
            // ordering and health
            "depends_on" => s.depends_on = depends_on::depends_on(x, &p, d),
            "healthcheck" => s.healthcheck = healthcheck::healthcheck(x, &p, d),
            // storage and configuration
            "volumes" => s.volumes = volumes::volumes(x, &p, d),
            "volumes_from" => s.volumes_from = value::string_list(x, &p, d).unwrap_or_default(),
            "tmpfs" => s.tmpfs = value::string_or_list(x, &p, d).unwrap_or_default(),
            "configs" => s.configs = files::file_references(x, &p, d),
            "secrets" => s.secrets = files::file_references(x, &p, d),
            "read_only" => s.read_only = value::boolean(x, &p, d),
            "shm_size" => s.shm_size = deploy::byte_size(x, &p, d),
            "storage_opt" => {
                shape::STORAGE_OPT.check(x, &p, d);
                s.storage_opt = Some(x.clone());
            }
            // security
            "privileged" => s.privileged = value::boolean(x, &p, d),
            "cap_add" => s.cap_add = value::string_list(x, &p, d).unwrap_or_default(),
            "cap_drop" => s.cap_drop = value::string_list(x, &p, d).unwrap_or_default(),
            "security_opt" => s.security_opt = value::string_list(x, &p, d).unwrap_or_default(),
            "sysctls" => s.sysctls = key_values::labels(x, &p, d),
            "userns_mode" => s.userns_mode = value::string(x, &p, d),
            "credential_spec" => {
                shape::CREDENTIAL_SPEC.check(x, &p, d);
                s.credential_spec = Some(x.clone());
            }
            // resources
            "deploy" => s.deploy = deploy::deploy(x, &p, d),
            "scale" => s.scale = value::count(x, &p, d),
            "mem_limit" => s.mem_limit = deploy::byte_size(x, &p, d),
            "mem_reservation" => s.mem_reservation = deploy::byte_size(x, &p, d),
            "memswap_limit" => s.memswap_limit = memswap(x, &p, d),
            "mem_swappiness" => s.mem_swappiness = value::integer(x, &p, d),
            "cpus" => s.cpus = value::number(x, &p, d),
            "cpu_shares" => s.cpu_shares = value::number(x, &p, d).map(|f| f as i64),
            "cpuset" => s.cpuset = value::string(x, &p, d),
            "pids_limit" => s.pids_limit = value::number(x, &p, d).map(|f| f as i64),
            "ulimits" => s.ulimits = ulimits::ulimits(x, &p, d),
            "gpus" => {
                shape::GPUS.check(x, &p, d);
                s.gpus = Some(x.clone());
            }
            "cpu_count" | "cpu_percent" | "cpu_quota" | "cpu_period" | "cpu_rt_period" | "cpu_rt_runtime" => {
                cpu_tuning(k, x, &p, d);
                s.cpu_tuning.insert(k.clone(), x.clone());
            }
            // host integration
            "pid" => s.pid = if x.is_null() { None } else { value::string(x, &p, d) },
            "ipc" => s.ipc = value::string(x, &p, d),
            "uts" => s.uts = value::string(x, &p, d),
            "cgroup" => {
                shape::Shape::StrEnum(&["host", "private"]).check(x, &p, d);
                s.cgroup = x.as_str().map(str::to_string);
            }
            "cgroup_parent" => s.cgroup_parent = value::string(x, &p, d),
            "runtime" => s.runtime = value::string(x, &p, d),
            "platform" => s.platform = value::string(x, &p, d),
            "isolation" => s.isolation = value::string(x, &p, d),
            "logging" => {
                shape::LOGGING.check(x, &p, d);
                s.logging = Some(x.clone());
            }
            "devices" => {
                shape::DEVICES.check(x, &p, d);
                s.devices = Some(x.clone());
            }
            "device_cgroup_rules" => s.device_cgroup_rules = value::string_list(x, &p, d).unwrap_or_default(),
            "oom_kill_disable" => s.oom_kill_disable = value::boolean(x, &p, d),
            "oom_score_adj" => {
                s.oom_score_adj = value::integer(x, &p, d);
                if let Some(n) = s.oom_score_adj {
                    if !(-1000..=1000).contains(&n) && x.is_number() {
                        d.error(&p, format!("expected a value from -1000 to 1000, got {n}"));
                    }
                }
            }
            "blkio_config" => {
                shape::BLKIO_CONFIG.check(x, &p, d);
                s.blkio_config = Some(x.clone());
            }
            "use_api_socket" => s.use_api_socket = value::strict_boolean(x, &p, d),
            "attach" => s.attach = value::boolean(x, &p, d),
            // Compose tooling
            "profiles" => s.profiles = value::string_list(x, &p, d).unwrap_or_default(),
            "develop" => {
                shape::DEVELOP.check(x, &p, d);
                s.develop = (!x.is_null()).then(|| x.clone());
            }
            "provider" => {
                shape::PROVIDER.check(x, &p, d);
                s.provider = Some(x.clone());
            }
            "models" => {
                shape::SERVICE_MODELS.check(x, &p, d);
                s.models = Some(x.clone());
            }
            "extends" => {
                shape::EXTENDS.check(x, &p, d);
                d.dropped(&p, "extends is resolved by the loader; left in the merged file");
            }
            // Coolify
            "exclude_from_hc" => s.exclude_from_hc = value::boolean(x, &p, d).unwrap_or(false),
            _ if value::is_extension(k) => {
                s.extensions.insert(k.clone(), x.clone());
            }
            _ => d.error(&p, value::unknown_key_message(k, SERVICE_KEYS)),
        }
    }
    s
}

/// The schema's unanchored pattern `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
fn valid_container_name(name: &str) -> bool {
    let b = name.as_bytes();
    b.windows(2).any(|w| {
        w[0].is_ascii_alphanumeric()
            && (w[1].is_ascii_alphanumeric() || matches!(w[1], b'_' | b'.' | b'-'))
    })
}

fn cpu_tuning(key: &str, x: &Value, path: &InputPath, d: &mut Diagnostics) {
    match key {
        "cpu_count" | "cpu_percent" => {
            let max = if key == "cpu_percent" { 100 } else { i64::MAX };
            match x {
                Value::String(_) => {}
                Value::Number(_) => match value::integer(x, path, d) {
                    Some(n) if (0..=max).contains(&n) => {}
                    Some(n) => d.error(path, format!("expected a value from 0 to {max}, got {n}")),
                    None => {}
                },
                other => d.error(path, value::expected("an integer or a string", other)),
            }
        }
        _ => {
            value::string_or_number(x, path, d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ninety_two_keys_and_coolify() {
        assert_eq!(SERVICE_KEYS.len(), 93);
        let mut sorted = SERVICE_KEYS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 93);
    }

    #[test]
    fn pull_policies() {
        assert_eq!(pull_policy("if_not_present"), Some(PullPolicy::Missing));
        assert_eq!(
            pull_policy("every_12h"),
            Some(PullPolicy::Refresh("every_12h".into()))
        );
        assert_eq!(pull_policy("every_"), None);
        assert_eq!(pull_policy("sometimes"), None);
    }

    #[test]
    fn restart_policies() {
        let mut d = Diagnostics::default();
        let p = InputPath::root().key("restart");
        assert_eq!(restart(&json!("no"), &p, &mut d), Some(Restart::No));
        assert_eq!(restart(&json!(false), &p, &mut d), Some(Restart::No));
        assert_eq!(
            restart(&json!("on-failure:3"), &p, &mut d),
            Some(Restart::OnFailure)
        );
        assert!(d.errors.is_empty());
        assert_eq!(d.report.entries().len(), 1);
        assert_eq!(restart(&json!("sometimes"), &p, &mut d), None);
        assert_eq!(d.errors.len(), 1);
    }

    /// What docker compose and the engine make of a count after the policy: `on-failure`'s
    /// count read as Go's `Atoi` reads it (not a number: 0, no limit), any other policy's
    /// accepted only when it reads as 0, a negative one refused.
    #[test]
    fn restart_counts_are_read_as_docker_reads_them() {
        let p = InputPath::root().key("restart");
        let read = |text: &str| {
            let mut d = Diagnostics::default();
            let policy = restart(&json!(text), &p, &mut d);
            let errors: Vec<String> = d.errors.iter().map(ToString::to_string).collect();
            let report: Vec<String> = d.report.entries().iter().map(ToString::to_string).collect();
            (policy, errors, report)
        };
        let (policy, errors, report) = read("on-failure:abc");
        assert_eq!((policy, errors.len()), (Some(Restart::OnFailure), 0));
        assert_eq!(
            report,
            [
                "approximated: restart: the retry limit of on-failure is not kept in the model \
              (\"abc\" is not a number, which Docker reads as 0: no limit)"
            ]
        );
        assert_eq!(read("on-failure:+3").0, Some(Restart::OnFailure));
        assert_eq!(read("on-failure:").0, Some(Restart::OnFailure));
        assert_eq!(read("on-failure:0").2.len(), 1);
        let (policy, errors, _) = read("on-failure:-1");
        assert_eq!(policy, None);
        assert!(errors[0].contains("negative retry limit"), "{errors:?}");
        let (policy, errors, report) = read("always:abc");
        assert_eq!((policy, errors.len()), (Some(Restart::Always), 0));
        assert!(
            report[0].starts_with("dropped: restart: the retry count \"abc\""),
            "{report:?}"
        );
        assert_eq!(read("unless-stopped:0").0, Some(Restart::UnlessStopped));
        let (policy, errors, _) = read("always:3");
        assert_eq!(policy, None);
        assert!(errors[0].contains("only with on-failure"), "{errors:?}");
        assert_eq!(read("").0, Some(Restart::No));
        assert_eq!(read("sometimes:1").0, None);
        assert_eq!(read("on-failure:00").2.len(), 1);
        assert!(!read("on-failure:00").2[0].contains("not a number"));
        assert_eq!(go_atoi("99999999999999999999"), Some(i64::MAX));
        assert_eq!(go_atoi("-99999999999999999999"), Some(i64::MIN));
        assert_eq!(go_atoi("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(go_atoi("-9223372036854775807"), Some(-i64::MAX));
        assert_eq!(
            [" 3", "3 ", "-", "", "+12", "-0"].map(go_atoi),
            [None, None, None, None, Some(12), Some(0)]
        );
    }

    #[test]
    fn unknown_keys_are_errors_extensions_are_kept() {
        let mut d = Diagnostics::default();
        let s = service(
            &json!({"image": "nginx", "x-coolify": {"a": 1}, "exclude_from_hc": true, "imagee": "x"}),
            &InputPath::root().key("services").key("web"),
            &mut d,
        );
        assert_eq!(s.image.as_deref(), Some("nginx"));
        assert!(s.exclude_from_hc);
        assert_eq!(s.extensions["x-coolify"], json!({"a": 1}));
        assert_eq!(d.errors.len(), 1);
        assert_eq!(
            d.errors[0].to_string(),
            "services.web.imagee: unknown key \"imagee\""
        );
    }
}
