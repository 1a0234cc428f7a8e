//! `.env` and `env_file` parsing, in the dotenv syntax Compose accepts: pure text in,
//! pairs out.
//!
//! - `KEY=VALUE` (or `KEY: VALUE`), optionally after `export `; blank lines and `#`
//!   comments are skipped;
//! - unquoted values are trimmed and end at ` #` (an inline comment);
//! - `'single'` quotes are literal and may span lines;
//! - `"double"` quotes may span lines and know the escapes `\n`, `\r`, `\t`, `\\`, `\"`;
//! - unquoted and double-quoted values are interpolated (`${VAR}`, `${VAR:-d}`, …), from the
//!   caller's variables first, then from the keys defined earlier in the same file;
//! - a bare `KEY` defines a variable without a value (`None`).

use super::interpolate::{substitute, Variable};

/// Parse a dotenv text. `lookup` gives the caller's variables for interpolation.
/// The error says which line is wrong (the caller adds the file name).
///
/// ```
/// use coolify_k8s_core::compose::dotenv::parse;
/// let pairs = parse("# db\nexport HOST=db\nURL=\"pg://${HOST}:5432\"\nRAW='${HOST}' # c\nBARE\n", &|_| None).unwrap();
/// assert_eq!(pairs, vec![
///     ("HOST".to_string(), Some("db".to_string())),
///     ("URL".to_string(), Some("pg://db:5432".to_string())),
///     ("RAW".to_string(), Some("${HOST}".to_string())),
///     ("BARE".to_string(), None),
/// ]);
/// ```
pub fn parse(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<Variable>,
) -> Result<Vec<(String, Option<String>)>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut pairs: Vec<(String, Option<String>)> = Vec::new();
    let mut rest = text;
    let mut line = 1usize;
    while !rest.is_empty() {
        let start_line = line;
        let (current, next) = match rest.find('\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        let trimmed = current.trim_start();
        if trimmed.trim_end().is_empty() || trimmed.starts_with('#') {
            rest = next;
            line += 1;
            continue;
        }
        let body = trimmed
            .strip_prefix("export")
            .filter(|r| r.starts_with([' ', '\t']))
            .map(str::trim_start)
            .unwrap_or(trimmed);
        let key_len = body
            .find(|c: char| c == '=' || c == ':' || c.is_whitespace())
            .unwrap_or(body.len());
        let key = &body[..key_len];
        if key.is_empty() || !key.chars().all(is_key_char) {
            return Err(format!("line {start_line}: invalid variable name {key:?}"));
        }
        let after_key = body[key_len..].trim_start_matches([' ', '\t']);
        let Some(value_text) = after_key
            .strip_prefix('=')
            .or_else(|| after_key.strip_prefix(':'))
        else {
            let tail = after_key.trim();
            if tail.is_empty() || tail.starts_with('#') {
                pairs.push((key.to_string(), None));
                rest = next;
                line += 1;
                continue;
            }
            return Err(format!("line {start_line}: expected `=` after {key:?}"));
        };
        let value_text = value_text.trim_start_matches([' ', '\t']);
        // The value may continue past this line (quotes); work on the remaining text.
        // `value_text` is a suffix of `current`, which starts `rest`.
        let offset = current.len() - value_text.len();
        let from_value = &rest[offset..];
        let lookup_here = |name: &str| {
            lookup(name).or_else(|| {
                pairs
                    .iter()
                    .rev()
                    .find(|(k, _)| k == name)
                    .and_then(|(_, v)| v.clone())
                    .map(|v| Variable {
                        empty: v.is_empty(),
                        value: v,
                    })
            })
        };
        let (value, consumed) = match from_value.chars().next() {
            Some(q @ ('\'' | '"')) => {
                let inner = &from_value[1..];
                let end = closing_quote(inner, q).ok_or_else(|| {
                    format!("line {start_line}: unterminated {q} quote for {key:?}")
                })?;
                let raw = &inner[..end];
                let after = &inner[end + 1..];
                let tail_end = after.find('\n').unwrap_or(after.len());
                let tail = after[..tail_end].trim();
                if !(tail.is_empty() || tail.starts_with('#')) {
                    return Err(format!(
                        "line {start_line}: unexpected text after the quoted value of {key:?}"
                    ));
                }
                let value = if q == '\'' {
                    raw.to_string()
                } else {
                    let unescaped = unescape(raw);
                    substitute(&unescaped, &lookup_here, &mut Vec::new())
                        .map_err(|m| format!("line {start_line}: {m}"))?
                };
                (value, 1 + end + 1 + tail_end)
            }
            _ => {
                let end = from_value.find('\n').unwrap_or(from_value.len());
                let raw = &from_value[..end];
                let raw = match raw.find(" #").or_else(|| raw.find("\t#")) {
                    Some(i) => &raw[..i],
                    None => raw,
                };
                let value = substitute(raw.trim_end(), &lookup_here, &mut Vec::new())
                    .map_err(|m| format!("line {start_line}: {m}"))?;
                (value, end)
            }
        };
        line += from_value[..consumed].matches('\n').count() + 1;
        pairs.push((key.to_string(), Some(value)));
        rest = from_value
            .get(consumed..)
            .map(|r| r.strip_prefix('\n').unwrap_or(r))
            .unwrap_or("");
    }
    Ok(pairs)
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// Index of the closing quote; in double quotes a backslash escapes the next character.
fn closing_quote(s: &str, q: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' && q == '"' {
            escaped = true;
        } else if c == q {
            return Some(i);
        }
    }
    None
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            // Other escapes stay as written (`\$` keeps its meaning for interpolation).
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, Option<String>)> {
        parse(text, &|n: &str| {
            (n == "OUTER").then(|| Variable {
                value: "out".into(),
                empty: false,
            })
        })
        .unwrap()
    }

    fn one(text: &str) -> Option<String> {
        pairs(text).into_iter().next().unwrap().1
    }

    #[test]
    fn values() {
        assert_eq!(one("A=plain value  \n").as_deref(), Some("plain value"));
        assert_eq!(one("A = spaced\n").as_deref(), Some("spaced"));
        assert_eq!(one("A=x # comment\n").as_deref(), Some("x"));
        assert_eq!(
            one("A=x#not-a-comment\n").as_deref(),
            Some("x#not-a-comment")
        );
        assert_eq!(one("A=\n").as_deref(), Some(""));
        assert_eq!(one("A: colon\n").as_deref(), Some("colon"));
        assert_eq!(
            one("A=\"a\\nb \\\"q\\\"\"\n").as_deref(),
            Some("a\nb \"q\"")
        );
        assert_eq!(one("A='a\\nb $OUTER'\n").as_deref(), Some("a\\nb $OUTER"));
        assert_eq!(
            one("A=\"x ${OUTER} ${NONE:-d}\"\n").as_deref(),
            Some("x out d")
        );
        assert_eq!(one("A=$OUTER\n").as_deref(), Some("out"));
        assert_eq!(one("export   A=1\n").as_deref(), Some("1"));
        assert_eq!(one("exportA=1\n").as_deref(), Some("1"));
    }

    #[test]
    fn multi_line_quotes_and_later_lines() {
        let p = pairs("A=\"line1\nline2\"\nB='x\ny' # c\nC=3\n");
        assert_eq!(
            p,
            vec![
                ("A".into(), Some("line1\nline2".into())),
                ("B".into(), Some("x\ny".into())),
                ("C".into(), Some("3".into())),
            ]
        );
    }

    #[test]
    fn earlier_keys_interpolate_later_ones() {
        let p = pairs("H=db\nU=pg://${H}\n");
        assert_eq!(p[1].1.as_deref(), Some("pg://db"));
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("A=1\n\nB=\"open\n", &|_| None).unwrap_err();
        assert!(e.starts_with("line 3: unterminated"), "{e}");
        let e = parse("A=1\nB C\n", &|_| None).unwrap_err();
        assert!(e.starts_with("line 2: expected `=`"), "{e}");
        let e = parse("A='x' y\n", &|_| None).unwrap_err();
        assert!(e.starts_with("line 1: unexpected text"), "{e}");
    }
}
