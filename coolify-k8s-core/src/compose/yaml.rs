//! Stage: YAML text into a tree ([`serde_json::Value`]), the way Compose and Coolify read it.
//!
//! Built on the event parser under serde-saphyr (`granit-parser`) rather than a typed
//! deserializer, because Coolify's dialect needs what serde cannot give:
//!
//! - `<<` merge keys, including Coolify's *sequence* merge (`environment: {<<: *list, K: v}`
//!   means the list's items followed by `K=v`, as Symfony YAML and so Coolify read it);
//! - the `!reset` and `!override` tags of the Compose merge rules, returned beside the tree
//!   (see [`Document::tags`]) because a JSON tree cannot carry them;
//! - limits against hostile input: file size, nesting depth, and the number of nodes that
//!   alias expansion may produce (an "alias bomb" of a few KB expands to gigabytes);
//! - line and column in every syntax error.
//!
//! Scalars follow YAML 1.2's core schema as go-yaml v3 (Compose's parser) applies it:
//! `true`/`false` are booleans but `yes`/`on` are strings; integers may be written `0x1F`,
//! `0o17`, `017` (octal, for file modes) or `1_000`; `~`, `null` and nothing are null.
//! Quoted and block scalars are always strings. Duplicate keys are errors.

use crate::error::{Error, Errors};
use crate::path::InputPath;
use granit_parser::{Event, Marker, Options, Parser, ScalarStyle, Span, Tag};
use serde_json::{Map, Number, Value};
use std::collections::{HashMap, HashSet};

/// Largest input accepted, in bytes (Compose files are a few KB; Coolify's largest
/// template is under 100 KB).
pub const MAX_INPUT_BYTES: usize = 10 * 1024 * 1024;
/// Deepest nesting of mappings and sequences accepted (real files nest below 10).
pub const MAX_DEPTH: usize = 128;
/// Most nodes that alias expansion may add to one document (Coolify's templates add a few
/// hundred). Nodes written out in the text are bounded by [`MAX_INPUT_BYTES`] instead: a
/// project of 10,000 services holds some 200,000 nodes without a single alias.
pub const MAX_NODES: usize = 100_000;

/// A Compose merge tag on a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MergeTag {
    /// `!reset`: the attribute is removed from what earlier files (or `extends`) set.
    Reset,
    /// `!override`: the attribute replaces what earlier files set, without merging.
    Override,
}

/// Where a merge tag stood: the mapping keys from the document root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaggedPath {
    /// The keys leading to the tagged value (`["services", "web", "ports"]`).
    pub keys: Vec<String>,
    /// The tag.
    pub tag: MergeTag,
}

/// One parsed YAML document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The tree, with merge keys applied and aliases expanded; mappings keep their order.
    pub root: Value,
    /// The `!reset` / `!override` tags found, in document order.
    pub tags: Vec<TaggedPath>,
}

/// Parse every document of a YAML stream. `file` names the input in messages.
///
/// ```
/// use coolify_k8s_core::compose::yaml::parse;
/// let docs = parse("x: &a {k: 1}\ny:\n  <<: *a\n  j: yes\n", "compose.yaml").unwrap();
/// assert_eq!(docs[0].root, serde_json::json!({"x": {"k": 1}, "y": {"k": 1, "j": "yes"}}));
/// let err = parse("a: [1, 2\n", "compose.yaml").unwrap_err();
/// // The error names the path, what is wrong and where: `a[1]: unclosed bracket '['
/// // (compose.yaml: line 1, column 4)`.
/// assert!(err.to_string().starts_with("a[1]: unclosed bracket"), "{err}");
/// assert!(err.to_string().ends_with("(compose.yaml: line 1, column 4)"), "{err}");
/// ```
pub fn parse(text: &str, file: &str) -> Result<Vec<Document>, Errors> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(Error::new(
            InputPath::root(),
            format!(
                "{file}: the file is {} bytes; the limit is {} bytes (10 MiB)",
                text.len(),
                MAX_INPUT_BYTES
            ),
        )
        .into());
    }
    let mut options = Options::default();
    options.block_nesting_limit = MAX_DEPTH;
    options.flow_nesting_limit = MAX_DEPTH;
    let parser = Parser::new_from_str_with_options(text, options);
    let mut builder = Builder {
        file,
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        docs: Vec::new(),
    };
    for event in parser {
        match event {
            Ok((event, span)) => builder.event(event, span)?,
            Err(e) => {
                return Err(builder.error_at(e.marker(), &e.info()).into());
            }
        }
    }
    builder
        .docs
        .into_iter()
        .map(|node| {
            let mut tags = Vec::new();
            let mut keys = Vec::new();
            let mut errors = Vec::new();
            let root = into_value(node, &mut keys, &mut tags, &mut errors, file);
            match Errors::from_vec(errors) {
                Some(e) => Err(e),
                None => Ok(Document { root, tags }),
            }
        })
        .collect()
}

/// A node of the tree being built, before tags are taken out.
#[derive(Debug, Clone)]
struct Node {
    kind: Kind,
    tag: Option<MergeTag>,
    /// Nodes in this subtree (for alias expansion limits).
    size: usize,
    /// Nesting depth of this subtree (a scalar is 0).
    depth: usize,
}

#[derive(Debug, Clone)]
enum Kind {
    Scalar(Value),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

/// A mapping entry while its mapping is open: a key and its value, or the items that a
/// Coolify sequence merge (`<<: *list`) brought in.
#[derive(Debug)]
enum Entry {
    Pair(String, Node),
    Items(Vec<Node>),
}

#[derive(Debug)]
enum PendingKey {
    Key(String),
    Merge,
}

#[derive(Debug)]
enum Frame {
    Seq {
        items: Vec<Node>,
        anchor: usize,
        tag: Option<MergeTag>,
    },
    Map {
        entries: Vec<Entry>,
        /// Position in `entries` of each key present.
        index: HashMap<String, usize>,
        /// Keys written explicitly (a merged key may be overridden once by one of these).
        explicit: HashSet<String>,
        pending: Option<PendingKey>,
        anchor: usize,
        tag: Option<MergeTag>,
    },
}

struct Builder<'f> {
    file: &'f str,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    docs: Vec<Node>,
}

impl Builder<'_> {
    fn error_at(&self, mark: &Marker, message: &str) -> Error {
        // A path through hundreds of levels helps nobody; the line and column do.
        let path = if self.stack.len() > 16 {
            InputPath::root()
        } else {
            self.path()
        };
        let at = format!(
            "{}: line {}, column {}",
            self.file,
            mark.line(),
            mark.col() + 1
        );
        if path.is_root() {
            Error::new(path, format!("{at}: {message}"))
        } else {
            Error::new(path, format!("{message} ({at})"))
        }
    }

    /// The path of the node being read, from the open frames.
    fn path(&self) -> InputPath {
        let mut path = InputPath::root();
        for frame in &self.stack {
            match frame {
                Frame::Seq { items, .. } => path = path.index(items.len()),
                Frame::Map {
                    pending: Some(PendingKey::Key(k)),
                    ..
                } => path = path.key(k.clone()),
                Frame::Map {
                    pending: Some(PendingKey::Merge),
                    ..
                } => path = path.key("<<"),
                Frame::Map { .. } => {}
            }
        }
        path
    }

    /// Counts the nodes an alias repeats; too many is an alias bomb.
    fn count_expanded(&mut self, n: usize, mark: &Marker) -> Result<(), Error> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(self.error_at(
                mark,
                &format!(
                    "aliases expand to more than {MAX_NODES} nodes (aliases that repeat \
                     aliases, an \"alias bomb\"?)"
                ),
            ));
        }
        Ok(())
    }

    fn tag(&self, tag: Option<&Tag>, mark: &Marker) -> Result<TagKind, Error> {
        let Some(tag) = tag else {
            return Ok(TagKind::None);
        };
        if let Some(core) = tag.core_suffix() {
            return Ok(TagKind::Core(core.to_string()));
        }
        match (tag.handle(), tag.suffix()) {
            ("!", "reset") => Ok(TagKind::Merge(MergeTag::Reset)),
            ("!", "override") => Ok(TagKind::Merge(MergeTag::Override)),
            _ => Err(self.error_at(
                mark,
                &format!(
                    "unsupported YAML tag {:?} (Compose knows only !reset and !override)",
                    tag.original()
                ),
            )),
        }
    }

    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), Error> {
        let mark = span.start;
        match event {
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(..)
            | Event::DocumentEnd
            | Event::Anchor(..) => Ok(()),
            Event::UnresolvedAlias(name) => {
                Err(self.error_at(&mark, &format!("unknown anchor {name:?}")))
            }
            Event::Alias(id) => {
                let Some(node) = self.anchors.get(&id) else {
                    return Err(self.error_at(&mark, "alias to an unknown anchor"));
                };
                let (size, depth) = (node.size, node.depth);
                if self.stack.len() + depth > MAX_DEPTH {
                    return Err(
                        self.error_at(&mark, &format!("nesting deeper than {MAX_DEPTH} levels"))
                    );
                }
                self.count_expanded(size, &mark)?;
                let Some(node) = self.anchors.get(&id).cloned() else {
                    return Err(self.error_at(&mark, "alias to an unknown anchor"));
                };
                // An alias in key position names a key by a scalar's text.
                if let Some(Frame::Map { pending: None, .. }) = self.stack.last() {
                    return match node.kind {
                        Kind::Scalar(v) => self.set_key(PendingKey::Key(scalar_text(&v)), &mark),
                        _ => Err(self.error_at(&mark, "a mapping key must be a scalar")),
                    };
                }
                self.complete(node, &mark)
            }
            Event::Scalar(text, style, anchor, tag) => {
                let tag = self.tag(tag.as_deref(), &mark)?;
                if let Some(Frame::Map { pending: None, .. }) = self.stack.last() {
                    let key = if style == ScalarStyle::Plain
                        && text == "<<"
                        && matches!(tag, TagKind::None)
                    {
                        PendingKey::Merge
                    } else {
                        PendingKey::Key(text.to_string())
                    };
                    if anchor != 0 {
                        let node = Node {
                            kind: Kind::Scalar(Value::String(text.to_string())),
                            tag: None,
                            size: 1,
                            depth: 0,
                        };
                        self.anchors.insert(anchor, node);
                    }
                    return self.set_key(key, &mark);
                }
                let (value, merge_tag) = match &tag {
                    TagKind::Core(core) => (
                        core_tagged(&text, style, core).map_err(|m| self.error_at(&mark, &m))?,
                        None,
                    ),
                    TagKind::Merge(t) => (resolve_scalar(&text, style), Some(*t)),
                    TagKind::None => (resolve_scalar(&text, style), None),
                };
                let node = Node {
                    kind: Kind::Scalar(value),
                    tag: merge_tag,
                    size: 1,
                    depth: 0,
                };
                if anchor != 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                self.complete(node, &mark)
            }
            Event::SequenceStart(_, anchor, tag) => {
                let tag = self.tag(tag.as_deref(), &mark)?;
                self.open(
                    Frame::Seq {
                        items: Vec::new(),
                        anchor,
                        tag: tag.merge(),
                    },
                    &mark,
                )
            }
            Event::MappingStart(_, anchor, tag) => {
                let tag = self.tag(tag.as_deref(), &mark)?;
                self.open(
                    Frame::Map {
                        entries: Vec::new(),
                        index: HashMap::new(),
                        explicit: HashSet::new(),
                        pending: None,
                        anchor,
                        tag: tag.merge(),
                    },
                    &mark,
                )
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Err(self.error_at(&mark, "unbalanced collection end"));
                };
                let (node, anchor) = finish(frame).map_err(|m| self.error_at(&mark, &m))?;
                if anchor != 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                self.complete(node, &mark)
            }
            // Comments exist only when another crate enables granit-parser's `comments`.
            #[allow(unreachable_patterns)]
            _ => Ok(()),
        }
    }

    fn open(&mut self, frame: Frame, mark: &Marker) -> Result<(), Error> {
        if let Some(Frame::Map { pending: None, .. }) = self.stack.last() {
            return Err(self.error_at(mark, "a mapping key must be a scalar"));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.error_at(mark, &format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        self.stack.push(frame);
        Ok(())
    }

    /// Set the key of the next value; a key written twice is an error at the second.
    fn set_key(&mut self, key: PendingKey, mark: &Marker) -> Result<(), Error> {
        let duplicate = match (&key, self.stack.last()) {
            (PendingKey::Key(k), Some(Frame::Map { explicit, .. })) => explicit.contains(k),
            _ => false,
        };
        self.restore_key(key);
        if duplicate {
            let name = match self.stack.last() {
                Some(Frame::Map {
                    pending: Some(PendingKey::Key(k)),
                    ..
                }) => k.clone(),
                _ => String::new(),
            };
            return Err(self.error_at(mark, &format!("duplicate key {name:?}")));
        }
        Ok(())
    }

    fn restore_key(&mut self, key: PendingKey) {
        if let Some(Frame::Map { pending, .. }) = self.stack.last_mut() {
            *pending = Some(key);
        }
    }

    /// A finished node goes to its parent (or becomes a document).
    fn complete(&mut self, node: Node, mark: &Marker) -> Result<(), Error> {
        let Some(top) = self.stack.last_mut() else {
            self.docs.push(node);
            return Ok(());
        };
        match top {
            Frame::Seq { items, .. } => {
                items.push(node);
                Ok(())
            }
            Frame::Map {
                entries,
                index,
                explicit,
                pending,
                ..
            } => match pending.take() {
                None => Err(self.error_at(mark, "a mapping key must be a scalar")),
                Some(PendingKey::Key(key)) => {
                    if !explicit.insert(key.clone()) {
                        let message = format!("duplicate key {key:?}");
                        self.restore_key(PendingKey::Key(key));
                        return Err(self.error_at(mark, &message));
                    }
                    match index.get(&key) {
                        // A key brought in by `<<` is overridden in place.
                        Some(&i) => {
                            if let Some(Entry::Pair(_, v)) = entries.get_mut(i) {
                                *v = node;
                            }
                        }
                        None => {
                            index.insert(key.clone(), entries.len());
                            entries.push(Entry::Pair(key, node));
                        }
                    }
                    Ok(())
                }
                Some(PendingKey::Merge) => merge_into(entries, index, node).map_err(|m| {
                    // Restore the key so that the message's path names `<<`.
                    self.restore_key(PendingKey::Merge);
                    self.error_at(mark, &m)
                }),
            },
        }
    }
}

enum TagKind {
    None,
    Core(String),
    Merge(MergeTag),
}

impl TagKind {
    fn merge(&self) -> Option<MergeTag> {
        match self {
            TagKind::Merge(t) => Some(*t),
            _ => None,
        }
    }
}

/// Apply a `<<` value to an open mapping: keys not already present are added (keys written
/// before or after `<<` win). A sequence of mappings merges each, earlier first; a sequence
/// of other values is Coolify's list merge.
fn merge_into(
    entries: &mut Vec<Entry>,
    index: &mut HashMap<String, usize>,
    node: Node,
) -> Result<(), String> {
    let add_map = |entries: &mut Vec<Entry>,
                   index: &mut HashMap<String, usize>,
                   pairs: Vec<(String, Node)>| {
        for (k, v) in pairs {
            if !index.contains_key(&k) {
                index.insert(k.clone(), entries.len());
                entries.push(Entry::Pair(k, v));
            }
        }
    };
    match node.kind {
        Kind::Map(pairs) => {
            add_map(entries, index, pairs);
            Ok(())
        }
        Kind::Seq(items) => {
            let maps = items
                .iter()
                .filter(|n| matches!(n.kind, Kind::Map(_)))
                .count();
            if maps == items.len() {
                for item in items {
                    if let Kind::Map(pairs) = item.kind {
                        add_map(entries, index, pairs);
                    }
                }
                Ok(())
            } else if maps == 0 {
                entries.push(Entry::Items(items));
                Ok(())
            } else {
                Err("a merge key `<<` needs mappings, or a list of values \
                     (not a mix of both)"
                    .to_string())
            }
        }
        Kind::Scalar(_) => Err("a merge key `<<` needs a mapping or a list".to_string()),
    }
}

/// Close a collection: its node and anchor id.
fn finish(frame: Frame) -> Result<(Node, usize), String> {
    match frame {
        Frame::Seq { items, anchor, tag } => {
            let size = 1 + items.iter().map(|n| n.size).sum::<usize>();
            let depth = 1 + items.iter().map(|n| n.depth).max().unwrap_or(0);
            Ok((
                Node {
                    kind: Kind::Seq(items),
                    tag,
                    size,
                    depth,
                },
                anchor,
            ))
        }
        Frame::Map {
            entries,
            pending,
            anchor,
            tag,
            ..
        } => {
            if pending.is_some() {
                return Err("a mapping key without a value".to_string());
            }
            let list_merge = entries.iter().any(|e| matches!(e, Entry::Items(_)));
            let kind = if list_merge {
                // Coolify (Symfony YAML): the list's items, and each key `K: v` as `K=v`.
                let mut items = Vec::new();
                for entry in entries {
                    match entry {
                        Entry::Items(list) => items.extend(list),
                        Entry::Pair(k, v) => {
                            let text = match &v.kind {
                                Kind::Scalar(Value::Null) => k,
                                Kind::Scalar(s) => format!("{k}={}", scalar_text(s)),
                                _ => {
                                    return Err(format!(
                                        "key {k:?} beside a merged list must have a \
                                         scalar value"
                                    ))
                                }
                            };
                            items.push(Node {
                                kind: Kind::Scalar(Value::String(text)),
                                tag: None,
                                size: 1,
                                depth: 0,
                            });
                        }
                    }
                }
                Kind::Seq(items)
            } else {
                Kind::Map(
                    entries
                        .into_iter()
                        .filter_map(|e| match e {
                            Entry::Pair(k, v) => Some((k, v)),
                            Entry::Items(_) => None,
                        })
                        .collect(),
                )
            };
            let (size, depth) = match &kind {
                Kind::Seq(items) => (
                    1 + items.iter().map(|n| n.size).sum::<usize>(),
                    1 + items.iter().map(|n| n.depth).max().unwrap_or(0),
                ),
                Kind::Map(pairs) => (
                    1 + pairs.iter().map(|(_, n)| n.size).sum::<usize>(),
                    1 + pairs.iter().map(|(_, n)| n.depth).max().unwrap_or(0),
                ),
                Kind::Scalar(_) => (1, 0),
            };
            Ok((
                Node {
                    kind,
                    tag,
                    size,
                    depth,
                },
                anchor,
            ))
        }
    }
}

/// The tree as JSON, collecting merge tags with their key paths. Depth is bounded by
/// [`MAX_DEPTH`], so the recursion is too.
fn into_value(
    node: Node,
    keys: &mut Vec<String>,
    tags: &mut Vec<TaggedPath>,
    errors: &mut Vec<Error>,
    file: &str,
) -> Value {
    if let Some(tag) = node.tag {
        tags.push(TaggedPath {
            keys: keys.clone(),
            tag,
        });
    }
    match node.kind {
        Kind::Scalar(v) => v,
        Kind::Seq(items) => {
            let before = tags.len();
            let out = items
                .into_iter()
                .map(|n| into_value(n, keys, tags, errors, file))
                .collect();
            // Tags are addressed by mapping keys; one inside a list cannot be applied.
            if tags.len() > before {
                tags.truncate(before);
                let mut path = InputPath::root();
                for k in keys.iter() {
                    path = path.key(k.clone());
                }
                errors.push(Error::new(
                    path,
                    format!("{file}: !reset and !override are supported on mapping values, not on list items"),
                ));
            }
            Value::Array(out)
        }
        Kind::Map(pairs) => {
            let mut map = Map::with_capacity(pairs.len());
            for (k, v) in pairs {
                keys.push(k);
                let value = into_value(v, keys, tags, errors, file);
                if let Some(k) = keys.pop() {
                    map.insert(k, value);
                }
            }
            Value::Object(map)
        }
    }
}

/// A scalar's text, as Coolify's list merge and alias keys need it.
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A scalar's value under the core schema (only plain scalars are typed).
pub fn resolve_scalar(text: &str, style: ScalarStyle) -> Value {
    if style != ScalarStyle::Plain {
        return Value::String(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(n) = parse_int(text) {
        return n;
    }
    if let Some(f) = parse_float(text) {
        return f;
    }
    Value::String(text.to_string())
}

/// Integers as go-yaml v3 reads them: decimal, `0x`, `0o`, `0b`, a leading `0` for octal,
/// `_` separators allowed.
fn parse_int(text: &str) -> Option<Value> {
    let plain = without_underscores(text);
    let (negative, digits) = match plain.as_bytes().first()? {
        b'-' => (true, &plain[1..]),
        b'+' => (false, &plain[1..]),
        _ => (false, &*plain),
    };
    if digits.is_empty() || !digits.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    let (radix, body) = if let Some(h) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        (16, h)
    } else if let Some(o) = digits.strip_prefix("0o") {
        (8, o)
    } else if let Some(b) = digits.strip_prefix("0b") {
        (2, b)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(body, radix).ok()?;
    if negative {
        let n = i64::try_from(magnitude).ok()?;
        Some(Value::Number(Number::from(-n)))
    } else {
        Some(Value::Number(Number::from(magnitude)))
    }
}

/// The digits of a number with YAML 1.1's `_` separators left out; borrowed when there are
/// none (nearly every scalar the resolver tries).
fn without_underscores(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('_') {
        text.replace('_', "").into()
    } else {
        text.into()
    }
}

/// Floats of the form go-yaml accepts (`1.5`, `.5`, `1e3`, `-2.5E-3`). Infinity and NaN
/// stay strings: JSON cannot hold them and no Compose key wants them.
fn parse_float(text: &str) -> Option<Value> {
    let plain = without_underscores(text);
    let body = plain.strip_prefix(['-', '+']).unwrap_or(&plain);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            int.chars().all(|c| c.is_ascii_digit())
                && frac.chars().all(|c| c.is_ascii_digit())
                && !(int.is_empty() && frac.is_empty())
        }
        None => !mantissa.is_empty() && mantissa.chars().all(|c| c.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    if !mantissa_ok || !exponent_ok {
        return None;
    }
    let f: f64 = plain.parse().ok()?;
    Number::from_f64(f).map(Value::Number)
}

/// A scalar with an explicit core-schema tag (`!!str 123`).
fn core_tagged(text: &str, style: ScalarStyle, tag: &str) -> Result<Value, String> {
    let wrong = || format!("{text:?} is not a valid !!{tag}");
    match tag {
        "str" => Ok(Value::String(text.to_string())),
        "null" => match resolve_scalar(text, ScalarStyle::Plain) {
            Value::Null => Ok(Value::Null),
            _ => Err(wrong()),
        },
        "bool" => match resolve_scalar(text, ScalarStyle::Plain) {
            Value::Bool(b) => Ok(Value::Bool(b)),
            _ => Err(wrong()),
        },
        "int" => parse_int(text).ok_or_else(wrong),
        "float" => parse_int(text)
            .and_then(|v| v.as_f64())
            .and_then(Number::from_f64)
            .map(Value::Number)
            .or_else(|| parse_float(text))
            .ok_or_else(wrong),
        // `!!map` / `!!seq` on a scalar: let the plain rules decide, as go-yaml does.
        _ => Ok(resolve_scalar(text, style)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(text: &str) -> Value {
        let docs = parse(text, "t.yaml").unwrap();
        assert_eq!(docs.len(), 1);
        docs.into_iter().next().unwrap().root
    }

    fn err(text: &str) -> String {
        parse(text, "t.yaml").unwrap_err().to_string()
    }

    #[test]
    fn core_schema_scalars() {
        let v = one(
            "a: yes\nb: on\nc: true\nd: False\ne: ~\nf:\ng: 0755\nh: 0x1F\ni: 1_000\n\
             j: 1.5\nk: '1'\nl: \"true\"\nm: 3.8\nn: -7\no: 8080:80\np: .inf\nq: 09\n",
        );
        assert_eq!(
            v,
            json!({"a": "yes", "b": "on", "c": true, "d": false, "e": null, "f": null,
                   "g": 493, "h": 31, "i": 1000, "j": 1.5, "k": "1", "l": "true", "m": 3.8,
                   "n": -7, "o": "8080:80", "p": ".inf", "q": 9.0})
        );
    }

    #[test]
    fn anchors_and_mapping_merges() {
        let v = one("x-base: &base {image: a, restart: always}\n\
             x-more: &more {user: u, image: b}\n\
             s:\n  image: mine\n  <<: [*base, *more]\n  env: &e [A=1]\n  e2: *e\n");
        // Explicit keys win; among merged maps the earlier wins.
        assert_eq!(
            v["s"],
            json!({"image": "mine", "restart": "always", "user": "u", "env": ["A=1"], "e2": ["A=1"]})
        );
    }

    #[test]
    fn explicit_key_after_merge_overrides_in_place() {
        let v = one("b: &b {x: 1, y: 2}\nc:\n  <<: *b\n  x: 3\n");
        assert_eq!(v["c"], json!({"x": 3, "y": 2}));
        let keys: Vec<_> = v["c"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["x", "y"]);
    }

    #[test]
    fn coolify_sequence_merge() {
        // COOLIFY.md: the list's items, then the mapping's own keys as K=v.
        let v = one(
            "a:\n  environment: &env\n    - A=1\n    - B=2\n  volumes: &vols\n    - d:/data\n\
             b:\n  environment:\n    <<: *env\n    EXTRA: x\n    FLAG:\n  volumes:\n    <<: *vols\n",
        );
        assert_eq!(
            v["b"]["environment"],
            json!(["A=1", "B=2", "EXTRA=x", "FLAG"])
        );
        assert_eq!(v["b"]["volumes"], json!(["d:/data"]));
    }

    #[test]
    fn quoted_merge_key_is_a_plain_key() {
        assert_eq!(one("a:\n  '<<': 1\n"), json!({"a": {"<<": 1}}));
    }

    #[test]
    fn duplicate_keys_are_errors_with_a_path() {
        let e = err("services:\n  web:\n    image: a\n    image: b\n");
        assert!(
            e.starts_with("services.web.image: duplicate key \"image\""),
            "{e}"
        );
        assert!(e.contains("line 4"), "{e}");
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let e = err("services:\n  web:\n    image: [a\n  db: {}\n");
        assert!(e.starts_with("services.web.image[0]: "), "{e}");
        assert!(e.ends_with("(t.yaml: line 4, column 5)"), "{e}");
        let e = err("a: b: c\n");
        assert_eq!(
            e,
            "t.yaml: line 1, column 5: mapping values are not allowed in this context"
        );
        let e = err("a: *nope\n");
        assert!(e.contains("line 1"), "{e}");
    }

    #[test]
    fn merge_tags_are_collected_with_their_paths() {
        let docs = parse(
            "services:\n  web:\n    ports: !reset []\n    command: !override [a]\n",
            "t.yaml",
        )
        .unwrap();
        let d = &docs[0];
        assert_eq!(d.root["services"]["web"]["ports"], json!([]));
        assert_eq!(
            d.tags,
            vec![
                TaggedPath {
                    keys: vec!["services".into(), "web".into(), "ports".into()],
                    tag: MergeTag::Reset
                },
                TaggedPath {
                    keys: vec!["services".into(), "web".into(), "command".into()],
                    tag: MergeTag::Override
                },
            ]
        );
        assert!(err("a: !custom 1\n").contains("unsupported YAML tag"));
        assert!(err("a: [!reset 1]\n").contains("not on list items"));
    }

    #[test]
    fn core_tags() {
        assert_eq!(
            one("a: !!str 123\nb: !!int '7'\n"),
            json!({"a": "123", "b": 7})
        );
        assert!(err("a: !!int x\n").contains("not a valid !!int"));
    }

    #[test]
    fn multiple_documents() {
        let docs = parse("a: 1\n---\nb: 2\n", "t.yaml").unwrap();
        assert_eq!(docs.len(), 2);
    }

    #[test]
    fn limits() {
        // An alias bomb: 9 levels of 9 copies would be 387 million nodes.
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(err(&bomb).contains("alias bomb"), "{}", err(&bomb));
        // Many nodes written out are no bomb (the limit counts what aliases repeat), nor is
        // an alias repeated as often as the limit allows.
        let many = "x:\n".to_string() + &"  - {a: 1, b: [2, 3]}\n".repeat(MAX_NODES / 4);
        assert!(parse(&many, "t.yaml").is_ok());
        let repeated = format!(
            "a: &a [1, 2, 3, 4]\nb: [{}]\n",
            vec!["*a"; MAX_NODES / 5].join(", ")
        );
        assert!(parse(&repeated, "t.yaml").is_ok());
        let one_more = format!(
            "a: &a [1, 2, 3, 4]\nb: [{}]\n",
            vec!["*a"; MAX_NODES / 5 + 1].join(", ")
        );
        assert!(err(&one_more).contains("alias bomb"), "{}", err(&one_more));
        let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        let e = err(&deep);
        assert!(e.contains("t.yaml: line 1"), "{e}");
        let deep_block = format!("{}x\n", "- ".repeat(10_000));
        let e = err(&deep_block);
        assert!(e.contains("line "), "{e}");
        let huge = "a: b\n".repeat(MAX_INPUT_BYTES / 5 + 1);
        assert!(err(&huge).contains("the limit is"));
    }
}
