//! The state one load carries through the stages: file access, warnings so far, the
//! chain of files being loaded, and the caller's stored variables.

use super::options::Resolver;
use crate::report::Report;
use std::collections::BTreeSet;

/// State shared by the stages while one load runs.
pub(crate) struct Context<'a> {
    /// The caller's file access.
    pub resolver: &'a dyn Resolver,
    /// Warnings so far.
    pub report: Report,
    /// Files being loaded, outermost first (to detect `include` cycles).
    pub chain: Vec<String>,
    /// The caller's variables (not the template's shared defaults): deferred in the
    /// values workloads run with (see [`interpolate_deferring`](super::interpolate::interpolate_deferring)).
    pub stored: BTreeSet<String>,
}
