//! Bad input gives a clear error naming the place, never a panic or a stack overflow.
//! Hostile inputs (alias bomb, deep nesting, a 50 MB file) are checked as limits, not timed
//! assertions; each prints how long it took (`cargo test --test bad_input -- --nocapture`).

use coolify_k8s_core::compose::{load, load_tree, LoadOptions, MemoryFiles, NoFiles, SourceFile};
use std::time::Instant;

fn file(text: &str) -> SourceFile {
    SourceFile {
        name: "compose.yaml".into(),
        text: text.into(),
    }
}

fn tree_error(text: &str) -> String {
    load_tree(&[file(text)], &LoadOptions::default(), &NoFiles)
        .unwrap_err()
        .to_string()
}

fn timed_error(what: &str, text: &str) -> String {
    // Time the load only, not the copy of the text into the input.
    let input = [file(text)];
    let start = Instant::now();
    let e = load_tree(&input, &LoadOptions::default(), &NoFiles)
        .unwrap_err()
        .to_string();
    println!(
        "{what}: {} bytes, error in {:?}: {e}",
        text.len(),
        start.elapsed()
    );
    e
}

#[test]
fn malformed_yaml_names_line_and_column() {
    let e = tree_error("services:\n  web:\n    image: nginx\n   ports: [80\n");
    assert!(e.contains("compose.yaml: line 4"), "{e}");
    // The parser points at the bracket left open.
    let e = tree_error("services:\n  web: {image: nginx\n");
    assert!(e.contains("unclosed bracket"), "{e}");
    assert!(e.contains("compose.yaml: line 2, column 8"), "{e}");
    let e = tree_error("services:\n\tweb:\n");
    assert!(e.contains("compose.yaml: line 2"), "{e}");
}

#[test]
fn duplicate_keys_are_errors() {
    let e = tree_error("services:\n  web:\n    image: a\n  web:\n    image: b\n");
    assert!(e.starts_with("services.web: duplicate key \"web\""), "{e}");
    assert!(e.contains("line 4"), "{e}");
}

#[test]
fn top_level_must_be_a_mapping() {
    assert_eq!(
        tree_error(""),
        "compose.yaml: the file is empty; a Compose file is a mapping of top-level keys"
    );
    assert_eq!(
        tree_error("- a\n- b\n"),
        "compose.yaml: the file is not a mapping; a Compose file is a mapping of top-level keys"
    );
}

#[test]
fn unsupported_tags_and_invalid_interpolation() {
    let e = tree_error("services:\n  web:\n    image: !Ref x\n");
    assert!(
        e.starts_with("services.web.image: unsupported YAML tag"),
        "{e}"
    );
    let e = tree_error("services:\n  web:\n    image: ${TAG\n");
    assert_eq!(
        e,
        "services.web.image: invalid interpolation format: unterminated \"${TAG\""
    );
}

#[test]
fn nul_characters_are_rejected() {
    let e = tree_error("services:\n  web:\n    image: \"a\\0b\"\n");
    assert!(
        e.starts_with("services.web.image: the value holds a NUL"),
        "{e}"
    );
    let mut options = LoadOptions::default();
    options.variables.insert("X".into(), "a\u{0}b".into());
    let e = load_tree(&[file("services: {}\n")], &options, &NoFiles).unwrap_err();
    assert_eq!(e.to_string(), "variable \"X\" holds a NUL character");
}

#[test]
fn extends_cycles_name_the_chain() {
    let e = tree_error(
        "services:\n  a:\n    extends: b\n    image: x\n  b:\n    extends: {service: c}\n  c:\n    extends: a\n",
    );
    assert!(
        e.contains("services.a.extends: extends cycle: a -> b -> c -> a"),
        "{e}"
    );
    let main = "services:\n  web:\n    extends: {file: other.yaml, service: base}\n";
    let files = MemoryFiles::new([
        (
            "other.yaml",
            "services:\n  base:\n    extends: {file: compose.yaml, service: web}\n",
        ),
        ("compose.yaml", main),
    ]);
    let e = load_tree(&[file(main)], &LoadOptions::default(), &files)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("extends cycle: web -> other.yaml:base -> web"),
        "{e}"
    );
    let e = tree_error("services:\n  a:\n    extends: nothere\n");
    assert!(e.contains("no service \"nothere\""), "{e}");
}

#[test]
fn include_cycles_name_the_chain() {
    let files = MemoryFiles::new([
        ("a.yaml", "include: [b.yaml]\nservices: {}\n"),
        ("b.yaml", "include: [a.yaml]\nservices: {}\n"),
    ]);
    let e = load_tree(
        &[file("include: [a.yaml]\n")],
        &LoadOptions::default(),
        &files,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("include cycle: compose.yaml -> a.yaml -> b.yaml -> a.yaml"),
        "{e}"
    );
}

#[test]
fn files_the_resolver_refuses_are_errors_at_the_reference() {
    let e = tree_error("include: [other.yaml]\n");
    assert!(
        e.starts_with("include[0]: cannot read \"other.yaml\""),
        "{e}"
    );
    let e = tree_error("services:\n  web:\n    env_file: app.env\n");
    assert!(
        e.starts_with("services.web.env_file[0]: cannot read \"app.env\""),
        "{e}"
    );
}

#[test]
fn alias_bomb_is_a_limit_error() {
    // "Billion laughs": 10 levels of 10 aliases is 10^10 nodes from under 1 KB.
    let mut text = String::from("x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = i - 1;
        let refs = vec![format!("*a{p}"); 10].join(", ");
        text.push_str(&format!("x-a{i}: &a{i} [{refs}]\n"));
    }
    text.push_str("services: {}\n");
    assert!(text.len() < 1024);
    let e = timed_error("alias bomb", &text);
    assert!(e.contains("alias bomb"), "{e}");
    assert!(e.contains("line "), "{e}");
}

#[test]
fn deep_nesting_is_a_limit_error() {
    let flow = format!("x: {}1{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let e = timed_error("10,000 nested flow lists", &flow);
    assert!(e.contains("compose.yaml: line 1"), "{e}");
    let block = format!("x:\n{}1\n", "- ".repeat(10_000));
    let e = timed_error("10,000 nested block lists", &block);
    assert!(e.contains("compose.yaml: line 2"), "{e}");
    let maps: String = (0..10_000).map(|_| "{a: ").collect::<String>() + "1" + &"}".repeat(10_000);
    let e = timed_error("10,000 nested flow maps", &maps);
    assert!(e.contains("line 1"), "{e}");
}

#[test]
fn huge_file_is_a_limit_error() {
    let text = format!(
        "services: {{}}\nx-pad: \"{}\"\n",
        "a".repeat(50 * 1024 * 1024)
    );
    let e = timed_error("50 MB file", &text);

    assert!(e.contains("the limit is 10485760 bytes (10 MiB)"), "{e}");
}

#[test]
fn wrong_types_and_invalid_ports_name_the_path() {
    let e = load(
        &[file("services:\n  web:\n    image: nginx\n    ports: 80\n")],
        &LoadOptions::default(),
        &NoFiles,
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("services.web.ports"), "{e}");
    let e = load(
        &[file(
            "services:\n  web:\n    image: nginx\n    ports: [\"80800:80\"]\n",
        )],
        &LoadOptions::default(),
        &NoFiles,
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("services.web.ports[0]"), "{e}");
    assert!(e.contains("80800"), "{e}");
}
