//! Translation options: every option of the public surfaces (CLI flags, PHP option array),
//! with the defaults ARCHITECTURE.md gives.
//!
//! The field names are the PHP option keys; the PHP extension turns its array into a
//! `serde_json::Value` and calls [`Options::from_value`], so unknown keys and wrong types
//! give clear errors without code of their own.
//!
//! ```
//! use coolify_k8s_core::options::{Options, Router};
//! let o = Options::from_value(serde_json::json!({
//!     "namespace": "acme-prod", "router": "traefik", "entrypoints": "web,websecure",
//! })).unwrap();
//! assert_eq!(o.router, Router::Traefik);
//! assert_eq!(o.storage_size, "1Gi");
//! let e = Options::from_value(serde_json::json!({"routr": "traefik"})).unwrap_err();
//! assert!(e.to_string().starts_with("options: unknown field `routr`"));
//! ```

use crate::error::{Error, Errors};
use crate::path::InputPath;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// How routes are exposed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Router {
    /// `networking.k8s.io/v1` Ingress.
    #[default]
    Ingress,
    /// Traefik `IngressRoute` + `Middleware`.
    Traefik,
    /// Gateway API `HTTPRoute`.
    Gateway,
    /// No route objects (routes are only reported).
    None,
}

/// The controller behind `networking.k8s.io/v1` Ingress objects, for the features an
/// Ingress cannot express (redirects, strip-prefix, compression, basic auth).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IngressController {
    /// Unknown controller: those features are reported, and basic-auth routes not exposed.
    #[default]
    None,
    /// Traefik: its `router.middlewares` annotation with Middleware objects.
    Traefik,
    /// ingress-nginx: its `nginx.ingress.kubernetes.io/*` annotations give Coolify's Traefik
    /// behaviour (no request body limit, long timeouts, redirects, strip-prefix).
    Nginx,
}

/// What becomes of a host bind mount.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BindMounts {
    /// A PersistentVolumeClaim (the host's content is not copied; reported).
    #[default]
    Pvc,
    /// A `hostPath` volume (the pod must run on the node that has the path; reported).
    Hostpath,
    /// An error: the input must not use bind mounts.
    Error,
}

/// How a volume shared by several services is provided.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SharedVolumes {
    /// One ReadWriteOnce claim, and the services sharing it scheduled on one node (pod
    /// affinity): Docker's single-host semantics, with any storage class.
    #[default]
    Affinity,
    /// A ReadWriteMany claim (the storage class must support it); the sharers may run on
    /// any node.
    Rwx,
}

/// What becomes of a port published on the host.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PublishedPorts {
    /// Only the in-cluster ClusterIP port (reported).
    #[default]
    Clusterip,
    /// An extra `NodePort` Service.
    Nodeport,
    /// An extra `LoadBalancer` Service.
    Loadbalancer,
}

/// Where a resource's objects live (see README "Namespaces and identity").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NamespaceStrategy {
    /// One namespace per resource (its identity, unless `namespace` names one): object names
    /// are the Compose service names, as on the resource's own Docker network.
    #[default]
    Resource,
    /// Every resource of a destination in one namespace (`namespace`, default
    /// [`DEFAULT_SHARED_NAMESPACE`]), as every resource of a Coolify destination is on one
    /// Docker network: object names carry the resource's identity
    /// ([`crate::plan::scope::NameScope`]), and Coolify's cross-resource names (`<uuid>`,
    /// `<service>-<uuid>`) resolve as they do on Docker.
    Shared,
}

/// The shared namespace's default name: Coolify's default destination network.
pub const DEFAULT_SHARED_NAMESPACE: &str = "coolify";

/// A pair of names for plain HTTP and HTTPS (Traefik entry points, Gateway listeners).
/// Given as `"http,https"` or `["http", "https"]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpPair {
    /// The name for plain HTTP.
    pub http: String,
    /// The name for HTTPS.
    pub https: String,
}

impl HttpPair {
    /// A pair from its two names.
    pub fn new(http: &str, https: &str) -> Self {
        Self {
            http: http.to_string(),
            https: https.to_string(),
        }
    }

    /// Parse `"http,https"`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        match parts.as_slice() {
            [h, s] if !h.is_empty() && !s.is_empty() => Ok(Self::new(h, s)),
            _ => Err(format!(
                "expected two names separated by a comma (HTTP,HTTPS), got {s:?}"
            )),
        }
    }
}

impl<'de> Deserialize<'de> for HttpPair {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Text(String),
            List(Vec<String>),
        }
        match Form::deserialize(d)? {
            Form::Text(s) => HttpPair::parse(&s).map_err(serde::de::Error::custom),
            Form::List(l) => match l.as_slice() {
                [h, s] => Ok(HttpPair::new(h, s)),
                _ => Err(serde::de::Error::custom(
                    "expected a list of two names [HTTP, HTTPS]",
                )),
            },
        }
    }
}

/// Options of one translation. `Default` gives ARCHITECTURE.md's defaults, which translate
/// every Coolify template with no option set.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Options {
    /// Target namespace (default: the normalized resource name).
    pub namespace: Option<String>,
    /// The resource's name: its `app.kubernetes.io/instance` label and default namespace
    /// (default: Compose `name:`, else the file's folder or stem, else `app`).
    pub name: Option<String>,
    /// How routes are exposed (default `ingress`).
    pub router: Router,
    /// `ingressClassName` for Ingress output (default: none set).
    pub ingress_class: Option<String>,
    /// cert-manager ClusterIssuer for TLS (default `letsencrypt`; empty for none).
    pub cluster_issuer: String,
    /// Traefik entry points for HTTP and HTTPS (default `web,websecure`).
    pub entrypoints: HttpPair,
    /// The Gateway that HTTPRoutes attach to, `NAMESPACE/NAME` (default `coolify/coolify`).
    pub gateway: String,
    /// That Gateway's HTTP and HTTPS listener names (default `http,https`).
    pub listeners: HttpPair,
    /// Storage class of PersistentVolumeClaims (default: the cluster's default class).
    pub storage_class: Option<String>,
    /// Size of PersistentVolumeClaims (default `1Gi`).
    pub storage_size: String,
    /// What becomes of host bind mounts (default `pvc`).
    pub bind_mounts: BindMounts,
    /// What becomes of host-published ports (default `clusterip`).
    pub published_ports: PublishedPorts,
    /// Emit NetworkPolicies mirroring Compose networks (default off).
    pub network_policies: bool,
    /// Images for services that only have `build:`, by service name.
    pub images: BTreeMap<String, String>,
    /// Seed for generating missing Coolify magic values.
    pub seed: Option<String>,
    /// This deployment's id (Coolify's `deployment_uuid` for an Application; any value new
    /// to each start of a service or database). Coolify starts every container anew on each
    /// deployment (the job's `rolling_update()`, `docker compose up --force-recreate`, each
    /// `Start*` action's `docker rm -f` and `up`); the id on every pod template
    /// (`coolify.io/deploymentId`) makes `kubectl apply` roll every pod and run every Job
    /// again in the same way. Default none: an unchanged resource keeps its pods.
    pub deployment_id: Option<String>,
    /// Coolify's "Pull latest images & restart": every container whose service sets no
    /// `pull_policy` (and whose image is not pinned by digest) gets `imagePullPolicy:
    /// Always`, so the pods of this start pull their tags again, as `docker compose pull`
    /// does before `up` (default off).
    pub pull_latest_images: bool,
    /// Labels added to every object.
    pub labels: BTreeMap<String, String>,
    /// Annotations added to every object.
    pub annotations: BTreeMap<String, String>,
    /// Names of variables whose values are secret (they end up only in Secrets).
    pub secret_variables: BTreeSet<String>,
    /// Active Compose profiles.
    pub profiles: Vec<String>,
    /// The Ingress controller, for what an Ingress cannot express (default `none`).
    pub ingress_controller: IngressController,
    /// Scheme and domain under which `SERVICE_URL_*` domains are generated, like Coolify's
    /// wildcard domain (`https://apps.example.com`); default
    /// [`crate::coolify::magic_values::DEFAULT_BASE_DOMAIN`].
    pub base_domain: Option<String>,
    /// Autoscaling of the workloads that serve routes (a service's `x-coolify-autoscale`
    /// overrides it): an HPA and a PodDisruptionBudget (default none).
    pub autoscale: Option<crate::k8s::autoscaling::Autoscale>,
    /// How volumes shared by several services are provided (default `affinity`).
    pub shared_volumes: SharedVolumes,
    /// Claim sizes by Compose volume name (or claim name), overriding `storage_size`.
    pub volume_sizes: BTreeMap<String, String>,
    /// The container port of a service's port-less `SERVICE_URL_<ID>` / `SERVICE_FQDN_<ID>`
    /// routes, by Compose service (default: see
    /// [`crate::proxy::service_urls::default_port`]).
    pub route_ports: BTreeMap<String, u16>,
    /// The template's required port (its `# port: N` header, read by the translator when
    /// unset): the port of port-less service URLs, as Coolify's UI asks for it.
    pub required_port: Option<u16>,
    /// Also turn health checks into liveness probes (default off: Docker only marks a
    /// container unhealthy and Coolify never restarts it for that).
    pub liveness_probes: bool,
    /// What Docker's embedded DNS address `127.0.0.11` becomes in nginx `resolver` lines,
    /// values and files (default [`DEFAULT_CLUSTER_DNS`], a name every cluster's DNS
    /// Service keeps).
    pub cluster_dns: String,
    /// Names of `kubernetes.io/dockerconfigjson` Secrets in the namespace that every pod
    /// pulls its images with (`imagePullSecrets`; default none).
    pub image_pull_secrets: Vec<String>,
    /// Registry and path under which services that only have `build:` are pulled, as
    /// `REGISTRY/PATH/<project>-<service>` (Docker Compose's name of the built image);
    /// default none (such a service is an error naming the fix).
    pub registry: Option<String>,
    /// One namespace per resource, or one shared by a destination's resources (default
    /// `resource`).
    pub namespace_strategy: NamespaceStrategy,
    /// Names a shared namespace keeps as they are: Coolify's container names that are
    /// global on a destination (an Application's `custom_internal_name`). Set by
    /// `application()`, not an option of the public surfaces.
    #[serde(skip)]
    pub global_names: BTreeSet<String>,
}

/// The cluster's DNS Service: CoreDNS keeps the `kube-dns` name in `kube-system` for
/// compatibility (kubeadm, k3s, GKE, EKS, AKS), so it resolves in any cluster.
pub const DEFAULT_CLUSTER_DNS: &str = "kube-dns.kube-system.svc.cluster.local";

impl Default for Options {
    fn default() -> Self {
        Self {
            namespace: None,
            name: None,
            router: Router::Ingress,
            ingress_class: None,
            cluster_issuer: "letsencrypt".to_string(),
            entrypoints: HttpPair::new("web", "websecure"),
            gateway: "coolify/coolify".to_string(),
            listeners: HttpPair::new("http", "https"),
            storage_class: None,
            storage_size: "1Gi".to_string(),
            bind_mounts: BindMounts::Pvc,
            published_ports: PublishedPorts::Clusterip,
            network_policies: false,
            images: BTreeMap::new(),
            seed: None,
            deployment_id: None,
            pull_latest_images: false,
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            secret_variables: BTreeSet::new(),
            profiles: Vec::new(),
            ingress_controller: IngressController::None,
            base_domain: None,
            autoscale: None,
            shared_volumes: SharedVolumes::Affinity,
            volume_sizes: BTreeMap::new(),
            route_ports: BTreeMap::new(),
            required_port: None,
            liveness_probes: false,
            cluster_dns: DEFAULT_CLUSTER_DNS.to_string(),
            image_pull_secrets: Vec::new(),
            registry: None,
            namespace_strategy: NamespaceStrategy::Resource,
            global_names: BTreeSet::new(),
        }
    }
}

impl Options {
    /// Options from an untyped tree (the PHP option array); errors name `options.<key>`.
    pub fn from_value(value: serde_json::Value) -> Result<Self, Errors> {
        let options: Options = serde_json::from_value(value).map_err(|e| {
            Errors::from(Error::new(InputPath::root().key("options"), e.to_string()))
        })?;
        options.validate()?;
        Ok(options)
    }

    /// Check values that the types alone do not restrict.
    pub fn validate(&self) -> Result<(), Errors> {
        let mut errors = Vec::new();
        let at = |k: &str| InputPath::root().key("options").key(k);
        if let Some(ns) = &self.namespace {
            if !crate::plan::names::is_dns_label(ns) {
                errors.push(Error::new(
                    at("namespace"),
                    format!("{ns:?} is not a valid namespace name (lowercase letters, digits and '-', at most 63, starting and ending with a letter or digit)"),
                ));
            }
        }
        if crate::plan::resources::parse_quantity_bytes(&self.storage_size).is_none() {
            errors.push(Error::new(
                at("storage_size"),
                format!(
                    "{:?} is not a storage size (expected e.g. 1Gi, 500Mi)",
                    self.storage_size
                ),
            ));
        }
        for (volume, size) in &self.volume_sizes {
            if crate::plan::resources::parse_quantity_bytes(size).is_none() {
                errors.push(Error::new(
                    at("volume_sizes").key(volume.as_str()),
                    format!("{size:?} is not a storage size (expected e.g. 1Gi, 500Mi)"),
                ));
            }
        }
        if let Some(class) = &self.storage_class {
            if !crate::plan::names::is_dns_subdomain(class) {
                errors.push(Error::new(
                    at("storage_class"),
                    format!("{class:?} is not a valid storage class name"),
                ));
            }
        }
        match self.gateway.split_once('/') {
            Some((ns, name)) if !ns.is_empty() && !name.is_empty() => {}
            _ => errors.push(Error::new(
                at("gateway"),
                format!("expected NAMESPACE/NAME, got {:?}", self.gateway),
            )),
        }
        if let Some(a) = &self.autoscale {
            if let Err(e) = a.validate(&at("autoscale")) {
                errors.push(e);
            }
        }
        for (service, port) in &self.route_ports {
            if *port == 0 {
                errors.push(Error::new(
                    at("route_ports").key(service.as_str()),
                    "0 is not a port",
                ));
            }
        }
        if self.required_port == Some(0) {
            errors.push(Error::new(at("required_port"), "0 is not a port"));
        }
        if self.cluster_dns.is_empty()
            || self
                .cluster_dns
                .chars()
                .any(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')))
        {
            errors.push(Error::new(
                at("cluster_dns"),
                format!("{:?} is not a DNS server address or name", self.cluster_dns),
            ));
        }
        for (service, image) in &self.images {
            if image.trim().is_empty() || image.chars().any(char::is_whitespace) {
                errors.push(Error::new(
                    at("images").key(service.as_str()),
                    format!("{image:?} is not an image reference"),
                ));
            }
        }
        for (i, name) in self.image_pull_secrets.iter().enumerate() {
            if !crate::plan::names::is_dns_subdomain(name) {
                errors.push(Error::new(
                    at("image_pull_secrets").index(i),
                    format!("{name:?} is not a valid Secret name"),
                ));
            }
        }
        if let Some(r) = &self.registry {
            if !is_registry_prefix(r) {
                errors.push(Error::new(
                    at("registry"),
                    format!("{r:?} is not a registry and path (expected e.g. registry.example.com/team, without a tag)"),
                ));
            }
        }
        match Errors::from_vec(errors) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// `HOST[:PORT][/PATH…]` as an image reference starts: a host of letters, digits, `.`
/// and `-` (any case), lowercase path components of `a-z0-9._-`, no tag or digest.
fn is_registry_prefix(r: &str) -> bool {
    let r = r.trim_end_matches('/');
    let mut parts = r.split('/');
    let host = parts.next().unwrap_or_default();
    let (name, port) = match host.split_once(':') {
        Some((n, p)) => (n, Some(p)),
        None => (host, None),
    };
    let host_ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        && port.is_none_or(|p| !p.is_empty() && p.parse::<u16>().is_ok());
    host_ok
        && parts.all(|p| {
            !p.is_empty()
                && p.chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pull_secrets_and_registry_are_checked() {
        let o = Options::from_value(json!({"image_pull_secrets": ["regcred"],
            "registry": "registry.example.com:5000/team/apps/"}))
        .unwrap();
        assert_eq!(o.image_pull_secrets, ["regcred"]);
        for good in [
            "ghcr.io/acme",
            "localhost:5000",
            "Registry.Example.com/a_b/c-d",
        ] {
            assert!(is_registry_prefix(good), "{good}");
        }
        for bad in [
            "",
            "r.io/Team",
            "r.io/app:1",
            "r.io//x",
            "r.io:port/x",
            "r io/x",
        ] {
            assert!(!is_registry_prefix(bad), "{bad}");
        }
        let e = Options::from_value(json!({"image_pull_secrets": ["ok", "Not_OK"],
            "registry": "r.io/app:v1"}))
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("options.image_pull_secrets[1]: \"Not_OK\" is not a valid Secret name"),
            "{e}"
        );
        assert!(
            e.contains("options.registry: \"r.io/app:v1\" is not a registry"),
            "{e}"
        );
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let o = Options::default();
        assert_eq!(o.router, Router::Ingress);
        assert_eq!(o.cluster_issuer, "letsencrypt");
        assert_eq!(o.entrypoints, HttpPair::new("web", "websecure"));
        assert_eq!(o.gateway, "coolify/coolify");
        assert_eq!(o.listeners, HttpPair::new("http", "https"));
        assert_eq!(o.storage_size, "1Gi");
        assert_eq!(o.bind_mounts, BindMounts::Pvc);
        assert_eq!(o.published_ports, PublishedPorts::Clusterip);
        assert!(!o.network_policies);
        assert!(!o.liveness_probes);
        assert_eq!(o.cluster_dns, "kube-dns.kube-system.svc.cluster.local");
        assert_eq!(o.namespace_strategy, NamespaceStrategy::Resource);
        // An empty option array is the default.
        assert_eq!(Options::from_value(json!({})).unwrap(), o);
    }

    #[test]
    fn every_key_deserializes() {
        let o = Options::from_value(json!({
            "namespace": "acme-prod", "name": "acme", "router": "gateway",
            "ingress_class": "nginx", "cluster_issuer": "", "entrypoints": ["http", "https"],
            "gateway": "infra/main", "listeners": "web,secure", "storage_class": "fast",
            "storage_size": "5Gi", "bind_mounts": "hostpath", "published_ports": "nodeport",
            "network_policies": true, "images": {"app": "ghcr.io/acme/app:1"}, "seed": "s",
            "labels": {"team": "a"}, "annotations": {"x/y": "z"},
            "secret_variables": ["API_KEY"], "profiles": ["debug"],
            "shared_volumes": "rwx", "volume_sizes": {"pg_data": "20Gi"},
            "liveness_probes": true, "cluster_dns": "10.43.0.10",
            "namespace_strategy": "shared",
        }))
        .unwrap();
        assert_eq!(o.router, Router::Gateway);
        assert_eq!(o.entrypoints, HttpPair::new("http", "https"));
        assert_eq!(o.listeners, HttpPair::new("web", "secure"));
        assert_eq!(o.bind_mounts, BindMounts::Hostpath);
        assert_eq!(o.published_ports, PublishedPorts::Nodeport);
        assert!(o.secret_variables.contains("API_KEY"));
        assert_eq!(o.shared_volumes, SharedVolumes::Rwx);
        assert_eq!(o.volume_sizes["pg_data"], "20Gi");
        assert!(o.liveness_probes);
        assert_eq!(o.cluster_dns, "10.43.0.10");
        assert_eq!(o.namespace_strategy, NamespaceStrategy::Shared);
    }

    #[test]
    fn bad_options_name_the_key() {
        let e = Options::from_value(json!({"router": "nginx"})).unwrap_err();
        assert!(e.to_string().contains("unknown variant `nginx`"), "{e}");
        let e = Options::from_value(json!({"network_policies": "yes"})).unwrap_err();
        assert!(e.to_string().starts_with("options: invalid type"), "{e}");
        let e = Options::from_value(json!({"namespace": "Acme_Prod"})).unwrap_err();
        assert!(e.to_string().starts_with("options.namespace: "), "{e}");
        let e = Options::from_value(json!({"storage_size": "lots"})).unwrap_err();
        assert!(e.to_string().starts_with("options.storage_size: "), "{e}");
        let e = Options::from_value(json!({"volume_sizes": {"db": "big"}})).unwrap_err();
        assert!(
            e.to_string().starts_with("options.volume_sizes.db: "),
            "{e}"
        );
        let e = Options::from_value(json!({"gateway": "main"})).unwrap_err();
        assert!(e.to_string().starts_with("options.gateway: "), "{e}");
        let e = Options::from_value(json!({"route_ports": {"web": 0}})).unwrap_err();
        assert!(
            e.to_string().starts_with("options.route_ports.web: "),
            "{e}"
        );
        let e = Options::from_value(json!({"route_ports": {"web": 70000}})).unwrap_err();
        assert!(e.to_string().starts_with("options: "), "{e}");
        let o = Options::from_value(json!({"route_ports": {"web": 3000}, "required_port": 80,
                                           "ingress_controller": "nginx"}))
        .unwrap();
        assert_eq!(o.route_ports["web"], 3000);
        assert_eq!(o.required_port, Some(80));
        assert_eq!(o.ingress_controller, IngressController::Nginx);
        let e = Options::from_value(json!({"cluster_dns": "a b"})).unwrap_err();
        assert!(e.to_string().starts_with("options.cluster_dns: "), "{e}");
        let e = Options::from_value(json!({"namespace_strategy": "cluster"})).unwrap_err();
        assert!(e.to_string().contains("unknown variant `cluster`"), "{e}");
        let e = Options::from_value(json!({"entrypoints": "web"})).unwrap_err();
        assert!(e.to_string().contains("two names"), "{e}");
    }
}
