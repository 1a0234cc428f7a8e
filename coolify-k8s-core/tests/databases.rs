//! Standalone databases: every kind, from attributes shaped like its Coolify model
//! (`tests/testdata/databases/<kind>.json`), translates with its credentials only in the
//! Secret, its configuration and init files as files in the pod, its public port as a
//! NodePort Service, and passes `scripts/validate-manifests.sh` (Kubernetes 1.33 and 1.37).

mod convert_support;

use coolify_k8s_core::coolify::database::{kind::ALL, DatabaseKind};
use coolify_k8s_core::options::{Options, PublishedPorts};
use coolify_k8s_core::{Manifests, Translator};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn fixture(kind: DatabaseKind) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/testdata/databases")
        .join(format!("{kind}.json"));
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

fn translate(kind: DatabaseKind) -> Manifests {
    Translator::new(Options {
        published_ports: PublishedPorts::Nodeport,
        ..Options::default()
    })
    .database(kind, &fixture(kind), &BTreeMap::new())
    .unwrap_or_else(|e| panic!("{kind}: {e}"))
}

/// Every `*_password` column of the fixture.
fn passwords(attrs: &Value) -> Vec<String> {
    attrs
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, v)| k.ends_with("password") && v.is_string())
        .map(|(_, v)| v.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_kind_translates_with_credentials_only_in_the_secret() {
    for kind in ALL {
        let attrs = fixture(kind);
        let m = translate(kind);
        let pws = passwords(&attrs);
        assert!(!pws.is_empty(), "{kind}");
        for o in m.objects() {
            if o["kind"] == "Secret" {
                continue;
            }
            let text = o.to_string();
            for pw in &pws {
                assert!(!text.contains(pw.as_str()), "{kind}: {pw} in {text}");
            }
        }
        let uuid = attrs["uuid"].as_str().unwrap();
        let sts = m
            .objects()
            .iter()
            .find(|o| o["kind"] == "StatefulSet")
            .unwrap_or_else(|| panic!("{kind}: no StatefulSet"));
        assert_eq!(sts["metadata"]["name"], uuid, "{kind}");
        let c = &sts["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(c["image"], attrs["image"], "{kind}");
        for a in c["args"].as_array().into_iter().flatten() {
            for pw in &pws {
                assert!(!a.as_str().unwrap().contains(pw.as_str()), "{kind}");
            }
        }
        // The data volume is a claim named after the storage.
        let claim = attrs["persistent_storages"][0]["name"].as_str().unwrap();
        assert!(
            m.objects()
                .iter()
                .any(|o| o["kind"] == "PersistentVolumeClaim"
                    && o["metadata"]["name"] == claim.to_ascii_lowercase()),
            "{kind}: no claim {claim}"
        );
        // Public port: one NodePort Service to the database port.
        let public: Vec<&Value> = m
            .objects()
            .iter()
            .filter(|o| o["kind"] == "Service" && o["spec"]["type"] == "NodePort")
            .collect();
        if attrs["is_public"] == true {
            assert_eq!(public.len(), 1, "{kind}");
            assert_eq!(
                public[0]["spec"]["ports"][0]["targetPort"],
                kind.port(),
                "{kind}"
            );
        } else {
            assert!(public.is_empty(), "{kind}");
        }
    }
}

#[test]
fn config_columns_and_init_scripts_are_files() {
    for kind in ALL {
        let attrs = fixture(kind);
        let m = translate(kind);
        let files: String = m
            .objects()
            .iter()
            .filter(|o| o["kind"] == "ConfigMap")
            .map(|o| o["data"].to_string())
            .collect();
        if let Some(conf) = kind.config_file() {
            if let Some(text) = attrs[conf.column].as_str() {
                let first = text.lines().next().unwrap();
                assert!(files.contains(first), "{kind}: {files}");
            }
        }
        for s in attrs["init_scripts"].as_array().into_iter().flatten() {
            let content = s["content"].as_str().unwrap();
            assert!(files.contains(content), "{kind}: {files}");
        }
    }
}

#[test]
fn every_kind_is_schema_valid() {
    let mut docs: Vec<(String, String)> = ALL
        .into_iter()
        .map(|kind| (format!("{kind}.yaml"), translate(kind).to_yaml()))
        .collect();
    // With TLS: the owned files' in-memory volume, the CA file, the TLS port.
    for kind in ALL {
        let m = Translator::new(Options::default())
            .database(
                kind,
                &convert_support::with_tls(kind, fixture(kind)),
                &BTreeMap::new(),
            )
            .unwrap_or_else(|e| panic!("{kind} with TLS: {e}"));
        docs.push((format!("{kind}-tls.yaml"), m.to_yaml()));
    }
    convert_support::validate_manifests("db", &docs);
}
