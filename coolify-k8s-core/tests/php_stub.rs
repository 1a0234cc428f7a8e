//! The PHP stub's option shapes (`php-ext/coolify_k8s.stub.php`, which PHPStan checks
//! Coolify's calls against) stay in step with the options the core accepts: a key the stub
//! lacks is an option PHPStan rejects, a key the core lacks is one the extension rejects.

use coolify_k8s_core::kubectl::Target;
use coolify_k8s_core::Options;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

const STUB: &str = include_str!("../../php-ext/coolify_k8s.stub.php");

/// The `array{…}` shape of the first `@param array{` docblock line after `class` in the stub
/// (each class's constructor options come first).
fn shape_after(class: &str) -> String {
    let at = STUB
        .find(class)
        .unwrap_or_else(|| panic!("{class} not in the stub"));
    let line = STUB[at..]
        .lines()
        .find(|l| l.contains("@param array{"))
        .unwrap_or_else(|| panic!("no @param array{{…}} after {class}"));
    let start = line.find("array{").expect("array{") + "array{".len();
    // The shape ends at the brace that closes the first one (shapes nest: `array{min?: int}`).
    let mut depth = 1;
    for (i, c) in line[start..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return line[start..start + i].to_string();
                }
            }
            _ => {}
        }
    }
    panic!("unclosed array shape after {class}")
}

/// Top-level `key?: type` entries of a shape (commas inside nested shapes, generics and
/// literal unions are skipped by depth).
fn entries(shape: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in shape.chars().chain(std::iter::once(',')) {
        match c {
            '{' | '<' => depth += 1,
            '}' | '>' => depth -= 1,
            _ => {}
        }
        if c == ',' && depth == 0 {
            let (key, ty) = current
                .split_once(':')
                .unwrap_or_else(|| panic!("shape entry without a type: {current:?}"));
            out.push((
                key.trim().trim_end_matches('?').to_string(),
                ty.trim().to_string(),
            ));
            current.clear();
        } else {
            current.push(c);
        }
    }
    out
}

/// The string literals of a type such as `'ingress'|'traefik'|string` (empty if none).
fn literals(ty: &str) -> Vec<String> {
    ty.split('|')
        .filter_map(|t| t.trim().strip_prefix('\'')?.strip_suffix('\''))
        .map(str::to_string)
        .collect()
}

#[test]
fn translator_options_shape_has_every_option_and_nothing_else() {
    let shape = entries(&shape_after("class Translator {"));
    let stub: BTreeSet<String> = shape.iter().map(|(k, _)| k.clone()).collect();
    let Value::Object(defaults) = serde_json::to_value(Options::default()).expect("options") else {
        panic!("Options serialize to an object");
    };
    let core: BTreeSet<String> = defaults.keys().cloned().collect();
    let missing: Vec<_> = core.difference(&stub).collect();
    let unknown: Vec<_> = stub.difference(&core).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "stub Translator options: missing {missing:?}, not options {unknown:?}"
    );
    // Every literal the stub allows is a value the core takes, and every value the core
    // takes (serde's "expected one of" list for an unknown one) is in the stub.
    for (key, ty) in &shape {
        let allowed = literals(ty);
        if allowed.is_empty() {
            continue;
        }
        let mut o = Map::new();
        o.insert(key.clone(), json!("no-such-value"));
        let err = serde_json::from_value::<Options>(Value::Object(o))
            .expect_err("an unknown literal is rejected")
            .to_string();
        // serde: "expected `a`", "expected `a` or `b`", "expected one of `a`, `b`, `c`".
        let core: BTreeSet<String> = err
            .split_once("expected ")
            .map(|(_, list)| {
                list.split('`')
                    .skip(1)
                    .step_by(2)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let stub: BTreeSet<String> = allowed.iter().cloned().collect();
        assert_eq!(stub, core, "stub literals of {key} vs the core's ({err})");
        for lit in allowed {
            let mut o = Map::new();
            o.insert(key.clone(), json!(lit));
            assert!(
                serde_json::from_value::<Options>(Value::Object(o)).is_ok(),
                "stub allows {key}: '{lit}', which the core rejects"
            );
        }
    }
}

#[test]
fn kubectl_options_shape_keys_are_accepted_and_the_shape_is_read() {
    let shape = entries(&shape_after("class Kubectl {"));
    assert!(shape.len() >= 7, "Kubectl options shape read: {shape:?}");
    for (key, _) in &shape {
        let mut o = Map::new();
        o.insert(key.clone(), Value::Null);
        assert!(
            Target::from_json(&Value::Object(o)).is_ok(),
            "stub Kubectl option {key} is rejected by Target::from_json"
        );
    }
    assert!(Target::from_json(&json!({"not_an_option": "x"})).is_err());
}
