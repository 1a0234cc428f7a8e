//! The translation options every translating subcommand takes (`convert`, `commands`,
//! `application`), the variables (`--env-file`, `--env`, a `.env` beside the first file),
//! and the resolver that reads files a Compose file refers to.

use coolify_k8s_core::compose::{Resolver, SourceFile};
use coolify_k8s_core::Options;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Translation options, as ARCHITECTURE.md lists them.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TranslateArgs {
    /// Values for ${VAR} and Coolify magic variables (repeatable; default: `.env` beside
    /// the first file, when there is one).
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_files: Vec<PathBuf>,
    /// One value (repeatable; wins over --env-file).
    #[arg(long = "env", value_name = "KEY=VALUE", value_parser = key_value)]
    pub env: Vec<(String, String)>,
    /// The resource's name: its instance label and default namespace (default: Compose
    /// `name:`, else the file's folder or stem).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Target namespace (default: the normalized --name).
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,
    /// How routes are exposed.
    #[arg(long, value_name = "ROUTER", value_parser = ["ingress", "traefik", "gateway", "none"])]
    pub router: Option<String>,
    /// ingressClassName for Ingress output (default: none set).
    #[arg(long = "ingress-class", value_name = "CLASS")]
    pub ingress_class: Option<String>,
    /// cert-manager ClusterIssuer for TLS (default letsencrypt; "" for none).
    #[arg(long = "cluster-issuer", value_name = "NAME")]
    pub cluster_issuer: Option<String>,
    /// Traefik entry points for HTTP and HTTPS (default web,websecure).
    #[arg(long, value_name = "H,S")]
    pub entrypoints: Option<String>,
    /// Gateway that HTTPRoutes attach to (default coolify/coolify).
    #[arg(long, value_name = "NS/NAME")]
    pub gateway: Option<String>,
    /// That Gateway's HTTP and HTTPS listener names (default http,https).
    #[arg(long, value_name = "H,S")]
    pub listeners: Option<String>,
    /// Storage class for PVCs (default: the cluster's default class).
    #[arg(long = "storage-class", value_name = "C")]
    pub storage_class: Option<String>,
    /// Size of PVCs (default 1Gi).
    #[arg(long = "storage-size", value_name = "SIZE")]
    pub storage_size: Option<String>,
    /// Host bind mounts (default pvc, reported).
    #[arg(long = "bind-mounts", value_name = "POLICY", value_parser = ["pvc", "hostpath", "error"])]
    pub bind_mounts: Option<String>,
    /// Host-published ports (default clusterip, reported).
    #[arg(long = "published-ports", value_name = "TYPE", value_parser = ["clusterip", "nodeport", "loadbalancer"])]
    pub published_ports: Option<String>,
    /// Emit NetworkPolicies mirroring Compose networks.
    #[arg(long = "network-policies")]
    pub network_policies: bool,
    /// Image for a service that only has `build:` (repeatable).
    #[arg(long = "image", value_name = "SERVICE=REF", value_parser = key_value)]
    pub images: Vec<(String, String)>,
    /// Seed for generating missing Coolify magic values.
    #[arg(long, value_name = "SEED")]
    pub seed: Option<String>,
    /// This deployment's id: on every pod template, so each deployment rolls every pod.
    #[arg(long = "deployment-id", value_name = "ID")]
    pub deployment_id: Option<String>,
    /// Pull every image again at this start (Coolify's "Pull latest images & restart"):
    /// imagePullPolicy Always where the service sets no pull_policy and the image has no
    /// digest.
    #[arg(long = "pull-latest-images")]
    pub pull_latest_images: bool,
    /// A label added to every object (repeatable).
    #[arg(long = "label", value_name = "KEY=VALUE", value_parser = key_value)]
    pub labels: Vec<(String, String)>,
    /// An annotation added to every object (repeatable).
    #[arg(long = "annotation", value_name = "KEY=VALUE", value_parser = key_value)]
    pub annotations: Vec<(String, String)>,
    /// A variable whose value is secret (repeatable): it ends up only in a Secret.
    #[arg(long = "secret", value_name = "VAR")]
    pub secret_variables: Vec<String>,
    /// An active Compose profile (repeatable).
    #[arg(long = "profile", value_name = "NAME")]
    pub profiles: Vec<String>,
    /// The Ingress controller, for redirects, strip-prefix, compression and basic auth on
    /// Ingress output: none (reported), traefik (Middlewares) or nginx (ingress-nginx
    /// annotations, with Coolify's no body limit and long timeouts) (default none).
    #[arg(long = "ingress-controller", value_name = "CONTROLLER", value_parser = ["none", "traefik", "nginx"])]
    pub ingress_controller: Option<String>,
    /// Scheme and domain for generated SERVICE_URL_* domains, like Coolify's wildcard domain
    /// (default `http://127.0.0.1.sslip.io`).
    #[arg(long = "base-domain", value_name = "URL")]
    pub base_domain: Option<String>,
    /// Autoscale routed workloads: `min=N,max=N` with optional `cpu=PCT` and `memory=PCT`.
    #[arg(long, value_name = "SETTINGS", value_parser = autoscale)]
    pub autoscale: Option<Value>,
    /// How volumes shared by several services are provided: one ReadWriteOnce claim with
    /// the sharers on one node (affinity), or a ReadWriteMany claim (rwx)
    #[arg(long = "shared-volumes", value_name = "MODE", value_parser = ["affinity", "rwx"])]
    pub shared_volumes: Option<String>,
    /// Size of one volume's claim, by Compose volume name (repeatable; overrides --storage-size)
    #[arg(long = "volume-size", value_name = "NAME=SIZE", value_parser = key_value)]
    pub volume_sizes: Vec<(String, String)>,
    /// Also turn health checks into liveness probes (default off: as on Docker, a failing
    /// health check only marks the pod not ready).
    #[arg(long = "liveness-probes")]
    pub liveness_probes: bool,
    /// What Docker's embedded DNS 127.0.0.11 becomes (default
    /// kube-dns.kube-system.svc.cluster.local).
    #[arg(long = "cluster-dns", value_name = "ADDRESS")]
    pub cluster_dns: Option<String>,
    /// The container port of a service's port-less SERVICE_URL_* / SERVICE_FQDN_* routes
    /// (repeatable; default: the template's `# port:` header, else the health check's port,
    /// else the service's first port).
    #[arg(long = "route-port", value_name = "SERVICE=PORT", value_parser = service_port)]
    pub route_ports: Vec<(String, u16)>,
    /// The template's required port (default: its `# port:` header).
    #[arg(long = "required-port", value_name = "PORT")]
    pub required_port: Option<u16>,
    /// A docker-registry Secret every pod pulls its images with (repeatable; the Secret
    /// must exist in the namespace).
    #[arg(long = "image-pull-secret", value_name = "NAME")]
    pub image_pull_secrets: Vec<String>,
    /// Registry and path for services that only have `build:`: they pull
    /// `REGISTRY/PATH/<project>-<service>`, the name Docker Compose gives the built image
    /// (default none: such a service is an error).
    #[arg(long, value_name = "REGISTRY/PATH")]
    pub registry: Option<String>,
    /// One namespace per resource (`resource`, default), or one namespace shared by a
    /// destination's resources (`shared`: object names carry the resource's name, as
    /// Coolify's container names carry its uuid; the namespace defaults to `coolify`).
    #[arg(long = "namespace-strategy", value_name = "resource|shared")]
    pub namespace_strategy: Option<String>,
}

fn service_port(s: &str) -> Result<(String, u16), String> {
    let (k, v) = key_value(s)?;
    let port = v
        .parse::<u16>()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("{v:?} is not a port"))?;
    Ok((k, port))
}

fn autoscale(s: &str) -> Result<Value, String> {
    let mut m = Map::new();
    for part in s.split(',').filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| format!("expected KEY=NUMBER, got {part:?}"))?;
        let n: u32 = v
            .trim()
            .parse()
            .map_err(|_| format!("{k}: {v:?} is not a whole number"))?;
        m.insert(k.trim().to_string(), json!(n));
    }
    Ok(Value::Object(m))
}

fn key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected KEY=VALUE, got {s:?}")),
    }
}

fn pairs(p: &[(String, String)]) -> Value {
    let m: BTreeMap<&str, &str> = p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    json!(m)
}

impl TranslateArgs {
    /// The library options, validated by the library (a message for a usage error).
    pub fn options(&self) -> Result<Options, String> {
        let mut m = Map::new();
        let mut put = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                m.insert(k.to_string(), json!(v));
            }
        };
        put("name", &self.name);
        put("namespace", &self.namespace);
        put("router", &self.router);
        put("ingress_class", &self.ingress_class);
        put("cluster_issuer", &self.cluster_issuer);
        put("entrypoints", &self.entrypoints);
        put("gateway", &self.gateway);
        put("listeners", &self.listeners);
        put("storage_class", &self.storage_class);
        put("storage_size", &self.storage_size);
        put("bind_mounts", &self.bind_mounts);
        put("published_ports", &self.published_ports);
        put("seed", &self.seed);
        put("deployment_id", &self.deployment_id);
        put("ingress_controller", &self.ingress_controller);
        put("base_domain", &self.base_domain);
        put("shared_volumes", &self.shared_volumes);
        if let Some(a) = &self.autoscale {
            m.insert("autoscale".into(), a.clone());
        }
        m.insert("network_policies".into(), json!(self.network_policies));
        m.insert("images".into(), pairs(&self.images));
        m.insert("labels".into(), pairs(&self.labels));
        m.insert("annotations".into(), pairs(&self.annotations));
        m.insert("secret_variables".into(), json!(self.secret_variables));
        m.insert("profiles".into(), json!(self.profiles));
        m.insert("volume_sizes".into(), pairs(&self.volume_sizes));
        m.insert("liveness_probes".into(), json!(self.liveness_probes));
        m.insert("pull_latest_images".into(), json!(self.pull_latest_images));
        if let Some(d) = &self.cluster_dns {
            m.insert("cluster_dns".into(), json!(d));
        }
        let route_ports: BTreeMap<&str, u16> = self
            .route_ports
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect();
        m.insert("route_ports".into(), json!(route_ports));
        if let Some(p) = self.required_port {
            m.insert("required_port".into(), json!(p));
        }
        m.insert("image_pull_secrets".into(), json!(self.image_pull_secrets));
        if let Some(r) = &self.registry {
            m.insert("registry".into(), json!(r));
        }
        if let Some(s) = &self.namespace_strategy {
            m.insert("namespace_strategy".into(), json!(s));
        }
        Options::from_value(Value::Object(m)).map_err(|e| e.to_string())
    }

    /// The variables: every `--env-file` in order (or `.env` beside `first_file` when none
    /// is given and it exists), then `--env` values.
    pub fn variables(&self, first_file: Option<&Path>) -> Result<BTreeMap<String, String>, String> {
        let mut vars = BTreeMap::new();
        let mut files = self.env_files.clone();
        if files.is_empty() {
            if let Some(f) = first_file {
                let beside = f.parent().unwrap_or(Path::new("")).join(".env");
                if beside.is_file() {
                    files.push(beside);
                }
            }
        }
        for f in &files {
            let text = std::fs::read_to_string(f)
                .map_err(|e| format!("{}: cannot read: {e}", f.display()))?;
            for (k, v) in parse_env_file(&text).map_err(|e| format!("{}: {e}", f.display()))? {
                vars.insert(k, v);
            }
        }
        for (k, v) in &self.env {
            vars.insert(k.clone(), v.clone());
        }
        Ok(vars)
    }
}

/// Parse a `.env` file: `KEY=VALUE` lines, `#` comments, an optional `export `, values in
/// single quotes (literal) or double quotes (with `\n`, `\"`, `\\` escapes).
pub fn parse_env_file(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((k, v)) = line.split_once('=') else {
            return Err(format!("line {}: expected KEY=VALUE", i + 1));
        };
        let k = k.trim();
        if k.is_empty() || k.chars().any(char::is_whitespace) {
            return Err(format!("line {}: invalid variable name {k:?}", i + 1));
        }
        let v = v.trim();
        let value = if let Some(inner) = v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
            inner.to_string()
        } else if let Some(inner) = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            let mut s = String::new();
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    match chars.next() {
                        Some('n') => s.push('\n'),
                        Some(o) => s.push(o),
                        None => s.push('\\'),
                    }
                } else {
                    s.push(c);
                }
            }
            s
        } else {
            // An unquoted value ends at a ` #` comment.
            match v.find(" #") {
                Some(p) => v[..p].trim_end().to_string(),
                None => v.to_string(),
            }
        };
        out.push((k.to_string(), value));
    }
    Ok(out)
}

/// Read the input files named on the command line.
pub fn read_files(paths: &[PathBuf]) -> Result<Vec<SourceFile>, String> {
    paths
        .iter()
        .map(|p| {
            std::fs::read_to_string(p)
                .map(|text| SourceFile {
                    name: p.display().to_string(),
                    text,
                })
                .map_err(|e| format!("{}: cannot read: {e}", p.display()))
        })
        .collect()
}

/// Reads files relative to the file that names them (the working directory for the
/// first file).
#[derive(Debug, Clone, Copy, Default)]
pub struct FileResolver;

impl Resolver for FileResolver {
    fn read(&self, from: Option<&str>, path: &str) -> Result<(String, String), String> {
        let base = from
            .and_then(|f| Path::new(f).parent())
            .unwrap_or(Path::new(""));
        let full = base.join(path);
        let text = std::fs::read_to_string(&full)
            .map_err(|e| format!("cannot read {}: {e}", full.display()))?;
        Ok((full.display().to_string(), text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_files() {
        let v = parse_env_file("# c\nA=1\nexport B='x y'\nC=\"a\\nb\"\nD=v # note\nE=\n").unwrap();
        assert_eq!(
            v,
            vec![
                ("A".into(), "1".into()),
                ("B".into(), "x y".into()),
                ("C".into(), "a\nb".into()),
                ("D".into(), "v".into()),
                ("E".into(), "".into()),
            ]
        );
        assert!(parse_env_file("nonsense").is_err());
    }

    #[test]
    fn options_go_through_the_library() {
        let a = TranslateArgs {
            router: Some("traefik".into()),
            images: vec![("app".into(), "r/app:1".into())],
            ..Default::default()
        };
        let o = a.options().unwrap();
        assert_eq!(o.router, coolify_k8s_core::options::Router::Traefik);
        assert_eq!(o.images.get("app").map(String::as_str), Some("r/app:1"));
        let bad = TranslateArgs {
            namespace: Some("Bad_NS".into()),
            ..Default::default()
        };
        assert!(bad.options().unwrap_err().starts_with("options.namespace"));
    }

    #[test]
    fn route_ports_and_the_nginx_controller() {
        assert_eq!(service_port("web=3000"), Ok(("web".into(), 3000)));
        assert!(service_port("web=0").is_err());
        assert!(service_port("web=http").is_err());
        let a = TranslateArgs {
            route_ports: vec![("web".into(), 3000)],
            required_port: Some(8080),
            ingress_controller: Some("nginx".into()),
            ..Default::default()
        };
        let o = a.options().unwrap();
        assert_eq!(o.route_ports.get("web"), Some(&3000));
        assert_eq!(o.required_port, Some(8080));
        assert_eq!(
            o.ingress_controller,
            coolify_k8s_core::options::IngressController::Nginx
        );
    }

    #[test]
    fn pull_secrets_and_the_registry_prefix() {
        let a = TranslateArgs {
            image_pull_secrets: vec!["regcred".into()],
            registry: Some("registry.example.com/team".into()),
            ..Default::default()
        };
        let o = a.options().unwrap();
        assert_eq!(o.image_pull_secrets, ["regcred"]);
        assert_eq!(o.registry.as_deref(), Some("registry.example.com/team"));
        let bad = TranslateArgs {
            registry: Some("r.io/App:1".into()),
            ..Default::default()
        };
        assert!(bad.options().unwrap_err().starts_with("options.registry"));
    }
}
