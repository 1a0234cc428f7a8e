//! A service's `volumes` entries, normalized to the long syntax, with Coolify's
//! `content` and `is_directory` extensions.

use serde::Serialize;

/// The kind of a service mount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MountType {
    /// A named volume (`data:/var/lib/x`), declared at top level or not.
    Volume,
    /// A host path (`./conf:/etc/x`, `/var/run/docker.sock:/var/run/docker.sock`).
    Bind,
    /// A tmpfs.
    Tmpfs,
    /// A named pipe (Windows).
    Npipe,
    /// A cluster volume (Swarm).
    Cluster,
    /// An image mounted as a volume.
    Image,
}

/// One entry of a service's `volumes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceVolume {
    /// `type`.
    #[serde(rename = "type")]
    pub kind: MountType,
    /// `source`: the volume name, host path, or image; none for an anonymous volume
    /// or a tmpfs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `target`: the path in the container.
    pub target: String,
    /// `read_only`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
    /// `consistency`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consistency: Option<String>,
    /// `bind` options (`propagation`, `create_host_path`, `selinux`), as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<serde_json::Value>,
    /// `volume` options (`nocopy`, `subpath`), as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume: Option<serde_json::Value>,
    /// `tmpfs` options (`size`, `mode`), as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tmpfs: Option<serde_json::Value>,
    /// `image` options (`subpath`), as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<serde_json::Value>,
    /// Coolify: `content`, the body of a file that Coolify writes before start.
    /// May contain magic-variable references (see [`crate::compose::magic`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Coolify: `is_directory` / `isDirectory`, a bind mount of a directory Coolify creates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_directory: Option<bool>,
    /// Coolify: the owner (`user[:group]`, resolved in the image) that Coolify gives a
    /// `content` file before start: a file storage's `chown`, or a database action's
    /// `chown` of its TLS files. Not a Compose key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Coolify: a file storage's `chmod` (octal such as `600`, or symbolic such as `u+x`),
    /// applied after Coolify's `chmod +x`. Not a Compose key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

impl ServiceVolume {
    /// A mount of `kind` from `source` at `target`, with no options.
    pub fn new(kind: MountType, source: Option<String>, target: impl Into<String>) -> Self {
        Self {
            kind,
            source,
            target: target.into(),
            read_only: false,
            consistency: None,
            bind: None,
            volume: None,
            tmpfs: None,
            image: None,
            content: None,
            is_directory: None,
            owner: None,
            mode: None,
        }
    }
}
