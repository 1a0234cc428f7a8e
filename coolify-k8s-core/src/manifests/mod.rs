//! Manifests: the translator's output, a list of Kubernetes objects in apply order, plus
//! the mapping report; and their rendering as YAML and JSON.
//!
//! Objects are kept as JSON values (already serialized from k8s-openapi types or the
//! project's CRD structs), so every surface (YAML, JSON, PHP arrays, kubectl) reads one form.
//!
//! ```
//! use coolify_k8s_core::{Manifests, Report};
//! let m = Manifests::new(vec![
//!     serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
//!                        "metadata": {"name": "a"}, "data": {"FLAG": "yes", "MODE": "0755"}}),
//! ], Report::default());
//! let yaml = m.to_yaml();
//! // Strings that YAML 1.1 readers take for booleans or numbers stay strings.
//! assert!(yaml.contains("FLAG: 'yes'") || yaml.contains("FLAG: \"yes\""), "{yaml}");
//! assert!(yaml.contains("MODE: '0755'") || yaml.contains("MODE: \"0755\""), "{yaml}");
//! ```

mod scalar;
mod yaml;

use crate::error::{Error, Errors};
use crate::path::InputPath;
use crate::report::Report;
use serde_json::Value;

/// Annotation that [`Manifests::to_json_without_secret_data`] puts on every Secret whose
/// `data` and `stringData` it left out; such a Secret can serve the lifecycle commands but
/// never an apply (it would empty the Secret on the cluster).
pub const SECRET_DATA_ANNOTATION: &str = "coolify.io/secret-data";

/// Translated Kubernetes objects, in a stable order (Namespace first, then configuration,
/// storage, workloads, services, routes), and the report of what was mapped,
/// approximated or dropped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Manifests {
    objects: Vec<Value>,
    report: Report,
}

impl Manifests {
    /// Manifests from objects already in apply order.
    pub fn new(objects: Vec<Value>, report: Report) -> Self {
        Self { objects, report }
    }

    /// The objects, in apply order.
    pub fn objects(&self) -> &[Value] {
        &self.objects
    }

    /// The mapping report.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The mapping report, for a translation that names its own input's paths.
    pub(crate) fn report_mut(&mut self) -> &mut Report {
        &mut self.report
    }

    /// Multi-document YAML: one document per object, each starting with `---`, in apply
    /// order. Strings that a YAML 1.1 reader would take for another type (`yes`, `on`,
    /// `0755`, `1e3`, `null`) are quoted, so Kubernetes reads them back as strings.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        for object in &self.objects {
            out.push_str("---\n");
            if !yaml::write_document(&mut out, object) {
                push_serde_saphyr_document(&mut out, object);
            }
        }
        out
    }

    /// JSON: a `v1` `List` of the objects, pretty-printed, so `kubectl apply -f -` reads it.
    pub fn to_json(&self) -> String {
        let list = serde_json::json!({
            "apiVersion": "v1",
            "kind": "List",
            "items": self.objects,
        });
        let mut s = serde_json::to_string_pretty(&list).unwrap_or_default();
        s.push('\n');
        s
    }

    /// [`to_json`](Self::to_json) with every Secret's `data` and `stringData` left out and
    /// the Secret annotated [`SECRET_DATA_ANNOTATION`]`: omitted`: what Coolify can store
    /// with a deployment for the lifecycle commands (stop, start, logs, status …) without
    /// keeping a second copy of its secrets. `kubectl::Kubectl::apply` refuses it.
    pub fn to_json_without_secret_data(&self) -> String {
        let objects: Vec<Value> = self.objects.iter().map(without_secret_data).collect();
        Self::new(objects, Report::default()).to_json()
    }

    /// Manifests from stored JSON: what [`to_json`](Self::to_json) wrote (a `List`), a JSON
    /// array of objects, or one object. The report is empty. For building `kubectl` lines
    /// from manifests stored by an earlier deployment (PHP's `Manifests::fromJson()`).
    ///
    /// ```
    /// use coolify_k8s_core::Manifests;
    /// let m = Manifests::from_json(r#"{"kind": "List", "items": [{"kind": "Service"}]}"#).unwrap();
    /// assert_eq!(m.objects().len(), 1);
    /// let e = Manifests::from_json("[1]").unwrap_err();
    /// assert_eq!(e.to_string(), "items[0]: must be an object");
    /// ```
    pub fn from_json(json: &str) -> Result<Self, Errors> {
        let one = |path: InputPath, message: &str| Errors::from(Error::new(path, message));
        let value: Value = serde_json::from_str(json)
            .map_err(|e| one(InputPath::root(), &format!("not JSON: {e}")))?;
        let objects = match value {
            Value::Array(items) => items,
            Value::Object(mut map) if map.get("kind").and_then(Value::as_str) == Some("List") => {
                match map.remove("items") {
                    Some(Value::Array(items)) => items,
                    _ => {
                        return Err(one(
                            InputPath::root().key("items"),
                            "must be a list of objects",
                        ))
                    }
                }
            }
            Value::Object(map) => vec![Value::Object(map)],
            _ => {
                return Err(one(
                    InputPath::root(),
                    "expected a List, an object or a list of objects",
                ))
            }
        };
        if let Some(i) = objects.iter().position(|o| !o.is_object()) {
            return Err(one(
                InputPath::root().key("items").index(i),
                "must be an object",
            ));
        }
        Ok(Self::new(objects, Report::default()))
    }

    /// The report as lines (`approximated: services.web.ports[0]: ...`), one per entry.
    pub fn warnings(&self) -> Vec<String> {
        self.report
            .entries()
            .iter()
            .map(|e| e.to_string())
            .collect()
    }
}

/// `object` as serde-saphyr renders it: the shapes [`yaml::write_document`] leaves to it
/// (floats, keys over 1,024 characters), and the reference the tests compare that writer
/// with.
fn push_serde_saphyr_document(out: &mut String, object: &Value) {
    // Serializing a JSON tree cannot fail (string keys only); an error would be a bug in
    // the serializer, and is written into the output rather than panicking.
    match serde_saphyr::to_string(object) {
        Ok(doc) => {
            let doc = doc.strip_prefix("---\n").unwrap_or(&doc);
            out.push_str(doc);
            if !doc.ends_with('\n') {
                out.push('\n');
            }
        }
        Err(e) => out.push_str(&format!("# cannot render this object: {e}\n")),
    }
}

/// `object` without Secret data (other objects unchanged).
fn without_secret_data(object: &Value) -> Value {
    let mut o = object.clone();
    if o.get("kind").and_then(Value::as_str) != Some("Secret") {
        return o;
    }
    if let Some(map) = o.as_object_mut() {
        map.remove("data");
        map.remove("stringData");
        let metadata = map
            .entry("metadata")
            .or_insert_with(|| Value::Object(Default::default()));
        if let Some(metadata) = metadata.as_object_mut() {
            let annotations = metadata
                .entry("annotations")
                .or_insert_with(|| Value::Object(Default::default()));
            if let Some(a) = annotations.as_object_mut() {
                a.insert(SECRET_DATA_ANNOTATION.into(), Value::from("omitted"));
            }
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_without_secret_data_keeps_every_object_but_the_data() {
        let m = Manifests::new(
            vec![
                json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                       "data": {"A": "aHVudGVyMg=="}, "stringData": {"B": "hunter3"}, "type": "Opaque"}),
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"A": "kept"}}),
            ],
            Report::default(),
        );
        let back = Manifests::from_json(&m.to_json_without_secret_data()).unwrap();
        assert_eq!(
            back.objects(),
            &[
                json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                       "metadata": {"name": "s", "annotations": {SECRET_DATA_ANNOTATION: "omitted"}}}),
                m.objects()[1].clone(),
            ]
        );
    }

    fn roundtrip(m: &Manifests) -> Vec<Value> {
        serde_saphyr::from_str_multiple::<Value, Vec<Value>>(&m.to_yaml()).unwrap()
    }

    #[test]
    fn yaml_keeps_ambiguous_strings_strings() {
        let tricky = [
            "yes",
            "no",
            "on",
            "off",
            "y",
            "n",
            "Y",
            "true",
            "False",
            "null",
            "~",
            "0755",
            "1e3",
            "0x1F",
            "1_000",
            "12:30",
            "2001-12-14",
            ".inf",
            "-",
            "",
            " lead",
            "a: b",
            "#x",
            "- x",
            "multi\nline\n",
            "'q'",
            "\"dq\"",
            "@at",
            "%pct",
            "*star",
            "&amp",
            "!bang",
            "{x}",
            "[x]",
            ">",
            "|",
            "1.0",
            "+1",
            ".5",
            "NaN",
        ];
        let data: serde_json::Map<String, Value> = tricky
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("K{i}"), json!(s)))
            .collect();
        let m = Manifests::new(
            vec![json!({"apiVersion": "v1", "kind": "ConfigMap", "data": data})],
            Report::default(),
        );
        let back = roundtrip(&m);
        assert_eq!(back, m.objects().to_vec(), "{}", m.to_yaml());
        // YAML 1.1 booleans must be quoted for Kubernetes (a YAML 1.1 reader).
        let y = m.to_yaml();
        for line in y.lines() {
            for b in ["yes", "no", "on", "off", "y", "n"] {
                assert!(!line.ends_with(&format!(": {b}")), "unquoted {b}: {y}");
            }
        }
    }

    #[test]
    fn from_json_reads_what_to_json_wrote_and_names_bad_input() {
        let m = Manifests::new(
            vec![json!({"kind": "Service", "metadata": {"name": "b"}})],
            Report::default(),
        );
        assert_eq!(
            Manifests::from_json(&m.to_json()).unwrap().objects(),
            m.objects()
        );
        assert_eq!(
            Manifests::from_json(r#"[{"kind": "A"}, {"kind": "B"}]"#)
                .unwrap()
                .objects()
                .len(),
            2
        );
        assert_eq!(
            Manifests::from_json(r#"{"kind": "Secret"}"#)
                .unwrap()
                .objects()[0]["kind"],
            "Secret"
        );
        let err = |s: &str| Manifests::from_json(s).unwrap_err().to_string();
        assert!(err("{").starts_with("not JSON: "), "{}", err("{"));
        assert_eq!(err("3"), "expected a List, an object or a list of objects");
        assert_eq!(
            err(r#"{"kind": "List", "items": 1}"#),
            "items: must be a list of objects"
        );
        assert_eq!(err(r#"[{}, "x"]"#), "items[1]: must be an object");
        // serde_json's recursion limit: deep nesting is an error, not a stack overflow.
        assert!(err(&"[".repeat(100_000)).starts_with("not JSON: "));
    }

    #[test]
    fn documents_are_separated_and_ordered() {
        let m = Manifests::new(
            vec![
                json!({"kind": "Namespace", "metadata": {"name": "a"}}),
                json!({"kind": "Service", "metadata": {"name": "b"}}),
            ],
            Report::default(),
        );
        let y = m.to_yaml();
        assert!(y.starts_with("---\n"), "{y}");
        assert_eq!(y.matches("---\n").count(), 2, "{y}");
        let back = roundtrip(&m);
        assert_eq!(back.len(), 2);
        assert_eq!(back[0]["kind"], "Namespace");
        let j: Value = serde_json::from_str(&m.to_json()).unwrap();
        assert_eq!(j["kind"], "List");
        assert_eq!(j["items"][1]["metadata"]["name"], "b");
    }

    #[test]
    fn warnings_are_report_lines() {
        let mut r = Report::default();
        r.add(
            crate::InputPath::root()
                .key("services")
                .key("web")
                .key("pid"),
            crate::Outcome::Dropped,
            "host PID namespace",
        );
        let m = Manifests::new(vec![], r);
        assert_eq!(
            m.warnings(),
            vec!["dropped: services.web.pid: host PID namespace"]
        );
    }
}
