//! `healthcheck`, normalized.

use super::units::Duration;
use serde::Serialize;

/// What a health check runs. Serializes as Compose writes it (`["CMD", argv…]`,
/// `["CMD-SHELL", cmd]`, `["NONE"]`), the form `docker compose config` prints.
///
/// ```
/// use coolify_k8s_core::compose::HealthcheckTest;
/// let t = HealthcheckTest::Cmd(vec!["pg_isready".into()]);
/// assert_eq!(serde_json::to_value(&t).unwrap(), serde_json::json!(["CMD", "pg_isready"]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HealthcheckTest {
    /// `["CMD", argv…]`: run argv directly.
    Cmd(Vec<String>),
    /// `["CMD-SHELL", cmd]` or a plain string: run through `/bin/sh -c`.
    Shell(String),
    /// `["NONE"]`: the image's health check is disabled.
    None,
}

impl Serialize for HealthcheckTest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let (head, rest): (&str, &[String]) = match self {
            Self::Cmd(argv) => ("CMD", argv),
            Self::Shell(cmd) => ("CMD-SHELL", std::slice::from_ref(cmd)),
            Self::None => ("NONE", &[]),
        };
        let mut seq = s.serialize_seq(Some(1 + rest.len()))?;
        seq.serialize_element(head)?;
        for arg in rest {
            seq.serialize_element(arg)?;
        }
        seq.end()
    }
}

/// A service's `healthcheck`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
pub struct Healthcheck {
    /// `test`; none when only timings are given (they tune the image's own check).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<HealthcheckTest>,
    /// `interval`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    /// `timeout`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    /// `retries`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<u32>,
    /// `start_period`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_period: Option<Duration>,
    /// `start_interval`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_interval: Option<Duration>,
    /// `disable: true` (or `test: ["NONE"]`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub disable: bool,
}
