//! The `health_check_*` timing columns (seconds), which both models share; the test itself
//! is the model's own (an HTTP or command check for an Application, the image's check for a
//! database).

use super::Attrs;
use crate::compose::{Duration, Healthcheck};
use crate::error::Error;

/// A health check with Coolify's interval, timeout, start period and retries, and no test.
pub(in crate::coolify) fn health_check_timings(
    a: &Attrs<'_>,
    errors: &mut Vec<Error>,
) -> Healthcheck {
    let mut secs = |k: &str| a.number(k, errors).map(Duration::from_secs);
    let interval = secs("health_check_interval");
    let timeout = secs("health_check_timeout");
    let start_period = secs("health_check_start_period");
    Healthcheck {
        interval,
        timeout,
        start_period,
        retries: a
            .number("health_check_retries", errors)
            .and_then(|r| u32::try_from(r).ok()),
        ..Healthcheck::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timings_from_strings_or_numbers() {
        let v = json!({"health_check_interval": "5", "health_check_timeout": 2,
            "health_check_start_period": "x", "health_check_retries": 3});
        let mut errors = Vec::new();
        let hc = health_check_timings(&Attrs::root(&v, "x").unwrap(), &mut errors);
        assert_eq!(
            (
                hc.interval,
                hc.timeout,
                hc.start_period,
                hc.retries,
                hc.test
            ),
            (
                Some(Duration::from_secs(5)),
                Some(Duration::from_secs(2)),
                None,
                Some(3),
                None
            )
        );
        assert_eq!(errors[0].path.to_string(), "health_check_start_period");
    }
}
