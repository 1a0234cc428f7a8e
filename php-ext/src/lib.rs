//! The PHP extension `coolify_k8s`: a thin shell over `coolify-k8s-core`
//! (conversions and error mapping only).

use ext_php_rs::prelude::*;

/// The extension's version, for `phpversion('coolify_k8s')` checks.
#[php_function]
pub fn coolify_k8s_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    module.function(wrap_function!(coolify_k8s_version))
}
