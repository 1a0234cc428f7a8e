//! The YAML writer of `Manifests::to_yaml` (`src/manifests/yaml.rs`) against serde-saphyr,
//! whose output it replaced: every object of every corpus translation, under every router,
//! renders byte for byte as serde-saphyr renders it, so the faster writer changed no
//! manifest. (The writer's own tests compare 20,000 random trees with tricky strings; the
//! fuzz target `translate` compares every translation it reaches.)

mod convert_support;

use convert_support::{corpus, kompose_inputs, options, templates, translate_with};
use coolify_k8s_core::options::Router;
use coolify_k8s_core::{Manifests, Options};

/// `m` as the serde-saphyr rendering `to_yaml` used before: `---`, then each object.
fn serde_saphyr_yaml(m: &Manifests) -> String {
    let mut out = String::new();
    for object in m.objects() {
        out.push_str("---\n");
        let doc = serde_saphyr::to_string(object).expect("a JSON tree serializes");
        out.push_str(doc.strip_prefix("---\n").unwrap_or(&doc));
    }
    out
}

#[test]
fn every_corpus_translation_renders_as_serde_saphyr_renders_it() {
    let Some(corpus) = corpus() else { return };
    let mut inputs = templates(&corpus);
    inputs.extend(kompose_inputs(&corpus));
    let (mut compared, mut bytes, mut differ) = (0, 0, Vec::new());
    for router in [Router::Ingress, Router::Traefik, Router::Gateway] {
        for path in &inputs {
            let Ok(m) = translate_with(
                path,
                Options {
                    router,
                    ..options()
                },
            ) else {
                continue;
            };
            let ours = m.to_yaml();
            if ours != serde_saphyr_yaml(&m) {
                differ.push(format!("{router:?} {}", path.display()));
            }
            compared += 1;
            bytes += ours.len();
        }
    }
    println!("{compared} translations, {bytes} bytes of YAML compared");
    assert!(compared >= 3 * 250, "{compared}");
    assert!(
        differ.is_empty(),
        "{} differ:\n{}",
        differ.len(),
        differ.join("\n")
    );
}
