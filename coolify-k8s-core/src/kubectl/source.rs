//! What a command builder reads a resource from: the [`Manifests`] of a translation, a
//! [`Handle`], or the text Coolify stored (a handle, or [`Manifests::to_json`] /
//! [`Manifests::to_json_without_secret_data`] output) as [`Stored`].

use super::handle::Handle;
use super::resource::Resource;
use crate::error::Errors;
use crate::manifests::Manifests;
use serde_json::Value;

/// Anything the lifecycle builders (`stop`, `start`, `restart`, `delete`, `status`, `logs`,
/// `exec`, …) accept: they need the [`Resource`] only.
pub trait ResourceSource {
    /// The resource, for the target's namespace when it names one.
    fn resource(&self, namespace: Option<&str>) -> Result<Resource, Errors>;
}

impl ResourceSource for Manifests {
    fn resource(&self, namespace: Option<&str>) -> Result<Resource, Errors> {
        Resource::read(self, namespace)
    }
}

impl ResourceSource for Handle {
    fn resource(&self, namespace: Option<&str>) -> Result<Resource, Errors> {
        Handle::resource(self, namespace)
    }
}

/// Text Coolify stored for a resource, read back: a [`Handle`] (a JSON object with the key
/// `handle`) or manifests (anything else [`Manifests::from_json`] reads).
#[derive(Debug, Clone)]
pub enum Stored {
    /// A resource handle.
    Handle(Handle),
    /// Stored manifests (possibly without Secret data).
    Manifests(Manifests),
}

impl Stored {
    /// Read stored text; errors name the key (`workloads[0].kind: …`).
    pub fn from_json(text: &str) -> Result<Self, Errors> {
        let is_handle = serde_json::from_str::<Value>(text)
            .ok()
            .is_some_and(|v| v.get("handle").is_some());
        if is_handle {
            Handle::from_json(text).map(Self::Handle)
        } else {
            Manifests::from_json(text).map(Self::Manifests)
        }
    }
}

impl ResourceSource for Stored {
    fn resource(&self, namespace: Option<&str>) -> Result<Resource, Errors> {
        match self {
            Self::Handle(h) => h.resource(namespace),
            Self::Manifests(m) => m.resource(namespace),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Report;
    use serde_json::json;

    fn manifests() -> Manifests {
        let labels = json!({"app.kubernetes.io/instance": "u1", "app.kubernetes.io/name": "web"});
        Manifests::new(
            vec![
                json!({"apiVersion": "v1", "kind": "Secret",
                       "metadata": {"name": "s", "namespace": "n", "labels": labels},
                       "data": {"P": "aHVudGVyMg=="}}),
                json!({"apiVersion": "apps/v1", "kind": "Deployment",
                       "metadata": {"name": "web", "namespace": "n", "labels": labels},
                       "spec": {"selector": {"matchLabels": labels}}}),
            ],
            Report::default(),
        )
    }

    #[test]
    fn reads_handles_and_both_json_forms() {
        let m = manifests();
        let want = m.resource(None).unwrap();
        for text in [
            m.handle().unwrap().to_json(),
            m.to_json(),
            m.to_json_without_secret_data(),
        ] {
            let r = Stored::from_json(&text).unwrap().resource(None).unwrap();
            assert_eq!(
                (&r.namespace, &r.instance, &r.workloads, &r.kinds),
                (
                    &want.namespace,
                    &want.instance,
                    &want.workloads,
                    &want.kinds
                ),
                "{text}"
            );
        }
        assert!(matches!(
            Stored::from_json(&m.handle().unwrap().to_json()),
            Ok(Stored::Handle(_))
        ));
    }

    #[test]
    fn without_secret_data_is_marked_incomplete() {
        let text = manifests().to_json_without_secret_data();
        assert!(!text.contains("aHVudGVyMg=="), "{text}");
        let r = Stored::from_json(&text).unwrap().resource(None).unwrap();
        assert_eq!(
            r.incomplete.as_deref(),
            Some(
                "objects[0]: Secret \"s\" was stored without its data (toJson without secrets); \
                 apply needs the manifests of the translation"
            )
        );
        let full = Stored::from_json(&manifests().to_json()).unwrap();
        assert!(full.resource(None).unwrap().incomplete.is_none());
    }

    #[test]
    fn bad_text_is_an_error() {
        assert!(Stored::from_json("not json").is_err());
        let e = Stored::from_json(r#"{"handle": "x"}"#).unwrap_err();
        assert!(
            e.first().to_string().starts_with("not a resource handle"),
            "{e}"
        );
    }
}
