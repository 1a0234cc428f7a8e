//! The `$resource` argument of every `Kubectl` method: a `Manifests` object, or the text
//! Coolify stored after a deployment (`Manifests::handle()`, `toJson()`, or
//! `toJson(false)`: without Secret data).

use crate::convert::text_argument;
use crate::manifests::PhpManifests;
use coolify_k8s_core::kubectl::{Resource, ResourceSource, Stored};
use coolify_k8s_core::{Error, Errors, InputPath, Manifests};
use ext_php_rs::convert::FromZval;
use ext_php_rs::types::{ZendClassObject, Zval};

/// A resource argument, read.
pub enum ResourceArg<'a> {
    /// A `Manifests` object.
    Manifests(&'a Manifests),
    /// Stored text: a handle or manifests' JSON.
    Stored(Stored),
}

impl ResourceSource for ResourceArg<'_> {
    fn resource(&self, namespace: Option<&str>) -> Result<Resource, Errors> {
        match self {
            Self::Manifests(m) => m.resource(namespace),
            Self::Stored(s) => s.resource(namespace),
        }
    }
}

/// Read `z`: a `Manifests` object or stored text; errors name `resource` (and the key in
/// the stored text: `resource.workloads[0].kind`).
pub fn resource_arg(z: &Zval) -> Result<ResourceArg<'_>, Errors> {
    let z = z.dereference();
    if let Some(obj) = <&ZendClassObject<PhpManifests>>::from_zval(z) {
        return Ok(ResourceArg::Manifests(&obj.inner));
    }
    if !z.is_string() {
        return Err(Error::new(
            InputPath::root().key("resource"),
            format!(
                "must be a Coolify\\Kubernetes\\Manifests or the text of Manifests::handle() or \
                 toJson(), not {:?}",
                z.get_type()
            ),
        )
        .into());
    }
    let text = text_argument(z, "resource")?;
    Stored::from_json(&text)
        .map(ResourceArg::Stored)
        .map_err(|e| {
            let errors = e.into_vec().into_iter().map(|e| {
                let path = if e.path.is_root() {
                    InputPath::root().key("resource")
                } else {
                    InputPath::parse(&format!("resource.{}", e.path))
                };
                Error::new(path, e.message)
            });
            Errors::from_vec(errors.collect()).unwrap_or_else(|| {
                Error::new(InputPath::root().key("resource"), "is not valid").into()
            })
        })
}
