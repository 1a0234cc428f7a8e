//! Errors: each names the place in the input and says what to fix.

use crate::path::InputPath;
use std::fmt;

/// One problem with the input, at a path in it.
///
/// ```
/// use coolify_k8s_core::{Error, InputPath};
/// let e = Error::new(InputPath::root().key("services").key("web").key("ports").index(1),
///                    "invalid port \"80800\"");
/// assert_eq!(e.to_string(), "services.web.ports[1]: invalid port \"80800\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
pub struct Error {
    /// Where in the input (empty for the whole input).
    pub path: InputPath,
    /// What is wrong, in words a Coolify user can act on. Never holds a secret value.
    pub message: String,
}

impl Error {
    /// An error at `path`.
    pub fn new(path: InputPath, message: impl Into<String>) -> Self {
        Self {
            path,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_root() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// One or more errors: the loader and translator report every problem they find, not only
/// the first. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Errors(Vec<Error>);

impl Errors {
    /// Wrap a non-empty list; `None` when `errors` is empty.
    pub fn from_vec(errors: Vec<Error>) -> Option<Self> {
        if errors.is_empty() {
            None
        } else {
            Some(Self(errors))
        }
    }

    /// The errors, in the order found.
    pub fn iter(&self) -> impl Iterator<Item = &Error> {
        self.0.iter()
    }

    /// The first error (there always is one).
    pub fn first(&self) -> &Error {
        &self.0[0]
    }

    /// Number of errors (at least one).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false; present for clippy's `len_without_is_empty`.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The errors as a vector.
    pub fn into_vec(self) -> Vec<Error> {
        self.0
    }
}

impl From<Error> for Errors {
    fn from(e: Error) -> Self {
        Self(vec![e])
    }
}

impl fmt::Display for Errors {
    /// One line per error.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Errors {}

impl IntoIterator for Errors {
    type Item = Error;
    type IntoIter = std::vec::IntoIter<Error>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
