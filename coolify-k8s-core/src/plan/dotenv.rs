//! Coolify's `.env` in every container: Coolify adds `env_file: .env` to every service
//! (`bootstrap/helpers/parsers.php`), so every variable stored for the resource, named in
//! the template or not, is in every container's environment. Here the `.env` is the
//! resource Secret, and every container takes all its keys (`envFrom`); a service's own
//! `environment` still wins, as on Docker.

use super::env::Values;
use crate::path::InputPath;
use crate::plan::model::{SecretValues, Workload};
use crate::report::{Outcome, Report};

/// True for a key a Secret may hold (`[-._a-zA-Z0-9]+`).
fn is_secret_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 253
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The resource Secret: every stored and resolved variable (the `.env`), plus the secret
/// variables the output refers to. `None` when there is none.
pub fn resource_secret(values: &Values, report: &mut Report) -> Option<SecretValues> {
    let mut data = std::collections::BTreeMap::new();
    for (k, v) in &values.values {
        if is_secret_key(k) {
            data.insert(k.clone(), v.clone());
        } else {
            report.add(
                InputPath::root(),
                Outcome::Dropped,
                format!("the variable {k:?} cannot be a key of the resource Secret (letters, digits, '-', '_', '.'): it is not in the containers' environment"),
            );
        }
    }
    for k in &values.used {
        data.entry(k.clone())
            .or_insert_with(|| values.values.get(k).cloned().unwrap_or_default());
    }
    (!data.is_empty()).then(|| SecretValues {
        name: values.secret_name.clone(),
        data,
    })
}

/// Every workload's containers take every key of the Secret `name` as a variable.
pub fn env_from_every_container(workloads: &mut [Workload], name: &str) {
    for w in workloads {
        for c in &mut w.containers {
            if !c.env_from.iter().any(|n| n == name) {
                c.env_from.push(name.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stored_variable_is_in_the_secret() {
        let mut values = Values {
            secret_name: "blog-secrets".into(),
            ..Default::default()
        };
        values.values.insert("EXTRA".into(), "x".into());
        values
            .values
            .insert("SERVICE_PASSWORD_DB".into(), "pw".into());
        values.values.insert("bad key".into(), "y".into());
        values.used.insert("SERVICE_PASSWORD_DB".into());
        let mut r = Report::default();
        let s = resource_secret(&values, &mut r).unwrap();
        assert_eq!(s.name, "blog-secrets");
        assert_eq!(
            s.data.keys().collect::<Vec<_>>(),
            vec!["EXTRA", "SERVICE_PASSWORD_DB"]
        );
        assert!(r.entries()[0].message.contains("\"bad key\""));
        assert_eq!(resource_secret(&Values::default(), &mut r), None);
    }
}
