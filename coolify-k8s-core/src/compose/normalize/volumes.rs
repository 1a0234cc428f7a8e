//! A service's `volumes`: the short syntax (`name:/path:ro`, `./x:/y`, `/abs:/y:rw,z`,
//! `~/x:/y`, anonymous `/data`) becomes the long one, as compose-go's `ParseVolume`
//! reads it; the long syntax is checked, with Coolify's `content` and
//! `isDirectory` / `is_directory` (spelled `is_directory` in the canonical form).

use super::shape::{Object, Shape};
use super::value::{self, Diagnostics};
use crate::compose::volume::{MountType, ServiceVolume};
use crate::path::InputPath;
use serde_json::{json, Map, Value};

const LONG_KEYS: &[&str] = &[
    "type",
    "source",
    "target",
    "read_only",
    "consistency",
    "bind",
    "volume",
    "tmpfs",
    "image",
    "content",
    "is_directory",
    "isDirectory",
    "mode",
];

static BIND: Shape = Shape::Object(&Object {
    fields: &[
        ("propagation", Shape::Str),
        ("create_host_path", Shape::Bool),
        (
            "recursive",
            Shape::StrEnum(&["enabled", "disabled", "writable", "readonly"]),
        ),
        ("selinux", Shape::StrEnum(&["z", "Z"])),
    ],
    required: &[],
});
static VOLUME: Shape = Shape::Object(&Object {
    fields: &[
        ("labels", Shape::ListOrDict),
        ("nocopy", Shape::Bool),
        ("subpath", Shape::Str),
    ],
    required: &[],
});
static TMPFS: Shape = Shape::Object(&Object {
    fields: &[
        ("size", Shape::OneOf(&[Shape::StrictInt, Shape::Str])),
        ("mode", Shape::Num),
    ],
    required: &[],
});
static IMAGE: Shape = Shape::Object(&Object {
    fields: &[("subpath", Shape::Str)],
    required: &[],
});

const PROPAGATIONS: &[&str] = &[
    "shared", "rshared", "slave", "rslave", "private", "rprivate",
];
const CONSISTENCIES: &[&str] = &["consistent", "cached", "delegated"];

/// Rewrite a service's `volumes` into long-form mappings.
pub(crate) fn canonicalize_volumes(v: &mut Value, path: &InputPath, d: &mut Diagnostics) {
    // The schema's `uniqueItems` applies to the entries as written; two different short
    // and long entries may well be equal once rewritten.
    if let (Value::Array(items), false) = (&*v, d.canonical_input) {
        value::unique(items, path, d);
    }
    rewrite_volumes(v, path, d);
}

/// The rewrite alone, without the uniqueness check of the input entries.
fn rewrite_volumes(v: &mut Value, path: &InputPath, d: &mut Diagnostics) {
    let Value::Array(items) = v else {
        d.error(path, value::expected("a sequence", v));
        return;
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let p = path.index(i);
        let long = match item {
            Value::String(s) => parse_short(s, &p, d),
            Value::Object(m) => canonical_long(m, &p, d),
            other => {
                d.error(&p, value::expected("a volume (string or mapping)", other));
                None
            }
        };
        if let Some(long) = long {
            out.push(Value::Object(long));
        }
    }
    *v = Value::Array(out);
}

/// Split the short syntax at colons, keeping a Windows drive letter (`C:\x`) whole.
fn split_colons(s: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    for piece in s.split(':') {
        let drive = parts.last().is_some_and(|last: &String| {
            last.len() == 1 && last.bytes().all(|b| b.is_ascii_alphabetic())
        }) && (piece.starts_with('\\') || piece.starts_with('/'));
        match parts.last_mut() {
            Some(last) if drive => {
                last.push(':');
                last.push_str(piece);
            }
            _ => parts.push(piece.to_string()),
        }
    }
    parts
}

/// compose-go's test for a host path: anything that does not look like a volume name.
fn is_host_path(source: &str) -> bool {
    source.starts_with('.')
        || source.starts_with('/')
        || source.starts_with('~')
        || source.starts_with('\\')
        || (source.len() >= 2
            && source.as_bytes()[0].is_ascii_alphabetic()
            && source.as_bytes()[1] == b':')
}

/// `[SOURCE:]TARGET[:MODE]` into the long syntax.
pub(crate) fn parse_short(
    s: &str,
    path: &InputPath,
    d: &mut Diagnostics,
) -> Option<Map<String, Value>> {
    let parts = split_colons(s);
    if parts.iter().any(String::is_empty) {
        d.error(
            path,
            format!("invalid volume {s:?}: empty section between colons (is a variable unset?)"),
        );
        return None;
    }
    let mut m = Map::new();
    let (source, target, mode) = match parts.as_slice() {
        [t] => (None, t, None),
        [src, t] => (Some(src), t, None),
        [src, t, mode] => (Some(src), t, Some(mode)),
        _ => {
            d.error(path, format!("invalid volume {s:?}: too many colons"));
            return None;
        }
    };
    let kind = match source {
        Some(src) if is_host_path(src) => "bind",
        _ => "volume",
    };
    m.insert("type".into(), json!(kind));
    if let Some(src) = source {
        m.insert("source".into(), json!(src));
    }
    m.insert("target".into(), json!(target));
    let mut bind = Map::new();
    let mut volume = Map::new();
    if kind == "bind" {
        // The short syntax creates a missing host path; the long one does not by default.
        bind.insert("create_host_path".into(), json!(true));
    }
    for option in mode
        .map(|m| m.split(',').collect::<Vec<_>>())
        .unwrap_or_default()
    {
        match option {
            "ro" => {
                m.insert("read_only".into(), json!(true));
            }
            "rw" => {
                m.remove("read_only");
            }
            "nocopy" => {
                volume.insert("nocopy".into(), json!(true));
            }
            "z" | "Z" => {
                bind.insert("selinux".into(), json!(option));
            }
            o if PROPAGATIONS.contains(&o) => {
                bind.insert("propagation".into(), json!(o));
            }
            o if CONSISTENCIES.contains(&o) => {
                m.insert("consistency".into(), json!(o));
            }
            // Docker Compose ignores other options silently; an error is the honest choice
            // here, since canonicalizing leaves nowhere to report them.
            o => {
                d.error(path, format!("invalid volume {s:?}: unknown option {o:?}"));
                return None;
            }
        }
    }
    if !bind.is_empty() {
        m.insert("bind".into(), Value::Object(bind));
    }
    if !volume.is_empty() {
        m.insert("volume".into(), Value::Object(volume));
    }
    Some(m)
}

fn canonical_long(
    m: &Map<String, Value>,
    path: &InputPath,
    d: &mut Diagnostics,
) -> Option<Map<String, Value>> {
    let errors_before = d.errors.len();
    let mut out = Map::new();
    for (k, v) in m {
        let p = path.key(k);
        match k.as_str() {
            "type" => {
                Shape::StrEnum(&["bind", "volume", "tmpfs", "cluster", "npipe", "image"])
                    .check(v, &p, d);
                out.insert(k.clone(), v.clone());
            }
            // Coolify's templates give a file mode on some bind mounts (docker-registry);
            // Coolify accepts it. Kept in the tree; the typed pass reports it.
            "mode" => {
                Shape::Num.check(v, &p, d);
                out.insert(k.clone(), v.clone());
            }
            "source" | "target" | "consistency" | "content" => {
                value::string(v, &p, d);
                out.insert(k.clone(), v.clone());
            }
            "read_only" => {
                if let Some(b) = value::boolean(v, &p, d) {
                    out.insert(k.clone(), json!(b));
                }
            }
            "is_directory" | "isDirectory" => {
                if m.contains_key("is_directory")
                    && m.contains_key("isDirectory")
                    && k == "isDirectory"
                {
                    d.error(&p, "both isDirectory and is_directory are given; keep one");
                }
                if let Some(b) = value::boolean(v, &p, d) {
                    out.insert("is_directory".into(), json!(b));
                }
            }
            "bind" => {
                BIND.check(v, &p, d);
                out.insert(k.clone(), v.clone());
            }
            "volume" => {
                VOLUME.check(v, &p, d);
                out.insert(k.clone(), v.clone());
            }
            "tmpfs" => {
                TMPFS.check(v, &p, d);
                out.insert(k.clone(), v.clone());
            }
            "image" => {
                IMAGE.check(v, &p, d);
                out.insert(k.clone(), v.clone());
            }
            _ if value::is_extension(k) => {
                out.insert(k.clone(), v.clone());
            }
            _ => d.error(&p, value::unknown_key_message(k, LONG_KEYS)),
        }
    }
    if !m.contains_key("type") {
        d.error(path, "missing required key \"type\"");
    }
    if !m.contains_key("target") {
        d.error(path, "missing required key \"target\"");
    }
    (d.errors.len() == errors_before).then_some(out)
}

/// The typed `volumes` of a service.
pub(crate) fn volumes(v: &Value, path: &InputPath, d: &mut Diagnostics) -> Vec<ServiceVolume> {
    let mut canonical = v.clone();
    rewrite_volumes(&mut canonical, path, d);
    let Value::Array(items) = canonical else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(m) = item.as_object() else { continue };
        let p = path.index(i);
        for k in m.keys().filter(|k| value::is_extension(k)) {
            d.dropped(&p.key(k), "extension key: not used by the translation");
        }
        if m.contains_key("mode") {
            d.dropped(
                &p.key("mode"),
                "not a Compose volume key (Coolify accepts and ignores it); Coolify makes its content files executable (0755), and so does the translation",
            );
        }
        let text = |key: &str| m.get(key).and_then(Value::as_str).map(str::to_string);
        let kind = match m.get("type").and_then(Value::as_str) {
            Some("bind") => MountType::Bind,
            Some("volume") => MountType::Volume,
            Some("tmpfs") => MountType::Tmpfs,
            Some("npipe") => MountType::Npipe,
            Some("cluster") => MountType::Cluster,
            Some("image") => MountType::Image,
            _ => continue,
        };
        let Some(target) = text("target") else {
            continue;
        };
        let mut source = text("source");
        // `memos/:/var/opt/memos` (Coolify's memos template): a volume name cannot hold a
        // slash; the name is the part before it.
        if let (MountType::Volume, Some(name)) = (kind, source.as_mut()) {
            if name.ends_with('/') && name.trim_end_matches('/').bytes().all(|b| b != b'/') {
                *name = name.trim_end_matches('/').to_string();
                d.approximated(
                    &p.key("source"),
                    format!("volume name {name:?}: the trailing slash is dropped"),
                );
            }
        }
        out.push(ServiceVolume {
            kind,
            source,
            target,
            read_only: m.get("read_only").and_then(Value::as_bool).unwrap_or(false),
            consistency: text("consistency"),
            bind: m.get("bind").cloned(),
            volume: m.get("volume").cloned(),
            tmpfs: m.get("tmpfs").cloned(),
            image: m.get("image").cloned(),
            content: text("content"),
            is_directory: m.get("is_directory").and_then(Value::as_bool),
            owner: None,
            mode: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short(s: &str) -> Value {
        let mut d = Diagnostics::default();
        let v = parse_short(s, &InputPath::root().key("volumes").index(0), &mut d);
        assert!(d.errors.is_empty(), "{s}: {:?}", d.errors);
        Value::Object(v.unwrap())
    }

    #[test]
    fn short_forms() {
        assert_eq!(
            short("data:/var/lib/x:ro"),
            json!({"type": "volume", "source": "data", "target": "/var/lib/x", "read_only": true})
        );
        assert_eq!(
            short("./conf:/etc/x"),
            json!({"type": "bind", "source": "./conf", "target": "/etc/x", "bind": {"create_host_path": true}})
        );
        assert_eq!(
            short("/abs:/y:rw,z"),
            json!({"type": "bind", "source": "/abs", "target": "/y", "bind": {"create_host_path": true, "selinux": "z"}})
        );
        assert_eq!(short("~/x:/y")["type"], "bind");
        assert_eq!(short("/data"), json!({"type": "volume", "target": "/data"}));
        assert_eq!(short("C:\\data:/data")["source"], json!("C:\\data"));
        // As in compose-go, one letter before a colon is a Windows drive.
        assert_eq!(short("c:/x")["target"], json!("c:/x"));
        assert_eq!(
            short("vol:/d:nocopy,cached"),
            json!({"type": "volume", "source": "vol", "target": "/d", "consistency": "cached", "volume": {"nocopy": true}})
        );
    }

    #[test]
    fn trailing_slash_of_a_volume_name() {
        let mut d = Diagnostics::default();
        let v = volumes(
            &json!(["memos/:/var/opt/memos"]),
            &InputPath::root().key("volumes"),
            &mut d,
        );
        assert_eq!(v[0].source.as_deref(), Some("memos"));
        assert_eq!(d.report.entries().len(), 1);
    }

    #[test]
    fn short_errors() {
        let mut d = Diagnostics::default();
        let p = InputPath::root().key("v");
        assert!(parse_short("a:b:c:d", &p, &mut d).is_none());
        assert!(parse_short(":/x", &p, &mut d).is_none());
        let msgs: Vec<_> = d.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            vec![
                "v: invalid volume \"a:b:c:d\": too many colons",
                "v: invalid volume \":/x\": empty section between colons (is a variable unset?)"
            ]
        );
    }

    #[test]
    fn long_form_with_coolify_keys() {
        let mut d = Diagnostics::default();
        let mut v = json!([{"type": "bind", "source": "./a", "target": "/a", "isDirectory": "true", "content": "x"}]);
        canonicalize_volumes(&mut v, &InputPath::root().key("volumes"), &mut d);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(
            v,
            json!([{"type": "bind", "source": "./a", "target": "/a", "is_directory": true, "content": "x"}])
        );
        let mut bad = json!([{"type": "disk", "target": "/a", "size": 1}, {"source": "x"}]);
        canonicalize_volumes(&mut bad, &InputPath::root().key("volumes"), &mut d);
        let msgs: Vec<_> = d.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            vec![
                "volumes[0].type: invalid value \"disk\" (expected one of: bind, volume, tmpfs, cluster, npipe, image)",
                "volumes[0].size: unknown key \"size\"",
                "volumes[1]: missing required key \"type\"",
                "volumes[1]: missing required key \"target\"",
            ]
        );
    }
}
