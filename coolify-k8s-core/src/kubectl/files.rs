//! What [`Kubectl::apply`](super::Kubectl::apply) hands the runner: files to upload and
//! the lines around them.
//!
//! Object bodies (and so Secret values) must not be in a command line: Coolify stores the
//! text of every command in its activity log, shows it in the deployment log and repeats it
//! in "Command execution failed … {command}" (`app/Traits/ExecuteRemoteCommand.php`), and
//! `hidden` only hides it from users without debug logs. So the bodies go to the server as
//! files, the way Coolify already copies files there (`instant_scp` in
//! `bootstrap/helpers/remoteProcess.php`), and the lines only name them.

use serde::Serialize;

/// A file for the runner to put on the server (Coolify: write `content` to a local temporary
/// file, mode 0600, and `instant_scp` it to `path`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UploadFile {
    /// Absolute path on the server, inside [`Target::files_dir`](super::Target::files_dir).
    pub path: String,
    /// The file's content (a JSON `List` of objects; holds Secret values).
    pub content: String,
}

/// The steps of one deployment, in the order the runner takes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplySteps {
    /// Lines that create [`Target::files_dir`](super::Target::files_dir), readable only by
    /// its owner. On a non-root server Coolify's rewriting makes them
    /// `sudo mkdir -p DIR && sudo chown -R USER:USER DIR …` for a directory under
    /// `/data/coolify` or `/tmp/coolify`, so the SSH user can upload into it.
    pub prepare: Vec<String>,
    /// Files to upload after `prepare`.
    pub files: Vec<UploadFile>,
    /// The lines that apply the files and prune what the set no longer has.
    pub commands: Vec<String>,
    /// Lines that remove the files: run them whether or not `commands` succeeded.
    pub cleanup: Vec<String>,
}

impl ApplySteps {
    /// Every command line, in order (prepare, commands, cleanup): the text a runner logs.
    pub fn lines(&self) -> impl Iterator<Item = &String> {
        self.prepare
            .iter()
            .chain(&self.commands)
            .chain(&self.cleanup)
    }
}
