//! An Application's routes: from its domains (`fqdn`) with Coolify's settings (HTTPS
//! redirect, gzip, strip prefix, www redirect, basic auth) while its labels are read-only,
//! which is Coolify's default and always so for a preview; from the proxy labels of
//! `custom_labels` when the user edits them.

use super::super::attributes::Attrs;
use super::at;
use crate::error::{Error, Errors};
use crate::path::InputPath;
use crate::proxy::fqdn::{self, FqdnSettings, RedirectDirection};
use crate::proxy::{labels as proxy_labels, BasicAuth, Route};
use crate::report::{Outcome, Report};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// What the routes come from besides the attributes.
pub(super) struct Sources<'a> {
    /// The service the routes lead to.
    pub service: &'a str,
    /// The decoded `custom_labels`.
    pub custom: &'a BTreeMap<String, String>,
    /// The domains, comma-separated (a preview's already).
    pub fqdns: Option<&'a str>,
    /// The pull request (0 for production).
    pub pr: u64,
    /// Salts the basic-auth password's hash, so output is deterministic.
    pub auth_seed: &'a str,
    /// The port a domain without one leads to.
    pub first_port: Option<u16>,
}

/// The routes; an error only when the basic-auth password cannot be hashed (other bad
/// values go into `errors`).
pub(super) fn routes(
    a: &Attrs<'_>,
    from: &Sources<'_>,
    errors: &mut Vec<Error>,
    report: &mut Report,
) -> Result<Vec<Route>, Errors> {
    let labels_path = at("custom_labels");
    if !a.flag("is_container_label_readonly_enabled", true) && from.pr == 0 {
        let unescaped: BTreeMap<String, String> = from
            .custom
            .iter()
            .map(|(k, v)| (k.clone(), v.replace("$$", "$")))
            .collect();
        return Ok(proxy_labels::routes(
            from.service,
            &unescaped,
            &labels_path,
            report,
        ));
    }
    if from.custom.keys().any(|k| proxy_labels::is_proxy_label(k)) {
        report.add(
            labels_path,
            Outcome::Mapped,
            "proxy labels are Coolify's generated ones (read-only labels): routes come from the FQDNs",
        );
    }
    let Some(list) = from.fqdns else {
        return Ok(Vec::new());
    };
    let basic_auth = basic_auth(a, from.auth_seed, errors)?;
    let redirect = redirect(a, errors);
    let settings = FqdnSettings {
        force_https: a.flag("is_force_https_enabled", true),
        gzip: a.flag("is_gzip_enabled", true),
        strip_prefix: a.flag("is_stripprefix_enabled", true),
        // Coolify applies the www redirect to production domains only.
        redirect: if from.pr > 0 {
            RedirectDirection::Both
        } else {
            redirect
        },
        basic_auth,
        default_port: from.first_port,
    };
    let path = if from.pr > 0 && a.text("preview_fqdn").is_some() {
        at("preview_fqdn")
    } else {
        at("fqdn")
    };
    match fqdn::routes(from.service, list, &settings, &path) {
        Ok(r) => Ok(r),
        Err(e) => {
            errors.extend(e);
            Ok(Vec::new())
        }
    }
}

/// `redirect`: both, www or non-www (both when unset or invalid, the latter an error).
fn redirect(a: &Attrs<'_>, errors: &mut Vec<Error>) -> RedirectDirection {
    let Some(r) = a.text("redirect") else {
        return RedirectDirection::Both;
    };
    RedirectDirection::parse(&r).unwrap_or_else(|| {
        errors.push(Error::new(
            at("redirect"),
            format!("{r:?} is not both, www or non-www"),
        ));
        RedirectDirection::Both
    })
}

/// HTTP basic auth (`is_http_basic_auth_enabled`): one user, the password bcrypt-hashed.
fn basic_auth(
    a: &Attrs<'_>,
    seed: &str,
    errors: &mut Vec<Error>,
) -> Result<Option<BasicAuth>, Errors> {
    if !a.flag("is_http_basic_auth_enabled", false) {
        return Ok(None);
    }
    match (
        a.text("http_basic_auth_username"),
        a.string("http_basic_auth_password"),
    ) {
        (Some(u), Some(pw)) if !pw.is_empty() => Ok(Some(BasicAuth {
            users: vec![format!("{u}:{}", bcrypt_hash(&pw, seed)?)],
            realm: None,
        })),
        _ => {
            errors.push(Error::new(
                at("http_basic_auth_username"),
                "basic auth needs a username and a password",
            ));
            Ok(None)
        }
    }
}

/// A bcrypt hash (`$2y$`, cost 10, like PHP's `password_hash`) with a salt derived from
/// `seed`, so the same inputs give the same output. A value that already is a bcrypt hash is
/// kept.
fn bcrypt_hash(password: &str, seed: &str) -> Result<String, Errors> {
    if password.starts_with("$2") && password.len() == 60 {
        return Ok(password.to_string());
    }
    let digest = Sha256::digest(format!("{seed}\0basic-auth").as_bytes());
    let mut salt = [0u8; 16];
    salt.copy_from_slice(digest.get(..16).unwrap_or(&[0u8; 16]));
    bcrypt::hash_with_salt(password, 10, salt)
        .map(|h| h.format_for_version(bcrypt::Version::TwoY))
        .map_err(|e| {
            Error::new(
                InputPath::root().key("http_basic_auth_password"),
                format!(
                    "cannot hash the password: {}",
                    e.to_string().replace(password, "…")
                ),
            )
            .into()
        })
}
