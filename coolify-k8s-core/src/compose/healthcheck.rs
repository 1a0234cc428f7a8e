//! `healthcheck`, normalized.

use super::units::Duration;
use serde::Serialize;

/// What a health check runs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthcheckTest {
    /// `["CMD", argv…]`: run argv directly.
    Cmd(Vec<String>),
    /// `["CMD-SHELL", cmd]` or a plain string: run through `/bin/sh -c`.
    Shell(String),
    /// `["NONE"]`: the image's health check is disabled.
    None,
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
