//! Reading the untyped tree with type checks: every reader names the path of what it
//! rejects, in the words of the Compose Specification's JSON schema.

use crate::compose::magic::deferred;
use crate::error::Error;
use crate::path::InputPath;
use crate::report::{Outcome, Report};
use indexmap::IndexSet;
use serde_json::{Map, Value};

/// Errors and report entries collected while normalizing (all of them, not the first).
#[derive(Debug, Default)]
pub(crate) struct Diagnostics {
    /// In the order found, each once: the canonical pass and the typed pass may see the
    /// same bad value. A set, because a list of 40,000 bad entries took 112 s when every
    /// error was compared with every earlier one.
    pub(crate) errors: IndexSet<Error>,
    pub(crate) report: Report,
    /// The tree was canonicalized before (by the loader, file by file): sequences that
    /// canonicalizing expands (`ports`) or rewrites (`volumes`) may then hold equal
    /// entries that were different as written, so their uniqueness is not checked again.
    pub(crate) canonical_input: bool,
    /// Entries that `ports` and `expose` expanded into so far, over every service of the
    /// tree (see [`ports::EXPANDED_PORTS_MAX`](super::ports::EXPANDED_PORTS_MAX)).
    pub(crate) expanded: super::ports::Expanded,
}

impl Diagnostics {
    /// For a tree the loader canonicalized before (see `canonical_input`).
    pub(crate) fn of_canonical_input() -> Self {
        Self {
            canonical_input: true,
            ..Self::default()
        }
    }

    /// Record an error at `path`.
    pub(crate) fn error(&mut self, path: &InputPath, message: impl Into<String>) {
        self.errors
            .insert(Error::new(path.clone(), shown(&message.into())));
    }

    /// Record that an input key is not carried into the model.
    pub(crate) fn dropped(&mut self, path: &InputPath, message: impl Into<String>) {
        self.report.add(path.clone(), Outcome::Dropped, message);
    }

    /// Record that an input key is carried over with a change.
    pub(crate) fn approximated(&mut self, path: &InputPath, message: impl Into<String>) {
        self.report
            .add(path.clone(), Outcome::Approximated, message);
    }
}

/// A message with deferred references (magic and secret variables) shown as `${NAME}`,
/// whether the text holds them raw or escaped by `{:?}` (`\0NAME\0`): never a value,
/// never a NUL character.
pub(crate) fn shown(message: &str) -> String {
    let raw = deferred::display(message);
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw.as_str();
    while let Some(i) = rest.find("\\0") {
        let after = &rest[i + 2..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        if name_len > 0 && after[name_len..].starts_with("\\0") {
            out.push_str(&rest[..i]);
            out.push_str("${");
            out.push_str(&after[..name_len]);
            out.push('}');
            rest = &after[name_len + 2..];
        } else {
            out.push_str(&rest[..i + 2]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The JSON type of a value, for messages.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a sequence",
        Value::Object(_) => "a mapping",
    }
}

/// `expected X, got Y`.
pub(crate) fn expected(what: &str, v: &Value) -> String {
    format!("expected {what}, got {}", type_name(v))
}

/// True for extension keys (`x-*`), which Compose ignores.
pub(crate) fn is_extension(key: &str) -> bool {
    key.starts_with("x-")
}

/// The mapping at `path`, or an error.
pub(crate) fn mapping<'a>(
    v: &'a Value,
    path: &InputPath,
    d: &mut Diagnostics,
) -> Option<&'a Map<String, Value>> {
    match v {
        Value::Object(m) => Some(m),
        other => {
            d.error(path, expected("a mapping", other));
            None
        }
    }
}

/// The sequence at `path`, or an error.
pub(crate) fn sequence<'a>(
    v: &'a Value,
    path: &InputPath,
    d: &mut Diagnostics,
) -> Option<&'a Vec<Value>> {
    match v {
        Value::Array(a) => Some(a),
        other => {
            d.error(path, expected("a sequence", other));
            None
        }
    }
}

/// A string (schema type `string`): numbers and booleans are rejected, as the schema does.
pub(crate) fn string(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        other => {
            d.error(path, expected("a string", other));
            None
        }
    }
}

/// A scalar as text (schema types `string`/`number`/`boolean`), e.g. a label value.
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(number_text(n)),
        _ => None,
    }
}

/// A number as Compose prints it: integral floats without a fraction (`1.0` is `1`).
pub(crate) fn number_text(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        _ => n.to_string(),
    }
}

/// A string or number as text (schema `["string", "number"]`).
pub(crate) fn string_or_number(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(number_text(n)),
        other => {
            d.error(path, expected("a string or a number", other));
            None
        }
    }
}

/// Compose's reading of a boolean given as a string (schema `["boolean", "string"]`,
/// cast as compose-go does after interpolation).
pub(crate) fn boolean(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "y" | "yes" | "true" | "on" => Some(true),
            "n" | "no" | "false" | "off" => Some(false),
            _ => {
                d.error(path, format!("expected a boolean, got {s:?}"));
                None
            }
        },
        other => {
            d.error(path, expected("a boolean", other));
            None
        }
    }
}

/// A boolean that the schema allows only as a boolean.
pub(crate) fn strict_boolean(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        other => {
            d.error(path, expected("a boolean", other));
            None
        }
    }
}

/// An integer, given as a number or a string (schema `["integer", "string"]`).
pub(crate) fn integer(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Option<i64> {
    match v {
        Value::Number(n) => match n.as_i64() {
            Some(i) => Some(i),
            None => match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
                _ => {
                    d.error(path, format!("expected an integer, got {n}"));
                    None
                }
            },
        },
        Value::String(s) => match s.trim().parse::<i64>() {
            Ok(i) => Some(i),
            Err(_) => {
                d.error(path, format!("expected an integer, got {s:?}"));
                None
            }
        },
        other => {
            d.error(path, expected("an integer", other));
            None
        }
    }
}

/// A non-negative integer that fits `u32` (replicas, retries, …).
pub(crate) fn count(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Option<u32> {
    let i = integer(v, path, d)?;
    match u32::try_from(i) {
        Ok(n) => Some(n),
        Err(_) => {
            d.error(
                path,
                format!("expected a count from 0 to {}, got {i}", u32::MAX),
            );
            None
        }
    }
}

/// A number, given as a number or a string (schema `["number", "string"]`).
pub(crate) fn number(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.trim().parse::<f64>() {
            Ok(f) if f.is_finite() => Some(f),
            _ => {
                d.error(path, format!("expected a number, got {s:?}"));
                None
            }
        },
        other => {
            d.error(path, expected("a number", other));
            None
        }
    }
}

/// A sequence of strings (schema `list_of_strings`: unique items).
pub(crate) fn string_list(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Option<Vec<String>> {
    let items = sequence(v, path, d)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if let Some(s) = string(item, &path.index(i), d) {
            out.push(s);
        }
    }
    unique(items, path, d);
    Some(out)
}

/// A string or a sequence of strings (schema `string_or_list`).
pub(crate) fn string_or_list(
    v: &Value,
    path: &InputPath,
    d: &mut Diagnostics,
) -> Option<Vec<String>> {
    match v {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(_) => string_list(v, path, d),
        other => {
            d.error(path, expected("a string or a sequence of strings", other));
            None
        }
    }
}

/// A sequence of strings or numbers, as text (`group_add`, `expose`).
pub(crate) fn string_or_number_list(
    v: &Value,
    path: &InputPath,
    d: &mut Diagnostics,
) -> Option<Vec<String>> {
    let items = sequence(v, path, d)?;
    let out = items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| string_or_number(item, &path.index(i), d))
        .collect();
    unique(items, path, d);
    Some(out)
}

/// The schema's `uniqueItems`: a sequence must not repeat an item.
pub(crate) fn unique(items: &[Value], path: &InputPath, d: &mut Diagnostics) {
    // A set, not a comparison with every earlier entry: `expose: ["1-20000"]` expands into
    // 20,000 entries, which the quadratic check took 14 s over.
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if !seen.insert(Entry(item)) {
            d.error(
                &path.index(i),
                "duplicate entry (each entry must be unique)",
            );
        }
    }
}

/// A sequence entry in a set: equal as [`Value`]s are (a mapping's key order does not
/// count), hashed to agree.
struct Entry<'a>(&'a Value);

impl PartialEq for Entry<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for Entry<'_> {}

impl std::hash::Hash for Entry<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        hash_value(self.0, state);
    }
}

fn hash_value<H: std::hash::Hasher>(v: &Value, state: &mut H) {
    use std::hash::{Hash, Hasher};
    match v {
        Value::Null => 0u8.hash(state),
        Value::Bool(b) => (1u8, b).hash(state),
        // As `Number` compares: by kind, then value (1 and 1.0 differ; 0.0 equals -0.0).
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => (2u8, u).hash(state),
            (None, Some(i), _) => (3u8, i).hash(state),
            (None, None, f) => (4u8, f.map(|f| (f + 0.0).to_bits())).hash(state),
        },
        Value::String(s) => (5u8, s).hash(state),
        Value::Array(items) => {
            (6u8, items.len()).hash(state);
            for item in items {
                hash_value(item, state);
            }
        }
        // Equal mappings may hold their keys in different orders: the entries' hashes are
        // summed, which no order changes.
        Value::Object(m) => {
            let sum = m.iter().fold(0u64, |sum, (k, v)| {
                let mut entry = std::hash::DefaultHasher::new();
                k.hash(&mut entry);
                hash_value(v, &mut entry);
                sum.wrapping_add(entry.finish())
            });
            (7u8, m.len(), sum).hash(state);
        }
    }
}

/// Check the keys of a mapping: each must be one of `known` or an extension (`x-*`).
/// Extension keys where the model keeps none are reported as dropped.
pub(crate) fn check_keys(
    map: &Map<String, Value>,
    known: &[&str],
    path: &InputPath,
    d: &mut Diagnostics,
) {
    for key in map.keys() {
        if known.contains(&key.as_str()) {
            continue;
        }
        if is_extension(key) {
            d.dropped(&path.key(key), "extension key: not used by the translation");
        } else {
            d.error(&path.key(key), unknown_key_message(key, known));
        }
    }
}

/// `unknown key "x" (expected one of …)`.
pub(crate) fn unknown_key_message(key: &str, known: &[&str]) -> String {
    if known.len() <= 12 {
        format!(
            "unknown key {key:?} (expected one of: {})",
            known.join(", ")
        )
    } else {
        format!("unknown key {key:?}")
    }
}

/// Whether a name matches the schema's `^[a-zA-Z0-9._-]+$` (services, volumes, …).
pub(crate) fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p() -> InputPath {
        InputPath::root().key("k")
    }

    #[test]
    fn booleans_accept_compose_strings() {
        let mut d = Diagnostics::default();
        assert_eq!(boolean(&json!("yes"), &p(), &mut d), Some(true));
        assert_eq!(boolean(&json!("OFF"), &p(), &mut d), Some(false));
        assert_eq!(boolean(&json!(true), &p(), &mut d), Some(true));
        assert!(d.errors.is_empty());
        assert_eq!(boolean(&json!("maybe"), &p(), &mut d), None);
        assert_eq!(boolean(&json!(1), &p(), &mut d), None);
        assert_eq!(d.errors.len(), 2);
        assert_eq!(
            d.errors[0].to_string(),
            "k: expected a boolean, got \"maybe\""
        );
        assert_eq!(
            d.errors[1].to_string(),
            "k: expected a boolean, got a number"
        );
    }

    #[test]
    fn integers_and_numbers() {
        let mut d = Diagnostics::default();
        assert_eq!(integer(&json!("12"), &p(), &mut d), Some(12));
        assert_eq!(integer(&json!(3.0), &p(), &mut d), Some(3));
        assert_eq!(number(&json!("0.5"), &p(), &mut d), Some(0.5));
        assert!(d.errors.is_empty());
        assert_eq!(integer(&json!(1.5), &p(), &mut d), None);
        assert_eq!(count(&json!(-1), &p(), &mut d), None);
        assert_eq!(d.errors.len(), 2);
    }

    #[test]
    fn lists_must_be_unique_and_typed() {
        let mut d = Diagnostics::default();
        let l = string_list(&json!(["a", "b", "a", 1]), &p(), &mut d).unwrap();
        assert_eq!(l, vec!["a", "b", "a"]);
        let msgs: Vec<_> = d.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            vec![
                "k[3]: expected a string, got a number",
                "k[2]: duplicate entry (each entry must be unique)"
            ]
        );
    }

    #[test]
    fn uniqueness_is_that_of_values_whatever_the_key_order() {
        let mut d = Diagnostics::default();
        let items = [
            json!({"target": 80, "protocol": "tcp"}),
            json!({"protocol": "tcp", "target": 80}),
            json!({"target": 80, "protocol": "udp"}),
            json!(1),
            json!(1.0),
            json!([1, "a"]),
            json!([1, "a"]),
            json!(null),
        ];
        unique(&items, &p(), &mut d);
        let msgs: Vec<_> = d.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            vec![
                "k[1]: duplicate entry (each entry must be unique)",
                "k[6]: duplicate entry (each entry must be unique)"
            ]
        );
    }

    #[test]
    fn messages_show_deferred_references_by_name() {
        let secret = deferred::reference("SERVICE_PASSWORD_DB");
        let mut d = Diagnostics::default();
        d.error(&p(), format!("invalid port {:?}", format!("{secret}:80")));
        d.error(&p(), format!("raw {secret}"));
        assert_eq!(
            d.errors[0].to_string(),
            "k: invalid port \"${SERVICE_PASSWORD_DB}:80\""
        );
        assert_eq!(d.errors[1].to_string(), "k: raw ${SERVICE_PASSWORD_DB}");
        assert_eq!(shown("a\\0b"), "a\\0b");
    }

    #[test]
    fn number_text_drops_integral_fraction() {
        assert_eq!(scalar_text(&json!(1.0)).unwrap(), "1");
        assert_eq!(scalar_text(&json!(1.5)).unwrap(), "1.5");
        assert_eq!(scalar_text(&json!(false)).unwrap(), "false");
    }
}
