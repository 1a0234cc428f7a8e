//! Values for Coolify's magic variables: the caller's stored values, and the missing
//! ones generated from a seed.
//!
//! Generation follows Coolify's `generateEnvValue` (`bootstrap/helpers/shared.php`): the
//! same alphabets and lengths (`Str::password`, `Str::random`, `base64_encode`, `bin2hex`
//! of a random string, Supabase HS256 JWTs). Each variable draws from its own ChaCha20
//! stream seeded with SHA-256 of the seed and the variable's name, so values are
//! reproducible for a seed and adding a variable never changes another's value.
//!
//! Without a seed, the seed is derived from the resource's name, so that every template
//! translates with no flags and the output stays deterministic; the values are then
//! predictable, and the report says so loudly: production callers supply stored values or a
//! secret seed.
//!
//! `SERVICE_URL_*` / `SERVICE_FQDN_*` values are supplied, or built the way Coolify builds
//! them: `<scheme>://<id>-<resource>.<base domain>` (the id lowercased, `_` → `-`).

use crate::compose::{MagicKind, MagicVariable};
use crate::error::{Error, Errors};
use crate::path::InputPath;
use crate::report::Report;
use base64::Engine as _;
use hmac::{KeyInit, Mac};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The base domain used when the caller gives none: Coolify's own fallback for a server
/// without a wildcard domain is `<server ip>.sslip.io` over HTTP; with no server IP known,
/// the loopback address is used. Supply `base_domain` (e.g. `https://apps.example.com`)
/// for real deployments.
pub const DEFAULT_BASE_DOMAIN: &str = "http://127.0.0.1.sslip.io";

/// `iat` of generated Supabase JWTs when the caller gives none (2026-01-01T00:00:00Z).
/// Coolify uses the current minute; a fixed default keeps output deterministic.
pub const DEFAULT_JWT_ISSUED_AT: i64 = 1_767_225_600;

/// Resolved values of magic variables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MagicValues {
    /// Every referenced variable's value, by name.
    pub values: BTreeMap<String, String>,
    /// The names whose values were generated here (the caller should store them).
    pub generated: Vec<String>,
    /// The domain list (`https://host[/path]`, comma separated as Coolify stores an FQDN
    /// setting) of each `SERVICE_URL_*` / `SERVICE_FQDN_*` id, by id: the routes of that id.
    pub urls: BTreeMap<String, String>,
    /// Warnings: generated values, predictable seeds, generated domains.
    pub report: Report,
}

/// What [`resolve_with`] needs besides the variables.
#[derive(Debug, Clone, Default)]
pub struct ResolveOptions<'a> {
    /// Stored values (Coolify keeps them); these always win.
    pub supplied: Option<&'a BTreeMap<String, String>>,
    /// The seed for generating missing values; `None` derives one from `resource`
    /// (deterministic but predictable, reported).
    pub seed: Option<&'a str>,
    /// Scheme and domain for generated URLs (`https://apps.example.com`, or a bare
    /// domain, which means `http://`); default [`DEFAULT_BASE_DOMAIN`].
    pub base_domain: Option<&'a str>,
    /// The resource's name (Coolify uses its uuid): the suffix of generated hosts.
    pub resource: &'a str,
    /// Paths of URL ids (`SERVICE_URL_API=/api` gives id `API` the path `/api`).
    pub url_paths: BTreeMap<String, String>,
    /// `iat` of generated Supabase JWTs; default [`DEFAULT_JWT_ISSUED_AT`].
    pub jwt_issued_at: Option<i64>,
}

/// Resolve every variable in `variables`: supplied values win; missing secret kinds are
/// generated from `seed` (deterministic for a seed); URL and FQDN kinds come from
/// `supplied` or are built from `base_domain`. See [`resolve_with`] for all options.
///
/// ```
/// use coolify_k8s_core::compose::MagicVariable;
/// use coolify_k8s_core::coolify::magic_values::resolve;
/// use std::collections::BTreeMap;
/// let vars: BTreeMap<_, _> = ["SERVICE_PASSWORD_DB", "SERVICE_URL_APP_3000"]
///     .iter().map(|n| (n.to_string(), MagicVariable::parse(n).unwrap())).collect();
/// let v = resolve(&vars, &BTreeMap::new(), Some("s3cret-seed"), Some("https://example.com")).unwrap();
/// assert_eq!(v.values["SERVICE_PASSWORD_DB"].len(), 32);
/// assert_eq!(v.values["SERVICE_URL_APP_3000"], "https://app-coolify.example.com");
/// assert_eq!(v.generated.len(), 2);
/// ```
pub fn resolve(
    variables: &BTreeMap<String, MagicVariable>,
    supplied: &BTreeMap<String, String>,
    seed: Option<&str>,
    base_domain: Option<&str>,
) -> Result<MagicValues, Errors> {
    resolve_with(
        variables,
        &ResolveOptions {
            supplied: Some(supplied),
            seed,
            base_domain,
            resource: "coolify",
            ..ResolveOptions::default()
        },
    )
}

/// Resolve every variable in `variables` (see the module documentation).
pub fn resolve_with(
    variables: &BTreeMap<String, MagicVariable>,
    options: &ResolveOptions<'_>,
) -> Result<MagicValues, Errors> {
    let empty = BTreeMap::new();
    let supplied = options.supplied.unwrap_or(&empty);
    let mut out = MagicValues::default();
    let derived_seed = format!("coolify-k8s:{}", options.resource);
    let (scheme, domain) = base_domain(options.base_domain.unwrap_or(DEFAULT_BASE_DOMAIN))
        .map_err(|m| Error::new(InputPath::root().key("base_domain"), m))?;
    resolve_urls(variables, options, supplied, (&scheme, &domain), &mut out);
    let mut secrets = Secrets {
        supplied,
        seed: options.seed.unwrap_or(&derived_seed),
        jwt_issued_at: options.jwt_issued_at.unwrap_or(DEFAULT_JWT_ISSUED_AT),
        generated: 0,
    };
    secrets.resolve(variables, &mut out);
    report_generated_secrets(secrets.generated, options.seed.is_some(), &mut out.report);
    out.generated.sort();
    Ok(out)
}

/// URL ids first: every URL/FQDN variable of one id shares one domain, the stored one or one
/// generated under the base domain (`<id>-<resource>.<domain>`, reported).
fn resolve_urls(
    variables: &BTreeMap<String, MagicVariable>,
    options: &ResolveOptions<'_>,
    supplied: &BTreeMap<String, String>,
    (scheme, domain): (&str, &str),
    out: &mut MagicValues,
) {
    let mut by_id: BTreeMap<&str, Vec<&MagicVariable>> = BTreeMap::new();
    for v in variables.values() {
        if matches!(v.kind, MagicKind::Url | MagicKind::Fqdn) {
            by_id.entry(v.id.as_str()).or_default().push(v);
        }
    }
    let mut generated_urls = false;
    for (id, vars) in &by_id {
        let path = options.url_paths.get(*id).map(String::as_str).unwrap_or("");
        let list = match stored_domains(id, vars, supplied, scheme) {
            Some(l) => l,
            None => {
                generated_urls = true;
                let label = format!(
                    "{}-{}",
                    id.to_ascii_lowercase().replace('_', "-"),
                    options.resource
                );
                // The path is each declaring service's own (see `proxy::service_urls`); the
                // variable's value carries the first declared one, once.
                format!("{scheme}://{label}.{domain}")
            }
        };
        let mut first = strip_ports(list.split(',').next().unwrap_or_default().trim());
        if !path.is_empty() && path != "/" && !first.ends_with(path) {
            first.push_str(path);
        }
        let host_and_path = first.split_once("://").map_or(first.as_str(), |(_, r)| r);
        for v in vars {
            if let Some(s) = supplied.get(&v.name) {
                out.values.insert(v.name.clone(), s.clone());
                continue;
            }
            let value = match v.kind {
                MagicKind::Fqdn => host_and_path.to_string(),
                _ => first.clone(),
            };
            out.values.insert(v.name.clone(), value);
            out.generated.push(v.name.clone());
        }
        out.urls.insert((*id).to_string(), list);
    }
    if generated_urls {
        out.report.warn(
            InputPath::root(),
            format!(
                "domains of SERVICE_URL_* / SERVICE_FQDN_* variables were generated under \
                 {scheme}://{domain}; supply the stored values or a base domain"
            ),
        );
    }
}

/// The Supabase JWT secret, which the Supabase keys are signed with.
const JWT_SECRET: &str = "SERVICE_PASSWORD_JWT";

/// Secret kinds: stored values, else values generated from the seed.
struct Secrets<'a> {
    supplied: &'a BTreeMap<String, String>,
    seed: &'a str,
    jwt_issued_at: i64,
    /// How many values were generated.
    generated: usize,
}

impl Secrets<'_> {
    /// Every secret variable not resolved yet. The Supabase keys need the JWT secret, so it
    /// is resolved first and they last.
    fn resolve(&mut self, variables: &BTreeMap<String, MagicVariable>, out: &mut MagicValues) {
        let is_jwt =
            |k: MagicKind| matches!(k, MagicKind::SupabaseAnon | MagicKind::SupabaseService);
        if variables.values().any(|v| is_jwt(v.kind)) && !out.values.contains_key(JWT_SECRET) {
            if let Some(v) = self.value(JWT_SECRET, MagicKind::Password, out) {
                out.values.insert(JWT_SECRET.to_string(), v);
            }
        }
        let mut pending_jwt = Vec::new();
        for v in variables.values() {
            if out.values.contains_key(&v.name)
                || matches!(v.kind, MagicKind::Url | MagicKind::Fqdn)
            {
                continue;
            }
            if is_jwt(v.kind) {
                pending_jwt.push(v);
                continue;
            }
            if let Some(value) = self.value(&v.name, v.kind, out) {
                out.values.insert(v.name.clone(), value);
            }
        }
        for v in pending_jwt {
            if let Some(value) = self.value(&v.name, v.kind, out) {
                out.values.insert(v.name.clone(), value);
            }
        }
    }

    /// The stored value, else a generated one (recorded in `out.generated`); none for URL
    /// kinds, and for a Supabase key without a JWT secret.
    fn value(&mut self, name: &str, kind: MagicKind, out: &mut MagicValues) -> Option<String> {
        if let Some(s) = self.supplied.get(name) {
            return Some(s.clone());
        }
        let mut rng = rng_for(self.seed, name);
        let v = match kind {
            MagicKind::SupabaseAnon | MagicKind::SupabaseService => {
                let key = out.values.get(JWT_SECRET)?.clone();
                let role = if kind == MagicKind::SupabaseAnon {
                    "anon"
                } else {
                    "service_role"
                };
                supabase_jwt(&key, role, self.jwt_issued_at)?
            }
            _ => random_value(kind, &mut rng)?,
        };
        out.generated.push(name.to_string());
        self.generated += 1;
        Some(v)
    }
}

/// A random value of a secret kind, as Coolify generates it; none for the kinds that are not
/// random (URLs, Supabase keys).
fn random_value(kind: MagicKind, rng: &mut ChaCha20Rng) -> Option<String> {
    Some(match kind {
        MagicKind::Password => password(rng, 32, false),
        MagicKind::Password64 => password(rng, 64, false),
        MagicKind::PasswordWithSymbols => password(rng, 32, true),
        MagicKind::PasswordWithSymbols64 => password(rng, 64, true),
        MagicKind::User => random_alnum(rng, 16),
        MagicKind::LowercaseUser => random_alnum(rng, 16).to_ascii_lowercase(),
        MagicKind::Base64 | MagicKind::Base64_32 => random_alnum(rng, 32),
        MagicKind::Base64_64 => random_alnum(rng, 64),
        MagicKind::Base64_128 => random_alnum(rng, 128),
        // `base64_encode(random_bytes(n))` and `bin2hex(random_bytes(n / 2))`: the number in
        // a HEX kind is the length of the value, not of the bytes.
        MagicKind::RealBase64 | MagicKind::RealBase64_32 => b64(&random_bytes(rng, 32)),
        MagicKind::RealBase64_64 => b64(&random_bytes(rng, 64)),
        MagicKind::RealBase64_128 => b64(&random_bytes(rng, 128)),
        MagicKind::Hex32 => hex(&random_bytes(rng, 16)),
        MagicKind::Hex64 => hex(&random_bytes(rng, 32)),
        MagicKind::Hex128 => hex(&random_bytes(rng, 64)),
        MagicKind::SupabaseAnon | MagicKind::SupabaseService | MagicKind::Url | MagicKind::Fqdn => {
            return None
        }
    })
}

/// Generated secrets are reported: predictable without the caller's seed, to be stored with it.
fn report_generated_secrets(count: usize, seeded: bool, report: &mut Report) {
    if count == 0 {
        return;
    }
    let message = if seeded {
        format!(
            "{count} secret value(s) were generated from the seed; store them (see the \
             generated list)"
        )
    } else {
        format!(
            "{count} secret value(s) were generated from a seed derived from the resource \
             name: they are PREDICTABLE. For production, supply the stored values or a secret \
             seed"
        )
    };
    report.warn(InputPath::root(), message);
}

/// `https://example.com` → (`https`, `example.com`); a bare domain means `http`.
fn base_domain(s: &str) -> Result<(String, String), String> {
    let s = s.trim().trim_end_matches('/');
    let (scheme, domain) = match s.split_once("://") {
        Some((sc, d)) => (sc.to_ascii_lowercase(), d.to_ascii_lowercase()),
        None => ("http".to_string(), s.to_ascii_lowercase()),
    };
    if scheme != "http" && scheme != "https" {
        return Err(format!("scheme {scheme:?} is not http or https"));
    }
    if !crate::proxy::fqdn::is_host_name(&domain) {
        return Err(format!("{domain:?} is not a valid domain"));
    }
    Ok((scheme, domain))
}

/// The stored domain list of a URL id, as Coolify keeps it for the service (a
/// `ServiceApplication`'s `fqdn`), from the caller's stored variables: the first non-empty of
/// `SERVICE_URL_<ID>`, `SERVICE_URL_<ID>_<PORT>`, `SERVICE_FQDN_<ID>`,
/// `SERVICE_FQDN_<ID>_<PORT>`, whether or not the template references that name (Coolify
/// always stores both pairs: `bootstrap/helpers/parsers.php`, "ALWAYS create BOTH
/// SERVICE_URL and SERVICE_FQDN pairs"). A `SERVICE_URL_*` value wins over a
/// `SERVICE_FQDN_*` one because only it carries the scheme: Coolify stores FQDNs without one
/// ("SERVICE_FQDN env vars should NOT contain scheme"), so a bare FQDN takes the default
/// `scheme` and never downgrades a stored `https://` URL. Ports in the values are kept: a
/// `:port` in a stored value routes a port-less variable to that port.
fn stored_domains(
    id: &str,
    vars: &[&MagicVariable],
    supplied: &BTreeMap<String, String>,
    scheme: &str,
) -> Option<String> {
    let numbered = |prefix: &str| -> Vec<&String> {
        let mut names: Vec<&String> = supplied
            .keys()
            .filter(|k| {
                k.strip_prefix(prefix)
                    .and_then(|r| r.strip_prefix('_'))
                    .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            })
            .collect();
        // The template's own port first, then the others in name order.
        names.sort_by_key(|k| (!vars.iter().any(|v| &v.name == *k), (*k).clone()));
        names
    };
    let url = format!("SERVICE_URL_{id}");
    let fqdn = format!("SERVICE_FQDN_{id}");
    let mut candidates: Vec<(&String, bool)> = Vec::new();
    for (base, is_url) in [(&url, true), (&fqdn, false)] {
        if let Some((k, _)) = supplied.get_key_value(base) {
            candidates.push((k, is_url));
        }
        candidates.extend(numbered(base).into_iter().map(|k| (k, is_url)));
    }
    candidates.into_iter().find_map(|(k, is_url)| {
        let s = supplied.get(k)?.trim();
        if s.is_empty() {
            return None;
        }
        Some(if is_url {
            s.to_string()
        } else {
            s.split(',')
                .map(|d| {
                    let d = d.trim();
                    if d.contains("://") {
                        d.to_string()
                    } else {
                        format!("{scheme}://{d}")
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        })
    })
}

/// Coolify stores a service's FQDN with the container port (`https://h:3000`); the
/// variable's value and the route's host carry none (the port comes from the variable's name).
fn strip_ports(list: &str) -> String {
    list.split(',')
        .map(|u| {
            let u = u.trim();
            let (scheme, rest) = u.split_once("://").unwrap_or(("", u));
            let (auth, path) = match rest.find('/') {
                Some(i) => rest.split_at(i),
                None => (rest, ""),
            };
            let host = match auth.rsplit_once(':') {
                Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => h,
                _ => auth,
            };
            if scheme.is_empty() {
                format!("{host}{path}")
            } else {
                format!("{scheme}://{host}{path}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn rng_for(seed: &str, name: &str) -> ChaCha20Rng {
    let mut h = Sha256::new();
    h.update(seed.as_bytes());
    h.update([0u8]);
    h.update(name.as_bytes());
    let digest = h.finalize();
    let mut key = [0u8; 32];
    key.copy_from_slice(&digest);
    ChaCha20Rng::from_seed(key)
}

/// A uniform index below `n` (rejection sampling: no modulo bias).
fn below(rng: &mut ChaCha20Rng, n: usize) -> usize {
    let n32 = n as u32;
    let zone = u32::MAX - (u32::MAX % n32);
    loop {
        let x = rng.next_u32();
        if x < zone {
            return (x % n32) as usize;
        }
    }
}

const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &str = "0123456789";
/// Laravel's `Str::password` symbols.
const SYMBOLS: &str = "~!#$%^&*()-_.,<>?/\\{}[]|:;";

fn pick(rng: &mut ChaCha20Rng, alphabet: &[u8]) -> char {
    char::from(
        alphabet
            .get(below(rng, alphabet.len()))
            .copied()
            .unwrap_or(b'a'),
    )
}

/// Laravel's `Str::random`: `[A-Za-z0-9]`.
fn random_alnum(rng: &mut ChaCha20Rng, len: usize) -> String {
    let alphabet = format!("{UPPER}{LOWER}{DIGITS}");
    (0..len).map(|_| pick(rng, alphabet.as_bytes())).collect()
}

/// Laravel's `Str::password`: one character from each enabled set (letters, digits,
/// symbols), the rest from all of them, shuffled.
fn password(rng: &mut ChaCha20Rng, len: usize, symbols: bool) -> String {
    let letters = format!("{LOWER}{UPPER}");
    let mut sets: Vec<&str> = vec![&letters, DIGITS];
    if symbols {
        sets.push(SYMBOLS);
    }
    let all: String = sets.concat();
    let mut chars: Vec<char> = sets.iter().map(|s| pick(rng, s.as_bytes())).collect();
    while chars.len() < len {
        chars.push(pick(rng, all.as_bytes()));
    }
    // Fisher–Yates.
    for i in (1..chars.len()).rev() {
        let j = below(rng, i + 1);
        chars.swap(i, j);
    }
    chars.into_iter().collect()
}

/// PHP's `random_bytes`.
fn random_bytes(rng: &mut ChaCha20Rng, len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    rng.fill_bytes(&mut out);
    out
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An HS256 JWT as Coolify's lcobucci/jwt builder writes it: header `{"typ":"JWT",
/// "alg":"HS256"}`, claims `iss`, `iat`, `exp` (100 years later), `role`.
fn supabase_jwt(key: &str, role: &str, iat: i64) -> Option<String> {
    let url = &base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = url.encode(br#"{"typ":"JWT","alg":"HS256"}"#);
    let exp = add_years(iat, 100);
    let claims = url.encode(
        format!(r#"{{"iss":"supabase","iat":{iat},"exp":{exp},"role":"{role}"}}"#).as_bytes(),
    );
    let signing_input = format!("{header}.{claims}");
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(key.as_bytes()).ok()?;
    mac.update(signing_input.as_bytes());
    let sig = url.encode(mac.finalize().into_bytes());
    Some(format!("{signing_input}.{sig}"))
}

/// `t` plus `years` calendar years (UTC), as Carbon's `modify('+N year')` does
/// (29 February becomes 1 March in a non-leap year).
fn add_years(t: i64, years: i64) -> i64 {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    days_from_civil(y + years, m, d) * 86_400 + secs
}

/// Howard Hinnant's civil-from-days (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Howard Hinnant's days-from-civil; day overflow rolls into the next month.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(names: &[&str]) -> BTreeMap<String, MagicVariable> {
        names
            .iter()
            .map(|n| (n.to_string(), MagicVariable::parse(n).unwrap()))
            .collect()
    }

    fn opts<'a>(seed: Option<&'a str>) -> ResolveOptions<'a> {
        ResolveOptions {
            seed,
            resource: "myapp",
            ..ResolveOptions::default()
        }
    }

    #[test]
    fn formats_follow_coolify() {
        let all = [
            "SERVICE_PASSWORD_A",
            "SERVICE_PASSWORD_64_A",
            "SERVICE_PASSWORDWITHSYMBOLS_A",
            "SERVICE_PASSWORDWITHSYMBOLS_64_A",
            "SERVICE_USER_A",
            "SERVICE_LOWERCASEUSER_A",
            "SERVICE_BASE64_A",
            "SERVICE_BASE64_64_A",
            "SERVICE_BASE64_128_A",
            "SERVICE_REALBASE64_A",
            "SERVICE_REALBASE64_64_A",
            "SERVICE_HEX_32_A",
            "SERVICE_HEX_64_A",
            "SERVICE_HEX_128_A",
        ];
        let v = resolve_with(&vars(&all), &opts(Some("seed")))
            .unwrap()
            .values;
        let alnum = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric());
        let check = |name: &str, len: usize, ok: &dyn Fn(&str) -> bool| {
            let s = &v[name];
            assert_eq!(s.len(), len, "{name}: {s}");
            assert!(ok(s), "{name}: {s}");
        };
        let pw = |s: &str| {
            alnum(s)
                && s.bytes().any(|b| b.is_ascii_digit())
                && s.bytes().any(|b| b.is_ascii_alphabetic())
        };
        check("SERVICE_PASSWORD_A", 32, &pw);
        check("SERVICE_PASSWORD_64_A", 64, &pw);
        let sym = |s: &str| s.chars().any(|c| SYMBOLS.contains(c)) && !alnum(s);
        check("SERVICE_PASSWORDWITHSYMBOLS_A", 32, &sym);
        check("SERVICE_PASSWORDWITHSYMBOLS_64_A", 64, &sym);
        check("SERVICE_USER_A", 16, &alnum);
        check("SERVICE_LOWERCASEUSER_A", 16, &|s| {
            alnum(s) && !s.bytes().any(|b| b.is_ascii_uppercase())
        });
        check("SERVICE_BASE64_A", 32, &alnum);
        check("SERVICE_BASE64_64_A", 64, &alnum);
        check("SERVICE_BASE64_128_A", 128, &alnum);
        // `base64_encode(random_bytes(32 | 64))` (shared.php): 44 / 88 characters that
        // decode to that many bytes.
        for (n, len, bytes) in [
            ("SERVICE_REALBASE64_A", 44, 32),
            ("SERVICE_REALBASE64_64_A", 88, 64),
        ] {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(&v[n])
                .unwrap();
            assert_eq!(v[n].len(), len);
            assert_eq!(decoded.len(), bytes);
        }
        // `bin2hex(random_bytes(16 | 32 | 64))`: the number is the value's length.
        let hexy = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        };
        check("SERVICE_HEX_32_A", 32, &hexy);
        check("SERVICE_HEX_64_A", 64, &hexy);
        check("SERVICE_HEX_128_A", 128, &hexy);
    }

    #[test]
    fn deterministic_per_seed_and_independent_of_other_variables() {
        let a = resolve_with(&vars(&["SERVICE_PASSWORD_DB"]), &opts(Some("s1"))).unwrap();
        let b = resolve_with(
            &vars(&["SERVICE_PASSWORD_DB", "SERVICE_USER_DB", "SERVICE_BASE64_X"]),
            &opts(Some("s1")),
        )
        .unwrap();
        let c = resolve_with(&vars(&["SERVICE_PASSWORD_DB"]), &opts(Some("s2"))).unwrap();
        assert_eq!(
            a.values["SERVICE_PASSWORD_DB"],
            b.values["SERVICE_PASSWORD_DB"]
        );
        assert_ne!(
            a.values["SERVICE_PASSWORD_DB"],
            c.values["SERVICE_PASSWORD_DB"]
        );
        assert_eq!(b.generated.len(), 3);
    }

    #[test]
    fn supplied_values_win_and_are_not_reported_generated() {
        let supplied: BTreeMap<String, String> =
            [("SERVICE_PASSWORD_DB".to_string(), "stored".to_string())].into();
        let o = ResolveOptions {
            supplied: Some(&supplied),
            ..opts(Some("s"))
        };
        let v = resolve_with(&vars(&["SERVICE_PASSWORD_DB", "SERVICE_USER_DB"]), &o).unwrap();
        assert_eq!(v.values["SERVICE_PASSWORD_DB"], "stored");
        assert_eq!(v.generated, vec!["SERVICE_USER_DB"]);
    }

    #[test]
    fn no_seed_is_deterministic_and_reported_loudly() {
        let a = resolve_with(&vars(&["SERVICE_PASSWORD_DB"]), &opts(None)).unwrap();
        let b = resolve_with(&vars(&["SERVICE_PASSWORD_DB"]), &opts(None)).unwrap();
        assert_eq!(a.values, b.values);
        assert!(a.report.entries()[0].message.contains("PREDICTABLE"));
        // The message never holds the value.
        assert!(!a.report.entries()[0]
            .message
            .contains(&a.values["SERVICE_PASSWORD_DB"]));
    }

    #[test]
    fn urls_and_fqdns_share_the_id_domain() {
        let mut o = opts(Some("s"));
        o.base_domain = Some("https://apps.example.com");
        o.url_paths.insert("API".into(), "/api".into());
        let v = resolve_with(
            &vars(&[
                "SERVICE_URL_APP_3000",
                "SERVICE_FQDN_APP",
                "SERVICE_URL_ESPOCRM_WEBSOCKET_8080",
                "SERVICE_URL_API",
            ]),
            &o,
        )
        .unwrap();
        assert_eq!(
            v.values["SERVICE_URL_APP_3000"],
            "https://app-myapp.apps.example.com"
        );
        assert_eq!(v.values["SERVICE_FQDN_APP"], "app-myapp.apps.example.com");
        assert_eq!(
            v.values["SERVICE_URL_ESPOCRM_WEBSOCKET_8080"],
            "https://espocrm-websocket-myapp.apps.example.com"
        );
        assert_eq!(
            v.values["SERVICE_URL_API"],
            "https://api-myapp.apps.example.com/api"
        );
        assert_eq!(v.urls["APP"], "https://app-myapp.apps.example.com");

        let supplied: BTreeMap<String, String> =
            [("SERVICE_FQDN_APP".to_string(), "my.app.io:3000".to_string())].into();
        let o = ResolveOptions {
            supplied: Some(&supplied),
            ..o
        };
        let v = resolve_with(&vars(&["SERVICE_URL_APP_3000", "SERVICE_FQDN_APP"]), &o).unwrap();
        assert_eq!(v.values["SERVICE_URL_APP_3000"], "https://my.app.io");
        assert_eq!(v.values["SERVICE_FQDN_APP"], "my.app.io:3000");
        assert_eq!(v.generated, vec!["SERVICE_URL_APP_3000"]);
    }

    #[test]
    fn default_base_domain_is_sslip() {
        let v = resolve_with(&vars(&["SERVICE_URL_WEB"]), &opts(None)).unwrap();
        assert_eq!(
            v.values["SERVICE_URL_WEB"],
            "http://web-myapp.127.0.0.1.sslip.io"
        );
        assert!(resolve_with(
            &vars(&["SERVICE_URL_WEB"]),
            &ResolveOptions {
                base_domain: Some("ftp://x.io"),
                ..opts(None)
            }
        )
        .is_err());
    }

    /// The JWT verifies with the JWT secret (HMAC recomputed independently of the code under
    /// test's encoder) and carries Coolify's claims.
    #[test]
    fn supabase_keys_are_hs256_jwts_signed_with_the_jwt_secret() {
        let v = resolve_with(
            &vars(&["SERVICE_SUPABASEANON_KEY", "SERVICE_SUPABASESERVICE_KEY"]),
            &opts(Some("s")),
        )
        .unwrap();
        let secret = &v.values["SERVICE_PASSWORD_JWT"];
        assert_eq!(secret.len(), 32);
        for (name, role) in [
            ("SERVICE_SUPABASEANON_KEY", "anon"),
            ("SERVICE_SUPABASESERVICE_KEY", "service_role"),
        ] {
            let jwt = &v.values[name];
            let parts: Vec<&str> = jwt.split('.').collect();
            assert_eq!(parts.len(), 3);
            let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            let header: serde_json::Value =
                serde_json::from_slice(&url.decode(parts[0]).unwrap()).unwrap();
            assert_eq!(header["alg"], "HS256");
            let claims: serde_json::Value =
                serde_json::from_slice(&url.decode(parts[1]).unwrap()).unwrap();
            assert_eq!(claims["role"], role);
            assert_eq!(claims["iss"], "supabase");
            assert_eq!(claims["iat"], 1_767_225_600);
            // 2126-01-01T00:00:00Z.
            assert_eq!(claims["exp"], 4_922_899_200i64);
            let mut mac = hmac::Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
            mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
            mac.verify_slice(&url.decode(parts[2]).unwrap()).unwrap();
        }
    }

    #[test]
    fn calendar_years() {
        // 2024-02-29 + 1 year = 2025-03-01 (Carbon overflows the day).
        let feb29 = days_from_civil(2024, 2, 29) * 86_400;
        assert_eq!(civil_from_days(add_years(feb29, 1) / 86_400), (2025, 3, 1));
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }
}
