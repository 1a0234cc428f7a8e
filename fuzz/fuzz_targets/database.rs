//! A standalone database (Coolify's `standalone_*` row as JSON, as `Translator::database`
//! takes it) through the whole translation. Input: one byte choosing the kind (modulo the
//! eight kinds, in Coolify's order), then JSON attributes (an `@options` member holds
//! options, as for `application`). Properties: every one of
//! `check_translation`; and with each password column set to a marker value that no
//! generated text contains, the markers appear only in Secrets (a fuzzed password may
//! rightly be a piece of a label or a name).
#![no_main]

use coolify_k8s_core::coolify::database::kind::ALL;
use coolify_k8s_core::coolify::database::DatabaseKind;
use coolify_k8s_fuzz::{check_only_in_secrets, check_translation, json_input, translator_for};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fuzz_target!(|data: &[u8]| {
    let _unit = coolify_k8s_fuzz::watch(data);
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let kind = ALL[usize::from(choice) % ALL.len()];
    let Some((text, mut attrs)) = json_input(rest) else {
        return;
    };
    let Some(t) = translator_for(&mut attrs) else {
        return;
    };
    let env = BTreeMap::new();
    match (
        t.database(kind, &attrs, &env),
        t.database(kind, &attrs, &env),
    ) {
        (Ok(a), Ok(b)) => {
            check_translation(&a, &b, text);
            // The fuzzer learns the marker from the comparisons it sees: an input that
            // writes it elsewhere (a column's name, say) puts it in the report rightly, and
            // one that writes it with other separators (`fuzz|secret-Qx7rW2-0` in `id`)
            // gets it back in a label once names are normalized (session 9). Its distinctive
            // part anywhere in the input skips the check.
            let marked = (!text.contains(MARKER_CORE))
                .then(|| with_marked_passwords(kind, &attrs))
                .flatten();
            if let Some((marked, markers)) = marked {
                if let Ok(m) = t.database(kind, &marked, &env) {
                    check_only_in_secrets(&m, &markers);
                }
            }
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("one translation failed, the other did not"),
    }
});

/// The stem of the marker values.
const MARKER: &str = "fuzz-secret-Qx7rW2";
/// The part of [`MARKER`] that no normalization of names (separators, case of labels)
/// changes.
const MARKER_CORE: &str = "Qx7rW2";

/// The attributes with each password column that holds a string set to a marker, and the
/// markers; `None` when there is none.
fn with_marked_passwords(kind: DatabaseKind, attrs: &Value) -> Option<(Value, BTreeSet<String>)> {
    let mut marked = attrs.clone();
    let columns = marked.as_object_mut()?;
    let mut markers = BTreeSet::new();
    for (i, (_, column)) in kind
        .credentials()
        .iter()
        .filter(|(_, column)| column.ends_with("password"))
        .enumerate()
    {
        if let Some(v) = columns.get_mut(*column).filter(|v| v.is_string()) {
            let marker = format!("{MARKER}-{i}");
            *v = Value::String(marker.clone());
            markers.insert(marker);
        }
    }
    (!markers.is_empty()).then_some((marked, markers))
}
