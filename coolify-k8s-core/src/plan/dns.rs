//! Docker's embedded DNS: `127.0.0.11` is the resolver inside every container on a Docker
//! network, and templates hardcode it (nginx `resolver 127.0.0.11`, variables holding a
//! resolver). On Kubernetes nothing answers there; it becomes the cluster's DNS (option
//! `cluster_dns`, default [`crate::options::DEFAULT_CLUSTER_DNS`]). nginx's resolver
//! ignores search domains, so in a file that hands names to such a resolver the project's
//! service names in host positions (`http://app:3000`, `server app:80`) become fully
//! qualified (`app.<namespace>.svc.cluster.local`).

use super::model::{EnvValue, Plan};
use crate::path::InputPath;
use crate::report::{Outcome, Report};

/// Docker's embedded DNS server address.
pub const DOCKER_DNS: &str = "127.0.0.11";

/// Where a word stands as a host name in a file handed to a resolver: after `//` (URLs)
/// and after nginx's `server` (upstream blocks).
const HOST_PREFIXES: &[&str] = &["//", "server "];

/// Replace Docker's DNS address in `text` by `dns`, only where it is the whole address
/// (not `127.0.0.110`). Returns whether anything changed.
pub fn replace_docker_dns(text: &mut String, dns: &str) -> bool {
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    let mut changed = false;
    while let Some(pos) = rest.find(DOCKER_DNS) {
        let end = pos + DOCKER_DNS.len();
        let before = rest[..pos].chars().next_back();
        let after = rest[end..].chars().next();
        let whole = !before.is_some_and(|c| c.is_ascii_digit() || c == '.')
            && !after.is_some_and(|c| c.is_ascii_digit());
        out.push_str(&rest[..pos]);
        out.push_str(if whole { dns } else { DOCKER_DNS });
        changed |= whole;
        rest = &rest[end..];
    }
    out.push_str(rest);
    *text = out;
    changed
}

/// Replace `name` where it stands as a whole host name right after `prefix` in `text`
/// (not followed by more name characters: a dot would make it another, maybe already
/// qualified, name) by `with`. Returns whether anything changed.
pub fn replace_host(text: &mut String, prefix: &str, name: &str, with: &str) -> bool {
    // Most texts hold no such name: leave them without building a copy.
    if !text.contains(name) {
        return false;
    }
    let from = format!("{prefix}{name}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    let mut changed = false;
    while let Some(pos) = rest.find(&from) {
        let end = pos + from.len();
        let whole = rest[end..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')));
        out.push_str(&rest[..pos]);
        out.push_str(prefix);
        out.push_str(if whole { with } else { name });
        changed |= whole;
        rest = &rest[end..];
    }
    out.push_str(rest);
    *text = out;
    changed
}

/// Qualify `names` (each: a name as written → its Service name) in host positions of
/// `text` with `.<namespace>.svc.cluster.local`. Returns whether anything changed.
pub fn qualify_hosts(text: &mut String, names: &[(String, String)], namespace: &str) -> bool {
    let mut changed = false;
    for (written, service) in names {
        let qualified = format!("{service}.{namespace}.svc.cluster.local");
        for prefix in HOST_PREFIXES {
            changed |= replace_host(text, prefix, written, &qualified);
        }
    }
    changed
}

/// Replace Docker's DNS in every container's values and arguments, the resource Secret
/// and the files; in files that had it, qualify the project's service names. Reported.
pub fn map_docker_dns(plan: &mut Plan, dns: &str, report: &mut Report) {
    let names: Vec<(String, String)> = plan
        .workloads
        .iter()
        .flat_map(|w| {
            let mut v = vec![(w.service.clone(), w.service_name.clone())];
            if w.service != w.service_name {
                v.push((w.service_name.clone(), w.service_name.clone()));
            }
            v
        })
        .chain(
            plan.aliases
                .iter()
                .map(|a| (a.name.clone(), a.name.clone())),
        )
        .collect();
    for w in &mut plan.workloads {
        let at = InputPath::root().key("services").key(w.service.as_str());
        for c in w.containers.iter_mut().chain(w.init_containers.iter_mut()) {
            for e in &mut c.env {
                if let EnvValue::Literal(v) = &mut e.value {
                    if replace_docker_dns(v, dns) {
                        report.add(
                            at.key("environment").key(e.name.as_str()),
                            Outcome::Approximated,
                            format!("{DOCKER_DNS} is Docker's embedded DNS: the cluster's DNS {dns} (option cluster_dns)"),
                        );
                    }
                }
            }
            for (key, argv) in [("entrypoint", &mut c.command), ("command", &mut c.args)] {
                let mut changed = false;
                for a in argv.iter_mut().flatten() {
                    changed |= replace_docker_dns(a, dns);
                }
                if changed {
                    report.add(
                        at.key(key),
                        Outcome::Approximated,
                        format!("{DOCKER_DNS} is Docker's embedded DNS: the cluster's DNS {dns} (option cluster_dns)"),
                    );
                }
            }
        }
    }
    if let Some(secret) = &mut plan.secret {
        for (k, v) in &mut secret.data {
            if replace_docker_dns(v, dns) {
                report.add(
                    InputPath::root().key("environment").key(k.as_str()),
                    Outcome::Approximated,
                    format!("{DOCKER_DNS} is Docker's embedded DNS: the cluster's DNS {dns} (option cluster_dns)"),
                );
            }
        }
    }
    let namespace = plan.namespace.clone();
    for f in &mut plan.files {
        for v in f.data.values_mut() {
            if replace_docker_dns(v, dns) {
                let qualified = qualify_hosts(v, &names, &namespace);
                report.add(
                    match &f.service {
                        Some(svc) => InputPath::root().key("services").key(svc.as_str()).key("volumes"),
                        None => InputPath::root().key("configs"),
                    },
                    Outcome::Approximated,
                    format!(
                        "{DOCKER_DNS} is Docker's embedded DNS: the cluster's DNS {dns} (option cluster_dns){}",
                        if qualified {
                            "; the service names handed to it are fully qualified (nginx's resolver ignores search domains)"
                        } else {
                            ""
                        }
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_whole_address_is_replaced() {
        let mut s =
            "resolver 127.0.0.11 valid=10s; # not 127.0.0.110 nor 10.127.0.0.11".to_string();
        assert!(replace_docker_dns(
            &mut s,
            "kube-dns.kube-system.svc.cluster.local"
        ));
        assert_eq!(
            s,
            "resolver kube-dns.kube-system.svc.cluster.local valid=10s; # not 127.0.0.110 nor 10.127.0.0.11"
        );
        let mut none = "127.0.0.1".to_string();
        assert!(!replace_docker_dns(&mut none, "x"));
    }

    #[test]
    fn service_names_become_fully_qualified() {
        // appflowy's nginx.conf (corpus), after the rename of appflowy_cloud.
        let mut s = concat!(
            "set $backend \"http://appflowy-cloud:8000\";\n",
            "set $gotrue \"http://gotrue:9999\";\n",
            "upstream u { server gotrue:9999; }\n",
            "proxy_pass http://gotrue.example.com/;\n",
        )
        .to_string();
        let names = vec![
            ("appflowy_cloud".to_string(), "appflowy-cloud".to_string()),
            ("appflowy-cloud".to_string(), "appflowy-cloud".to_string()),
            ("gotrue".to_string(), "gotrue".to_string()),
        ];
        assert!(qualify_hosts(&mut s, &names, "ns"));
        assert_eq!(
            s,
            concat!(
                "set $backend \"http://appflowy-cloud.ns.svc.cluster.local:8000\";\n",
                "set $gotrue \"http://gotrue.ns.svc.cluster.local:9999\";\n",
                "upstream u { server gotrue.ns.svc.cluster.local:9999; }\n",
                "proxy_pass http://gotrue.example.com/;\n",
            )
        );
    }
}
