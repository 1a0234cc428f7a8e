//! Loading the whole visible corpus of Coolify templates, beside the floor: serde-saphyr's
//! bare parse of the same files into `serde_json::Value`.
//!
//! `cargo bench -p coolify-k8s-core --bench load`; each iteration handles every template,
//! so the time per template is the reported time divided by the count (criterion prints
//! the rate as elements per second). Skips with a message when `../shared` is absent.

use coolify_k8s_core::compose::{load, load_tree, LoadOptions, NoFiles, SourceFile};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::path::Path;

/// The templates, each with values for the variables it requires (`${VAR:?}`).
fn corpus() -> Vec<(SourceFile, LoadOptions)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/coolify-templates");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("skipped: {} is absent", dir.display());
        return Vec::new();
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            let mut options = LoadOptions::default();
            for (i, _) in text.match_indices("${") {
                let rest = &text[i + 2..];
                let len = rest
                    .bytes()
                    .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                    .count();
                if rest[len..].starts_with(":?") || rest[len..].starts_with('?') {
                    options
                        .variables
                        .insert(rest[..len].to_string(), "value".into());
                }
            }
            let name = p.file_name()?.to_string_lossy().into_owned();
            Some((SourceFile { name, text }, options))
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let files = corpus();
    if files.is_empty() {
        return;
    }
    let mut group = c.benchmark_group("coolify-templates");
    group.throughput(Throughput::Elements(files.len() as u64));
    group.sample_size(20);

    // The floor: parse only, into an untyped tree (serde-saphyr rejects Coolify's sequence
    // merge, so a file or two fail here; they are still parsed up to the failure).
    group.bench_function("serde-saphyr parse to Value", |b| {
        b.iter(|| {
            for (f, _) in &files {
                let v: Result<serde_json::Value, _> = serde_saphyr::from_str(&f.text);
                let _ = black_box(v);
            }
        })
    });
    group.bench_function("loader stages to the merged tree", |b| {
        b.iter(|| {
            for (f, o) in &files {
                let _ = black_box(load_tree(std::slice::from_ref(f), o, &NoFiles));
            }
        })
    });
    group.bench_function("load to the typed Project", |b| {
        b.iter(|| {
            for (f, o) in &files {
                let _ = black_box(load(std::slice::from_ref(f), o, &NoFiles));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
