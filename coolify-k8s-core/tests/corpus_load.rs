//! Corpus-wide loading: every Coolify template and every valid kompose fixture input loads;
//! the invalid kompose inputs give a clear error. Reads `../shared/corpus/` and skips with a
//! message when it is absent.

use coolify_k8s_core::compose::interpolate::required_variables;
use coolify_k8s_core::compose::{load, LoadOptions, NoFiles, Resolver, SourceFile};
use std::path::{Path, PathBuf};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: {} is absent", dir.display());
        None
    }
}

/// Reads files relative to the including file, as the CLI does.
struct DirFiles;

impl Resolver for DirFiles {
    fn read(&self, from: Option<&str>, path: &str) -> Result<(String, String), String> {
        let base = from
            .and_then(|f| Path::new(f).parent())
            .unwrap_or(Path::new("."));
        let p = base.join(path);
        let text = std::fs::read_to_string(&p).map_err(|e| format!("cannot read {path:?}: {e}"))?;
        Ok((p.to_string_lossy().into_owned(), text))
    }
}

#[test]
fn every_coolify_template_loads() {
    let Some(corpus) = corpus() else { return };
    let mut names: Vec<_> = std::fs::read_dir(corpus.join("coolify-templates"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    assert_eq!(names.len(), 254);
    let mut failures = Vec::new();
    for path in &names {
        let text = std::fs::read_to_string(path).unwrap();
        let mut options = LoadOptions::default();
        // What Coolify's UI asks for: the required variables without a value of their own
        // (the others take the text after `?`, as Coolify stores it).
        for (v, value) in required_variables(&text) {
            if value.is_none() {
                options.variables.insert(v, "value".into());
            }
        }
        let file = SourceFile {
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            text,
        };
        // denoKV's volume source is a variable the user sets in Coolify's UI; unset, the
        // volume `:/data` is invalid (as on Docker).
        options
            .variables
            .insert("COOLIFY_VOLUME_APP".into(), "denokv-data".into());
        if let Err(e) = load(&[file], &options, &NoFiles) {
            failures.push(format!("{}: {e}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// kompose fixture inputs that are not valid Compose, each reviewed: all but one are files
/// in the obsolete version 1 format (services at the top level), which compose-spec.json
/// rejects; `docker-compose-full-example.yaml` attaches a service to a network it never
/// declares, which Compose rejects ("refers to undefined network"). Every other input loads.
const INVALID: &[&str] = &[
    "controller/compose-controller-label.yaml",
    "envvars-separators/compose.yaml",
    "image-pull-secret/compose-files/docker-compose-image-pull-secret.yml",
    "unused/expose-service/compose-files/docker-compose-expose-hostname-multiple-ports.yml",
    "unused/expose-service/compose-files/docker-compose-expose-hostname-tls.yml",
    "unused/expose-service/compose-files/docker-compose-expose-hostname.yml",
    "unused/expose-service/compose-files/docker-compose-expose-multiple-hostname-tls.yml",
    "unused/expose-service/compose-files/docker-compose-expose-multiple-hostname.yml",
    "unused/expose-service/compose-files/docker-compose-expose-true-multiple-ports.yml",
    "unused/expose-service/compose-files/docker-compose-expose-true.yml",
    // `vote` depends on `redis`, which is not a service (`docker compose config` refuses it).
    "unused/v3/docker-compose-deploy.yaml",
    "unused/v3/docker-compose-full-example.yaml",
    "yaml-and-yml/docker-compose.yaml",
    "yaml-and-yml/yml/docker-compose.yml",
];

#[test]
fn kompose_fixture_inputs() {
    let Some(corpus) = corpus() else { return };
    let root = corpus.join("kompose-fixtures");
    let mut inputs = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                dirs.push(p);
            } else if (name.ends_with(".yaml") || name.ends_with(".yml"))
                && !name.starts_with("output")
            {
                inputs.push(p);
            }
        }
    }
    inputs.sort();
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for p in &inputs {
        let rel = p
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let file = SourceFile {
            name: p.to_string_lossy().into_owned(),
            text: std::fs::read_to_string(p).unwrap(),
        };
        let mut options = LoadOptions::default();
        // kompose's tests run these two with the variables of their `envs` files.
        if rel.starts_with("etherpad/") || rel.starts_with("gitlab/") {
            for (k, v) in [("DB_PORT", "3306"), ("REDIS_PORT", "6379")] {
                options.variables.insert(k.into(), v.into());
            }
        }
        match load(&[file], &options, &DirFiles) {
            Ok(_) => ok.push(rel),
            Err(e) => bad.push((rel, e.to_string().replace('\n', " | "))),
        }
    }
    let invalid: Vec<&str> = bad.iter().map(|(f, _)| f.as_str()).collect();
    for (f, e) in &bad {
        println!("{f}: {e}");
        assert!(!e.is_empty() && e.contains(':'), "{f}: unclear error {e:?}");
    }
    assert_eq!(invalid, INVALID, "loaded: {ok:?}");
    assert_eq!(ok.len() + INVALID.len(), 130);
}

#[test]
fn kompose_multiple_files_merge() {
    let Some(corpus) = corpus() else { return };
    let dir = corpus.join("kompose-fixtures/multiple-files");
    let files: Vec<SourceFile> = ["first.yaml", "second.yaml"]
        .iter()
        .map(|n| SourceFile {
            name: dir.join(n).to_string_lossy().into_owned(),
            text: std::fs::read_to_string(dir.join(n)).unwrap(),
        })
        .collect();
    let loaded = load(&files, &LoadOptions::default(), &DirFiles).unwrap();
    let model = serde_json::to_value(&loaded.project).unwrap();
    // second.yaml sets bar's replicas; everything else comes from first.yaml.
    assert_eq!(model["services"]["bar"]["image"], "bar");
    assert_eq!(model["services"]["bar"]["deploy"]["replicas"], 99);
    assert_eq!(model["services"]["foo"]["deploy"]["replicas"], 3);
}
