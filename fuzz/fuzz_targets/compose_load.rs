//! The Compose loader: YAML (anchors, merge keys, tags), interpolation, dotenv, `include`,
//! `extends` and `env_file` through the in-memory resolver. Input: a Compose file, then
//! optional `#--8<-- NAME` files (see `split_files`); a file named `@env` holds the
//! caller's variables as `KEY=VALUE` lines, one named `@profiles` the active profiles (a
//! line each), and files named `@override…` are further Compose files merged over the
//! first (`compose_sources`). Property: loading is deterministic.
#![no_main]

use coolify_k8s_core::compose::{self, LoadOptions, MemoryFiles};
use coolify_k8s_fuzz::{caller_variables, compose_sources, split_files};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _unit = coolify_k8s_fuzz::watch(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (main, files) = split_files(text);
    let mut options = LoadOptions {
        variables: caller_variables(&files),
        ..LoadOptions::default()
    };
    for (_, body) in files.iter().filter(|(name, _)| name == "@profiles") {
        options.profiles.extend(body.lines().map(str::to_string));
    }
    let sources = compose_sources(main, &files);
    let resolver = MemoryFiles(files.into_iter().collect());
    let a = compose::load(&sources, &options, &resolver);
    let b = compose::load(&sources, &options, &resolver);
    match (a, b) {
        (Ok(a), Ok(b)) => {
            assert_eq!(format!("{:?}", a.project), format!("{:?}", b.project));
            assert_eq!(a.report, b.report);
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("one load failed, the other did not"),
    }
});
