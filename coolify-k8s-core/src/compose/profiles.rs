//! Stage: `profiles`. A service with `profiles` is active only when one of them is among the
//! caller's active profiles ([`LoadOptions::profiles`](super::LoadOptions::profiles); `*`
//! activates all); a service without `profiles` is always active. Inactive services are
//! removed from the tree and reported. An active service that `depends_on` an inactive one
//! is an error, unless the dependency has `required: false` (then it is dropped, reported).

use crate::error::{Error, Errors};
use crate::path::InputPath;
use crate::report::{Outcome, Report};
use serde_json::Value;

/// Filter the services of a merged tree in place.
pub fn apply(tree: &mut Value, active: &[String], report: &mut Report) -> Result<(), Errors> {
    let Some(Value::Object(services)) = tree.get_mut("services") else {
        return Ok(());
    };
    let all = active.iter().any(|p| p == "*");
    let mut removed = Vec::new();
    services.retain(|name, service| {
        let profiles: Vec<&str> = match service.get("profiles") {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            Some(Value::String(s)) => vec![s.as_str()],
            _ => Vec::new(),
        };
        if profiles.is_empty() || all || profiles.iter().any(|p| active.iter().any(|a| a == p)) {
            return true;
        }
        report.add(
            InputPath::root().key("services").key(name.clone()),
            Outcome::Dropped,
            format!(
                "the service is only in profiles {}, none of them active",
                profiles.join(", ")
            ),
        );
        removed.push(name.clone());
        false
    });
    if removed.is_empty() {
        return Ok(());
    }
    let mut errors = Vec::new();
    for (name, service) in services.iter_mut() {
        let at = InputPath::root()
            .key("services")
            .key(name.clone())
            .key("depends_on");
        match service.get_mut("depends_on") {
            Some(Value::Object(deps)) => {
                deps.retain(|dep, spec| {
                    if !removed.contains(dep) {
                        return true;
                    }
                    let required = !matches!(spec.get("required"), Some(Value::Bool(false)));
                    if required {
                        errors.push(Error::new(
                            at.key(dep.clone()),
                            format!("service {dep} is not in an active profile"),
                        ));
                        true
                    } else {
                        report.add(
                            at.key(dep.clone()),
                            Outcome::Dropped,
                            format!(
                                "optional dependency on {dep}, which is not in an active profile"
                            ),
                        );
                        false
                    }
                });
            }
            Some(Value::Array(deps)) => {
                for (i, dep) in deps.iter().enumerate() {
                    if let Some(d) = dep.as_str().filter(|d| removed.iter().any(|r| r == d)) {
                        errors.push(Error::new(
                            at.index(i),
                            format!("service {d} is not in an active profile"),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    match Errors::from_vec(errors) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tree() -> Value {
        json!({"services": {
            "web": {"image": "a", "depends_on": {"cache": {"condition": "service_started", "required": false}}},
            "cache": {"image": "c", "profiles": ["cache"]},
            "debug": {"image": "d", "profiles": ["debug", "dev"]},
        }})
    }

    #[test]
    fn inactive_services_are_removed_and_reported() {
        let mut t = tree();
        let mut r = Report::default();
        apply(&mut t, &[], &mut r).unwrap();
        assert_eq!(
            t["services"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["web"]
        );
        assert_eq!(t["services"]["web"]["depends_on"], json!({}));
        assert_eq!(r.entries().len(), 3);
        let mut t = tree();
        apply(&mut t, &["dev".to_string()], &mut Report::default()).unwrap();
        assert!(t["services"].get("debug").is_some());
        assert!(t["services"].get("cache").is_none());
        let mut t = tree();
        apply(&mut t, &["*".to_string()], &mut Report::default()).unwrap();
        assert_eq!(t["services"].as_object().unwrap().len(), 3);
    }

    #[test]
    fn required_dependency_on_an_inactive_service_is_an_error() {
        let mut t = json!({"services": {"web": {"depends_on": {"db": {"condition": "service_started"}}},
                                        "db": {"profiles": ["db"]}}});
        let e = apply(&mut t, &[], &mut Report::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "services.web.depends_on.db: service db is not in an active profile"
        );
    }
}
