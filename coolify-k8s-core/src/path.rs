//! Paths into the input document (`services.web.ports[1]`), carried by every error and
//! report entry so that a Coolify user can find what to fix.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

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
///
/// A path shares its prefix with the path it was made from (a chain of parents), so
/// [`key`](Self::key) and [`index`](Self::index) cost one small allocation however deep the
/// path is: the loader makes one for every node it reads.
#[derive(Clone, Default)]
pub struct InputPath {
    last: Option<Arc<Node>>,
}

/// The last segment of a path and the path before it.
struct Node {
    parent: Option<Arc<Node>>,
    segment: Segment,
    /// Segments from the root, this one included.
    depth: usize,
}

impl Drop for Node {
    // A long chain would otherwise be dropped by recursion, one frame a segment.
    fn drop(&mut self) {
        let mut next = self.parent.take();
        while let Some(node) = next {
            next = match Arc::try_unwrap(node) {
                Ok(mut node) => node.parent.take(),
                Err(_) => None,
            };
        }
    }
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
        self.child(Segment::Key(key.into()))
    }

    /// This path extended by a sequence index.
    pub fn index(&self, index: usize) -> Self {
        self.child(Segment::Index(index))
    }

    fn child(&self, segment: Segment) -> Self {
        Self {
            last: Some(Arc::new(Node {
                parent: self.last.clone(),
                segment,
                depth: self.depth() + 1,
            })),
        }
    }

    fn depth(&self) -> usize {
        self.last.as_ref().map_or(0, |n| n.depth)
    }

    fn from_segments(segments: impl IntoIterator<Item = Segment>) -> Self {
        segments
            .into_iter()
            .fold(Self::root(), |path, segment| path.child(segment))
    }

    /// The segments from the root.
    fn segments(&self) -> Vec<&Segment> {
        let mut segments = Vec::new();
        let mut node = self.last.as_deref();
        while let Some(n) = node {
            segments.push(&n.segment);
            node = n.parent.as_deref();
        }
        segments.reverse();
        segments
    }

    /// The key an environment value sits under (`KEY` of `services.web.environment.KEY`):
    /// the last segment when it is a key, else `None`.
    pub fn last_key(&self) -> Option<&str> {
        match &self.last.as_deref()?.segment {
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
        let segments = self.segments();
        let rest = segments.strip_prefix(from.segments().as_slice())?;
        Some(
            rest.iter()
                .fold(to.clone(), |path, segment| path.child((*segment).clone())),
        )
    }

    /// True for the document root.
    pub fn is_root(&self) -> bool {
        self.last.is_none()
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
        Self::from_segments(segments)
    }
}

fn is_plain_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl fmt::Display for InputPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.segments().into_iter().enumerate() {
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

impl fmt::Debug for InputPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InputPath({:?})", self.to_string())
    }
}

// Equality, order and hash are those of the segment lists, as when paths were vectors.
impl PartialEq for InputPath {
    fn eq(&self, other: &Self) -> bool {
        self.depth() == other.depth() && self.cmp(other) == Ordering::Equal
    }
}

impl Eq for InputPath {}

impl PartialOrd for InputPath {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for InputPath {
    /// The order of the segment lists from the root, found walking up both chains (no
    /// allocation: the report sorts its entries by path). The topmost differing pair of
    /// segments decides; else the shorter path, a prefix of the other, comes first.
    fn cmp(&self, other: &Self) -> Ordering {
        let (mut a, mut b) = (self.last.as_deref(), other.last.as_deref());
        let by_length = self.depth().cmp(&other.depth());
        // Align the deeper chain with the shorter one.
        while let (Some(n), true) = (a, self.depth() > other.depth()) {
            if n.depth == other.depth() {
                break;
            }
            a = n.parent.as_deref();
        }
        while let (Some(n), true) = (b, other.depth() > self.depth()) {
            if n.depth == self.depth() {
                break;
            }
            b = n.parent.as_deref();
        }
        let mut topmost = Ordering::Equal;
        while let (Some(x), Some(y)) = (a, b) {
            if std::ptr::eq(x, y) {
                break;
            }
            match x.segment.cmp(&y.segment) {
                Ordering::Equal => {}
                differ => topmost = differ,
            }
            a = x.parent.as_deref();
            b = y.parent.as_deref();
        }
        topmost.then(by_length)
    }
}

impl Hash for InputPath {
    // Leaf to root: equal paths hash alike, which is all `Hash` needs.
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.depth());
        let mut node = self.last.as_deref();
        while let Some(n) = node {
            n.segment.hash(state);
            node = n.parent.as_deref();
        }
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

    #[test]
    fn paths_compare_by_their_segments() {
        let a = InputPath::root().key("services").key("web");
        let b = InputPath::parse("services.web");
        assert_eq!(a, b);
        // As the derived order of the segment vectors: a key sorts before an index.
        assert!(a < a.key("x") && a.key("x") < a.index(0) && InputPath::root() < a);
        assert!(b.key("a") < InputPath::parse("services.x"));
        let mut set = std::collections::HashSet::new();
        set.insert(a.key("ports"));
        assert!(set.contains(&b.key("ports")));
        assert_eq!(a.last_key(), Some("web"));
        assert_eq!(a.index(3).last_key(), None);
    }

    #[test]
    fn the_order_is_that_of_the_segment_lists() {
        let paths: Vec<InputPath> = [
            "",
            "a",
            "a.b",
            "a.b[0]",
            "a.b[1]",
            "a.c",
            "a[0]",
            "b",
            "a.b.c.d",
            "services.web.ports[1]",
            "services.web.ports[10]",
            "services.web",
            "services.db.ports[1]",
            "x[\"a.b\"]",
        ]
        .iter()
        .map(|s| InputPath::parse(s))
        .collect();
        for a in &paths {
            for b in &paths {
                assert_eq!(a.cmp(b), a.segments().cmp(&b.segments()), "{a} vs {b}");
                // Shared prefixes (one chain) and separately built equal ones alike.
                let a2 = InputPath::parse(&a.to_string());
                assert_eq!(a2.cmp(b), a.cmp(b), "{a} vs {b}");
                let (ak, bk) = (a.key("k"), b.key("k"));
                assert_eq!(
                    ak.cmp(&bk),
                    ak.segments().cmp(&bk.segments()),
                    "{a}.k vs {b}.k"
                );
            }
        }
    }

    #[test]
    fn a_deep_path_drops_without_deep_recursion() {
        let deep = (0..1_000_000).fold(InputPath::root(), |p, i| p.index(i));
        let shorter = InputPath::root().key("x");
        drop(deep);
        assert!(!shorter.is_root());
    }
}
