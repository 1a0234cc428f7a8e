//! Translating every visible Coolify template (load + plan + build + YAML), one benchmark
//! per template; `cargo bench -p coolify-k8s-core --bench translate_corpus` prints the
//! time of each, and `-- --list` the names. Skips when `../shared/corpus` is absent.

use coolify_k8s_core::compose::{NoFiles, SourceFile};
use coolify_k8s_core::{Options, Translator};
use criterion::{criterion_group, criterion_main, Criterion};
use std::collections::BTreeMap;
use std::path::Path;

fn corpus(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/coolify-templates");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("skipped: {} is absent", dir.display());
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let translator = Translator::new(Options {
        seed: Some("bench".into()),
        ..Default::default()
    });
    let env = BTreeMap::new();
    let mut group = c.benchmark_group("translate");
    group.sample_size(10);
    for p in paths {
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let files = [SourceFile {
            name: p.to_string_lossy().into_owned(),
            text,
        }];
        if translator.compose_files(&files, &env, &NoFiles).is_err() {
            continue;
        }
        let name = p
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_string();
        group.bench_function(name, |b| {
            b.iter(|| {
                translator
                    .compose_files(&files, &env, &NoFiles)
                    .map(|m| m.to_yaml().len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, corpus);
criterion_main!(benches);
