//! Coolify's magic variables.
//!
//! `SERVICE_<KIND>_<ID>` references create values that Coolify stores (passwords, users,
//! keys); `SERVICE_URL_<ID>[_<PORT>]` and `SERVICE_FQDN_<ID>[_<PORT>]` keys in a
//! service's `environment` give that service a route, and resolve to its URL / host.
//!
//! Their values are not known when a file is loaded (the caller supplies stored ones;
//! missing ones are generated later from a seed, and URLs come from the routing settings),
//! and most of them are secrets. So interpolation does not substitute them: it leaves a
//! *deferred reference* in the string (see [`deferred`]), which later stages resolve
//! (a secret becomes a `$(VAR)` over a `secretKeyRef`, a URL its value). Variables that the
//! caller marks secret are deferred the same way.
//!
//! ```
//! use coolify_k8s_core::compose::{MagicKind, MagicVariable};
//! let v = MagicVariable::parse("SERVICE_PASSWORD_64_DB").unwrap();
//! assert_eq!(v.kind, MagicKind::Password64);
//! assert_eq!(v.id, "DB");
//! assert!(v.is_secret());
//! let u = MagicVariable::parse("SERVICE_URL_ESPOCRM_WEBSOCKET_8080").unwrap();
//! assert_eq!((u.kind, u.id.as_str(), u.port), (MagicKind::Url, "ESPOCRM_WEBSOCKET", Some(8080)));
//! assert!(MagicVariable::parse("SERVICE_ROLE_KEY").is_none());
//! ```

use serde::Serialize;

/// What a magic variable holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MagicKind {
    /// `SERVICE_URL_<ID>[_<PORT>]`: the service's URL, with scheme.
    Url,
    /// `SERVICE_FQDN_<ID>[_<PORT>]`: the service's host name.
    Fqdn,
    /// `SERVICE_PASSWORD_<ID>`: 32 characters, no symbols.
    Password,
    /// `SERVICE_PASSWORD_64_<ID>`: 64 characters, no symbols.
    Password64,
    /// `SERVICE_PASSWORDWITHSYMBOLS_<ID>`: 32 characters with symbols.
    PasswordWithSymbols,
    /// `SERVICE_PASSWORDWITHSYMBOLS_64_<ID>`: 64 characters with symbols.
    PasswordWithSymbols64,
    /// `SERVICE_USER_<ID>`: 16 random characters.
    User,
    /// `SERVICE_LOWERCASEUSER_<ID>`: 16 random lowercase characters.
    LowercaseUser,
    /// `SERVICE_BASE64_<ID>`: random alphanumeric, 32 characters.
    Base64,
    /// `SERVICE_BASE64_32_<ID>`.
    Base64_32,
    /// `SERVICE_BASE64_64_<ID>`.
    Base64_64,
    /// `SERVICE_BASE64_128_<ID>`.
    Base64_128,
    /// `SERVICE_REALBASE64_<ID>`: base64 of random bytes (32 bytes).
    RealBase64,
    /// `SERVICE_REALBASE64_32_<ID>`.
    RealBase64_32,
    /// `SERVICE_REALBASE64_64_<ID>`.
    RealBase64_64,
    /// `SERVICE_REALBASE64_128_<ID>`.
    RealBase64_128,
    /// `SERVICE_HEX_32_<ID>`.
    Hex32,
    /// `SERVICE_HEX_64_<ID>`.
    Hex64,
    /// `SERVICE_HEX_128_<ID>`.
    Hex128,
    /// `SERVICE_SUPABASEANON_<ID>`: an HS256 JWT (role `anon`) signed with
    /// `SERVICE_PASSWORD_JWT`.
    SupabaseAnon,
    /// `SERVICE_SUPABASESERVICE_<ID>`: an HS256 JWT (role `service_role`).
    SupabaseService,
}

/// Prefixes after `SERVICE_`, longest first so that `PASSWORD_64_X` is not read as
/// `PASSWORD` with id `64_X`.
const KINDS: &[(&str, MagicKind)] = &[
    ("PASSWORDWITHSYMBOLS_64_", MagicKind::PasswordWithSymbols64),
    ("PASSWORDWITHSYMBOLS_", MagicKind::PasswordWithSymbols),
    ("REALBASE64_128_", MagicKind::RealBase64_128),
    ("REALBASE64_64_", MagicKind::RealBase64_64),
    ("REALBASE64_32_", MagicKind::RealBase64_32),
    ("REALBASE64_", MagicKind::RealBase64),
    ("SUPABASESERVICE_", MagicKind::SupabaseService),
    ("SUPABASEANON_", MagicKind::SupabaseAnon),
    ("LOWERCASEUSER_", MagicKind::LowercaseUser),
    ("BASE64_128_", MagicKind::Base64_128),
    ("BASE64_64_", MagicKind::Base64_64),
    ("BASE64_32_", MagicKind::Base64_32),
    ("BASE64_", MagicKind::Base64),
    ("PASSWORD_64_", MagicKind::Password64),
    ("PASSWORD_", MagicKind::Password),
    ("HEX_128_", MagicKind::Hex128),
    ("HEX_64_", MagicKind::Hex64),
    ("HEX_32_", MagicKind::Hex32),
    ("USER_", MagicKind::User),
    ("FQDN_", MagicKind::Fqdn),
    ("URL_", MagicKind::Url),
];

/// A recognized magic variable name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct MagicVariable {
    /// The full variable name (`SERVICE_PASSWORD_DB`).
    pub name: String,
    /// What it holds.
    pub kind: MagicKind,
    /// The id after the kind (`DB`); for URL/FQDN, without the port.
    pub id: String,
    /// URL/FQDN only: the container port (the last `_`-separated segment, when numeric).
    pub port: Option<u16>,
}

impl MagicVariable {
    /// Recognize a magic variable name; `None` for any other name.
    pub fn parse(name: &str) -> Option<Self> {
        let rest = name.strip_prefix("SERVICE_")?;
        let (prefix, kind) = KINDS.iter().find(|(p, _)| rest.starts_with(p))?;
        let id = &rest[prefix.len()..];
        if id.is_empty() {
            return None;
        }
        let (id, port) = match kind {
            MagicKind::Url | MagicKind::Fqdn => match id.rsplit_once('_') {
                Some((head, tail))
                    if !head.is_empty()
                        && !tail.is_empty()
                        && tail.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    match tail.parse::<u16>() {
                        Ok(p) if p > 0 => (head, Some(p)),
                        _ => (id, None),
                    }
                }
                _ => (id, None),
            },
            _ => (id, None),
        };
        Some(Self {
            name: name.to_string(),
            kind: *kind,
            id: id.to_string(),
            port,
        })
    }

    /// True for every kind except URL and FQDN: generated values are credentials and
    /// live only in `Secret` objects.
    pub fn is_secret(&self) -> bool {
        !matches!(self.kind, MagicKind::Url | MagicKind::Fqdn)
    }
}

/// Whether a `SERVICE_URL_*` or `SERVICE_FQDN_*` key was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceUrlKind {
    /// `SERVICE_URL_*`: resolves to the URL with scheme.
    Url,
    /// `SERVICE_FQDN_*`: resolves to the host name.
    Fqdn,
}

/// A `SERVICE_URL_*` / `SERVICE_FQDN_*` key in a service's `environment`: that service
/// wants a route.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ServiceUrl {
    /// The environment key.
    pub variable: String,
    /// URL or FQDN.
    pub kind: ServiceUrlKind,
    /// The id (`APP` in `SERVICE_URL_APP_3000`).
    pub id: String,
    /// The container port, when the key names one.
    pub port: Option<u16>,
    /// A path, when the key's value starts with `/` (`SERVICE_URL_API=/api`).
    pub path: Option<String>,
}

/// Deferred references: how a string in the model marks the place of a variable whose
/// value is resolved after loading (magic and secret variables).
///
/// A reference is the variable name between two NUL characters. NUL cannot occur in
/// input strings (the loader rejects it: neither environment variables nor file paths can
/// hold it), so the marking is unambiguous.
///
/// ```
/// use coolify_k8s_core::compose::magic::deferred::{self, Segment};
/// let s = format!("postgres://u:{}@db/x", deferred::reference("SERVICE_PASSWORD_DB"));
/// assert_eq!(deferred::segments(&s), vec![
///     Segment::Text("postgres://u:"),
///     Segment::Variable("SERVICE_PASSWORD_DB"),
///     Segment::Text("@db/x"),
/// ]);
/// assert_eq!(deferred::display(&s), "postgres://u:${SERVICE_PASSWORD_DB}@db/x");
/// ```
pub mod deferred {
    /// The marker around a deferred variable name.
    pub const MARK: char = '\u{0}';

    /// A deferred reference to `name`.
    pub fn reference(name: &str) -> String {
        format!("{MARK}{name}{MARK}")
    }

    /// A piece of a string that may hold deferred references.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Segment<'a> {
        /// Literal text.
        Text(&'a str),
        /// A deferred variable.
        Variable(&'a str),
    }

    /// Split a string into text and deferred references.
    pub fn segments(s: &str) -> Vec<Segment<'_>> {
        let mut out = Vec::new();
        let mut parts = s.split(MARK);
        let mut in_ref = false;
        if let Some(first) = parts.next() {
            if !first.is_empty() {
                out.push(Segment::Text(first));
            }
        }
        for part in parts {
            in_ref = !in_ref;
            if in_ref {
                out.push(Segment::Variable(part));
            } else if !part.is_empty() {
                out.push(Segment::Text(part));
            }
        }
        out
    }

    /// True when the string holds at least one deferred reference.
    pub fn has_references(s: &str) -> bool {
        s.contains(MARK)
    }

    /// The names referenced, in order of appearance.
    pub fn variables(s: &str) -> impl Iterator<Item = &str> {
        segments(s).into_iter().filter_map(|seg| match seg {
            Segment::Variable(v) => Some(v),
            Segment::Text(_) => None,
        })
    }

    /// The string with each reference shown as `${NAME}` (for `config` output and
    /// messages: never the value).
    pub fn display(s: &str) -> String {
        resolve(s, |name| format!("${{{name}}}"))
    }

    /// The string with each reference replaced by `f(name)`.
    pub fn resolve(s: &str, mut f: impl FnMut(&str) -> String) -> String {
        let mut out = String::with_capacity(s.len());
        for seg in segments(s) {
            match seg {
                Segment::Text(t) => out.push_str(t),
                Segment::Variable(v) => out.push_str(&f(v)),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_ids() {
        let cases = [
            ("SERVICE_PASSWORD_DB", MagicKind::Password, "DB", None),
            ("SERVICE_PASSWORD_64_WP", MagicKind::Password64, "WP", None),
            ("SERVICE_USER_POSTGRES", MagicKind::User, "POSTGRES", None),
            ("SERVICE_BASE64_64_KEY", MagicKind::Base64_64, "KEY", None),
            ("SERVICE_REALBASE64_KEY", MagicKind::RealBase64, "KEY", None),
            ("SERVICE_HEX_32_SALT", MagicKind::Hex32, "SALT", None),
            (
                "SERVICE_URL_NEW_API_3000",
                MagicKind::Url,
                "NEW_API",
                Some(3000),
            ),
            ("SERVICE_FQDN_APP", MagicKind::Fqdn, "APP", None),
            (
                "SERVICE_SUPABASEANON_KEY",
                MagicKind::SupabaseAnon,
                "KEY",
                None,
            ),
        ];
        for (name, kind, id, port) in cases {
            let v = MagicVariable::parse(name).unwrap();
            assert_eq!((v.kind, v.id.as_str(), v.port), (kind, id, port), "{name}");
        }
        for name in [
            "SERVICE_ROLE_KEY",
            "SERVICE_PASSWORD_",
            "PASSWORD_DB",
            "SERVICE_URL_",
        ] {
            assert!(MagicVariable::parse(name).is_none(), "{name}");
        }
    }

    #[test]
    fn deferred_round_trip() {
        use deferred::*;
        let s = format!("{}{}", reference("A"), reference("B"));
        assert_eq!(variables(&s).collect::<Vec<_>>(), vec!["A", "B"]);
        assert_eq!(display("plain"), "plain");
        assert!(!has_references("plain"));
    }
}
