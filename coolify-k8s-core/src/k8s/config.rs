//! Configuration and storage objects: the resource's Secret, ConfigMaps and Secrets that
//! hold files, and PersistentVolumeClaims.

use super::meta;
use crate::plan::{AccessMode, Claim, FileSet, Plan, SecretValues};
use k8s_openapi::api::core::v1::{
    ConfigMap, PersistentVolumeClaim, PersistentVolumeClaimSpec, Secret, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::ByteString;
use std::collections::BTreeMap;

fn bytes(data: &BTreeMap<String, String>) -> BTreeMap<String, ByteString> {
    data.iter()
        .map(|(k, v)| (k.clone(), ByteString(v.as_bytes().to_vec())))
        .collect()
}

/// The resource's Secret (magic and caller-marked secret values).
pub fn resource_secret(plan: &Plan, s: &SecretValues) -> Secret {
    Secret {
        metadata: meta::object_meta(
            plan,
            &s.name,
            &plan.instance,
            &BTreeMap::new(),
            &BTreeMap::new(),
        ),
        type_: Some("Opaque".into()),
        data: Some(bytes(&s.data)),
        ..Default::default()
    }
}

/// A ConfigMap holding files.
pub fn config_map(plan: &Plan, f: &FileSet) -> ConfigMap {
    let owner = f.service.as_deref().unwrap_or(&plan.instance);
    let owner = crate::plan::names::dns_label(owner, 63);
    ConfigMap {
        metadata: meta::object_meta(plan, &f.name, &owner, &BTreeMap::new(), &BTreeMap::new()),
        data: Some(f.data.clone()),
        ..Default::default()
    }
}

/// A Secret holding files.
pub fn file_secret(plan: &Plan, f: &FileSet) -> Secret {
    let owner = f.service.as_deref().unwrap_or(&plan.instance);
    let owner = crate::plan::names::dns_label(owner, 63);
    Secret {
        metadata: meta::object_meta(plan, &f.name, &owner, &BTreeMap::new(), &BTreeMap::new()),
        type_: Some("Opaque".into()),
        data: Some(bytes(&f.data)),
        ..Default::default()
    }
}

/// A PersistentVolumeClaim.
pub fn claim(plan: &Plan, c: &Claim) -> PersistentVolumeClaim {
    let owner = c.service.as_deref().unwrap_or(&plan.instance);
    let owner = crate::plan::names::dns_label(owner, 63);
    PersistentVolumeClaim {
        metadata: meta::object_meta(plan, &c.name, &owner, &BTreeMap::new(), &BTreeMap::new()),
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec![match c.access {
                AccessMode::ReadWriteOnce => "ReadWriteOnce".into(),
                AccessMode::ReadWriteMany => "ReadWriteMany".into(),
            }]),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([(
                    "storage".to_string(),
                    Quantity(c.size.clone()),
                )])),
                ..Default::default()
            }),
            storage_class_name: c.storage_class.clone(),
            ..Default::default()
        }),
        ..Default::default()
    }
}
