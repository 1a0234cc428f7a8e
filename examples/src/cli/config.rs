//! `coolify-k8s config`: the loaded, interpolated, merged Compose model as YAML in canonical
//! (long) form, like `docker compose config`.
//!
//! Variables come from `--env-file` files (or, when none is given, a `.env` beside the
//! first file, as Compose does) and `--env` (which wins); the process environment is not
//! read, so the output depends only on the arguments and files. Deferred values (Coolify's
//! magic variables, secrets) print as `${NAME}`, never as values. Warnings go to stderr.

use coolify_k8s_core::compose::dotenv;
use coolify_k8s_core::compose::interpolate::Variable;
use coolify_k8s_core::compose::magic::deferred;
use coolify_k8s_core::compose::yaml::MAX_INPUT_BYTES;
use coolify_k8s_core::compose::{load, LoadOptions, Resolver, SourceFile};
use coolify_k8s_core::{Error, Errors, InputPath};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Arguments of `config`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A dotenv file with values for `${VAR}` (repeatable; later files win). Without it, a
    /// `.env` beside the first Compose file is read when present.
    #[arg(long = "env-file", value_name = "FILE")]
    env_files: Vec<PathBuf>,
    /// One variable (repeatable; wins over --env-file).
    #[arg(long = "env", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    env: Vec<(String, String)>,
    /// An active profile (repeatable; `*` activates all).
    #[arg(long = "profile", value_name = "PROFILE")]
    profiles: Vec<String>,
    /// Compose files; later ones merge over earlier ones.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected KEY=VALUE, got {s:?}")),
    }
}

/// Run `config`.
pub fn run(args: Args) -> i32 {
    match config(&args) {
        Ok(yaml) => {
            print!("{yaml}");
            0
        }
        Err(errors) => super::fail(&errors),
    }
}

fn config(args: &Args) -> Result<String, Errors> {
    let mut files = Vec::new();
    for path in &args.files {
        let name = path.to_string_lossy().into_owned();
        let text = read_limited(path).map_err(|m| Error::new(InputPath::root(), m))?;
        files.push(SourceFile { name, text });
    }
    let options = options(args)?;
    let loaded = load(&files, &options, &DiskFiles)?;
    for entry in loaded.report.entries() {
        eprintln!("{entry}");
    }
    let mut tree = serde_json::to_value(&loaded.project).map_err(|e| {
        Error::new(
            InputPath::root(),
            format!("cannot serialize the model: {e}"),
        )
    })?;
    show_deferred(&mut tree);
    hide_secret_files(&mut tree);
    serde_saphyr::to_string(&tree)
        .map_err(|e| Error::new(InputPath::root(), format!("cannot write YAML: {e}")).into())
}

/// Secret bodies read from `file:` stay out of the printed model (as `docker compose config`
/// prints the path only): secret values appear nowhere but in Secret objects.
fn hide_secret_files(tree: &mut Value) {
    if let Some(Value::Object(secrets)) = tree.get_mut("secrets") {
        for def in secrets.values_mut() {
            if let Some(def) = def.as_object_mut() {
                if def.contains_key("file") {
                    def.remove("content");
                }
            }
        }
    }
}

/// The variables: env files (or the default `.env`), then `--env`.
fn options(args: &Args) -> Result<LoadOptions, Errors> {
    let mut options = LoadOptions {
        profiles: args.profiles.clone(),
        ..LoadOptions::default()
    };
    let explicit: Vec<(String, String)> = args.env.clone();
    let env_files: Vec<(PathBuf, bool)> = if args.env_files.is_empty() {
        let dir = args
            .files
            .first()
            .and_then(|f| f.parent())
            .unwrap_or(Path::new(""));
        vec![(dir.join(".env"), false)]
    } else {
        args.env_files.iter().map(|f| (f.clone(), true)).collect()
    };
    for (path, required) in env_files {
        if !required && !path.is_file() {
            continue;
        }
        let name = path.to_string_lossy().into_owned();
        let text = read_limited(&path).map_err(|m| Error::new(InputPath::root(), m))?;
        let lookup = |n: &str| {
            explicit
                .iter()
                .rev()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
                .or_else(|| options.variables.get(n).cloned())
                .map(|v| Variable {
                    empty: v.is_empty(),
                    value: v,
                })
        };
        let pairs = dotenv::parse(&text, &lookup)
            .map_err(|m| Error::new(InputPath::root(), format!("{name}: {m}")))?;
        for (k, v) in pairs {
            if let Some(v) = v {
                options.variables.insert(k, v);
            }
        }
    }
    for (k, v) in explicit {
        options.variables.insert(k, v);
    }
    Ok(options)
}

/// Read a file, refusing one over the loader's size limit before reading it.
fn read_limited(path: &Path) -> Result<String, String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if meta.len() > MAX_INPUT_BYTES as u64 {
        return Err(format!(
            "{shown}: the file is {} bytes; the limit is {MAX_INPUT_BYTES} bytes (10 MiB)",
            meta.len()
        ));
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))
}

/// Reads files relative to the folder of the file that names them.
struct DiskFiles;

impl Resolver for DiskFiles {
    fn read(&self, from: Option<&str>, path: &str) -> Result<(String, String), String> {
        let base = from
            .and_then(|f| Path::new(f).parent())
            .unwrap_or(Path::new(""));
        let joined = base.join(path);
        // Canonical names make include / extends cycles visible.
        let name = std::fs::canonicalize(&joined)
            .unwrap_or_else(|_| joined.clone())
            .to_string_lossy()
            .into_owned();
        let text = read_limited(&joined).map_err(|m| {
            if m.starts_with("cannot read") {
                format!(
                    "cannot read {path:?}: {}",
                    m.rsplit(": ").next().unwrap_or("")
                )
            } else {
                m
            }
        })?;
        Ok((name, text))
    }
}

/// Show deferred references as `${NAME}`, in keys and values.
fn show_deferred(v: &mut Value) {
    match v {
        Value::String(s) if deferred::has_references(s) => *s = deferred::display(s),
        Value::Array(items) => items.iter_mut().for_each(show_deferred),
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (k, mut val) in entries {
                show_deferred(&mut val);
                map.insert(deferred::display(&k), val);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deferred_references_show_as_variables() {
        let mut v = serde_json::json!({"a": ["x\u{0}SERVICE_PASSWORD_DB\u{0}y"]});
        show_deferred(&mut v);
        assert_eq!(v, serde_json::json!({"a": ["x${SERVICE_PASSWORD_DB}y"]}));
    }

    /// A fresh folder under the system's temporary directory.
    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("coolify-k8s-config-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn args(files: Vec<PathBuf>, env_files: Vec<PathBuf>, env: Vec<(&str, &str)>) -> Args {
        Args {
            env_files,
            env: env.into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
            profiles: Vec::new(),
            files,
        }
    }

    #[test]
    fn reads_the_env_beside_the_first_file_and_env_wins() {
        let dir = scratch("dotenv");
        let compose = dir.join("compose.yaml");
        std::fs::write(
            &compose,
            "services:\n  web:\n    image: \"nginx:${TAG}\"\n    environment:\n      DB: \"${SERVICE_PASSWORD_DB}\"\n      MODE: ${MODE}\n    env_file: [app.env]\n",
        )
        .unwrap();
        std::fs::write(dir.join(".env"), "TAG=1.25\nMODE=dotenv\n").unwrap();
        std::fs::write(dir.join("app.env"), "FROM_FILE=yes\n").unwrap();
        let out = config(&args(vec![compose.clone()], vec![], vec![("MODE", "flag")])).unwrap();
        assert!(out.contains("image: nginx:1.25"), "{out}");
        assert!(out.contains("MODE: flag"), "{out}");
        assert!(out.contains("DB: ${SERVICE_PASSWORD_DB}"), "{out}");
        assert!(out.contains("FROM_FILE: \"yes\""), "{out}");
        // An explicit --env-file replaces the default .env.
        let other = dir.join("other.env");
        std::fs::write(&other, "TAG=2\n").unwrap();
        let out = config(&args(vec![compose], vec![other], vec![])).unwrap();
        assert!(out.contains("image: nginx:2"), "{out}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn errors_name_the_input_path() {
        let dir = scratch("errors");
        let compose = dir.join("compose.yaml");
        std::fs::write(
            &compose,
            "services:\n  web:\n    image: nginx\n    ports: [\"80800:80\"]\n",
        )
        .unwrap();
        let e = config(&args(vec![compose], vec![], vec![])).unwrap_err();
        assert!(e.to_string().starts_with("services.web.ports[0]"), "{e}");
        let e = config(&args(vec![dir.join("missing.yaml")], vec![], vec![])).unwrap_err();
        assert!(e.to_string().starts_with("cannot read"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn key_value_arguments() {
        assert_eq!(
            parse_key_value("A=b=c").unwrap(),
            ("A".into(), "b=c".into())
        );
        assert!(parse_key_value("novalue").is_err());
        assert!(parse_key_value("=x").is_err());
    }
}
