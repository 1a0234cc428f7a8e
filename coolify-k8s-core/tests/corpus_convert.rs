//! Corpus-wide translation: every Coolify template and every loadable kompose fixture
//! translates with no flags (ARCHITECTURE.md, "Defaults for what Kubernetes cannot do like
//! Docker"), and every input key of a template is either mapped or in the report.
//!
//! With `CORPUS_OUT=DIR`, each template's manifests are written to `DIR/<name>.yaml` (the
//! validation script checks them against the Kubernetes 1.33 and 1.37 schemas).

mod convert_support;

use convert_support::{corpus, kompose_inputs, stem, templates, translate};
use coolify_k8s_core::compose::{self, LoadOptions};
use coolify_k8s_core::plan::workload::MAPPED_KEYS;

#[test]
fn every_coolify_template_translates() {
    let Some(corpus) = corpus() else { return };
    let out_dir = std::env::var_os("CORPUS_OUT").map(std::path::PathBuf::from);
    if let Some(d) = &out_dir {
        std::fs::create_dir_all(d).unwrap();
    }
    let paths = templates(&corpus);
    assert!(paths.len() >= 250, "{}", paths.len());
    if convert_support::loader_pending(&paths[0]) {
        return;
    }
    let mut failures = Vec::new();
    for p in &paths {
        match translate(p) {
            Ok(m) => {
                assert!(!m.objects().is_empty());
                if let Some(d) = &out_dir {
                    std::fs::write(d.join(format!("{}.yaml", stem(p))), m.to_yaml()).unwrap();
                }
            }
            Err(e) => failures.push(format!(
                "{}: {}",
                stem(p),
                e.to_string().replace('\n', "; ")
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} templates failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_loadable_kompose_fixture_translates() {
    let Some(corpus) = corpus() else { return };
    let out_dir = std::env::var_os("CORPUS_OUT").map(std::path::PathBuf::from);
    if convert_support::loader_pending(&templates(&corpus)[0]) {
        return;
    }
    let mut failures = Vec::new();
    let mut translated = 0;
    for p in kompose_inputs(&corpus) {
        let text = std::fs::read_to_string(&p).unwrap();
        let files = [compose::SourceFile {
            name: p.to_string_lossy().into_owned(),
            text,
        }];
        if compose::load(&files, &LoadOptions::default(), &convert_support::DirFiles).is_err() {
            continue;
        }
        let result = translate(&p);
        // An invalid input the loader accepts: `vote` depends on a service the file lacks.
        if p.ends_with("unused/v3/docker-compose-deploy.yaml") {
            let e = result.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.starts_with("services.vote.depends_on.redis: "), "{e}");
            continue;
        }
        match result {
            Ok(m) => {
                translated += 1;
                if let Some(d) = &out_dir {
                    let rel = p
                        .strip_prefix(corpus.join("kompose-fixtures"))
                        .unwrap_or(&p);
                    let name = rel.to_string_lossy().replace('/', "__");
                    std::fs::write(d.join(format!("kompose__{name}")), m.to_yaml()).unwrap();
                }
            }
            Err(e) => failures.push(format!(
                "{}: {}",
                p.display(),
                e.to_string().replace('\n', "; ")
            )),
        }
    }
    println!("{translated} kompose fixtures translated");
    assert!(
        failures.is_empty(),
        "{} fixtures failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every key of every service of every template is mapped (one of the planner's mapped
/// keys) or named in the report (approximated, dropped, or a warning). Keys read from the
/// loaded model's canonical form, so both syntaxes of a key count once.
#[test]
fn every_template_key_is_mapped_or_reported() {
    let Some(corpus) = corpus() else { return };
    let mut missing = Vec::new();
    for p in templates(&corpus) {
        let text = std::fs::read_to_string(&p).unwrap();
        let files = [compose::SourceFile {
            name: p.to_string_lossy().into_owned(),
            text,
        }];
        let Ok(loaded) = compose::load(&files, &LoadOptions::default(), &convert_support::DirFiles)
        else {
            continue;
        };
        let Ok(m) = translate(&p) else { continue };
        let reported: Vec<String> = m
            .report()
            .entries()
            .iter()
            .map(|e| e.path.to_string())
            .collect();
        let canonical = serde_json::to_value(&loaded.project).unwrap();
        for (svc, body) in canonical["services"].as_object().into_iter().flatten() {
            for key in body.as_object().into_iter().flatten().map(|(k, _)| k) {
                if MAPPED_KEYS.contains(&key.as_str()) {
                    continue;
                }
                let prefix = coolify_k8s_core::InputPath::root()
                    .key("services")
                    .key(svc.as_str())
                    .key(key.as_str())
                    .to_string();
                if !reported.iter().any(|r| {
                    r == &prefix
                        || r.starts_with(&format!("{prefix}."))
                        || r.starts_with(&format!("{prefix}["))
                }) {
                    missing.push(format!("{}: {prefix}", stem(&p)));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys neither mapped nor reported:\n{}",
        missing.join("\n")
    );
}
