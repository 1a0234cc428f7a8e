//! Values for Coolify's magic variables: the caller's stored values, and the missing
//! ones generated from a caller-supplied seed.
//!
//! (Contract; the generator is being built.)

use crate::compose::MagicVariable;
use crate::error::{Error, Errors};
use crate::path::InputPath;
use std::collections::BTreeMap;

/// Resolved values of magic variables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MagicValues {
    /// Every referenced variable's value, by name.
    pub values: BTreeMap<String, String>,
    /// The names whose values were generated here (the caller should store them).
    pub generated: Vec<String>,
}

/// Resolve every variable in `variables`: supplied values win; missing secret kinds are
/// generated from `seed` (deterministic for a seed); URL and FQDN kinds come from
/// `supplied` or are built from `base_domain`.
pub fn resolve(
    variables: &BTreeMap<String, MagicVariable>,
    supplied: &BTreeMap<String, String>,
    seed: Option<&str>,
    base_domain: Option<&str>,
) -> Result<MagicValues, Errors> {
    let _ = (seed, base_domain);
    let mut out = MagicValues::default();
    let mut errors = Vec::new();
    for name in variables.keys() {
        match supplied.get(name) {
            Some(v) => {
                out.values.insert(name.clone(), v.clone());
            }
            None => errors.push(Error::new(
                InputPath::root(),
                format!("no value for {name} (generation is being built)"),
            )),
        }
    }
    match Errors::from_vec(errors) {
        Some(e) => Err(e),
        None => Ok(out),
    }
}
