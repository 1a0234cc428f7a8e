//! Pulling from a private registry: a `kubernetes.io/dockerconfigjson` Secret made from
//! registry credentials, added to a resource's manifests and referenced by every pod.
//!
//! Coolify keeps no registry credentials of its own: its deployment job pushes and pulls
//! with whatever `docker login` left in the server's `~/.docker/config.json`
//! (`push_to_docker_registry` in `app/Jobs/ApplicationDeploymentJob.php`). Kubernetes nodes
//! pull with the Secrets a pod names in `imagePullSecrets`, so the credentials must become
//! such a Secret. The password travels only inside the Secret object, which
//! [`crate::kubectl::Kubectl::apply`] uploads as a file: never in a command line, an error or
//! the report.

use crate::error::{Error, Errors};
use crate::k8s::meta::{INSTANCE, NAME};
use crate::manifests::Manifests;
use crate::path::InputPath;
use base64::Engine as _;
use serde_json::{json, Value};
use std::fmt;

/// What `docker login SERVER -u USERNAME -p PASSWORD` takes. `Debug` leaves the password
/// out.
#[derive(Clone, PartialEq, Eq)]
pub struct RegistryCredentials {
    /// The registry host as images name it (`registry.example.com:5000`, `ghcr.io`);
    /// Docker Hub is `https://index.docker.io/v1/`.
    pub server: String,
    /// The user name.
    pub username: String,
    /// The password or access token.
    pub password: String,
}

impl fmt::Debug for RegistryCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryCredentials")
            .field("server", &self.server)
            .field("username", &self.username)
            .field("password", &"…")
            .finish()
    }
}

impl RegistryCredentials {
    /// The `.dockerconfigjson` document `kubectl create secret docker-registry` writes.
    pub fn docker_config_json(&self) -> String {
        let auth = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", self.username, self.password));
        json!({"auths": {self.server.as_str(): {
            "username": self.username,
            "password": self.password,
            "auth": auth,
        }}})
        .to_string()
    }

    /// Errors name `path`'s fields; no message holds the password.
    fn validate(&self, path: &InputPath) -> Vec<Error> {
        let mut errors = Vec::new();
        let server = self.server.trim();
        if server.is_empty() || server.chars().any(|c| c.is_whitespace() || c.is_control()) {
            errors.push(Error::new(
                path.key("server"),
                format!("{:?} is not a registry host", self.server),
            ));
        }
        if self.username.is_empty() || self.username.contains(':') || self.username.contains('\0') {
            errors.push(Error::new(
                path.key("username"),
                "a registry user name is required, without `:` or NUL",
            ));
        }
        if self.password.is_empty() {
            errors.push(Error::new(
                path.key("password"),
                "a registry password or token is required",
            ));
        }
        errors
    }
}

/// Workload kinds whose pod template is at `spec.template`, and CronJob's.
const POD_TEMPLATES: &[(&str, &[&str])] = &[
    ("Deployment", &["spec", "template", "spec"]),
    ("StatefulSet", &["spec", "template", "spec"]),
    ("DaemonSet", &["spec", "template", "spec"]),
    ("Job", &["spec", "template", "spec"]),
    (
        "CronJob",
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ),
];

impl Manifests {
    /// These manifests with a `kubernetes.io/dockerconfigjson` Secret `name` holding
    /// `credentials` (in the resource's namespace, with its instance labels, so `apply`
    /// deploys and prunes it with the resource), referenced by every pod's
    /// `imagePullSecrets`.
    ///
    /// ```
    /// use coolify_k8s_core::{registry::RegistryCredentials, Options, Translator};
    /// let m = Translator::new(Options::default())
    ///     .compose("services:\n  web:\n    image: registry.example.com/team/web:1\n", &Default::default())
    ///     .unwrap();
    /// let creds = RegistryCredentials {
    ///     server: "registry.example.com".into(), username: "ci".into(), password: "s3cret".into(),
    /// };
    /// let m = m.with_pull_secret("regcred", &creds).unwrap();
    /// assert!(m.objects().iter().any(|o| o["type"] == "kubernetes.io/dockerconfigjson"));
    /// assert!(!m.to_yaml().contains("s3cret"));
    /// ```
    pub fn with_pull_secret(
        &self,
        name: &str,
        credentials: &RegistryCredentials,
    ) -> Result<Manifests, Errors> {
        let mut errors = credentials.validate(&InputPath::root().key("credentials"));
        if !crate::plan::names::is_dns_subdomain(name) {
            errors.push(Error::new(
                InputPath::root().key("name"),
                format!("{name:?} is not a valid Secret name"),
            ));
        }
        let objects = self.objects();
        let first = objects.iter().position(|o| {
            o["kind"] != "Namespace" && o["metadata"]["labels"][INSTANCE].is_string()
        });
        if first.is_none() {
            errors.push(Error::new(
                InputPath::root(),
                "the manifests hold no object of a translated resource",
            ));
        }
        if objects
            .iter()
            .any(|o| o["kind"] == "Secret" && o["metadata"]["name"] == name)
        {
            errors.push(Error::new(
                InputPath::root().key("name"),
                format!("the manifests already have a Secret named {name:?}"),
            ));
        }
        if let Some(e) = Errors::from_vec(errors) {
            return Err(e);
        }
        let first = first.unwrap_or_default();
        let meta = &objects[first]["metadata"];
        let mut labels = meta["labels"].clone();
        labels[NAME] = labels[INSTANCE].clone();
        let mut metadata = json!({"labels": labels, "name": name});
        if let Some(ns) = meta.get("namespace") {
            metadata["namespace"] = ns.clone();
        }
        let data =
            base64::engine::general_purpose::STANDARD.encode(credentials.docker_config_json());
        let secret = json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": metadata,
            "type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": data},
        });
        let mut out = Vec::with_capacity(objects.len() + 1);
        for (i, o) in objects.iter().enumerate() {
            if i == first {
                // Before every workload, so no pod starts before it exists.
                out.push(secret.clone());
            }
            let mut o = o.clone();
            reference_from_pods(&mut o, name);
            out.push(o);
        }
        Ok(Manifests::new(out, self.report().clone()))
    }
}

/// Add `name` to the object's pod template's `imagePullSecrets` (once).
fn reference_from_pods(object: &mut Value, name: &str) {
    let Some((_, path)) = POD_TEMPLATES.iter().find(|(k, _)| object["kind"] == *k) else {
        return;
    };
    let mut spec = &mut *object;
    for key in *path {
        match spec.get_mut(*key) {
            Some(next) => spec = next,
            None => return,
        }
    }
    let Some(spec) = spec.as_object_mut() else {
        return;
    };
    let list = spec
        .entry("imagePullSecrets")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Some(list) = list.as_array_mut() {
        if !list.iter().any(|r| r["name"] == name) {
            list.push(json!({ "name": name }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, Translator};

    fn creds() -> RegistryCredentials {
        RegistryCredentials {
            server: "registry.example.com:5000".into(),
            username: "ci".into(),
            password: "pa:ss word".into(),
        }
    }

    fn manifests(options: Options) -> Manifests {
        let yaml = "services:\n  web:\n    image: registry.example.com:5000/web:1\n    volumes: [data:/d]\n    \
                    environment: [PW=$SERVICE_PASSWORD_WEB]\n  \
                    job:\n    image: busybox\n    restart: 'no'\n    exclude_from_hc: true\n    command: ['true']\n  \
                    front:\n    image: nginx\nvolumes:\n  data: {}\n";
        Translator::new(Options {
            name: Some("shop".into()),
            ..options
        })
        .compose(yaml, &Default::default())
        .unwrap()
    }

    #[test]
    fn secret_before_the_workloads_and_referenced_by_every_pod() {
        let m = manifests(Options::default())
            .with_pull_secret("regcred", &creds())
            .unwrap();
        let objects = m.objects();
        let at = objects
            .iter()
            .position(|o| o["metadata"]["name"] == "regcred")
            .unwrap();
        let secret = &objects[at];
        assert_eq!(secret["type"], "kubernetes.io/dockerconfigjson");
        assert_eq!(secret["metadata"]["namespace"], "shop");
        assert_eq!(secret["metadata"]["labels"][INSTANCE], "shop");
        assert_eq!(secret["metadata"]["labels"][NAME], "shop");
        let doc = base64::engine::general_purpose::STANDARD
            .decode(secret["data"][".dockerconfigjson"].as_str().unwrap())
            .unwrap();
        let doc: Value = serde_json::from_slice(&doc).unwrap();
        let entry = &doc["auths"]["registry.example.com:5000"];
        assert_eq!(entry["password"], "pa:ss word");
        assert_eq!(
            entry["auth"],
            base64::engine::general_purpose::STANDARD.encode("ci:pa:ss word")
        );
        let mut pods = 0;
        for (i, o) in objects.iter().enumerate() {
            if let Some((_, path)) = POD_TEMPLATES.iter().find(|(k, _)| o["kind"] == *k) {
                let spec = path.iter().fold(o, |v, k| &v[*k]);
                assert_eq!(
                    spec["imagePullSecrets"],
                    json!([{"name": "regcred"}]),
                    "{}",
                    o["kind"]
                );
                assert!(i > at, "the Secret comes before {}", o["kind"]);
                pods += 1;
            }
        }
        assert_eq!(pods, 3);
        // The password is nowhere but in the Secret's data (base64), not in the report.
        assert!(!m.to_yaml().contains("pa:ss word"));
        assert!(!format!("{:?}", m.report()).contains("pa:ss"));
        assert!(!format!("{:?}", creds()).contains("pa:ss"));
    }

    #[test]
    fn the_option_and_the_builder_name_the_secret_once() {
        let m = manifests(Options {
            image_pull_secrets: vec!["regcred".into(), "other".into()],
            ..Options::default()
        });
        let m = m.with_pull_secret("regcred", &creds()).unwrap();
        let web = m
            .objects()
            .iter()
            .find(|o| o["kind"] == "StatefulSet")
            .unwrap();
        assert_eq!(
            web["spec"]["template"]["spec"]["imagePullSecrets"],
            json!([{"name": "regcred"}, {"name": "other"}])
        );
    }

    #[test]
    fn bad_credentials_and_names_are_errors_without_the_password() {
        let m = manifests(Options::default());
        let bad = RegistryCredentials {
            server: " ".into(),
            username: "a:b".into(),
            password: String::new(),
        };
        let e = m
            .with_pull_secret("Reg_Cred", &bad)
            .unwrap_err()
            .to_string();
        for want in [
            "credentials.server: ",
            "credentials.username: ",
            "credentials.password: ",
            "name: \"Reg_Cred\"",
        ] {
            assert!(e.contains(want), "{want} in {e}");
        }
        let e = m
            .with_pull_secret("shop-secrets", &creds())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("already have a Secret") && !e.contains("pa:ss"),
            "{e}"
        );
        let empty = Manifests::default().with_pull_secret("regcred", &creds());
        assert!(empty.is_err());
    }
}
