//! Coolify's identity of a resource, which keys every object of it on Kubernetes.
//!
//! Coolify tells resources apart by their `uuid`, never by the user-editable `name`: an
//! Application's container is `<uuid>` (`generateApplicationContainerName` in
//! `bootstrap/helpers/docker.php`), `<uuid>-pr-<N>` for a pull-request preview, or the
//! `custom_internal_name`; a standalone database's container and internal host are its
//! `uuid` (`internal_db_url` in `app/Models/Standalone*.php`); a one-click Service and a
//! Compose Application run as `docker compose --project-name <uuid>`
//! (`app/Actions/Service/StartService.php`, `app/Jobs/ApplicationDeploymentJob.php`).
//! So the instance label (`app.kubernetes.io/instance`, which apply's prune, delete, stop
//! and status select by) is the uuid, and two resources called "blog" never touch each
//! other's objects; the name stays readable in the `coolify.io/name` label.

use super::attributes::Attrs;
use crate::path::InputPath;
use crate::plan::names::{dns_label, is_rfc1035_label, DNS_LABEL_MAX};
use crate::report::{Outcome, Report};

/// The names an Application's objects derive from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The instance label: `<uuid>`, `<uuid>-pr-<N>` for a preview.
    pub instance: String,
    /// The namespace of one namespace per resource: production's `<uuid>`, so previews
    /// deploy beside production (their object names all differ).
    pub namespace: String,
    /// Coolify's container name (`COOLIFY_CONTAINER_NAME`, the network alias other
    /// resources reach it by), as Coolify writes it.
    pub container: String,
    /// The Service (and Compose service) name: the container name as a DNS label.
    pub service: String,
}

impl Identity {
    /// An Application's identity from its attributes. Without a `uuid` (not from Coolify)
    /// the normalized `name` stands in for it.
    pub(super) fn of(
        a: &Attrs<'_>,
        uuid: Option<&str>,
        name: &str,
        pr: u64,
        report: &mut Report,
    ) -> Self {
        let preview = |s: &str| {
            if pr > 0 {
                format!("{s}-pr-{pr}")
            } else {
                s.to_string()
            }
        };
        let base = match uuid {
            Some(u) => dns_label(u, DNS_LABEL_MAX - 12),
            None => dns_label(name, 52),
        };
        if let Some(u) = uuid.filter(|u| *u != base) {
            report.add(
                InputPath::root().key("uuid"),
                Outcome::Approximated,
                format!("{u:?} is not a DNS label: the resource's objects are keyed by {base:?}"),
            );
        }
        let container = container_name(a, uuid, name, pr);
        let service = dns_label(&container, DNS_LABEL_MAX);
        if !is_rfc1035_label(&container) {
            report.add(
                InputPath::root().key("uuid"),
                Outcome::Approximated,
                format!("the container name {container:?} is not a Service name: other resources reach this one as {service:?}"),
            );
        }
        Self {
            instance: preview(&base),
            namespace: base,
            container,
            service,
        }
    }
}

/// Report how other resources reach this one by Coolify's name (`name`: an Application's
/// container name, a database's uuid). In a shared namespace the name resolves from every
/// resource's pods as on Coolify's destination network; with one namespace per resource
/// only the namespace-qualified form does (a pod's DNS search list holds its own
/// namespace only), which the report says.
pub fn report_reach(options: &crate::Options, name: &str, namespace: &str, report: &mut Report) {
    if options.namespace_strategy == crate::options::NamespaceStrategy::Shared {
        report.add(
            InputPath::root().key("uuid"),
            Outcome::Mapped,
            format!("{name:?} resolves from every resource in the shared namespace {namespace:?}, as Coolify's container name does on the destination's network"),
        );
    } else {
        report.add(
            InputPath::root().key("uuid"),
            Outcome::Approximated,
            format!("one namespace per resource: other resources reach this one as {name}.{namespace}.svc.cluster.local (or {name}.{namespace}), not as {name:?} alone as on Coolify's destination network; namespace_strategy: shared makes the short name resolve"),
        );
    }
}

/// The container name Coolify gives (`generateApplicationContainerName` in
/// `bootstrap/helpers/docker.php`, and `custom_internal_name` in the deployment job's
/// constructor): the uuid (`-pr-N` for a preview), or the custom internal name unless
/// consistent names are on. Coolify appends a timestamp unless consistent names are
/// enabled; that changes every deployment (nothing can rely on it), so pass
/// `COOLIFY_CONTAINER_NAME` in `$env` to reproduce it.
fn container_name(a: &Attrs<'_>, uuid: Option<&str>, name: &str, pr: u64) -> String {
    let consistent = a.flag("is_consistent_container_name_enabled", false);
    let base = match (a.text("custom_internal_name"), uuid) {
        (Some(custom), _) if !consistent => custom,
        (_, Some(u)) => u.to_string(),
        (_, None) => dns_label(name, 52),
    };
    if pr > 0 {
        format!("{base}-pr-{pr}")
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn identity(v: Value) -> (Identity, Report) {
        let obj = v.as_object().unwrap().clone();
        let settings = obj.get("settings").and_then(Value::as_object).cloned();
        let a = Attrs {
            obj: &obj,
            settings: settings.as_ref(),
        };
        let mut report = Report::default();
        let uuid = a.text("uuid");
        let name = a.text("name").unwrap_or_else(|| "app".into());
        let pr = a.number("pull_request_id", &mut Vec::new()).unwrap_or(0);
        (
            Identity::of(&a, uuid.as_deref(), &name, pr, &mut report),
            report,
        )
    }

    #[test]
    fn the_uuid_is_the_identity_never_the_name() {
        let (i, r) = identity(json!({"uuid": "k4wc8s0gk8", "name": "My Blog"}));
        assert_eq!(i.instance, "k4wc8s0gk8");
        assert_eq!(i.namespace, "k4wc8s0gk8");
        assert_eq!(i.container, "k4wc8s0gk8");
        assert_eq!(i.service, "k4wc8s0gk8");
        assert!(r.entries().is_empty(), "{r:?}");
        let (other, _) = identity(json!({"uuid": "m2x9q7p1zz", "name": "My Blog"}));
        assert_ne!(other.instance, i.instance);
        assert_ne!(other.service, i.service);
    }

    #[test]
    fn a_preview_is_its_own_instance_beside_production() {
        let (i, _) = identity(json!({"uuid": "k4wc8s0gk8", "pull_request_id": 7}));
        assert_eq!(i.instance, "k4wc8s0gk8-pr-7");
        assert_eq!(i.namespace, "k4wc8s0gk8");
        assert_eq!(i.container, "k4wc8s0gk8-pr-7");
        assert_eq!(i.service, "k4wc8s0gk8-pr-7");
    }

    #[test]
    fn the_custom_internal_name_names_the_container_not_the_instance() {
        let (i, _) = identity(json!({"uuid": "k4wc8s0gk8", "pull_request_id": 2,
            "settings": {"custom_internal_name": "api"}}));
        assert_eq!(i.instance, "k4wc8s0gk8-pr-2");
        assert_eq!(i.container, "api-pr-2");
        assert_eq!(i.service, "api-pr-2");
        let (i, _) = identity(json!({"uuid": "k4wc8s0gk8", "settings": {
            "custom_internal_name": "api", "is_consistent_container_name_enabled": true}}));
        assert_eq!(i.container, "k4wc8s0gk8");
    }

    #[test]
    fn a_uuid_that_is_no_service_name_is_reported() {
        let (i, r) = identity(json!({"uuid": "9f1c2d3e-4b5a-6789-abcd-ef0123456789"}));
        assert_eq!(i.instance, "s-9f1c2d3e-4b5a-6789-abcd-ef0123456789");
        let lines: Vec<String> = r.entries().iter().map(|e| e.to_string()).collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[1].contains("other resources reach this one as"),
            "{lines:?}"
        );
    }

    #[test]
    fn how_other_resources_reach_it_is_reported() {
        let mut r = Report::default();
        report_reach(
            &crate::Options::default(),
            "k4wc8s0gk8",
            "k4wc8s0gk8",
            &mut r,
        );
        let shared = crate::Options {
            namespace_strategy: crate::options::NamespaceStrategy::Shared,
            ..Default::default()
        };
        report_reach(&shared, "k4wc8s0gk8", "coolify", &mut r);
        let lines: Vec<String> = r.entries().iter().map(|e| e.to_string()).collect();
        assert!(lines[0].starts_with("approximated: uuid: one namespace per resource: other resources reach this one as k4wc8s0gk8.k4wc8s0gk8.svc.cluster.local"), "{lines:?}");
        assert!(lines[1].starts_with("mapped: uuid: \"k4wc8s0gk8\" resolves from every resource in the shared namespace \"coolify\""), "{lines:?}");
    }

    #[test]
    fn without_a_uuid_the_name_stands_in() {
        let (i, _) = identity(json!({"name": "Blog"}));
        assert_eq!(i.instance, "blog");
        assert_eq!(i.service, "blog");
    }
}
