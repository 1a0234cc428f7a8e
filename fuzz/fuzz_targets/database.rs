//! A standalone database (Coolify's `standalone_*` row as JSON, as `Translator::database`
//! takes it) through the whole translation. Input: one byte choosing the kind (modulo the
//! eight kinds, in Coolify's order), then JSON attributes. Properties: every one of
//! `check_translation`, and a password column's value (12+ characters, given nowhere
//! else in the input) appears only in Secrets.
#![no_main]

use coolify_k8s_core::coolify::database::kind::ALL;
use coolify_k8s_core::{Options, Translator};
use coolify_k8s_fuzz::{check_only_in_secrets, check_translation};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let kind = ALL[usize::from(choice) % ALL.len()];
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let Ok(attrs) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let options = Options {
        seed: Some("fuzz".to_string()),
        ..Options::default()
    };
    let t = Translator::new(options);
    let env = BTreeMap::new();
    match (
        t.database(kind, &attrs, &env),
        t.database(kind, &attrs, &env),
    ) {
        (Ok(a), Ok(b)) => {
            check_translation(&a, &b, text);
            check_only_in_secrets(&a, &passwords(kind, &attrs));
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("one translation failed, the other did not"),
    }
});

/// The kind's password columns' values that the input gives nowhere else (a value also in
/// another column, such as `internal_db_url`, may rightly appear where that column goes).
fn passwords(
    kind: coolify_k8s_core::coolify::database::DatabaseKind,
    attrs: &Value,
) -> BTreeSet<String> {
    let Some(columns) = attrs.as_object() else {
        return BTreeSet::new();
    };
    kind.credentials()
        .iter()
        .filter(|(_, column)| column.ends_with("password"))
        .filter_map(|(_, column)| Some((*column, columns.get(*column)?.as_str()?)))
        .filter(|(column, v)| {
            v.len() >= 12
                && !v.contains('\n')
                && !columns
                    .iter()
                    .filter(|(k, _)| k.as_str() != *column)
                    .any(|(_, other)| other.to_string().contains(*v))
        })
        .map(|(_, v)| v.to_string())
        .collect()
}
