//! Shell quoting for the lines Coolify's runner feeds to `bash -se`.
//!
//! Every string that comes from a user or a manifest goes through [`quote`]: the result is
//! always exactly one shell word with the original bytes, and it never spans two physical
//! lines, because Coolify joins commands with newlines inside a heredoc (a raw newline in a
//! value would split one step into two, or even end the heredoc).
//!
//! Nor does a quoted word ever hold a sequence that Coolify's sudo rewriting edits
//! (`parseCommandsByLineForSudo` / `parseLineForSudo` in `bootstrap/helpers/sudo.php`
//! replace `$(`, a backtick, `||`, `&&` and ` | ` wherever they appear, quotes or not): a
//! value holding one is written in bash's ANSI-C form with those characters as `\xHH`
//! escapes, so the rewriting cannot change the data.

use std::borrow::Cow;

/// Characters that need no quoting anywhere in a word (the same set as Python's
/// `shlex.quote`, minus nothing): keeps command lines readable for the common case.
fn is_plain(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '_' | '-' | '.' | '/' | ':' | '=' | ',' | '@' | '%' | '+')
}

/// One shell word for `s`, for bash.
///
/// - Plain words (`web`, `deployment.apps/web`, `--namespace=acme`) are left as they are.
/// - Anything else is POSIX single-quoted (`'it'\''s'`): nothing inside is expanded.
/// - A string holding control characters (newline, tab, carriage return, ...) or a sequence
///   Coolify's sudo rewriting edits ([`has_runner_sequence`]) is written in bash's ANSI-C
///   form (`$'a\x0ab'`), with `$`, `` ` ``, `|` and `&` escaped too, so the line stays one
///   physical line and the rewriting finds nothing to edit.
///
/// NUL cannot be passed in an argument at all; callers reject it first
/// ([`check_no_nul`]). An empty string becomes `''`.
///
/// ```
/// use coolify_k8s_core::kubectl::quote;
/// assert_eq!(quote("web"), "web");
/// assert_eq!(quote("it's $x"), r"'it'\''s $x'");
/// assert_eq!(quote("$(x) || y"), r"$'\x24(x) \x7c\x7c y'");
/// assert_eq!(quote("a\nb"), r"$'a\x0ab'");
/// assert_eq!(quote(""), "''");
/// ```
pub fn quote(s: &str) -> Cow<'_, str> {
    if !s.is_empty() && s.chars().all(is_plain) {
        return Cow::Borrowed(s);
    }
    if s.chars().any(|c| c.is_control()) || has_runner_sequence(s) {
        return Cow::Owned(ansi_c(s));
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            // Close the quote, add an escaped quote, reopen.
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    Cow::Owned(out)
}

/// Whether `s` holds a sequence that Coolify's sudo rewriting replaces even inside quotes:
/// `$(`, a backtick, `||`, `&&` or ` | `.
pub fn has_runner_sequence(s: &str) -> bool {
    ["$(", "`", "||", "&&", " | "].iter().any(|q| s.contains(q))
}

/// Single-quote a whole script for `bash -c`, keeping it readable. Only for scripts this
/// module builds: their user data is [`quote`]d already, and the runner sequences they hold
/// (`$(`, ` | `) stay harmless when rewritten (`$(sudo …` inside a script that runs as root).
pub(super) fn quote_script(script: &str) -> String {
    format!("'{}'", script.replace('\'', "'\\''"))
}

/// `$'...'` with backslash, quote, `$`, `` ` ``, `|`, `&` and every control character
/// escaped as `\xHH` (always two hex digits, so a following hex digit is never read as part
/// of the escape).
/// Non-ASCII text passes through as UTF-8 bytes.
fn ansi_c(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str("$'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if c.is_control() || matches!(c, '$' | '`' | '|' | '&') => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A process argument cannot hold a NUL byte: `Err` with a message naming `what`.
pub fn check_no_nul(what: &str, s: &str) -> Result<(), String> {
    if s.contains('\0') {
        Err(format!("{what} contains a NUL character"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// What bash makes of a quoted word: printf each argument on its own NUL-terminated slot.
    fn bash_words(line: &str) -> Vec<String> {
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("printf '%s\\0' {line}"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{line}");
        let s = String::from_utf8(out.stdout).unwrap();
        let mut v: Vec<String> = s.split('\0').map(str::to_string).collect();
        v.pop();
        v
    }

    #[test]
    fn plain_words_stay_bare() {
        for s in [
            "web",
            "deployment.apps/web-1",
            "--namespace=acme",
            "a,b@c%d+e:f",
        ] {
            assert_eq!(quote(s), s);
        }
    }

    #[test]
    fn quoted_words_round_trip_through_bash() {
        let hostile = [
            "it's",
            "$(echo injected)",
            "`echo injected`",
            "a b\tc",
            "line1\nline2\r\n",
            "naïve ünïcødé ☃ 日本",
            "'; echo injected; '",
            "\\'\\",
            "$HOME ${HOME} !! * ? ~ # &",
            "\x01\x7f\u{85}",
            "",
            "\\x41",
            "-n",
            "a || b && c | d $(e) `f`",
            "||",
        ];
        for s in hostile {
            let q = quote(s);
            assert!(!q.contains('\n') && !q.contains('\r'), "{q}");
            assert_eq!(bash_words(&q), vec![s.to_string()], "{s:?} -> {q}");
        }
        // Several words on one line stay separate.
        let line = hostile
            .iter()
            .map(|s| quote(s))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(bash_words(&line), hostile.to_vec());
    }

    #[test]
    fn quoted_words_hold_no_runner_sequence() {
        for s in ["$(id)", "a`b", "x || y", "x && y", "x | y", "it's $(x)\n"] {
            let q = quote(s);
            assert!(!has_runner_sequence(&q), "{s:?} -> {q}");
            assert_eq!(bash_words(&q), vec![s.to_string()], "{s:?} -> {q}");
        }
        // Not runner sequences: single characters the rewriting leaves alone.
        assert_eq!(quote("a|b&c$d"), "'a|b&c$d'");
    }

    #[test]
    fn scripts_are_single_quoted() {
        let q = quote_script("echo 'a' $(b)");
        assert_eq!(q, r"'echo '\''a'\'' $(b)'");
        assert_eq!(bash_words(&q), vec!["echo 'a' $(b)".to_string()]);
    }

    #[test]
    fn nul_is_rejected() {
        assert!(check_no_nul("namespace", "a\0b").is_err());
        assert!(check_no_nul("namespace", "ab").is_ok());
    }
}
