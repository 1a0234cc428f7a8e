//! Paths into the input document (`services.web.ports[1]`), carried by every error and
//! report entry so that a Coolify user can find what to fix.

use std::fmt;

/// A path into the input: keys and sequence indexes from the document root.
///
/// ```
/// use coolify_k8s_core::InputPath;
/// let p = InputPath::root().key("services").key("web").key("ports").index(1);
/// assert_eq!(p.to_string(), "services.web.ports[1]");
/// // Keys that would be ambiguous in dotted form are quoted.
/// let l = InputPath::root().key("labels").key("traefik.enable");
/// assert_eq!(l.to_string(), "labels[\"traefik.enable\"]");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InputPath {
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Segment {
    Key(String),
    Index(usize),
}

impl InputPath {
    /// The document root (displays as an empty string).
    pub fn root() -> Self {
        Self::default()
    }

    /// This path extended by a mapping key.
    pub fn key(&self, key: impl Into<String>) -> Self {
        let mut p = self.clone();
        p.segments.push(Segment::Key(key.into()));
        p
    }

    /// This path extended by a sequence index.
    pub fn index(&self, index: usize) -> Self {
        let mut p = self.clone();
        p.segments.push(Segment::Index(index));
        p
    }

    /// The key an environment value sits under (`KEY` of `services.web.environment.KEY`):
    /// the last segment when it is a key, else `None`.
    pub fn last_key(&self) -> Option<&str> {
        match self.segments.last()? {
            Segment::Key(k) => Some(k),
            Segment::Index(_) => None,
        }
    }

    /// This path with the prefix `from` replaced by `to`, when it starts with `from`
    /// (`services.db.volumes[0].source` → `persistent_storages[0].source`).
    ///
    /// ```
    /// use coolify_k8s_core::InputPath;
    /// let p = InputPath::parse("services.db.volumes[0]");
    /// let to = InputPath::root().key("persistent_storages").index(2);
    /// assert_eq!(p.rebase(&InputPath::parse("services.db.volumes[0]"), &to), Some(to.clone()));
    /// assert_eq!(p.rebase(&InputPath::parse("services.web"), &to), None);
    /// ```
    pub fn rebase(&self, from: &InputPath, to: &InputPath) -> Option<InputPath> {
        let rest = self.segments.strip_prefix(from.segments.as_slice())?;
        let mut segments = to.segments.clone();
        segments.extend(rest.iter().cloned());
        Some(Self { segments })
    }

    /// True for the document root.
    pub fn is_root(&self) -> bool {
        self.segments.is_empty()
    }

    /// Parse the display form back (`services.web.ports[1]`); used by tests and callers
    /// that keep paths as strings. Quoted keys are supported.
    pub fn parse(s: &str) -> Self {
        let mut segments = Vec::new();
        let mut chars = s.chars().peekable();
        let mut cur = String::new();
        while let Some(c) = chars.next() {
            match c {
                '.' => {
                    if !cur.is_empty() {
                        segments.push(Segment::Key(std::mem::take(&mut cur)));
                    }
                }
                '[' => {
                    if !cur.is_empty() {
                        segments.push(Segment::Key(std::mem::take(&mut cur)));
                    }
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        let mut key = String::new();
                        while let Some(k) = chars.next() {
                            match k {
                                '\\' => {
                                    if let Some(e) = chars.next() {
                                        key.push(e);
                                    }
                                }
                                '"' => break,
                                _ => key.push(k),
                            }
                        }
                        let _ = chars.next(); // ']'
                        segments.push(Segment::Key(key));
                    } else {
                        let mut num = String::new();
                        for k in chars.by_ref() {
                            if k == ']' {
                                break;
                            }
                            num.push(k);
                        }
                        match num.parse() {
                            Ok(i) => segments.push(Segment::Index(i)),
                            Err(_) => segments.push(Segment::Key(num)),
                        }
                    }
                }
                _ => cur.push(c),
            }
        }
        if !cur.is_empty() {
            segments.push(Segment::Key(cur));
        }
        Self { segments }
    }
}

fn is_plain_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl fmt::Display for InputPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.segments.iter().enumerate() {
            match seg {
                Segment::Key(k) if is_plain_key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Segment::Key(k) => {
                    f.write_str("[\"")?;
                    for c in k.chars() {
                        if c == '"' || c == '\\' {
                            f.write_str("\\")?;
                        }
                        write!(f, "{c}")?;
                    }
                    f.write_str("\"]")?;
                }
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

impl serde::Serialize for InputPath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_and_parses_back() {
        for s in [
            "services.web.ports[1]",
            "services.web.labels[\"traefik.http.routers.a.rule\"]",
            "x-foo[0][2].bar",
            "",
        ] {
            assert_eq!(InputPath::parse(s).to_string(), s, "{s}");
        }
    }

    #[test]
    fn quotes_keys_with_dots_and_escapes_quotes() {
        let p = InputPath::root().key("a\"b.c");
        assert_eq!(p.to_string(), "[\"a\\\"b.c\"]");
        assert_eq!(InputPath::parse(&p.to_string()), p);
    }
}
