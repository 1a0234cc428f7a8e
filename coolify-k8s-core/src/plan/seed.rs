//! Docker's first use of a volume, reproduced once per claim by an init container.
//!
//! - A new named (or anonymous) volume gets a copy of the image's content at the mount
//!   path, with its owner and mode, when the volume is empty (Docker's "copy-up"); apps
//!   depend on it (a claim over `/opt/app` that would hide the app's own code, a data
//!   folder the image's non-root user must own).
//! - The container sees a folder of the claim (`subPath` [`DATA`]), never the claim's root,
//!   which holds `lost+found` on block storage (database images refuse a non-empty data
//!   directory) and the marker that the copy was made ([`MARKER`]).
//! - A `hostPath` gets no `fsGroup` from Kubernetes: a numeric non-root user's bind
//!   folders get that group the same way (`chgrp -R`, `chmod -R g+rwX`, when the folder's
//!   group differs), as Coolify itself chowns its `/data/coolify` folders
//!   (`bootstrap/helpers/sudo.php`).
//!
//! The init container runs the service's own image as root (to read the image's files and
//! keep their owners), so it needs `/bin/sh`, `cp` and `stat` in the image; the report
//! says so.

use super::model::{Container, Mount, Security};

/// The folder of a claim that the container mounts.
pub const DATA: &str = "data";
/// The file at a claim's root that says its first use is done.
pub const MARKER: &str = ".coolify-seeded";
/// The init container's name.
pub const NAME: &str = "coolify-volumes";
/// Where the init container mounts the volumes it prepares.
const ROOT: &str = "/coolify-volumes";

/// One thing to do before the service starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Copy the image's `from` folder into the pod volume `volume`'s [`DATA`] folder, once.
    Copy {
        /// The pod volume (a claim or an `emptyDir`).
        volume: String,
        /// The mount path: the image's folder to copy.
        from: String,
    },
    /// Give a `hostPath` folder to a group (what `fsGroup` does for claims).
    Group {
        /// The pod volume (a `hostPath`).
        volume: String,
        /// The group id.
        gid: i64,
    },
    /// Create the file [`DATA`] of the claim `volume`, empty, when it does not exist, and
    /// make it executable with its owner and mode: what Coolify does on the server for a
    /// `content: ""` file storage (`touch`, which never truncates, then `chmod +x` and its
    /// `chown` / `chmod`), a file the app may write and that outlives the container
    /// (filebrowser keeps its database there). Without it, kubelet would make the missing
    /// `subPath` a folder.
    Touch {
        /// The pod volume (a claim).
        volume: String,
        /// `user[:group]` for `chown`.
        owner: Option<String>,
        /// The mode for `chmod` (octal or symbolic).
        mode: Option<String>,
    },
    /// Copy a file of a ConfigMap or Secret volume into a scratch volume (at
    /// [`owned_path`]) and give it an owner and mode there: what Coolify does on the server
    /// with `chown` / `chmod` before start, and Docker Compose when it copies a `configs` /
    /// `secrets` body into the container with its `uid` / `gid`. Kubernetes mounts such
    /// files as root's (a group through `fsGroup` at most),
    /// and a database refuses a key it cannot read or that others can.
    Own {
        /// The pod volume holding the file (a ConfigMap or Secret).
        from: String,
        /// The file's key in it.
        key: String,
        /// The scratch pod volume (an `emptyDir`) the container mounts the file from.
        to: String,
        /// `user[:group]` for `chown`.
        owner: Option<String>,
        /// The mode for `chmod` (octal or symbolic).
        mode: Option<String>,
    },
}

impl Step {
    /// The pod volumes the step works on.
    fn volumes(&self) -> Vec<&str> {
        match self {
            Step::Copy { volume, .. } | Step::Group { volume, .. } | Step::Touch { volume, .. } => {
                vec![volume]
            }
            Step::Own { from, to, .. } => vec![from, to],
        }
    }

    /// The shell lines of this step (every path single-quoted).
    fn script(&self) -> String {
        let at = quote(&format!("{ROOT}/{}", self.volumes()[0]));
        match self {
            Step::Own {
                from,
                key,
                to,
                owner,
                mode,
            } => {
                let src = quote(&format!("{ROOT}/{from}/{key}"));
                let dir = quote(&format!("{ROOT}/{to}/{from}"));
                let dst = quote(&format!("{ROOT}/{to}/{}", owned_path(from, key)));
                // Coolify writes the file, makes it executable, then applies chown and chmod.
                let mut line = format!("mkdir -p {dir} && cp {src} {dst} && chmod 0755 {dst}");
                own_line(&mut line, &dst, owner.as_deref(), mode.as_deref());
                line.push('\n');
                line
            }
            Step::Touch {
                volume,
                owner,
                mode,
            } => {
                let file = quote(&format!("{ROOT}/{volume}/{DATA}"));
                let mut line = format!("if [ ! -e {file} ]; then touch {file}; fi\nchmod +x {file}");
                own_line(&mut line, &file, owner.as_deref(), mode.as_deref());
                line.push('\n');
                line
            }
            Step::Copy { from, .. } => {
                let from = quote(from);
                format!(
                    "if [ ! -e {at}/{MARKER} ]; then\n  if [ -d {from} ] && [ ! -e {at}/{DATA} ]; then cp -a {from}/. {at}/{DATA}; fi\n  touch {at}/{MARKER}\nfi\n"
                )
            }
            Step::Group { gid, .. } => format!(
                "if [ \"$(stat -c %g {at})\" != {gid} ]; then chgrp -R {gid} {at} && chmod -R g+rwX {at}; fi\n"
            ),
        }
    }
}

/// Appends ` && chown OWNER FILE` and ` && chmod MODE FILE` to a step's line (`file`
/// already quoted), as Coolify applies a file storage's `chown` and `chmod`.
fn own_line(line: &mut String, file: &str, owner: Option<&str>, mode: Option<&str>) {
    if let Some(o) = owner {
        line.push_str(&format!(" && chown {} {file}", quote(o)));
    }
    if let Some(m) = mode {
        line.push_str(&format!(" && chmod {} {file}", quote(m)));
    }
}

/// Where [`Step::Own`] puts the file `key` of the volume `from` in its scratch volume: a
/// folder per source volume, as keys are unique only within their ConfigMap or Secret.
pub fn owned_path(from: &str, key: &str) -> String {
    format!("{from}/{key}")
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The init container that does `steps` for `main` (from its image), if any.
pub fn init_container(main: &Container, steps: &[Step]) -> Option<Container> {
    if steps.is_empty() {
        return None;
    }
    let mut script = String::from("set -e\n");
    let mut mounts: Vec<Mount> = Vec::new();
    for s in steps {
        script.push_str(&s.script());
        for volume in s.volumes() {
            if !mounts.iter().any(|m| m.volume == volume) {
                mounts.push(Mount {
                    volume: volume.to_string(),
                    path: format!("{ROOT}/{volume}"),
                    sub_path: None,
                    read_only: false,
                });
            }
        }
    }
    Some(Container {
        name: NAME.to_string(),
        image: main.image.clone(),
        pull_policy: main.pull_policy.clone(),
        // `$(` in the script is the shell's, not a kubelet variable reference.
        command: Some(vec![
            "/bin/sh".into(),
            "-c".into(),
            super::env::escape_dollar_paren(&script),
        ]),
        mounts,
        security: Security {
            run_as_user: Some(0),
            run_as_group: Some(0),
            ..Default::default()
        },
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_once_and_groups_host_folders() {
        let main = Container {
            name: "app".into(),
            image: "ghcr.io/acme/app:1".into(),
            ..Default::default()
        };
        assert_eq!(init_container(&main, &[]), None);
        let c = init_container(
            &main,
            &[
                Step::Copy {
                    volume: "app-data".into(),
                    from: "/opt/app's".into(),
                },
                Step::Group {
                    volume: "host-data".into(),
                    gid: 1000,
                },
            ],
        )
        .unwrap();
        assert_eq!(c.image, "ghcr.io/acme/app:1");
        assert_eq!(c.security.run_as_user, Some(0));
        let script = &c.command.as_ref().unwrap()[2];
        assert!(script.contains(
            "if [ ! -e '/coolify-volumes/app-data'/.coolify-seeded ]; then\n  if [ -d '/opt/app'\\''s' ] && [ ! -e '/coolify-volumes/app-data'/data ]; then cp -a '/opt/app'\\''s'/. '/coolify-volumes/app-data'/data; fi\n  touch '/coolify-volumes/app-data'/.coolify-seeded\nfi\n"
        ), "{script}");
        assert!(
            script.contains("chgrp -R 1000 '/coolify-volumes/host-data'"),
            "{script}"
        );
        let paths: Vec<(&str, &str, Option<&str>)> = c
            .mounts
            .iter()
            .map(|m| (m.volume.as_str(), m.path.as_str(), m.sub_path.as_deref()))
            .collect();
        assert_eq!(
            paths,
            vec![
                ("app-data", "/coolify-volumes/app-data", None),
                ("host-data", "/coolify-volumes/host-data", None)
            ]
        );
    }

    #[test]
    fn touches_an_empty_file_once_and_keeps_it() {
        let main = Container {
            image: "filebrowser/filebrowser".into(),
            ..Default::default()
        };
        let c = init_container(
            &main,
            &[Step::Touch {
                volume: "bind-database-db".into(),
                owner: Some("1000:1000".into()),
                mode: None,
            }],
        )
        .unwrap();
        let script = &c.command.as_ref().unwrap()[2];
        let file = "'/coolify-volumes/bind-database-db/data'";
        assert_eq!(
            script,
            &format!(
                "set -e\nif [ ! -e {file} ]; then touch {file}; fi\nchmod +x {file} && chown '1000:1000' {file}\n"
            )
        );
        assert_eq!(c.mounts[0].path, "/coolify-volumes/bind-database-db");
    }
}
