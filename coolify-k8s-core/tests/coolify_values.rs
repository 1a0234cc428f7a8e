//! Generated magic values against Coolify's own generator: every `case` of
//! `generateEnvValue` in `../shared/coolify-src/bootstrap/helpers/shared.php` is read, its
//! expression (`Str::password(...)`, `Str::random(N)`, `base64_encode(random_bytes(N))`,
//! `bin2hex(random_bytes(N))`, …) turned into the format it produces, and the value this
//! project generates for `SERVICE_<CASE>_X` is checked against that format. Skips with a
//! message when `../shared` is absent.

use base64::Engine as _;
use coolify_k8s_core::compose::MagicVariable;
use coolify_k8s_core::coolify::magic_values::resolve;
use std::collections::BTreeMap;
use std::path::Path;

/// The format of one generator expression.
#[derive(Debug, Clone, PartialEq)]
enum Format {
    /// `Str::password(length, symbols)`: letters and digits (and symbols), at least one of
    /// each set.
    Password { len: usize, symbols: bool },
    /// `Str::random(N)`, optionally lowercased.
    Random { len: usize, lower: bool },
    /// `base64_encode(random_bytes(N))`.
    Base64Bytes(usize),
    /// `bin2hex(random_bytes(N))`.
    HexBytes(usize),
    /// An HS256 JWT (lcobucci/jwt).
    Jwt,
}

fn number_after(expr: &str, marker: &str) -> Option<usize> {
    let rest = &expr[expr.find(marker)? + marker.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn format_of(expr: &str) -> Option<Format> {
    let e: String = expr.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(args) = e.strip_prefix("Str::password(") {
        let len = number_after(args, "length:").unwrap_or(32); // Laravel's default length
        return Some(Format::Password {
            len,
            symbols: args.contains("symbols:true"),
        });
    }
    if e.starts_with("Str::lower(Str::random(") {
        return Some(Format::Random {
            len: number_after(&e, "Str::random(")?,
            lower: true,
        });
    }
    if e.starts_with("Str::random(") {
        return Some(Format::Random {
            len: number_after(&e, "Str::random(")?,
            lower: false,
        });
    }
    if e.starts_with("base64_encode(random_bytes(") {
        return Some(Format::Base64Bytes(number_after(&e, "random_bytes(")?));
    }
    if e.starts_with("bin2hex(random_bytes(") {
        return Some(Format::HexBytes(number_after(&e, "random_bytes(")?));
    }
    if e.starts_with("$token->toString()") {
        return Some(Format::Jwt);
    }
    None
}

/// `case 'X':` labels with the expression assigned to `$generatedValue` after them.
fn generator_cases(php: &str) -> Vec<(String, Format)> {
    let start = php
        .find("function generateEnvValue(")
        .expect("generateEnvValue in shared.php");
    let body = &php[start..];
    let body = &body[..body.find("\nfunction ").unwrap_or(body.len())];
    let mut out = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    for line in body.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("case '") {
            if let Some((name, _)) = rest.split_once('\'') {
                pending.push(name.to_string());
            }
        } else if let Some(expr) = line.strip_prefix("$generatedValue = ") {
            let expr = expr.trim_end_matches(';');
            if let Some(f) = format_of(expr) {
                for name in pending.drain(..) {
                    out.push((name, f.clone()));
                }
            }
            pending.clear();
        } else if line.starts_with("default:") {
            pending.clear();
        }
    }
    out
}

/// Laravel's `Str::password` symbol set.
const SYMBOLS: &str = "~!#$%^&*()-_.,<>?/\\{}[]|:;";

fn check(name: &str, value: &str, format: &Format) -> Result<(), String> {
    let fail = |why: &str| Err(format!("{name} = {value:?}: {why} ({format:?})"));
    match format {
        Format::Password { len, symbols } => {
            if value.chars().count() != *len {
                return fail("length");
            }
            let letters = value.chars().any(|c| c.is_ascii_alphabetic());
            let digits = value.chars().any(|c| c.is_ascii_digit());
            let syms = value.chars().any(|c| SYMBOLS.contains(c));
            let alphabet = value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || (*symbols && SYMBOLS.contains(c)));
            if !(letters && digits && alphabet && syms == *symbols) {
                return fail("alphabet");
            }
        }
        Format::Random { len, lower } => {
            if value.len() != *len
                || !value.bytes().all(|b| b.is_ascii_alphanumeric())
                || (*lower && value.bytes().any(|b| b.is_ascii_uppercase()))
            {
                return fail("length or alphabet");
            }
        }
        Format::Base64Bytes(n) => {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(value)
                .map_err(|e| format!("{name}: {e}"))?;
            if decoded.len() != *n || value.len() != n.div_ceil(3) * 4 {
                return fail("decoded length");
            }
        }
        Format::HexBytes(n) => {
            if value.len() != 2 * n
                || !value
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                return fail("hex length");
            }
        }
        Format::Jwt => {
            if value.split('.').count() != 3 {
                return fail("not a JWT");
            }
        }
    }
    Ok(())
}

#[test]
fn generated_values_have_the_formats_of_shared_php() {
    let php_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/coolify-src/bootstrap/helpers/shared.php");
    let Ok(php) = std::fs::read_to_string(&php_path) else {
        println!("skipped: {} is absent", php_path.display());
        return;
    };
    let cases = generator_cases(&php);
    // PASSWORD, PASSWORD_64, PASSWORDWITHSYMBOLS(_64), BASE64(_32|_64|_128),
    // REALBASE64(_32|_64|_128), HEX_32|64|128, USER, LOWERCASEUSER, SUPABASEANON/SERVICE.
    assert!(cases.len() >= 19, "{cases:?}");
    let vars: BTreeMap<String, MagicVariable> = cases
        .iter()
        .map(|(case, _)| {
            let name = format!("SERVICE_{case}_X");
            let v = MagicVariable::parse(&name)
                .unwrap_or_else(|| panic!("{name}: a kind of shared.php this project lacks"));
            (name, v)
        })
        .collect();
    let values = resolve(&vars, &BTreeMap::new(), Some("seed"), None).unwrap();
    let mut failures = Vec::new();
    for (case, format) in &cases {
        let name = format!("SERVICE_{case}_X");
        let value = values.values.get(&name).map(String::as_str).unwrap_or("");
        if let Err(e) = check(&name, value, format) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The example: HEX_32 is 32 hex characters.
    assert!(cases.contains(&("HEX_32".to_string(), Format::HexBytes(16))));
}
