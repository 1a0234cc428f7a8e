//! `healthcheck`: `test` as a string is `["CMD-SHELL", string]`; `["CMD", argv…]` runs
//! argv; `["NONE"]` disables the image's check; durations are Go durations.

use super::value::{self, Diagnostics};
use crate::compose::healthcheck::{Healthcheck, HealthcheckTest};
use crate::compose::units::Duration;
use crate::path::InputPath;
use serde_json::{json, Value};

const KEYS: &[&str] = &[
    "disable",
    "interval",
    "retries",
    "test",
    "timeout",
    "start_period",
    "start_interval",
];

/// Rewrite a string `test` into the `CMD-SHELL` list.
pub(crate) fn canonicalize_healthcheck(v: &mut Value) {
    if let Some(Value::String(s)) = v.get("test") {
        let list = json!(["CMD-SHELL", s]);
        if let Some(m) = v.as_object_mut() {
            m.insert("test".into(), list);
        }
    }
}

fn duration(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Option<Duration> {
    let s = value::string(v, path, d)?;
    match Duration::parse(&s) {
        Ok(x) => Some(x),
        Err(e) => {
            d.error(path, e);
            None
        }
    }
}

/// The typed `healthcheck`.
pub(crate) fn healthcheck(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Option<Healthcheck> {
    let m = value::mapping(v, path, d)?;
    value::check_keys(m, KEYS, path, d);
    let mut hc = Healthcheck::default();
    for (k, x) in m {
        let p = path.key(k);
        match k.as_str() {
            "test" => hc.test = test(x, &p, d),
            "interval" => hc.interval = duration(x, &p, d),
            "timeout" => hc.timeout = duration(x, &p, d),
            "start_period" => hc.start_period = duration(x, &p, d),
            "start_interval" => hc.start_interval = duration(x, &p, d),
            "retries" => {
                hc.retries = match value::number(x, &p, d) {
                    Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) => {
                        Some(n as u32)
                    }
                    Some(n) => {
                        d.error(&p, format!("expected a whole number of retries, got {n}"));
                        None
                    }
                    None => None,
                }
            }
            "disable" => hc.disable = value::boolean(x, &p, d).unwrap_or(false),
            _ => {}
        }
    }
    if hc.test == Some(HealthcheckTest::None) {
        hc.disable = true;
    }
    Some(hc)
}

fn test(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Option<HealthcheckTest> {
    match v {
        Value::String(s) => Some(HealthcheckTest::Shell(s.clone())),
        Value::Array(items) => {
            let mut words = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                words.push(value::string(item, &path.index(i), d)?);
            }
            let (first, rest) = words.split_first()?;
            match first.as_str() {
                "CMD" => Some(HealthcheckTest::Cmd(rest.to_vec())),
                // Docker joins the arguments of CMD-SHELL with spaces.
                "CMD-SHELL" => Some(HealthcheckTest::Shell(rest.join(" "))),
                "NONE" => Some(HealthcheckTest::None),
                other => {
                    d.error(
                        &path.index(0),
                        format!("invalid test {other:?} (a list test starts with CMD, CMD-SHELL or NONE)"),
                    );
                    None
                }
            }
        }
        other => {
            d.error(
                path,
                value::expected("a string or a sequence of strings", other),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hc(v: Value) -> Healthcheck {
        let mut d = Diagnostics::default();
        let h = healthcheck(&v, &InputPath::root().key("healthcheck"), &mut d);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        h.unwrap()
    }

    #[test]
    fn test_forms() {
        let shell = HealthcheckTest::Shell("curl -f http://localhost || exit 1".into());
        assert_eq!(
            hc(json!({"test": "curl -f http://localhost || exit 1"})).test,
            Some(shell.clone())
        );
        assert_eq!(
            hc(json!({"test": ["CMD-SHELL", "curl -f http://localhost || exit 1"]})).test,
            Some(shell)
        );
        assert_eq!(
            hc(json!({"test": ["CMD", "pg_isready", "-U", "postgres"]})).test,
            Some(HealthcheckTest::Cmd(vec![
                "pg_isready".into(),
                "-U".into(),
                "postgres".into()
            ]))
        );
        let none = hc(json!({"test": ["NONE"]}));
        assert_eq!(
            (none.test, none.disable),
            (Some(HealthcheckTest::None), true)
        );
        assert!(hc(json!({"disable": true})).disable);
        assert_eq!(hc(json!({"test": []})).test, None);
    }

    #[test]
    fn timings() {
        let h = hc(
            json!({"interval": "1m30s", "timeout": "5s", "retries": 3, "start_period": "10s", "start_interval": "500ms"}),
        );
        assert_eq!(h.interval.map(|x| x.as_secs_f64()), Some(90.0));
        assert_eq!(h.timeout.map(|x| x.as_secs_f64()), Some(5.0));
        assert_eq!(h.retries, Some(3));
        assert_eq!(
            h.start_interval.map(|x| x.to_string()),
            Some("500ms".into())
        );
    }

    #[test]
    fn errors() {
        let mut d = Diagnostics::default();
        healthcheck(
            &json!({"test": ["RUN", "x"], "interval": 30, "timeout": "soon", "retries": -1, "foo": 1}),
            &InputPath::root().key("healthcheck"),
            &mut d,
        );
        let msgs: Vec<_> = d.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            vec![
                "healthcheck.foo: unknown key \"foo\" (expected one of: disable, interval, retries, test, timeout, start_period, start_interval)",
                "healthcheck.test[0]: invalid test \"RUN\" (a list test starts with CMD, CMD-SHELL or NONE)",
                "healthcheck.interval: expected a string, got a number",
                "healthcheck.timeout: invalid duration \"soon\" (expected e.g. 30s, 1m30s, 500ms)",
                "healthcheck.retries: expected a whole number of retries, got -1",
            ]
        );
    }
}
