//! Reading Coolify's model attributes (the JSON `toArray()` gives) and the columns that
//! Applications and standalone databases share: resource limits, storages, stored
//! variables, port mappings, health-check timings, Coolify's identity labels.
//!
//! Coolify's JSON is loose (numbers as strings, booleans as 0/1), so the readers are
//! lenient; each shared column has one reader here, so the two models cannot drift apart.

mod docker_run;
mod health;
mod labels;
mod limits;
mod ports;
mod storages;
mod variables;

pub(super) use docker_run::apply_run_options;
pub(super) use health::health_check_timings;
pub(super) use labels::identity_labels;
pub(super) use limits::apply_limits;
pub(super) use ports::port_mappings;
pub(super) use storages::{apply_storages, rebase_volumes, volume};
pub(super) use variables::{checked_env, is_coolify_variable, stored_variables, StoredVariable};

use crate::compose::{Project, Service};
use crate::error::{Error, Errors};
use crate::path::InputPath;
use serde_json::{Map, Value};

/// Lenient readers: Coolify's JSON has numbers as strings and booleans as 0/1.
pub(super) struct Attrs<'a> {
    pub(super) obj: &'a Map<String, Value>,
    /// The Application's `settings` relation, read where a column is absent or null.
    pub(super) settings: Option<&'a Map<String, Value>>,
}

impl<'a> Attrs<'a> {
    /// The top-level attributes: `what` names the model in the error when they are not an
    /// object.
    pub(super) fn root(attrs: &'a Value, what: &str) -> Result<Self, Errors> {
        match attrs.as_object() {
            Some(obj) => Ok(Self::of(obj)),
            None => Err(Error::new(
                InputPath::root(),
                format!("{what}'s attributes must be a JSON object"),
            )
            .into()),
        }
    }

    /// A nested object (a variable, a storage, an init script).
    pub(super) fn of(obj: &'a Map<String, Value>) -> Self {
        Self {
            obj,
            settings: None,
        }
    }

    pub(super) fn get(&self, key: &str) -> Option<&'a Value> {
        match self.obj.get(key) {
            Some(Value::Null) | None => self
                .settings
                .and_then(|s| s.get(key))
                .filter(|v| !v.is_null()),
            v => v,
        }
    }

    pub(super) fn string(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub(super) fn text(&self, key: &str) -> Option<String> {
        self.string(key)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }

    pub(super) fn flag(&self, key: &str, default: bool) -> bool {
        match self.get(key) {
            Some(Value::Bool(b)) => *b,
            Some(Value::Number(n)) => n.as_i64() != Some(0),
            Some(Value::String(s)) => matches!(s.trim(), "1" | "true" | "on" | "yes"),
            _ => default,
        }
    }

    pub(super) fn number(&self, key: &str, errors: &mut Vec<Error>) -> Option<u64> {
        let s = self.text(key)?;
        match s.parse::<f64>() {
            Ok(v) if v >= 0.0 && v.fract() == 0.0 => Some(v as u64),
            _ => {
                errors.push(Error::new(
                    InputPath::root().key(key),
                    format!("{s:?} is not a whole number"),
                ));
                None
            }
        }
    }
}

/// The project Coolify writes for one container: `service` in a project named `name`,
/// unless reading the attributes found errors.
pub(super) fn one_service_project(
    name: String,
    service: &str,
    svc: Service,
    errors: Vec<Error>,
) -> Result<Project, Errors> {
    if let Some(e) = Errors::from_vec(errors) {
        return Err(e);
    }
    let mut project = Project {
        name: Some(name),
        ..Project::default()
    };
    project.services.insert(service.to_string(), svc);
    Ok(project)
}

/// A comma-separated column (`ports_exposes`, `ports_mappings`): its non-empty items.
pub(super) fn list_items(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(str::trim).filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn readers_accept_coolifys_loose_types() {
        let v = json!({"n": "12", "f": 0, "t": "on", "b": true, "s": "  x ", "e": " ",
            "null": null, "neg": "-1", "frac": 1.5});
        let settings = json!({"null": "from settings", "only": 1});
        let a = Attrs {
            obj: v.as_object().unwrap(),
            settings: settings.as_object(),
        };
        let mut errors = Vec::new();
        assert_eq!(a.number("n", &mut errors), Some(12));
        assert!(!a.flag("f", true) && a.flag("t", false) && a.flag("b", false));
        assert!(a.flag("missing", true));
        assert_eq!(a.text("s").as_deref(), Some("x"));
        assert_eq!(a.text("e"), None);
        assert_eq!(a.string("e").as_deref(), Some(" "));
        // A null column falls back to the settings relation.
        assert_eq!(a.text("null").as_deref(), Some("from settings"));
        assert_eq!(a.text("only").as_deref(), Some("1"));
        assert!(errors.is_empty());
        assert_eq!(a.number("neg", &mut errors), None);
        assert_eq!(a.number("frac", &mut errors), None);
        let paths: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert!(paths[0].starts_with("neg: ") && paths[1].starts_with("frac: "));
    }

    #[test]
    fn root_names_the_model() {
        let e = Attrs::root(&json!([1]), "a database").err().unwrap();
        assert_eq!(
            e.to_string(),
            "a database's attributes must be a JSON object"
        );
        assert_eq!(list_items(" 80, ,443 ").collect::<Vec<_>>(), ["80", "443"]);
    }
}
