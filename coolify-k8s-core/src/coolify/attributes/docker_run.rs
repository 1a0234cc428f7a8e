//! `custom_docker_run_options`: the `docker run` flags a user adds to an Application or a
//! database, which Coolify turns into Compose keys of the container's service
//! (`convertDockerRunToCompose`, `bootstrap/helpers/docker.php`) and merges into it
//! (`array_merge_recursive` in `ApplicationDeploymentJob` and
//! `generateCustomDockerRunOptionsForDatabases`). The same keys here go through the Compose
//! reader and then the plan, so `--cap-add`, `--privileged`, `--device`, `--shm-size`,
//! `--sysctl`, `--ulimit`, `--dns`, `--init`, `--hostname`, `--entrypoint` and `--gpus`
//! become what those Compose keys become.
//!
//! The flags are read as Coolify's pattern reads them, quirks included (a value ends at a
//! `-`, `--flag=value` and `--flag value` alike); flags it does not apply are ignored on
//! Docker and reported here. `--ip` / `--ip6` (a fixed address on Coolify's network) have
//! no pod equivalent: reported.

use super::Attrs;
use crate::compose::{Deploy, Service};
use crate::error::Error;
use crate::path::InputPath;
use crate::report::{Outcome, Report};
use serde_json::{json, Map, Value};

/// The flags Coolify applies, with their Compose key.
const MAPPING: &[(&str, &str)] = &[
    ("--cap-add", "cap_add"),
    ("--cap-drop", "cap_drop"),
    ("--security-opt", "security_opt"),
    ("--sysctl", "sysctls"),
    ("--device", "devices"),
    ("--init", "init"),
    ("--ulimit", "ulimits"),
    ("--privileged", "privileged"),
    ("--ip", "ip"),
    ("--ip6", "ip6"),
    ("--shm-size", "shm_size"),
    ("--dns", "dns"),
    ("--gpus", "gpus"),
    ("--hostname", "hostname"),
    ("--entrypoint", "entrypoint"),
];

/// What a flag collected: its values, or `true` when it had none.
#[derive(Debug, Clone, PartialEq)]
enum Collected {
    Flag,
    Values(Vec<String>),
}

impl Collected {
    fn push(&mut self, v: String) {
        match self {
            Collected::Values(list) => {
                if !list.contains(&v) {
                    list.push(v);
                }
            }
            Collected::Flag => *self = Collected::Values(vec![v]),
        }
    }
}

/// PCRE's `\s` without Unicode: space, tab, newline, vertical tab, form feed, return.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// PCRE's `\w` without Unicode.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Every match of Coolify's `(--\w+(?:-\w+)*)(?:\s|=)?([^\s-]+)?`: the flag and its value
/// (empty when none), in order.
fn matches(s: &str) -> Vec<(&str, &str)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 2 < b.len() {
        if !(b[i] == b'-' && b[i + 1] == b'-' && is_word(b[i + 2])) {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i + 2;
        while j < b.len() && is_word(b[j]) {
            j += 1;
        }
        while j + 1 < b.len() && b[j] == b'-' && is_word(b[j + 1]) {
            j += 1;
            while j < b.len() && is_word(b[j]) {
                j += 1;
            }
        }
        let flag = &s[start..j];
        if j < b.len() && (is_space(b[j]) || b[j] == b'=') {
            j += 1;
        }
        let value_start = j;
        while j < b.len() && !is_space(b[j]) && b[j] != b'-' {
            j += 1;
        }
        out.push((flag, &s[value_start..j]));
        i = j;
    }
    out
}

/// The text after each `FLAG=` or `FLAG` and spaces in `s` (the `FLAG(?:=|\s+)` of Coolify's
/// `--hostname` and `--entrypoint` patterns), in order.
fn after_flag<'s>(s: &'s str, flag: &'s str) -> impl Iterator<Item = &'s str> + 's {
    let b = s.as_bytes();
    s.match_indices(flag).filter_map(move |(i, _)| {
        let mut j = i + flag.len();
        if b.get(j) == Some(&b'=') {
            return Some(&s[j + 1..]);
        }
        let k = j;
        while j < b.len() && is_space(b[j]) {
            j += 1;
        }
        (j > k).then(|| &s[j..])
    })
}

/// The first word after `--flag=` / `--flag ` in `s` (Coolify's `--hostname` pattern
/// `--hostname(?:=|\s+)([^\s]+)`).
fn spaced_value<'s>(s: &'s str, flag: &'s str) -> Option<&'s str> {
    after_flag(s, flag).find_map(|rest| {
        let end = rest.bytes().position(is_space).unwrap_or(rest.len());
        (end > 0).then(|| &rest[..end])
    })
}

/// Coolify's `--entrypoint` value: a double-quoted string (backslash escapes of `"`, `$`,
/// `` ` `` and `\` undone), a single-quoted one (as written), or a word.
fn entrypoint(s: &str) -> Option<String> {
    for rest in after_flag(s, "--entrypoint") {
        for quote in ['"', '\''] {
            if let Some(body) = rest.strip_prefix(quote) {
                let mut out = String::new();
                let mut chars = body.chars();
                while let Some(c) = chars.next() {
                    if c == '\\' {
                        match chars.next() {
                            Some(n) if quote == '"' && matches!(n, '"' | '$' | '`' | '\\') => {
                                out.push(n)
                            }
                            Some(n) => {
                                out.push(c);
                                out.push(n);
                            }
                            None => break,
                        }
                    } else if c == quote {
                        return Some(out);
                    } else {
                        out.push(c);
                    }
                }
                // No closing quote: the pattern falls back to a word.
            }
        }
        let end = rest.bytes().position(is_space).unwrap_or(rest.len());
        if end > 0 {
            return Some(rest[..end].to_string());
        }
    }
    None
}

/// What `custom_docker_run_options` adds to the container's service: the Compose keys
/// (`convertDockerRunToCompose`), the fixed addresses, and the flags Coolify ignores.
#[derive(Debug, Default)]
struct RunOptions {
    compose: Map<String, Value>,
    addresses: Vec<(&'static str, String)>,
    ignored: Vec<String>,
}

fn convert(s: &str) -> RunOptions {
    // Each known flag with its Compose key and what it collected, in first-seen order.
    let mut collected: Vec<(&'static str, &'static str, Collected)> = Vec::new();
    let mut out = RunOptions::default();
    for (flag, value) in matches(s) {
        let Some(&(known, key)) = MAPPING.iter().find(|(f, _)| *f == flag) else {
            if !out.ignored.iter().any(|f| f == flag) {
                out.ignored.push(flag.to_string());
            }
            continue;
        };
        let p = match collected.iter().position(|(f, _, _)| *f == known) {
            Some(p) => p,
            None => {
                collected.push((known, key, Collected::Flag));
                collected.len() - 1
            }
        };
        let entry = &mut collected[p].2;
        match known {
            "--gpus" => {
                let ids = s.find("device=").map(|i| {
                    s[i + "device=".len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ','))
                        .collect::<String>()
                });
                entry.push(
                    ids.filter(|v| !v.is_empty())
                        .unwrap_or_else(|| "all".into()),
                );
            }
            "--hostname" => {
                if let Some(v) = spaced_value(s, "--hostname").filter(|v| !v.trim().is_empty()) {
                    entry.push(v.to_string());
                }
            }
            "--entrypoint" => {
                if let Some(v) = entrypoint(s).filter(|v| !v.trim().is_empty()) {
                    entry.push(v);
                }
                continue;
            }
            _ => {}
        }
        if value.is_empty() {
            *entry = Collected::Flag;
        } else {
            entry.push(value.to_string());
        }
    }
    for (flag, key, c) in collected {
        let first = match &c {
            Collected::Values(v) => v.first().cloned(),
            Collected::Flag => None,
        };
        match (flag, c) {
            ("--ip" | "--ip6", Collected::Values(v)) => {
                if let Some(a) = v.into_iter().next() {
                    out.addresses.push((key, a));
                }
            }
            ("--ulimit", Collected::Values(v)) => {
                let mut limits = Map::new();
                for u in v {
                    let (kind, value) = u.split_once('=').unwrap_or((u.as_str(), ""));
                    // Numbers where they are (Compose's ulimits are integers).
                    let n = |x: &str| x.parse::<i64>().map_or_else(|_| json!(x), |n| json!(n));
                    let limit = match value.split_once(':') {
                        Some((soft, hard)) => json!({"soft": n(soft), "hard": n(hard)}),
                        None => json!({"soft": n(value)}),
                    };
                    limits.insert(kind.to_string(), limit);
                }
                out.compose.insert(key.into(), Value::Object(limits));
            }
            ("--shm-size" | "--hostname" | "--entrypoint", _) => {
                if let Some(v) = first.filter(|v| !v.trim().is_empty()) {
                    out.compose.insert(key.into(), Value::String(v));
                }
            }
            ("--gpus", _) => {
                let mut device = json!({"driver": "nvidia", "capabilities": ["gpu"]});
                if let Some(v) = first.filter(|v| !v.trim().is_empty() && v != "all") {
                    device["device_ids"] = json!(v.split(',').collect::<Vec<_>>());
                }
                out.compose.insert(
                    "deploy".into(),
                    json!({"resources": {"reservations": {"devices": [device]}}}),
                );
            }
            (_, Collected::Flag) => {
                out.compose.insert(key.into(), Value::Bool(true));
            }
            (_, Collected::Values(v)) => {
                out.compose.insert(key.into(), json!(v));
            }
        }
    }
    out
}

/// Read `custom_docker_run_options` into `svc` as Coolify merges it into the container's
/// service. Values Compose refuses (`--cap-add` without a capability, `--ulimit x=y:z` not
/// numbers) are errors at the column naming the flag.
pub(in crate::coolify) fn apply_run_options(
    a: &Attrs<'_>,
    svc: &mut Service,
    errors: &mut Vec<Error>,
    report: &mut Report,
) {
    let at = InputPath::root().key("custom_docker_run_options");
    let Some(text) = a.text("custom_docker_run_options") else {
        return;
    };
    let options = convert(&text);
    for flag in &options.ignored {
        report.add(
            at.clone(),
            Outcome::Dropped,
            format!("{flag}: not a flag Coolify applies (convertDockerRunToCompose), ignored as on Docker"),
        );
    }
    for (key, address) in &options.addresses {
        report.add(
            at.clone(),
            Outcome::Dropped,
            format!("--{key} {address}: a fixed address on Coolify's network; a pod gets its address from the cluster, and the Service name reaches it"),
        );
    }
    if options.compose.is_empty() {
        return;
    }
    let doc = json!({"services": {"run": Value::Object(options.compose.clone())}});
    let mut sub = Report::default();
    let project = match crate::compose::normalize::project(&doc, &mut sub) {
        Ok(p) => p,
        Err(e) => {
            let from = InputPath::root().key("services").key("run");
            for err in e.iter() {
                let key = err.path.to_string();
                let key = key
                    .strip_prefix(&format!("{from}."))
                    .unwrap_or(&key)
                    .to_string();
                let flag = MAPPING
                    .iter()
                    .find(|(_, k)| {
                        key.starts_with(k) || (key.starts_with("deploy") && *k == "gpus")
                    })
                    .map_or(key.as_str(), |(f, _)| f);
                errors.push(Error::new(at.clone(), format!("{flag}: {}", err.message)));
            }
            return;
        }
    };
    for entry in sub.entries() {
        report.add(at.clone(), entry.outcome, entry.message.clone());
    }
    let Some(run) = project.services.get("run") else {
        return;
    };
    merge(svc, run);
}

/// `array_merge_recursive` of the flags' keys into the service: lists and maps grow, a
/// setting the service does not have yet is taken.
fn merge(svc: &mut Service, run: &Service) {
    svc.cap_add.extend(run.cap_add.iter().cloned());
    svc.cap_drop.extend(run.cap_drop.iter().cloned());
    svc.security_opt.extend(run.security_opt.iter().cloned());
    svc.dns.extend(run.dns.iter().cloned());
    svc.sysctls
        .extend(run.sysctls.iter().map(|(k, v)| (k.clone(), v.clone())));
    svc.ulimits
        .extend(run.ulimits.iter().map(|(k, v)| (k.clone(), *v)));
    if let Some(devices) = &run.devices {
        svc.devices = match svc.devices.take() {
            Some(Value::Array(mut mine)) => {
                mine.extend(devices.as_array().cloned().unwrap_or_default());
                Some(Value::Array(mine))
            }
            _ => Some(devices.clone()),
        };
    }
    svc.init = svc.init.or(run.init);
    svc.privileged = svc.privileged.or(run.privileged);
    svc.shm_size = svc.shm_size.or(run.shm_size);
    if svc.hostname.is_none() {
        svc.hostname.clone_from(&run.hostname);
    }
    if svc.entrypoint.is_none() {
        svc.entrypoint.clone_from(&run.entrypoint);
    }
    let devices = run
        .deploy
        .as_ref()
        .and_then(|d| d.resources.as_ref())
        .and_then(|r| r.reservations.as_ref())
        .and_then(|r| r.devices.clone());
    if let Some(Value::Array(gpus)) = devices {
        let reservations = svc
            .deploy
            .get_or_insert_with(Deploy::default)
            .resources
            .get_or_insert_with(Default::default)
            .reservations
            .get_or_insert_with(Default::default);
        match &mut reservations.devices {
            Some(Value::Array(mine)) => mine.extend(gpus),
            _ => reservations.devices = Some(Value::Array(gpus)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_read_as_coolifys_pattern_reads_them() {
        assert_eq!(
            matches("--cap-add=NET_ADMIN --device /dev/net/tun --init --shm-size 2g"),
            vec![
                ("--cap-add", "NET_ADMIN"),
                ("--device", "/dev/net/tun"),
                ("--init", ""),
                ("--shm-size", "2g")
            ]
        );
        // A value ends at `-`, as `[^\s-]+` does.
        assert_eq!(
            matches("--security-opt no-new-privileges"),
            vec![("--security-opt", "no")]
        );
        assert_eq!(matches("---x -y"), vec![("--x", "")]);
    }

    #[test]
    fn convert_gives_coolifys_compose_keys() {
        let o = convert(
            "--cap-add NET_ADMIN --cap-add SYS_MODULE --ulimit nofile=1024:2048 --ulimit nproc=512 \
             --privileged --gpus device=0,1 --hostname=box1 --ip 10.0.0.9 --memory 512m \
             --entrypoint \"sh -c \\\"echo hi\\\"\"",
        );
        assert_eq!(o.compose["cap_add"], json!(["NET_ADMIN", "SYS_MODULE"]));
        assert_eq!(
            o.compose["ulimits"],
            json!({"nofile": {"soft": 1024, "hard": 2048}, "nproc": {"soft": 512}})
        );
        assert_eq!(o.compose["privileged"], json!(true));
        assert_eq!(
            o.compose["deploy"]["resources"]["reservations"]["devices"][0]["device_ids"],
            json!(["0", "1"])
        );
        assert_eq!(o.compose["hostname"], json!("box1"));
        assert_eq!(o.compose["entrypoint"], json!("sh -c \"echo hi\""));
        assert_eq!(o.addresses, vec![("ip", "10.0.0.9".to_string())]);
        assert_eq!(o.ignored, vec!["--memory".to_string()]);
        let all = convert("--gpus all");
        assert!(
            all.compose["deploy"]["resources"]["reservations"]["devices"][0]
                .get("device_ids")
                .is_none()
        );
    }
}
