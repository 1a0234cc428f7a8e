//! `build`: a string is the context; the long form is checked against the schema. Images
//! are not built on Kubernetes, so only `context` and `dockerfile` are typed.

use super::key_values;
use super::shape::{Object, Shape};
use super::value::{self, Diagnostics};
use crate::compose::service::Build;
use crate::path::InputPath;
use serde_json::{json, Map, Value};

static LONG: Shape = Shape::Object(&Object {
    fields: &[
        ("context", Shape::Str),
        ("dockerfile", Shape::Str),
        ("dockerfile_inline", Shape::Str),
        ("entitlements", Shape::ArrayOf(&Shape::Str)),
        ("args", Shape::ListOrDict),
        ("ssh", Shape::ListOrDict),
        ("labels", Shape::ListOrDict),
        ("cache_from", Shape::ArrayOf(&Shape::Str)),
        ("cache_to", Shape::ArrayOf(&Shape::Str)),
        ("no_cache", Shape::Bool),
        ("additional_contexts", Shape::ListOrDict),
        ("network", Shape::Str),
        ("provenance", Shape::OneOf(&[Shape::Str, Shape::StrictBool])),
        ("sbom", Shape::OneOf(&[Shape::Str, Shape::StrictBool])),
        ("pull", Shape::Bool),
        ("target", Shape::Str),
        ("shm_size", Shape::Int),
        ("extra_hosts", Shape::Any),
        ("isolation", Shape::Str),
        ("privileged", Shape::Bool),
        ("secrets", Shape::Any),
        ("tags", Shape::ArrayOf(&Shape::Str)),
        ("ulimits", Shape::Any),
        ("platforms", Shape::ArrayOf(&Shape::Str)),
    ],
    required: &[],
});

/// Rewrite `build` into the long form; `args` lists become mappings (`KEY` alone: null,
/// the value comes from the build environment), `labels` lists mappings of strings.
pub(crate) fn canonicalize_build(v: &mut Value, path: &InputPath, d: &mut Diagnostics) {
    if let Value::String(s) = v {
        *v = json!({ "context": s });
        return;
    }
    if let Some(labels) = v.get_mut("labels") {
        key_values::canonicalize_labels(labels, &path.key("labels"), d);
    }
    let args = match v.get("args") {
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .map(|s| match s.split_once('=') {
                Some((k, val)) => (k.to_string(), json!(val)),
                None => (s.to_string(), Value::Null),
            })
            .collect::<Map<_, _>>(),
        _ => return,
    };
    if let Some(slot) = v.get_mut("args") {
        *slot = Value::Object(args);
    }
}

/// The typed `build`.
pub(crate) fn build(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Option<Build> {
    match v {
        Value::String(s) => Some(Build {
            context: Some(s.clone()),
            ..Build::default()
        }),
        Value::Object(m) => {
            LONG.check(v, path, d);
            // The nested keys that share a definition with service keys.
            if let Some(x) = m.get("extra_hosts") {
                key_values::extra_hosts(x, &path.key("extra_hosts"), d);
            }
            if let Some(x) = m.get("secrets") {
                super::files::file_references(x, &path.key("secrets"), d);
            }
            if let Some(x) = m.get("ulimits") {
                super::ulimits::ulimits(x, &path.key("ulimits"), d);
            }
            let mut out = Build::default();
            for (k, x) in m {
                match k.as_str() {
                    "context" => out.context = x.as_str().map(str::to_string),
                    "dockerfile" => out.dockerfile = x.as_str().map(str::to_string),
                    _ if value::is_extension(k) => {
                        d.dropped(&path.key(k), "extension key: not used by the translation");
                    }
                    _ => {
                        out.other.insert(k.clone(), x.clone());
                    }
                }
            }
            Some(out)
        }
        other => {
            d.error(path, value::expected("a string or a mapping", other));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_is_context() {
        let mut d = Diagnostics::default();
        let p = InputPath::root().key("build");
        let mut v = json!("./app");
        canonicalize_build(&mut v, &p, &mut d);
        assert_eq!(v, json!({"context": "./app"}));
        assert_eq!(build(&json!("./app"), &p, &mut d), build(&v, &p, &mut d));
        let mut long = json!({"context": ".", "args": ["A=1", "B"], "labels": ["x=y"]});
        canonicalize_build(&mut long, &p, &mut d);
        assert_eq!(
            long,
            json!({"context": ".", "args": {"A": "1", "B": null}, "labels": {"x": "y"}})
        );
        build(&json!({"context": ".", "cache": true}), &p, &mut d);
        assert_eq!(d.errors.len(), 1);
        assert!(d.errors[0]
            .to_string()
            .starts_with("build.cache: unknown key \"cache\""));
    }
}
