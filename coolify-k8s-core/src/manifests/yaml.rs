//! The YAML rendering of one manifest object: block mappings and sequences laid out as
//! serde-saphyr 2.2 lays out a `serde_json::Value` with its default options (two-space
//! steps, a sequence's dashes at its key's column, a mapping or sequence inside a sequence
//! started on the dash's line, `{}` and `[]` for empty ones), written straight into the
//! output.
//!
//! Why not serde-saphyr itself: it costs about 100 instructions per output byte, and the
//! translation writes 4.4 times the bytes it reads, so its emitter was the largest stage of
//! a translation (README "Performance"). This writer produces the same bytes for the shapes
//! manifests have; for anything else (a float, a key too long for an implicit key, an object
//! that is not a mapping) [`write_document`] writes nothing and returns `false`, and the
//! caller falls back to serde-saphyr for that object.
//!
//! ```text
//! metadata:
//!   name: web
//! spec:
//!   ports:
//!   - name: http
//!     port: 80
//!   command:
//!   - sh
//!   - -c
//!   - |
//!     echo one
//!     echo two
//! ```

use super::scalar::{push_spaces, write_key, write_number, write_str};
use serde_json::{Map, Value};

/// A shape this writer leaves to serde-saphyr.
struct Unsupported;

/// Appends `object` as one YAML document body (no `---`), ending in a newline. `false`, with
/// `out` unchanged, when the object has a shape this writer does not render.
pub(super) fn write_document(out: &mut String, object: &Value) -> bool {
    let start = out.len();
    let written = match object {
        Value::Object(map) if map.is_empty() => {
            out.push_str("{}\n");
            Ok(())
        }
        Value::Object(map) => write_entries(out, map, 0, false),
        _ => Err(Unsupported),
    };
    if written.is_err() {
        out.truncate(start);
    }
    written.is_ok()
}

/// The entries of a non-empty mapping whose keys sit at column `indent`; with `after_dash`
/// the first key follows a sequence dash already written on the line.
fn write_entries(
    out: &mut String,
    map: &Map<String, Value>,
    indent: usize,
    after_dash: bool,
) -> Result<(), Unsupported> {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !after_dash {
            push_spaces(out, indent);
        }
        if !write_key(out, key) {
            return Err(Unsupported);
        }
        out.push(':');
        match value {
            Value::Object(m) if m.is_empty() => out.push_str(" {}\n"),
            Value::Object(m) => {
                out.push('\n');
                write_entries(out, m, indent + 2, false)?;
            }
            Value::Array(items) if items.is_empty() => out.push_str(" []\n"),
            // Compact form: the dashes at the key's own column.
            Value::Array(items) => {
                out.push('\n');
                write_items(out, items, indent, false)?;
            }
            scalar => {
                out.push(' ');
                write_scalar(out, scalar, indent + 2)?;
            }
        }
    }
    Ok(())
}

/// The items of a non-empty sequence whose dashes sit at column `indent`; with `after_dash`
/// the first dash follows another dash already written on the line (`- - a`).
fn write_items(
    out: &mut String,
    items: &[Value],
    indent: usize,
    after_dash: bool,
) -> Result<(), Unsupported> {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !after_dash {
            push_spaces(out, indent);
        }
        out.push_str("- ");
        match item {
            Value::Object(m) if m.is_empty() => out.push_str("{}\n"),
            Value::Object(m) => write_entries(out, m, indent + 2, true)?,
            Value::Array(inner) if inner.is_empty() => out.push_str("[]\n"),
            Value::Array(inner) => write_items(out, inner, indent + 2, true)?,
            scalar => write_scalar(out, scalar, indent + 2)?,
        }
    }
    Ok(())
}

/// A scalar and its line end; `body` is the column of a block scalar's lines.
fn write_scalar(out: &mut String, value: &Value, body: usize) -> Result<(), Unsupported> {
    match value {
        Value::String(s) => {
            if !write_str(out, s, body) {
                out.push('\n');
            }
            return Ok(());
        }
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if !write_number(out, n) {
                return Err(Unsupported);
            }
        }
        Value::Object(_) | Value::Array(_) => return Err(Unsupported),
    }
    out.push('\n');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What serde-saphyr writes for `object`: the reference this writer must equal.
    fn reference(object: &Value) -> String {
        let mut out = String::new();
        super::super::push_serde_saphyr_document(&mut out, object);
        out
    }

    fn assert_same(object: &Value) {
        let mut ours = String::new();
        assert!(write_document(&mut ours, object), "unsupported: {object}");
        assert_eq!(ours, reference(object), "object: {object}");
    }

    #[test]
    fn manifest_shapes_are_laid_out_as_serde_saphyr_lays_them_out() {
        assert_same(&json!({}));
        assert_same(&json!({
            "apiVersion": "apps/v1",
            "metadata": {"name": "web", "labels": {"app.kubernetes.io/name": "web"}, "annotations": {}},
            "spec": {
                "replicas": 1,
                "paused": false,
                "selector": null,
                "template": {"spec": {"containers": [{
                    "name": "web",
                    "command": ["sh", "-c", "echo one\necho two\n", "  lead\n", "x\n\n", "\n"],
                    "args": [],
                    "env": [{"name": "A", "value": "yes"}, {"name": "B", "valueFrom": {"secretKeyRef": {"key": "b", "name": "s"}}}],
                    "ports": [{}, [], [[]], [["a", {"b": [1, -2, {"c": "multi\nline"}]}]], {"x": []}],
                }]}},
            },
            "data": {"script": "#!/bin/sh\n\tset -e\nexec \"$@\"", "long": format!("{} {}", "word ".repeat(30), "end")},
        }));
    }

    #[test]
    fn floats_and_long_keys_are_left_to_serde_saphyr() {
        let mut out = String::from("kept");
        assert!(!write_document(&mut out, &json!({"a": {"b": [1.5]}})));
        assert!(!write_document(&mut out, &json!({"k".repeat(1100): 1})));
        assert!(!write_document(&mut out, &json!(["not", "a", "mapping"])));
        assert_eq!(out, "kept", "a refused object leaves no partial output");
    }

    /// Text fragments that exercise every quoting, folding and block rule; random strings
    /// are made of one to four of them.
    const FRAGMENTS: &[&str] = &[
        "", "a", "web", "yes", "No", "on", "y", "0755", "1e3", "1_0", "0x1F", "0b2", "0o7", "+1", "-1.5", ".5", "1.", ".inf",
        "-.NaN", "nan", "1:30", "0:30", "2001-12-14", "2001-12-14 21:59:43.10 -5", "null", "~", "<<", "=", "true",
        " ", "  ", "\t", "\n", "\r", "\r\n", "\n\n", ":", ": ", "a:b", "#", " #", "a#b", "-", "- ", "?", "? ",
        "---", "...", "--- x", "'", "\"", "\\", ",", "[", "]", "{", "}", "&", "*", "!", "|", ">", "%", "@", "`",
        "ü", "\u{a0}", "\u{85}", "\u{feff}", "\u{2028}", "\u{7f}", "\u{1b}", "\u{0}", "\u{fffe}", "\u{e000}", "😀",
        "http://example.com/a?b=c#d", "$(VAR)", "${VAR:-x}", "word word word word word word word word word ",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "  two spaces  in  the  middle  ", " \t ",
    ];

    /// A small deterministic generator (xorshift), so a failure names a reproducible case.
    struct Gen(u64);
    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn text(&mut self) -> String {
            (0..1 + self.below(4))
                .map(|_| FRAGMENTS[self.below(FRAGMENTS.len())])
                .collect()
        }
        fn value(&mut self, depth: usize) -> Value {
            match self.below(if depth == 0 { 5 } else { 8 }) {
                0 => Value::Null,
                1 => Value::Bool(self.below(2) == 0),
                2 => json!(self.next() as i64 >> self.below(64)),
                3 | 4 => Value::String(self.text()),
                5 | 6 => Value::Object(self.map(depth - 1)),
                _ => Value::Array((0..self.below(4)).map(|_| self.value(depth - 1)).collect()),
            }
        }
        fn map(&mut self, depth: usize) -> Map<String, Value> {
            (0..self.below(4))
                .map(|_| (self.text(), self.value(depth)))
                .collect()
        }
    }

    #[test]
    fn random_trees_render_byte_for_byte_as_serde_saphyr_renders_them() {
        let mut g = Gen(0x9E37_79B9_7F4A_7C15);
        for case in 0..20_000 {
            let object = Value::Object(g.map(4));
            let mut ours = String::new();
            assert!(write_document(&mut ours, &object), "case {case}");
            assert_eq!(ours, reference(&object), "case {case}: {object}");
        }
    }
}
