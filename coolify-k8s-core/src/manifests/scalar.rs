//! One YAML scalar, written as serde-saphyr 2.2's serializer writes it with its default
//! options (YAML 1.1 readers in mind, block scalars preferred, folding at 80 characters):
//! which style a string gets (plain, `'…'`, `"…"`, literal `|`, folded `>`) and how it is
//! quoted, escaped or wrapped.
//!
//! The rules are ported from serde-saphyr's `ser/quoting.rs`, `ser/wrapping.rs` and
//! `serialize_str` (MIT OR Apache-2.0), so that [`super::yaml`] writes the bytes serde-saphyr
//! would without its serializer's machinery (the emit cost 100 instructions a byte there).
//! The tests of `yaml.rs`, `tests/yaml_output.rs` and the fuzz target `translate` compare
//! the two outputs byte for byte; a rule changed here without serde-saphyr changing fails them.

use serde_json::Number;
use std::fmt::Write;

/// Width past which a long one-line string is folded (`folded_wrap_chars`).
const FOLD_WIDTH: usize = 80;
/// The longest implicit key YAML allows (`? key` is needed beyond it).
const SIMPLE_KEY_MAX: usize = 1024;

/// Writes string `s` in value position. `body` is the column a block scalar's lines start
/// at (one indentation step past the key or dash that owns the value). `true` when it wrote
/// a block scalar, which ends its own last line.
pub(super) fn write_str(out: &mut String, s: &str, body: usize) -> bool {
    if s.len() <= FOLD_WIDTH && is_plain_word(s) {
        out.push_str(s);
        return false;
    }
    if s.contains('\n') {
        if is_block_content_safe(s) {
            write_literal(out, s, body);
            return true;
        }
    } else if s.len() > FOLD_WIDTH {
        // Trailing spaces survive a folded scalar, so they do not stop folding.
        let probe = s.trim_end_matches(' ');
        if !probe.is_empty() && is_plain_value(probe) && s.chars().count() > FOLD_WIDTH {
            if !is_block_content_safe(s) {
                write_double_quoted(out, s);
                return false;
            }
            write_folded(out, s, body);
            return true;
        }
    }
    if matches!(s, "." | "#" | "-") {
        out.push('\'');
        out.push_str(s);
        out.push('\'');
    } else if is_plain_value(s) {
        out.push_str(s);
    } else {
        write_double_quoted(out, s);
    }
    false
}

/// Writes string `s` as a mapping key. `false` (nothing written) when the key is too long for
/// an implicit key, which serde-saphyr writes in the explicit `? key` form instead.
pub(super) fn write_key(out: &mut String, s: &str) -> bool {
    if is_plain_word(s) || is_plain_key(s) {
        if !is_simple_key(s) {
            return false;
        }
        out.push_str(s);
        return true;
    }
    let start = out.len();
    write_double_quoted(out, s);
    if is_simple_key(&out[start..]) {
        true
    } else {
        out.truncate(start);
        false
    }
}

/// Writes an integer; `false` (nothing written) for a float, which the caller renders with
/// serde-saphyr (manifests carry none today).
pub(super) fn write_number(out: &mut String, n: &Number) -> bool {
    if let Some(u) = n.as_u64() {
        let _ = write!(out, "{u}");
    } else if let Some(i) = n.as_i64() {
        let _ = write!(out, "{i}");
    } else {
        return false;
    }
    true
}

/// The common case, decided cheaply: a letter, then letters, digits and `._/-`
/// (`containerPort`, `app.kubernetes.io/name`, `IfNotPresent`), which is plain in key and
/// value position unless it is one of YAML's words (`yes`, `Off`, `null` …). `false` means
/// "ask the full rules", not "must be quoted".
fn is_plain_word(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'/' | b'-'))
        && (bytes.len() > 5 || !is_ambiguous(s, false))
}

fn is_simple_key(text: &str) -> bool {
    text.len() <= SIMPLE_KEY_MAX || text.chars().count() <= SIMPLE_KEY_MAX
}

/// `|` block: every line at `body`, chomping chosen so the text reads back exactly.
fn write_literal(out: &mut String, s: &str, body: usize) {
    let content = s.trim_end_matches('\n');
    let trailing = s.len() - content.len();
    out.push('|');
    push_indicator(out, content);
    match trailing {
        0 => out.push('-'),
        1 if !content.is_empty() => {}
        _ => out.push('+'),
    }
    out.push('\n');
    if content.is_empty() {
        push_newlines(out, trailing);
        return;
    }
    for line in content.split('\n') {
        if !line.is_empty() {
            push_spaces(out, body);
            out.push_str(line);
        }
        out.push('\n');
    }
    if trailing >= 2 {
        push_newlines(out, trailing - 1);
    }
}

/// `>` block: a long one-line string wrapped at spaces.
fn write_folded(out: &mut String, s: &str, body: usize) {
    let content = s.trim_end_matches('\n');
    out.push('>');
    push_indicator(out, content);
    match s.len() - content.len() {
        0 => out.push('-'),
        1 => {}
        _ => out.push('+'),
    }
    out.push('\n');
    write_folded_body(out, s, body);
}

/// The indentation indicator (the step, 2) when the first line starts with a space, which a
/// reader would otherwise take for indentation.
fn push_indicator(out: &mut String, content: &str) {
    let first = content.split('\n').find(|l| !l.is_empty()).unwrap_or("");
    if first.starts_with(' ') {
        out.push('2');
    }
}

/// serde-saphyr's `write_folded_block`: wraps only at runs of ASCII spaces (a run of N
/// spaces leaves N-1 at the end of the line; the fold adds the last one back), never
/// before a tab, and never a line that starts with a space; a line with no space inside the
/// width is written whole from there on.
fn write_folded_body(out: &mut String, s: &str, body: usize) {
    for line in s.split('\n') {
        if line.is_empty() {
            out.push('\n');
            continue;
        }
        if line.starts_with(' ') {
            push_spaces(out, body);
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let mut start = 0;
        let mut col = 0;
        let mut last_run: Option<(usize, usize, usize)> = None;
        let mut run: Option<(usize, usize)> = None; // (start byte, length)
        let mut prev_end = 0;
        for (i, ch) in line.char_indices() {
            if let Some((run_start, run_len)) = run {
                if ch != ' ' {
                    if ch != '\t' {
                        last_run = Some((run_start, prev_end, run_len));
                    }
                    run = None;
                }
            }
            if ch == ' ' {
                run = Some(match run {
                    Some((run_start, run_len)) => (run_start, run_len + 1),
                    None => (i, 1),
                });
            }
            col += 1;
            if col > FOLD_WIDTH {
                let Some((ws_start, ws_end, ws_len)) = last_run else {
                    break;
                };
                push_spaces(out, body);
                out.push_str(&line[start..ws_start]);
                push_spaces(out, ws_len - 1);
                out.push('\n');
                start = ws_end;
                col = 0;
                last_run = None;
            }
            prev_end = i + ch.len_utf8();
        }
        push_spaces(out, body);
        out.push_str(&line[start..]);
        out.push('\n');
    }
}

pub(super) fn push_spaces(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut left = n;
    while left > 0 {
        let take = left.min(SPACES.len());
        out.push_str(&SPACES[..take]);
        left -= take;
    }
}

fn push_newlines(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push('\n');
    }
}

/// `"…"` with YAML's escapes.
fn write_double_quoted(out: &mut String, s: &str) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            '\u{FEFF}' => out.push_str("\\uFEFF"),
            '\u{0085}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if (c as u32) <= 0xFF && (c.is_control() || (0x7F..=0x9F).contains(&(c as u32))) => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c if (c as u32) <= 0xFFFF && needs_escape(c) => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Characters no plain or single-quoted scalar can carry.
fn needs_escape(ch: char) -> bool {
    ch.is_control()
        || matches!(
            ch,
            '\u{FEFF}' | '\u{2028}' | '\u{2029}' | '\u{FFFE}' | '\u{FFFF}'
        )
}

/// Whether `s` holds a character that needs an escape or one of `extra`, a character at a
/// time (ASCII text takes [`plain_body`]'s word-at-a-time pass instead).
fn has_escape_or(s: &str, extra: &[u8]) -> bool {
    s.chars()
        .any(|c| needs_escape(c) || (c.is_ascii() && extra.contains(&(c as u8))))
}

/// Every character of `s` can stand in a block scalar as it is.
fn is_block_content_safe(s: &str) -> bool {
    if s.is_ascii() {
        return s.bytes().all(|b| matches!(b, b'\n' | b'\t' | 0x20..=0x7E));
    }
    s.chars().all(|ch| match ch {
        '\n' | '\t' => true,
        '\r' | '\u{0085}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}' => false,
        c => matches!(
            c as u32,
            0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x0010_FFFF
        ),
    })
}

/// `s` reads back as the same string when written plain in a block value.
fn is_plain_value(s: &str) -> bool {
    plain_start_and_edges(s, false) && plain_body(s, false)
}

/// `s` reads back as the same string when written plain as a key (serde-saphyr also holds
/// keys to the rules of flow values, so `,`, brackets and `:` are quoted).
fn is_plain_key(s: &str) -> bool {
    !is_ambiguous(s, true) && s != "<<" && plain_start_and_edges(s, false) && plain_body(s, true)
}

/// What a byte means to [`plain_body`]'s ASCII pass.
const PLAIN: u8 = 0;
const REFUSED: u8 = 1; // needs an escape
const KEY_REFUSED: u8 = 2; // structural in flow style, so refused in keys
const COLON: u8 = 3;
const SPACE: u8 = 4;
const HASH: u8 = 5;
const BYTE_CLASS: [u8; 128] = {
    let mut t = [PLAIN; 128];
    let mut b = 0;
    while b < 0x20 {
        t[b] = REFUSED;
        b += 1;
    }
    t[0x7F] = REFUSED;
    t[b',' as usize] = KEY_REFUSED;
    t[b'[' as usize] = KEY_REFUSED;
    t[b']' as usize] = KEY_REFUSED;
    t[b'{' as usize] = KEY_REFUSED;
    t[b'}' as usize] = KEY_REFUSED;
    t[b':' as usize] = COLON;
    t[b' ' as usize] = SPACE;
    t[b'#' as usize] = HASH;
    t
};

/// No `: ` inside and no `:` at the end (a reader would end a key there), no character that
/// needs an escape (nor, in a key, `,[]{}:`), no comment (`#` after whitespace).
fn plain_body(s: &str, key: bool) -> bool {
    if !s.is_ascii() {
        return plain_body_by_chars(s, key);
    }
    // ASCII (nearly every manifest string): one pass, eight bytes at a time where none of
    // them matters. Edge whitespace was refused before, and every ASCII whitespace but the
    // space is a control character, refused here, so `trim` and "after whitespace" reduce
    // to the last byte and the space.
    let bytes = s.as_bytes();
    let mut prev = 0u8;
    let mut words = bytes.chunks_exact(8);
    for chunk in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        // A space matters only after `:`, so a word that follows one is read byte by byte.
        if prev != b':' && !word_matters(u64::from_le_bytes(word), key) {
            prev = chunk[7];
            continue;
        }
        for &b in chunk {
            if !plain_byte(b, prev, key) {
                return false;
            }
            prev = b;
        }
    }
    for &b in words.remainder() {
        if !plain_byte(b, prev, key) {
            return false;
        }
        prev = b;
    }
    bytes.last() != Some(&b':')
}

/// [`plain_body`] as serde-saphyr states it, a character at a time (for text that is not
/// ASCII, and the tests' reference for the fast pass).
fn plain_body_by_chars(s: &str, key: bool) -> bool {
    let extra: &[u8] = if key { b":,[]{}" } else { b"" };
    !s.contains(": ")
        && !s.trim().ends_with(':')
        && !has_escape_or(s, extra)
        && !has_comment_start(s)
}

/// Whether ASCII byte `b`, after `prev`, can stand in a plain scalar.
fn plain_byte(b: u8, prev: u8, key: bool) -> bool {
    match BYTE_CLASS[usize::from(b & 0x7F)] {
        PLAIN => true,
        REFUSED => false,
        KEY_REFUSED | COLON => !key,
        SPACE => prev != b':',
        HASH => prev != b' ',
        _ => true,
    }
}

/// Whether eight ASCII bytes hold one that [`plain_byte`] must look at: a control
/// character, `:` or `#` (and, in a key, `,[]{}`). Bit tricks from "Bit Twiddling Hacks":
/// a byte below N sets its high bit in `(w - N·ONES) & !w & HIGHS` (exact for ASCII).
fn word_matters(w: u64, key: bool) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let below = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGHS != 0;
    let has = |b: u8| below(w ^ (ONES * u64::from(b)), 1);
    below(w, 0x20)
        || has(0x7F)
        || has(b':')
        || has(b'#')
        || (key && (has(b',') || has(b'[') || has(b']') || has(b'{') || has(b'}')))
}

/// The checks plain keys and values share: no type a YAML 1.1 reader would resolve, no
/// document marker, no edge whitespace, no indicator in front.
fn plain_start_and_edges(s: &str, yaml_12: bool) -> bool {
    if is_ambiguous(s, yaml_12) || starts_with_document_marker(s) {
        return false;
    }
    let bytes = s.as_bytes();
    if bytes.first().is_some_and(u8::is_ascii_whitespace)
        || bytes.last().is_some_and(u8::is_ascii_whitespace)
    {
        return false;
    }
    !matches!(
        bytes,
        [b'-' | b'?']
            | [b'-' | b'?', b' ' | b'\t' | b'\n' | b'\x0C' | b'\r', ..]
            | [
                b',' | b':'
                    | b'['
                    | b']'
                    | b'{'
                    | b'}'
                    | b'#'
                    | b'&'
                    | b'*'
                    | b'!'
                    | b'|'
                    | b'>'
                    | b'\''
                    | b'"'
                    | b'%'
                    | b'@'
                    | b'`',
                ..
            ]
    )
}

fn starts_with_document_marker(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("---").or_else(|| s.strip_prefix("...")) else {
        return false;
    };
    rest.is_empty() || rest.as_bytes().first().is_some_and(u8::is_ascii_whitespace)
}

/// In plain style `#` starts a comment after whitespace.
fn has_comment_start(s: &str) -> bool {
    s.match_indices('#')
        .any(|(i, _)| s[..i].chars().next_back().is_some_and(char::is_whitespace))
}

/// Whether a reader's implicit typing could turn `s` into something other than a string.
fn is_ambiguous(s: &str, yaml_12: bool) -> bool {
    // A string that starts with a letter can only be one of the words below (numbers,
    // timestamps and the other spellings start with a digit, sign, dot, `~`, `<` or `=`).
    let bytes = s.as_bytes();
    if bytes.first().is_some_and(u8::is_ascii_alphabetic) {
        // The longest word is five letters; only a boolean may trail whitespace.
        if bytes.len() > 5 && !matches!(bytes[bytes.len() - 1], b' ' | b'\t' | b'\r' | b'\n') {
            return false;
        }
        let word = |w: &str| s.eq_ignore_ascii_case(w);
        return (s.len() <= 5
            && (word("null") || word("true") || word("false") || word("nan") || word("inf")))
            || (!yaml_12 && is_yaml11_bool(s));
    }
    s.is_empty()
        || s == "~"
        || s.eq_ignore_ascii_case("null")
        || s.eq_ignore_ascii_case("true")
        || s.eq_ignore_ascii_case("false")
        || is_numeric(s, yaml_12)
        || s.eq_ignore_ascii_case("nan")
        || s.eq_ignore_ascii_case("inf")
        || s.eq_ignore_ascii_case("+inf")
        || s.eq_ignore_ascii_case("-inf")
        || (!yaml_12 && (is_yaml11_bool(s) || is_yaml11_timestamp(s) || matches!(s, "<<" | "=")))
}

fn is_yaml11_bool(s: &str) -> bool {
    let t = s.trim_matches([' ', '\t', '\r', '\n']);
    match t.len() {
        1 => t.eq_ignore_ascii_case("y") || t.eq_ignore_ascii_case("n"),
        2 => t.eq_ignore_ascii_case("no") || t.eq_ignore_ascii_case("on"),
        3 => t.eq_ignore_ascii_case("yes") || t.eq_ignore_ascii_case("off"),
        4 => t.eq_ignore_ascii_case("true"),
        5 => t.eq_ignore_ascii_case("false"),
        _ => false,
    }
}

/// Numeric syntax (YAML 1.1 or 1.2), checked without constructing the number.
fn is_numeric(s: &str, yaml_12: bool) -> bool {
    if !matches!(
        s.as_bytes().first(),
        Some(b'0'..=b'9' | b'+' | b'-' | b'.' | b'_')
    ) {
        return false;
    }
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if unsigned.eq_ignore_ascii_case(".inf") || unsigned.eq_ignore_ascii_case(".nan") {
        return true;
    }
    if !yaml_12 {
        if is_yaml11_sexagesimal(s) {
            return true;
        }
        if let Some((radix, digits)) = radix_digits(unsigned) {
            if is_digit_run(digits, radix, false) {
                return true;
            }
        }
    }
    let normalized;
    let s = if !yaml_12 && s.contains('_') {
        normalized = s.replace('_', "");
        normalized.as_str()
    } else {
        s
    };
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if let Some((radix, digits)) = radix_digits(unsigned) {
        let digits = if !yaml_12 && (s.starts_with("0b") || s.starts_with("0o")) {
            digits.strip_prefix(['+', '-']).unwrap_or(digits)
        } else {
            digits
        };
        return is_digit_run(digits, radix, true);
    }
    let mantissa = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => {
            let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            if !is_digit_run(exponent, 10, true) {
                return false;
            }
            mantissa
        }
        None => unsigned,
    };
    match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            if !whole.is_empty() && !is_digit_run(whole, 10, true) {
                return false;
            }
            if !yaml_12 {
                fraction.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            } else if fraction.is_empty() {
                !whole.is_empty()
            } else {
                is_digit_run(fraction, 10, true)
            }
        }
        None => is_digit_run(mantissa, 10, true),
    }
}

fn radix_digits(s: &str) -> Option<(u32, &str)> {
    match s.as_bytes() {
        [b'0', b'b' | b'B', ..] => Some((2, &s[2..])),
        [b'0', b'o' | b'O', ..] => Some((8, &s[2..])),
        [b'0', b'x' | b'X', ..] => Some((16, &s[2..])),
        _ => None,
    }
}

fn is_digit_run(s: &str, radix: u32, strict_underscores: bool) -> bool {
    let is_digit = |b: u8| b.is_ascii() && char::from(b).is_digit(radix);
    let bytes = s.as_bytes();
    !bytes.is_empty()
        && bytes.iter().enumerate().all(|(i, &b)| {
            is_digit(b)
                || (b == b'_'
                    && (!strict_underscores
                        || (i > 0
                            && is_digit(bytes[i - 1])
                            && bytes.get(i + 1).is_some_and(|&next| is_digit(next)))))
        })
}

/// YAML 1.1 base-60 numbers (`1:30`, `190:20:30.15`).
fn is_yaml11_sexagesimal(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (unsigned, None),
    };
    let Some((first, rest)) = integer.split_once(':') else {
        return false;
    };
    let Some(first_digit) = first.as_bytes().first() else {
        return false;
    };
    if !first_digit.is_ascii_digit()
        || (fraction.is_none() && *first_digit == b'0')
        || !first.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return false;
    }
    if !rest.split(':').all(|part| match part.as_bytes() {
        [digit] => digit.is_ascii_digit(),
        [tens, units] => matches!(tens, b'0'..=b'5') && units.is_ascii_digit(),
        _ => false,
    }) {
        return false;
    }
    fraction.is_none_or(|part| part.bytes().all(|b| b.is_ascii_digit() || b == b'_'))
}

/// YAML 1.1 timestamps (`2001-12-14`, `2001-12-14t21:59:43.10-05:00`), syntax only.
fn is_yaml11_timestamp(mut s: &str) -> bool {
    fn digits(s: &mut &str, min: usize, max: usize) -> bool {
        let len = s.bytes().take_while(u8::is_ascii_digit).count();
        if !(min..=max).contains(&len) {
            return false;
        }
        *s = &s[len..];
        true
    }
    fn prefix(s: &mut &str, ch: char) -> bool {
        match s.strip_prefix(ch) {
            Some(rest) => {
                *s = rest;
                true
            }
            None => false,
        }
    }
    if !digits(&mut s, 4, 4)
        || !prefix(&mut s, '-')
        || !digits(&mut s, 1, 2)
        || !prefix(&mut s, '-')
        || !digits(&mut s, 1, 2)
    {
        return false;
    }
    if s.is_empty() {
        return true;
    }
    if let Some(rest) = s.strip_prefix(['T', 't']) {
        s = rest;
    } else {
        let rest = s.trim_start_matches([' ', '\t']);
        if rest.len() == s.len() {
            return false;
        }
        s = rest;
    }
    if !digits(&mut s, 1, 2)
        || !prefix(&mut s, ':')
        || !digits(&mut s, 1, 2)
        || !prefix(&mut s, ':')
        || !digits(&mut s, 1, 2)
    {
        return false;
    }
    if prefix(&mut s, '.') || prefix(&mut s, ',') {
        digits(&mut s, 0, usize::MAX);
    }
    s = s.trim_start_matches([' ', '\t']);
    if s.is_empty() || s == "Z" {
        return true;
    }
    if !(prefix(&mut s, '+') || prefix(&mut s, '-')) || !digits(&mut s, 1, 2) {
        return false;
    }
    if prefix(&mut s, ':') && !digits(&mut s, 2, 2) {
        return false;
    }
    s.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(s: &str) -> String {
        let mut out = String::new();
        write_str(&mut out, s, 2);
        out
    }

    #[test]
    fn strings_a_yaml_1_1_reader_would_retype_are_quoted() {
        for s in [
            "yes",
            "On",
            "n",
            "0755",
            "1e3",
            "0x1F",
            "1:30",
            "2001-12-14",
            "null",
            "~",
            "",
            "<<",
            "=",
            ".inf",
            "1_000",
        ] {
            assert_eq!(value(s), format!("\"{s}\""), "{s}");
        }
        for s in ["nginx:1.25", "web", "a: b"] {
            assert_eq!(value(s) == s, !s.contains(": "), "{s}");
        }
        assert_eq!(value("-"), "'-'");
    }

    #[test]
    fn the_plain_word_shortcut_agrees_with_the_full_rules() {
        for s in [
            "name",
            "containerPort",
            "app.kubernetes.io/name",
            "a-b_c",
            "x",
            "y",
            "No",
            "OFF",
            "nulls",
            "Null",
            "inf",
            "nan1",
            "yes",
        ] {
            let word = is_plain_word(s);
            assert_eq!(word, is_plain_value(s), "{s}");
            assert_eq!(word, is_plain_key(s), "{s}");
        }
    }

    #[test]
    fn keys_are_held_to_flow_rules() {
        let key = |s: &str| {
            let mut out = String::new();
            assert!(write_key(&mut out, s));
            out
        };
        assert_eq!(key("app.kubernetes.io/name"), "app.kubernetes.io/name");
        assert_eq!(key("a,b"), "\"a,b\"");
        assert_eq!(key("http://x"), "\"http://x\"");
        assert!(!write_key(
            &mut String::new(),
            &"k".repeat(SIMPLE_KEY_MAX + 1)
        ));
    }

    #[test]
    fn the_word_at_a_time_pass_agrees_with_the_character_rules() {
        // Every special byte at every offset of a 17-byte string, after every other one, so
        // each lands on both sides of the 8-byte word boundaries.
        let special = [b':', b' ', b'#', b',', b'[', b'}', b'\t', 0x1F, 0x7F, b'a'];
        let mut checked = 0;
        for i in 0..17 {
            for &a in &special {
                for &b in &special {
                    let mut text = vec![b'x'; 17];
                    text[i] = a;
                    if i + 1 < text.len() {
                        text[i + 1] = b;
                    }
                    let text = String::from_utf8(text).unwrap();
                    for key in [false, true] {
                        assert_eq!(
                            plain_body(&text, key),
                            plain_body_by_chars(&text, key),
                            "{text:?} key={key}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 17 * 10 * 10 * 2);
    }

    #[test]
    fn long_lines_fold_at_spaces_and_multi_line_text_is_literal() {
        let long = format!("{} {}", "a".repeat(70), "b".repeat(20));
        assert_eq!(
            value(&long),
            format!(">-\n  {}\n  {}\n", "a".repeat(70), "b".repeat(20))
        );
        assert_eq!(value("one\n  two\n"), "|\n  one\n    two\n");
        assert_eq!(value("  lead\n"), "|2\n    lead\n");
        assert_eq!(value("x\n\n"), "|+\n  x\n\n");
        assert_eq!(value("a\rb\n"), "\"a\\rb\\n\"");
    }
}
