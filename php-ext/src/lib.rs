//! The PHP extension `coolify_k8s`: a thin shell over `coolify-k8s-core` exposing
//! `Coolify\Kubernetes\{Translator, Manifests, Kubectl, KubernetesException,
//! TranslationException}`.
//! Only conversions (PHP arrays ⇄ JSON values) and error mapping live here; every
//! method runs inside a guard that turns errors and Rust panics into a
//! `TranslationException`, so PHP never goes down with the extension.

mod convert;
mod error;
mod kubectl;
mod manifests;
mod resource_arg;
mod translator;

use ext_php_rs::prelude::*;

// The extension's own (Rust) allocations: a translation is many small objects, and
// mimalloc's are cheaper than the C library's, musl's in Coolify's Alpine image above all
// (workspace Cargo.toml, README "Performance"). PHP's values stay with PHP's allocator:
// ext-php-rs copies strings and arrays into them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The extension's version, for `phpversion('coolify_k8s')` checks.
#[php_function]
#[php(name = "coolify_k8s_version")]
pub fn coolify_k8s_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Self-test of the panic guard: panics inside it, so PHP sees a TranslationException.
/// Used by the PHPUnit suite; does nothing else.
#[php_function]
#[php(name = "coolify_k8s_selftest_panic")]
pub fn coolify_k8s_selftest_panic() -> PhpResult<()> {
    error::guard(|| -> Result<(), coolify_k8s_core::Errors> {
        let v: Vec<u8> = Vec::new();
        // An out-of-bounds index, the kind of bug the guard is for.
        let i = v.len() + std::hint::black_box(1);
        let _ = v[i];
        Ok(())
    })
}

#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    module
        .class::<error::KubernetesException>()
        .class::<error::TranslationException>()
        .class::<manifests::PhpManifests>()
        .class::<translator::PhpTranslator>()
        .class::<kubectl::PhpKubectl>()
        .function(wrap_function!(coolify_k8s_version))
        .function(wrap_function!(coolify_k8s_selftest_panic))
}
