//! The mapping report: what happened to each input key that could not be carried over
//! exactly, and warnings from loading. Part of the output of every surface.

use crate::path::InputPath;
use serde::Serialize;

/// What became of an input key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Carried over exactly (recorded only where it is worth saying, e.g. a rewrite).
    Mapped,
    /// Carried over with a change in behaviour; the message says what changed.
    Approximated,
    /// Not carried over; the message says why.
    Dropped,
    /// Something the user should know that is not about one key's mapping
    /// (an unset variable, an obsolete key, a generated value).
    Warning,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ReportEntry {
    /// Where in the input.
    pub path: InputPath,
    /// What became of it.
    pub outcome: Outcome,
    /// Why, in words. Never holds a secret value.
    pub message: String,
}

impl std::fmt::Display for ReportEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let o = match self.outcome {
            Outcome::Mapped => "mapped",
            Outcome::Approximated => "approximated",
            Outcome::Dropped => "dropped",
            Outcome::Warning => "warning",
        };
        if self.path.is_root() {
            write!(f, "{o}: {}", self.message)
        } else {
            write!(f, "{o}: {}: {}", self.path, self.message)
        }
    }
}

/// The report of one load or translation, in the order entries were added.
///
/// ```
/// use coolify_k8s_core::{InputPath, Outcome, Report};
/// let mut r = Report::default();
/// r.add(InputPath::root().key("services").key("web").key("ulimits"), Outcome::Dropped,
///       "Kubernetes has no per-container ulimits");
/// assert_eq!(r.entries().len(), 1);
/// assert_eq!(r.entries()[0].to_string(),
///            "dropped: services.web.ulimits: Kubernetes has no per-container ulimits");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Report {
    entries: Vec<ReportEntry>,
}

impl Report {
    /// Add an entry.
    pub fn add(&mut self, path: InputPath, outcome: Outcome, message: impl Into<String>) {
        self.entries.push(ReportEntry {
            path,
            outcome,
            message: message.into(),
        });
    }

    /// Add a warning.
    pub fn warn(&mut self, path: InputPath, message: impl Into<String>) {
        self.add(path, Outcome::Warning, message);
    }

    /// Append another report's entries.
    pub fn extend(&mut self, other: Report) {
        self.entries.extend(other.entries);
    }

    /// All entries.
    pub fn entries(&self) -> &[ReportEntry] {
        &self.entries
    }

    /// Entries with one outcome.
    pub fn with_outcome(&self, outcome: Outcome) -> impl Iterator<Item = &ReportEntry> {
        self.entries.iter().filter(move |e| e.outcome == outcome)
    }

    /// Entries under `from` moved under `to`: a path into the Compose project made from a
    /// model's attributes becomes the attribute's path.
    pub fn rebase(&mut self, from: &InputPath, to: &InputPath) {
        for e in &mut self.entries {
            if let Some(p) = e.path.rebase(from, to) {
                e.path = p;
            }
        }
    }

    /// Sort and remove duplicates, so output does not depend on the order stages ran in.
    pub fn normalize(&mut self) {
        self.entries.sort();
        self.entries.dedup();
    }
}
