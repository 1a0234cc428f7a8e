//! Values: environment variables, command lines, probe commands and file bodies whose
//! strings may hold *deferred references* (magic and caller-marked secret variables, see
//! [`crate::compose::magic::deferred`]).
//!
//! The rules (ARCHITECTURE.md, "Secrets"):
//! - a value that is exactly one secret reference becomes a `secretKeyRef`;
//! - a value that embeds secrets defines the secret variables first (from `secretKeyRef`)
//!   and refers to them as `$(VAR)` (Kubernetes dependent variables);
//! - URL and FQDN references are not secret: their values are substituted;
//! - a literal `$(` is written `$$(`, so the kubelet does not expand it;
//! - probes get no `$(VAR)` expansion: a probe that needs a secret runs through
//!   `/bin/sh -c` and reads `$VAR` from the container's environment.
//!
//! Host-name rewrites (services whose names were normalized) apply to the literal text.

use super::model::{EnvValue, EnvVar};
use crate::compose::magic::deferred::{self, Segment};
use crate::path::InputPath;
use crate::report::{Outcome, Report};
use indexmap::IndexMap;
use std::collections::{BTreeMap, BTreeSet};

/// What the planner knows about deferred variables, and which secret ones it used.
#[derive(Debug, Clone, Default)]
pub struct Values {
    /// The resource Secret's name.
    pub secret_name: String,
    /// Resolved values of every deferred variable.
    pub values: BTreeMap<String, String>,
    /// The names whose values are secret.
    pub secret: BTreeSet<String>,
    /// Secret variables referenced by the output (they go into the Secret).
    pub used: BTreeSet<String>,
    /// Service host names to rewrite (`grampsweb_redis` → `grampsweb-redis`).
    pub renames: BTreeMap<String, String>,
}

/// Escape a literal for a field the kubelet expands (`env`, `command`, `args`).
pub fn escape_dollar_paren(s: &str) -> String {
    s.replace("$(", "$$(")
}

/// Rewrite the service name `from` to `to` where it stands as a host name, a whole value
/// included (see [`crate::plan::names::rewrite_host_name`]).
pub fn rewrite_host(text: &str, from: &str, to: &str) -> String {
    crate::plan::names::rewrite_host_name(text, from, to, true)
}

impl Values {
    /// True when `name` is a secret variable.
    pub fn is_secret(&self, name: &str) -> bool {
        self.secret.contains(name)
    }

    /// The value of a non-secret deferred variable (empty when unknown).
    fn plain(&self, name: &str) -> String {
        self.values.get(name).cloned().unwrap_or_default()
    }

    /// Apply host-name rewrites to literal text, reporting each at `at`.
    pub fn rewrite(&self, text: &str, at: &InputPath, report: &mut Report) -> String {
        let mut t = text.to_string();
        // A value that is just a service name is a host only under a host variable.
        let host_variable = at
            .last_key()
            .is_some_and(crate::plan::names::is_host_variable);
        for (from, to) in &self.renames {
            let n = crate::plan::names::rewrite_host_name(&t, from, to, host_variable);
            if n != t {
                report.add(
                    at.clone(),
                    Outcome::Approximated,
                    format!("host name {from:?} rewritten to {to:?} (the name of its Service)"),
                );
                t = n;
            }
        }
        t
    }

    /// The fully resolved text (for bodies that go into a Secret, or plain text when no
    /// secret is referenced), and whether a secret was referenced.
    pub fn resolve_text(&mut self, s: &str, at: &InputPath, report: &mut Report) -> (String, bool) {
        let mut secret = false;
        let mut out = String::new();
        for seg in deferred::segments(s) {
            match seg {
                Segment::Text(t) => out.push_str(&self.rewrite(t, at, report)),
                Segment::Variable(v) => {
                    if self.is_secret(v) {
                        secret = true;
                        self.used.insert(v.to_string());
                    }
                    out.push_str(&self.plain(v));
                }
            }
        }
        (out, secret)
    }

    /// The source of a secret variable as an environment value.
    fn secret_ref(&mut self, name: &str) -> EnvValue {
        self.used.insert(name.to_string());
        EnvValue::SecretKey {
            secret: self.secret_name.clone(),
            key: name.to_string(),
        }
    }

    /// Text for a field the kubelet expands: literal text escaped, non-secret references
    /// substituted, secret references as `$(VAR)` with `VAR` added to `helpers`.
    pub fn expandable(
        &mut self,
        s: &str,
        helpers: &mut Vec<String>,
        at: &InputPath,
        report: &mut Report,
    ) -> String {
        let mut out = String::new();
        for seg in deferred::segments(s) {
            match seg {
                Segment::Text(t) => {
                    out.push_str(&escape_dollar_paren(&self.rewrite(t, at, report)))
                }
                Segment::Variable(v) if self.is_secret(v) => {
                    self.used.insert(v.to_string());
                    if !helpers.iter().any(|h| h == v) {
                        helpers.push(v.to_string());
                    }
                    out.push_str(&format!("$({v})"));
                }
                Segment::Variable(v) => out.push_str(&escape_dollar_paren(&self.plain(v))),
            }
        }
        out
    }

    /// A container's environment, in declared order. `urls` gives values for
    /// `SERVICE_URL_*` / `SERVICE_FQDN_*` keys whose value is empty or a path.
    pub fn environment(
        &mut self,
        environment: &IndexMap<String, Option<String>>,
        at: &InputPath,
        report: &mut Report,
    ) -> Vec<EnvVar> {
        let mut out: Vec<EnvVar> = Vec::new();
        for (key, value) in environment {
            let vat = at.key(key.as_str());
            let Some(value) = value else {
                report.add(
                    vat,
                    Outcome::Dropped,
                    "no value: the variable is named without a value and the caller's variables do not set it (Kubernetes has no host environment to take it from)",
                );
                continue;
            };
            if let Some(magic) = crate::compose::MagicVariable::parse(key) {
                if !magic.is_secret()
                    && (value.is_empty() || value.starts_with('/'))
                    && !deferred::has_references(value)
                {
                    // Coolify sets SERVICE_URL_X / SERVICE_FQDN_X keys to the URL / host
                    // (with the path given as the value).
                    let mut v = self.plain(key);
                    if value.starts_with('/') && value != "/" {
                        v.push_str(value);
                    }
                    out.push(EnvVar {
                        name: key.clone(),
                        value: EnvValue::Literal(escape_dollar_paren(&v)),
                    });
                    continue;
                }
            }
            let segs = deferred::segments(value);
            if let [Segment::Variable(v)] = segs.as_slice() {
                if self.is_secret(v) {
                    let v = v.to_string();
                    if out.iter().any(|e| e.name == *key) {
                        continue; // already defined from the same Secret key as a helper
                    }
                    let src = self.secret_ref(&v);
                    out.push(EnvVar {
                        name: key.clone(),
                        value: src,
                    });
                    continue;
                }
            }
            let mut helpers = Vec::new();
            let text = self.expandable(value, &mut helpers, &vat, report);
            for h in helpers {
                self.define_helper(&mut out, &h);
            }
            out.push(EnvVar {
                name: key.clone(),
                value: EnvValue::Literal(text),
            });
        }
        out
    }

    /// Define secret variable `name` from the Secret before it is used by `$(name)`,
    /// unless an earlier entry already defines it that way.
    fn define_helper(&mut self, out: &mut Vec<EnvVar>, name: &str) {
        let src = self.secret_ref(name);
        if out.iter().any(|e| e.name == name && e.value == src) {
            return;
        }
        out.push(EnvVar {
            name: name.to_string(),
            value: src,
        });
    }

    /// Add definitions for secret variables that `command` / `args` refer to as `$(VAR)`.
    pub fn add_helpers(&mut self, env: &mut Vec<EnvVar>, helpers: &[String]) {
        for h in helpers {
            self.define_helper(env, h);
        }
    }

    /// An argv for `command` / `args`.
    pub fn argv(
        &mut self,
        args: &[String],
        helpers: &mut Vec<String>,
        at: &InputPath,
        report: &mut Report,
    ) -> Vec<String> {
        args.iter()
            .enumerate()
            .map(|(i, a)| self.expandable(a, helpers, &at.index(i), report))
            .collect()
    }

    /// A probe's exec command: `argv` as given when it references no secret (non-secret
    /// references substituted); otherwise a `/bin/sh -c` script that reads the secrets
    /// from the environment (`helpers` gets their names). `shell` is true for the shell
    /// form (the string is already a shell script).
    pub fn probe_command(
        &mut self,
        argv: &[String],
        shell: bool,
        helpers: &mut Vec<String>,
        at: &InputPath,
        report: &mut Report,
    ) -> Vec<String> {
        let has_secret = argv
            .iter()
            .any(|a| deferred::variables(a).any(|v| self.is_secret(v)));
        let sh = |s: String| vec!["/bin/sh".to_string(), "-c".to_string(), s];
        if !has_secret {
            let plain: Vec<String> = argv
                .iter()
                .map(|a| {
                    let r = deferred::resolve(a, |v| self.plain(v));
                    self.rewrite(&r, at, report)
                })
                .collect();
            return if shell { sh(plain.join(" ")) } else { plain };
        }
        let mut script = Vec::new();
        for a in argv {
            let mut word = String::new();
            for seg in deferred::segments(a) {
                match seg {
                    Segment::Text(t) => {
                        let t = self.rewrite(t, at, report);
                        if shell {
                            word.push_str(&t);
                        } else {
                            word.push_str(&shell_words::quote(&t));
                        }
                    }
                    Segment::Variable(v) if self.is_secret(v) => {
                        self.used.insert(v.to_string());
                        if !helpers.iter().any(|h| h == v) {
                            helpers.push(v.to_string());
                        }
                        word.push_str(&format!("\"${{{v}}}\""));
                    }
                    Segment::Variable(v) => {
                        let p = self.plain(v);
                        if shell {
                            word.push_str(&p);
                        } else {
                            word.push_str(&shell_words::quote(&p));
                        }
                    }
                }
            }
            script.push(word);
        }
        if !shell {
            report.add(
                at.clone(),
                Outcome::Approximated,
                "the health check uses a secret: it runs through /bin/sh -c and reads the value from the container's environment (probes do not expand $(VAR))",
            );
        }
        sh(script.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::magic::deferred::reference;

    fn values() -> Values {
        let mut v = Values {
            secret_name: "app-secrets".into(),
            ..Default::default()
        };
        v.values
            .insert("SERVICE_PASSWORD_DB".into(), "hunter2".into());
        v.values
            .insert("SERVICE_URL_APP".into(), "https://app.example.com".into());
        v.secret.insert("SERVICE_PASSWORD_DB".into());
        v
    }

    fn lit(name: &str, v: &str) -> EnvVar {
        EnvVar {
            name: name.into(),
            value: EnvValue::Literal(v.into()),
        }
    }

    fn sec(name: &str, key: &str) -> EnvVar {
        EnvVar {
            name: name.into(),
            value: EnvValue::SecretKey {
                secret: "app-secrets".into(),
                key: key.into(),
            },
        }
    }

    #[test]
    fn secret_values_never_appear_in_env() {
        let mut v = values();
        let mut env = IndexMap::new();
        env.insert(
            "PASSWORD".to_string(),
            Some(reference("SERVICE_PASSWORD_DB")),
        );
        env.insert(
            "DATABASE_URL".to_string(),
            Some(format!(
                "postgres://u:{}@db/x",
                reference("SERVICE_PASSWORD_DB")
            )),
        );
        env.insert("APP_URL".to_string(), Some(reference("SERVICE_URL_APP")));
        env.insert("CMD".to_string(), Some("echo $(date)".to_string()));
        env.insert("SERVICE_URL_APP".to_string(), Some(String::new()));
        env.insert("UNSET".to_string(), None);
        let mut report = Report::default();
        let out = v.environment(&env, &InputPath::root().key("environment"), &mut report);
        assert_eq!(
            out,
            vec![
                sec("PASSWORD", "SERVICE_PASSWORD_DB"),
                sec("SERVICE_PASSWORD_DB", "SERVICE_PASSWORD_DB"),
                lit("DATABASE_URL", "postgres://u:$(SERVICE_PASSWORD_DB)@db/x"),
                lit("APP_URL", "https://app.example.com"),
                lit("CMD", "echo $$(date)"),
                lit("SERVICE_URL_APP", "https://app.example.com"),
            ]
        );
        assert!(v.used.contains("SERVICE_PASSWORD_DB"));
        assert_eq!(report.entries().len(), 1);
        assert_eq!(report.entries()[0].path.to_string(), "environment.UNSET");
    }

    #[test]
    fn probes_read_secrets_through_the_shell() {
        let mut v = values();
        let mut helpers = Vec::new();
        let mut report = Report::default();
        let argv = vec![
            "mysqladmin".to_string(),
            "ping".to_string(),
            format!("-p{}", reference("SERVICE_PASSWORD_DB")),
        ];
        let cmd = v.probe_command(&argv, false, &mut helpers, &InputPath::root(), &mut report);
        assert_eq!(
            cmd,
            vec![
                "/bin/sh",
                "-c",
                "mysqladmin ping -p\"${SERVICE_PASSWORD_DB}\""
            ]
        );
        assert_eq!(helpers, vec!["SERVICE_PASSWORD_DB"]);
        // No secret: argv as is, URL substituted.
        let argv = vec!["curl".to_string(), reference("SERVICE_URL_APP")];
        let cmd = v.probe_command(&argv, false, &mut helpers, &InputPath::root(), &mut report);
        assert_eq!(cmd, vec!["curl", "https://app.example.com"]);
    }

    #[test]
    fn host_rewrites_are_whole_words() {
        assert_eq!(
            rewrite_host(
                "redis://grampsweb_redis:6379/0",
                "grampsweb_redis",
                "grampsweb-redis"
            ),
            "redis://grampsweb-redis:6379/0"
        );
        assert_eq!(
            rewrite_host("grampsweb_redis_url", "grampsweb_redis", "x"),
            "grampsweb_redis_url"
        );
        assert_eq!(
            rewrite_host("a.grampsweb_redis", "grampsweb_redis", "x"),
            "a.grampsweb_redis"
        );
        assert_eq!(rewrite_host("grampsweb_redis", "grampsweb_redis", "x"), "x");
    }

    #[test]
    fn file_bodies_with_secrets_are_flagged() {
        let mut v = values();
        let mut r = Report::default();
        let (t, s) = v.resolve_text(
            &format!("password={}", reference("SERVICE_PASSWORD_DB")),
            &InputPath::root(),
            &mut r,
        );
        assert_eq!((t.as_str(), s), ("password=hunter2", true));
        let (t, s) = v.resolve_text("plain", &InputPath::root(), &mut r);
        assert_eq!((t.as_str(), s), ("plain", false));
    }
}
