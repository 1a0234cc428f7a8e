//! A Coolify Application's attributes (the JSON object `coolify-k8s application` reads,
//! under Coolify's own snake_case names) into the Compose service Coolify would write for it
//! on Docker, plus what Compose cannot say: HTTP health checks, routes from the FQDNs, and
//! which variables are secret.
//!
//! The result goes through the same plan as a Compose file, so an Application deploys with
//! the behaviour it has on Docker. See the README section "Applications" for the JSON shape.

mod environment;
mod health;
mod routes;

use super::attributes::{
    apply_limits, apply_run_options, apply_storages, identity_labels, list_items,
    one_service_project, port_mappings, rebase_volumes, Attrs,
};
use super::identity::Identity;
use crate::compose::normalize::port_number;
use crate::compose::{ExposedPort, Port, Project, Protocol, Restart, Service};
use crate::error::{Error, Errors};
use crate::k8s::autoscaling::Autoscale;
use crate::path::InputPath;
use crate::plan::ProbeAction;
use crate::proxy::{labels as proxy_labels, Route};
use crate::report::{Outcome, Report};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Coolify's default preview URL template.
pub const DEFAULT_PREVIEW_URL_TEMPLATE: &str = "{{pr_id}}.{{domain}}";

/// Attributes read by the translation; every other attribute is reported as not used.
const KNOWN: &[&str] = &[
    "id",
    "uuid",
    "name",
    "image",
    "docker_registry_image_name",
    "docker_registry_image_tag",
    "fqdn",
    "preview_fqdn",
    "preview_url_template",
    "ports_exposes",
    "ports_mappings",
    "health_check_enabled",
    "health_check_type",
    "health_check_command",
    "health_check_path",
    "health_check_port",
    "health_check_host",
    "health_check_method",
    "health_check_scheme",
    "health_check_return_code",
    "health_check_response_text",
    "health_check_interval",
    "health_check_timeout",
    "health_check_retries",
    "health_check_start_period",
    "limits_memory",
    "limits_memory_swap",
    "limits_memory_swappiness",
    "limits_memory_reservation",
    "limits_cpus",
    "limits_cpuset",
    "limits_cpu_shares",
    "custom_labels",
    "redirect",
    "is_force_https_enabled",
    "is_gzip_enabled",
    "is_stripprefix_enabled",
    "is_container_label_readonly_enabled",
    "is_http_basic_auth_enabled",
    "http_basic_auth_username",
    "http_basic_auth_password",
    "environment_variables",
    "environment_variables_preview",
    "persistent_storages",
    "file_storages",
    "pull_request_id",
    "project_name",
    "environment_name",
    "git_commit_sha",
    "deployment_uuid",
    "git_branch",
    "settings",
    "autoscale",
    "compose_parsing_version",
    "custom_internal_name",
    "is_consistent_container_name_enabled",
    "custom_network_aliases",
    // They choose the image tag Coolify's build gave (`coolify/image.rs`).
    "build_pack",
    "dockerfile",
    // `docker run` flags, applied as Coolify's `convertDockerRunToCompose` does.
    "custom_docker_run_options",
];

/// Attributes that matter only for building images or for Coolify's own bookkeeping.
const BUILD_ONLY: &[&str] = &[
    "git_repository",
    "git_full_url",
    "git_commit_sha",
    "install_command",
    "build_command",
    "start_command",
    "base_directory",
    "publish_directory",
    "dockerfile_location",
    "dockerfile_target_build",
    "docker_compose_location",
    "static_image",
    "created_at",
    "updated_at",
    "deleted_at",
    "description",
    "status",
    "last_online_at",
    "environment_id",
    "destination_id",
    "destination_type",
    "source_id",
    "source_type",
    "repository_project_id",
    "private_key_id",
    "config_hash",
    "manual_webhook_secret_github",
    "manual_webhook_secret_gitlab",
    "manual_webhook_secret_bitbucket",
    "manual_webhook_secret_gitea",
    "watch_paths",
    "custom_nginx_configuration",
    "post_deployment_command",
    "post_deployment_command_container",
    "pre_deployment_command",
    "pre_deployment_command_container",
];

/// An Application, ready for the plan: the Compose project Coolify would write for it,
/// the variable values, and what Compose cannot carry.
#[derive(Debug, Clone)]
pub struct ApplicationInput {
    /// A project with the one service.
    pub project: Project,
    /// The service's name in `project`: Coolify's container name (the `uuid`, or the
    /// `custom_internal_name`; `-pr-N` for a preview), normalized to a DNS label.
    pub service: String,
    /// The resource's identity, the `name` option's default and so its instance label:
    /// the `uuid` (`<uuid>-pr-<N>` for a preview), never the user-editable `name`.
    pub instance: String,
    /// The namespace of one namespace per resource: production's identity (the `uuid`), so
    /// a preview deploys beside production.
    pub resource: String,
    /// Values of the variables the service's environment refers to.
    pub variables: BTreeMap<String, String>,
    /// The variables whose values go only into a Secret (every user variable: Coolify keeps
    /// them in the `.env` with credentials among them).
    pub secret_variables: BTreeSet<String>,
    /// The routes (from the FQDNs, or from the custom labels when they are not read-only).
    pub routes: Vec<Route>,
    /// The HTTP health check, which replaces the probes' command.
    pub http_probe: Option<ProbeAction>,
    /// Autoscaling settings (`autoscale` attribute).
    pub autoscale: Option<Autoscale>,
    /// Names other resources of the destination reach it by (its container name and
    /// `custom_network_aliases`): never suffixed in a shared namespace.
    pub global_names: BTreeSet<String>,
    /// This deployment's id: the `deployment_uuid` attribute, else the `deployment_id`
    /// option (every pod template carries it, see [`crate::plan::redeploy`]).
    pub deployment_id: Option<String>,
    /// What could not be carried over exactly.
    pub report: Report,
    /// The storage each of the service's volumes comes from, by index, so report lines
    /// name the attribute rather than the Compose service made from it.
    pub volume_origins: Vec<InputPath>,
}

/// `custom_network_aliases` (a comma list, or JSON list text, as the model's accessors give
/// it): the container's extra names on the destination network (`generate_compose_file` in
/// `ApplicationDeploymentJob.php`), here headless alias Services. Returns every name other
/// resources reach the application by. Docker gives a preview's container the same aliases
/// as production's; one Service cannot belong to both, so a preview's carry `-pr-N`
/// (reported).
fn network_aliases(
    a: &Attrs<'_>,
    service: &str,
    pr: u64,
    svc: &mut Service,
    report: &mut Report,
) -> BTreeSet<String> {
    let mut names = BTreeSet::from([service.to_string()]);
    let raw: Vec<String> = match a.get("custom_network_aliases") {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(Value::String(text)) => match serde_json::from_str::<Vec<String>>(text) {
            Ok(list) => list,
            Err(_) => text.split(',').map(str::to_string).collect(),
        },
        _ => Vec::new(),
    };
    let mut aliases = Vec::new();
    for alias in raw.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let alias = if pr > 0 {
            report.add(
                InputPath::root().key("custom_network_aliases"),
                Outcome::Approximated,
                format!("the preview answers to {alias:?} as \"{alias}-pr-{pr}\": on Docker production and preview share the alias, but one Service cannot belong to both"),
            );
            format!("{alias}-pr-{pr}")
        } else {
            alias.to_string()
        };
        names.insert(alias.clone());
        aliases.push(alias);
    }
    if !aliases.is_empty() {
        svc.networks
            .entry("default".to_string())
            .or_insert_with(|| Some(Default::default()))
            .get_or_insert_with(Default::default)
            .aliases
            .extend(aliases);
    }
    names
}

/// Read an Application's attributes. `seed` salts the bcrypt hash of the basic-auth password
/// (derived from the application's uuid when `None`), so output is deterministic.
pub fn from_attributes(attrs: &Value, seed: Option<&str>) -> Result<ApplicationInput, Errors> {
    from_attributes_env(attrs, &BTreeMap::new(), seed)
}

/// [`from_attributes`] with `env`: runtime variables as `NAME => value` (what Coolify's
/// deployment job holds: its generated `COOLIFY_*` values, or any override). They win over
/// `environment_variables` and the generated defaults; `COOLIFY_*` and `SOURCE_COMMIT` are
/// plain values, every other one goes into the Secret.
pub fn from_attributes_env(
    attrs: &Value,
    env: &BTreeMap<String, String>,
    seed: Option<&str>,
) -> Result<ApplicationInput, Errors> {
    read(attrs, env, seed, None)
}

/// [`from_attributes_env`] with the `deployment_id` option, which the `deployment_uuid`
/// attribute overrides (the job's own id, passed with its other values such as
/// `git_commit_sha`).
fn read(
    attrs: &Value,
    env: &BTreeMap<String, String>,
    seed: Option<&str>,
    deployment_id: Option<&str>,
) -> Result<ApplicationInput, Errors> {
    let mut a = Attrs::root(attrs, "an Application")?;
    a.settings = a.obj.get("settings").and_then(Value::as_object);
    let mut errors = Vec::new();
    let mut report = Report::default();
    report_unused(&a, &mut report);

    let uuid = a.text("uuid");
    let app_name = a
        .text("name")
        .or_else(|| uuid.clone())
        .unwrap_or_else(|| "app".into());
    let pr = a.number("pull_request_id", &mut errors).unwrap_or(0);
    let identity = Identity::of(&a, uuid.as_deref(), &app_name, pr, &mut report);
    let service = identity.service.clone();

    let deployment_id = a
        .text("deployment_uuid")
        .or_else(|| deployment_id.map(str::to_string));
    let image = super::image::image(&a, pr, deployment_id.as_deref(), &mut errors);
    let expose = exposed_ports(&a, &mut errors);
    let first_port = expose.first().map(|p| p.target);
    let ports = published_ports(&a, pr, &mut errors, &mut report);
    let fqdns = fqdn_list(&a, pr);
    let runtime = environment::runtime(
        &a,
        env,
        &environment::Generated {
            pr,
            fqdns: fqdns.as_deref(),
            uuid: uuid.as_deref(),
            container: &identity.container,
            first_port,
        },
        &mut errors,
        &mut report,
    );

    let mut svc = Service {
        pull_policy: image.as_ref().and_then(|i| i.pull_policy.clone()),
        image: image.map(|i| i.reference),
        restart: Some(Restart::UnlessStopped),
        expose,
        ports,
        environment: runtime.environment,
        ..Service::default()
    };
    apply_limits(&a, &mut svc, &mut errors, &mut report);
    let suffix = if pr > 0 {
        format!("-pr-{pr}")
    } else {
        String::new()
    };
    let volume_origins = apply_storages(&a, &mut svc, &mut errors, &suffix);
    let (healthcheck, http_probe) = health::check(&a, first_port, &mut errors, &mut report);
    svc.healthcheck = healthcheck;

    let custom = custom_labels(&a, &mut svc);
    // The basic-auth hash's salt: the caller's seed, else the application's identity.
    let auth_seed = seed
        .map(str::to_string)
        .unwrap_or_else(|| format!("coolify-k8s:{}", uuid.as_deref().unwrap_or(&app_name)));
    let routes = routes::routes(
        &a,
        &routes::Sources {
            service: &service,
            custom: &custom,
            fqdns: fqdns.as_deref(),
            pr,
            auth_seed: &auth_seed,
            first_port,
        },
        &mut errors,
        &mut report,
    )?;
    let global_names = network_aliases(&a, &service, pr, &mut svc, &mut report);
    identity_labels(
        &a,
        &mut svc,
        "application",
        "coolify.applicationId",
        Some(&app_name),
    );
    svc.labels.insert(
        "coolify.name".into(),
        crate::plan::names::dns_label(&app_name, 63),
    );
    svc.labels
        .insert("coolify.pullRequestId".into(), pr.to_string());
    let autoscale = autoscale(&a, &mut errors);
    apply_run_options(&a, &mut svc, &mut errors, &mut report);

    let project = one_service_project(identity.instance.clone(), &service, svc, errors)?;
    Ok(ApplicationInput {
        project,
        service,
        instance: identity.instance,
        resource: identity.namespace,
        variables: runtime.variables,
        secret_variables: runtime.secret_variables,
        deployment_id,
        routes,
        http_probe,
        autoscale,
        global_names,
        report,
        volume_origins,
    })
}

/// Attributes the translation does not read are reported, build settings with their reason.
fn report_unused(a: &Attrs<'_>, report: &mut Report) {
    for key in a.obj.keys() {
        if KNOWN.contains(&key.as_str()) {
            continue;
        }
        let why = if BUILD_ONLY.contains(&key.as_str()) {
            "build or bookkeeping setting: images are built before deploying to Kubernetes"
        } else {
            "not used by the Kubernetes translation"
        };
        report.add(at(key), Outcome::Dropped, why);
    }
}

/// `ports_exposes`: the comma list of the container's ports (the first is the default for
/// routes, `PORT` and the HTTP health check).
fn exposed_ports(a: &Attrs<'_>, errors: &mut Vec<Error>) -> Vec<ExposedPort> {
    let mut expose = Vec::new();
    if let Some(list) = a.text("ports_exposes") {
        for (i, p) in list_items(&list).enumerate() {
            match port_number(p) {
                Some(n) if n > 0 => expose.push(ExposedPort {
                    target: n,
                    protocol: Protocol::Tcp,
                }),
                _ => errors.push(Error::new(
                    at("ports_exposes").index(i),
                    format!("invalid port {p:?}"),
                )),
            }
        }
    }
    expose
}

/// `ports_mappings`: host ports, which a preview does not publish.
fn published_ports(
    a: &Attrs<'_>,
    pr: u64,
    errors: &mut Vec<Error>,
    report: &mut Report,
) -> Vec<Port> {
    if pr == 0 {
        return port_mappings(a, errors);
    }
    if a.text("ports_mappings").is_some() {
        report.add(
            at("ports_mappings"),
            Outcome::Dropped,
            "preview deployments publish no host ports (as on Docker)",
        );
    }
    Vec::new()
}

/// The domains the application answers to: `fqdn`, or for a preview its `preview_fqdn`,
/// else production's domains through the preview URL template.
fn fqdn_list(a: &Attrs<'_>, pr: u64) -> Option<String> {
    if pr == 0 {
        return a.text("fqdn");
    }
    a.text("preview_fqdn").or_else(|| {
        let template = a
            .text("preview_url_template")
            .unwrap_or_else(|| DEFAULT_PREVIEW_URL_TEMPLATE.into());
        a.text("fqdn").map(|f| preview_fqdns(&f, &template, pr))
    })
}

/// `custom_labels`, decoded; those that are neither proxy labels nor Coolify's own become the
/// service's labels (the proxy labels are read by [`routes`]).
fn custom_labels(a: &Attrs<'_>, svc: &mut Service) -> BTreeMap<String, String> {
    let custom = a
        .text("custom_labels")
        .map(|c| decode_labels(&c))
        .unwrap_or_default();
    for (k, v) in &custom {
        if !proxy_labels::is_proxy_label(k) && !k.starts_with("coolify.") {
            svc.labels.insert(k.clone(), v.clone());
        }
    }
    custom
}

/// The `autoscale` attribute (this project's own, see the README).
fn autoscale(a: &Attrs<'_>, errors: &mut Vec<Error>) -> Option<Autoscale> {
    match Autoscale::from_value(a.get("autoscale")?, &at("autoscale")) {
        Ok(x) => Some(x),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

/// The path of a top-level attribute.
fn at(key: &str) -> InputPath {
    InputPath::root().key(key)
}

/// Coolify stores `custom_labels` base64-encoded; plain text is accepted too. One
/// `key=value` per line.
pub fn decode_labels(s: &str) -> BTreeMap<String, String> {
    use base64::Engine as _;
    let text = base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .filter(|t| t.contains('='))
        .unwrap_or_else(|| s.to_string());
    text.lines()
        .filter_map(|l| {
            let l = l.trim();
            let (k, v) = l.split_once('=')?;
            let k = k.trim();
            (!k.is_empty() && !k.starts_with('#')).then(|| (k.to_string(), v.trim().to_string()))
        })
        .collect()
}

/// Coolify's preview domains: each production URL's host replaced by the template
/// (`{{pr_id}}.{{domain}}` → `https://42.app.example.com`).
pub fn preview_fqdns(fqdns: &str, template: &str, pr: u64) -> String {
    fqdns
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(|u| {
            let (scheme, rest) = u.split_once("://").unwrap_or(("https", u));
            let (host, tail) = match rest.find([':', '/']) {
                Some(i) => rest.split_at(i),
                None => (rest, ""),
            };
            let host = template
                .replace("{{pr_id}}", &pr.to_string())
                .replace("{{domain}}", host)
                .replace("{{random}}", &pr.to_string());
            format!("{scheme}://{host}{tail}")
        })
        .collect::<Vec<_>>()
        .join(",")
}

impl crate::Translator {
    /// Translate a Coolify Application's attributes (see [`from_attributes`] and the README
    /// section "Applications") into manifests, through the same plan as a Compose file.
    ///
    /// The instance is the application's `uuid` (`<uuid>-pr-<N>` for a preview), never its
    /// user-editable name (see [`super::identity`]); under one namespace per resource the
    /// namespace defaults to the `uuid`, so previews deploy beside production.
    ///
    /// ```
    /// use coolify_k8s_core::{Options, Translator};
    /// let m = Translator::new(Options::default()).application(&serde_json::json!({
    ///     "name": "blog", "image": "ghost:5", "ports_exposes": "2368",
    ///     "fqdn": "https://blog.example.com",
    /// })).unwrap();
    /// assert!(m.objects().iter().any(|o| o["kind"] == "Ingress"));
    /// ```
    pub fn application(&self, attrs: &Value) -> Result<crate::Manifests, Errors> {
        self.application_env(attrs, &BTreeMap::new())
    }

    /// [`application`](Self::application) with runtime variables (see
    /// [`from_attributes_env`]): what `Translator::application($attributes, $env)` calls.
    pub fn application_env(
        &self,
        attrs: &Value,
        env: &BTreeMap<String, String>,
    ) -> Result<crate::Manifests, Errors> {
        let base = self.options();
        let input = read(
            attrs,
            env,
            base.seed.as_deref(),
            base.deployment_id.as_deref(),
        )?;
        let mut options = base.clone();
        options.deployment_id = input.deployment_id.clone();
        options
            .secret_variables
            .extend(input.secret_variables.iter().cloned());
        if options.name.is_none() {
            options.name = Some(input.instance.clone());
        }
        if options.namespace.is_none()
            && options.namespace_strategy == crate::options::NamespaceStrategy::Resource
        {
            options.namespace = Some(input.resource.clone());
        }
        // The container name and the network aliases are Coolify's on the whole
        // destination: kept in a shared namespace (a custom name does not carry the uuid).
        options
            .global_names
            .extend(input.global_names.iter().cloned());
        options.validate()?;
        // Autoscaling goes through the plan as Compose's extension would (the `autoscale`
        // option applies to an application that serves routes).
        let mut project = input.project;
        let autoscale = input
            .autoscale
            .or(options.autoscale.filter(|_| !input.routes.is_empty()));
        if let (Some(a), Some(svc)) = (autoscale, project.services.get_mut(&input.service)) {
            if let Ok(v) = serde_json::to_value(a) {
                svc.extensions
                    .insert(crate::plan::workload::AUTOSCALE_KEY.to_string(), v);
            }
        }
        let mut plan = crate::plan::plan(&project, &options, &input.variables, None)?;
        // A preview deploys into production's namespace: production owns it.
        plan.shared_namespace |= input.instance != input.resource;
        let mut report = input.report;
        super::identity::report_reach(&options, &input.service, &plan.namespace, &mut report);
        for w in plan
            .workloads
            .iter_mut()
            .filter(|w| w.service == input.service)
        {
            w.routes = input.routes.clone();
            if let (Some(action), Some(c)) = (&input.http_probe, w.containers.first_mut()) {
                for probe in [&mut c.readiness, &mut c.liveness, &mut c.startup]
                    .into_iter()
                    .flatten()
                {
                    probe.action = action.clone();
                }
            }
            crate::proxy::attach::ensure_route_ports(w);
        }
        let (objects, build_report) = crate::k8s::build(&plan, &options)?;
        report.extend(plan.report);
        report.extend(build_report);
        rebase_volumes(&mut report, &input.service, &input.volume_origins);
        Ok(crate::Manifests::new(objects, report))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::{magic::deferred, ByteSize, Duration};
    use crate::proxy::HttpMode;
    use serde_json::json;

    fn input(v: Value) -> ApplicationInput {
        from_attributes(&v, Some("seed")).unwrap()
    }

    #[test]
    fn dockerimage_app_with_one_fqdn() {
        let app = input(json!({
            "id": 7, "uuid": "abc123", "name": "My Blog", "image": "ghost:5",
            "fqdn": "https://blog.example.com", "ports_exposes": "2368",
            "environment_variables": [
                {"key": "DB_PASSWORD", "value": "s3cret", "is_runtime": true, "is_buildtime": false, "is_preview": false},
                {"key": "NPM_TOKEN", "value": "t", "is_runtime": false, "is_buildtime": true, "is_preview": false},
                {"key": "DB_PASSWORD", "value": "preview-pw", "is_runtime": true, "is_preview": true}
            ],
            "build_pack": "dockerimage",
        }));
        // Keyed by the uuid, never by the user-editable name.
        assert_eq!(
            (app.service.as_str(), app.instance.as_str()),
            ("abc123", "abc123")
        );
        assert_eq!(app.resource, "abc123");
        let svc = &app.project.services["abc123"];
        assert_eq!(svc.labels["coolify.name"], "my-blog");
        assert_eq!(svc.image.as_deref(), Some("ghost:5"));
        assert_eq!(svc.expose[0].target, 2368);
        // The secret is a deferred reference; its value only in `variables`.
        assert_eq!(
            svc.environment["DB_PASSWORD"],
            Some(deferred::reference("DB_PASSWORD"))
        );
        assert_eq!(app.variables["DB_PASSWORD"], "s3cret");
        assert!(app.secret_variables.contains("DB_PASSWORD"));
        assert!(!svc.environment.contains_key("NPM_TOKEN"));
        assert_eq!(svc.environment["PORT"].as_deref(), Some("2368"));
        assert_eq!(svc.environment["HOST"].as_deref(), Some("0.0.0.0"));
        assert_eq!(
            svc.environment["COOLIFY_FQDN"].as_deref(),
            Some("blog.example.com")
        );
        assert_eq!(
            svc.environment["COOLIFY_CONTAINER_NAME"].as_deref(),
            Some("abc123")
        );
        assert_eq!(svc.labels["coolify.applicationId"], "7");
        assert_eq!(svc.labels["coolify.pullRequestId"], "0");
        assert_eq!(app.routes.len(), 1);
        let r = &app.routes[0];
        assert_eq!(
            (r.hosts[0].as_str(), r.port, r.http),
            ("blog.example.com", Some(2368), HttpMode::RedirectToHttps)
        );
        // `build_pack` chooses the image (`coolify/image.rs`): used, so not reported dropped.
        assert!(!app
            .report
            .entries()
            .iter()
            .any(|e| e.path.to_string() == "build_pack"));
    }

    #[test]
    fn http_health_check_and_limits() {
        let app = input(json!({
            "name": "api", "image": "api:1", "ports_exposes": "3000,9090",
            "health_check_enabled": true, "health_check_path": "/health",
            "health_check_interval": 10, "health_check_timeout": "3", "health_check_retries": 5,
            "health_check_start_period": 20, "health_check_host": "localhost",
            "limits_memory": "512m", "limits_cpus": "1.5", "limits_memory_reservation": "0",
            "limits_cpu_shares": 1024, "limits_memory_swappiness": 60
        }));
        assert_eq!(
            app.http_probe,
            Some(ProbeAction::HttpGet {
                path: "/health".into(),
                port: 3000,
                scheme: "HTTP".into(),
                host: None
            })
        );
        let svc = &app.project.services["api"];
        let hc = svc.healthcheck.as_ref().unwrap();
        assert_eq!(
            (hc.interval, hc.timeout, hc.retries),
            (
                Some(Duration::from_secs(10)),
                Some(Duration::from_secs(3)),
                Some(5)
            )
        );
        assert_eq!(svc.mem_limit, Some(ByteSize::from_bytes(512 * 1024 * 1024)));
        assert_eq!(svc.cpus, Some(1.5));
        assert_eq!((svc.mem_reservation, svc.cpu_shares), (None, None));
        assert!(app.report.entries().is_empty(), "{:?}", app.report);
    }

    #[test]
    fn two_fqdns_path_strip_prefix_basic_auth_and_www() {
        let app = input(json!({
            "name": "web", "image": "nginx", "ports_exposes": "80",
            "fqdn": "https://example.com,https://example.com:8080/api",
            "redirect": "www", "is_force_https_enabled": false,
            "is_http_basic_auth_enabled": true, "http_basic_auth_username": "admin",
            "http_basic_auth_password": "hunter2",
        }));
        assert_eq!(app.routes.len(), 2);
        let (a, b) = (&app.routes[0], &app.routes[1]);
        assert_eq!(
            (a.port, a.path.as_str(), a.strip_prefix),
            (Some(80), "/", false)
        );
        assert_eq!(
            (b.port, b.path.as_str(), b.strip_prefix),
            (Some(8080), "/api", true)
        );
        assert_eq!(a.www_redirect, Some(crate::proxy::WwwRedirect::ToWww));
        assert_eq!(a.http, HttpMode::Serve);
        let user = &a.basic_auth.as_ref().unwrap().users[0];
        let hash = user.strip_prefix("admin:").unwrap();
        assert!(hash.starts_with("$2y$10$"));
        assert!(bcrypt::verify("hunter2", hash).unwrap());
        // Deterministic for a seed.
        let again = input(json!({
            "name": "web", "image": "nginx", "ports_exposes": "80", "fqdn": "https://example.com",
            "is_http_basic_auth_enabled": true, "http_basic_auth_username": "admin",
            "http_basic_auth_password": "hunter2",
        }));
        assert_eq!(&again.routes[0].basic_auth.as_ref().unwrap().users[0], user);
        // The password appears nowhere in the project.
        assert!(!format!("{:?}", app.project).contains("hunter2"));
    }

    #[test]
    fn preview_deployment() {
        let app = input(json!({
            "uuid": "u1", "name": "shop", "image": "shop:pr-42", "ports_exposes": "3000",
            "ports_mappings": "8080:3000", "fqdn": "https://shop.example.com",
            "pull_request_id": 42, "redirect": "www",
            "persistent_storages": [{"name": "u1-data", "mount_path": "/data"}],
            "environment_variables": [
                {"key": "MODE", "value": "prod", "is_preview": false},
                {"key": "MODE", "value": "preview", "is_preview": true}
            ]
        }));
        assert_eq!(app.service, "u1-pr-42");
        assert_eq!(
            (app.instance.as_str(), app.resource.as_str()),
            ("u1-pr-42", "u1")
        );
        let svc = &app.project.services["u1-pr-42"];
        assert!(svc.ports.is_empty());
        assert_eq!(app.variables["MODE"], "preview");
        assert_eq!(svc.volumes[0].source.as_deref(), Some("u1-data-pr-42"));
        assert_eq!(svc.labels["coolify.pullRequestId"], "42");
        assert_eq!(
            svc.environment["COOLIFY_CONTAINER_NAME"].as_deref(),
            Some("u1-pr-42")
        );
        assert_eq!(app.routes[0].hosts, vec!["42.shop.example.com"]);
        assert_eq!(app.routes[0].www_redirect, None);
        assert!(app
            .report
            .entries()
            .iter()
            .any(|e| e.path.to_string() == "ports_mappings"));
    }

    #[test]
    fn preview_variables_fall_back_to_production_only_when_the_preview_has_some() {
        let vars = json!([
            {"key": "MODE", "value": "prod", "is_preview": false},
            {"key": "DB_PASSWORD", "value": "prod-pw", "is_preview": false},
            {"key": "BUILD_ONLY", "value": "b", "is_preview": false, "is_runtime": false},
            {"key": "MODE", "value": "preview", "is_preview": true}
        ]);
        let app = input(json!({"uuid": "u1", "image": "x", "pull_request_id": 3,
            "environment_variables": vars}));
        // The preview's own value wins; production's fills the keys it lacks.
        assert_eq!(app.variables["MODE"], "preview");
        assert_eq!(app.variables["DB_PASSWORD"], "prod-pw");
        assert!(!app.variables.contains_key("BUILD_ONLY"));
        let keys: Vec<&String> = app.project.services["u1-pr-3"].environment.keys().collect();
        assert_eq!(&keys[..2], ["MODE", "DB_PASSWORD"]);
        // Without preview variables a preview gets none of production's (no leak).
        let app = input(json!({"uuid": "u1", "image": "x", "pull_request_id": 3,
            "environment_variables": [{"key": "DB_PASSWORD", "value": "prod-pw", "is_preview": false}]}));
        assert!(
            !app.variables.contains_key("DB_PASSWORD"),
            "{:?}",
            app.variables
        );
        // Production never sees preview values.
        let app = input(json!({"uuid": "u1", "image": "x",
            "environment_variables": [{"key": "MODE", "value": "preview", "is_preview": true}]}));
        assert!(!app.variables.contains_key("MODE"));
    }

    #[test]
    fn preview_storages_are_suffixed_unless_they_opt_out() {
        let app = input(json!({"uuid": "u1", "image": "x", "pull_request_id": 5,
        "persistent_storages": [
            {"name": "u1-data", "mount_path": "/data"},
            {"name": "u1-shared", "mount_path": "/shared", "is_preview_suffix_enabled": false},
            {"name": "u1-host", "mount_path": "/host", "host_path": "/srv/u1"}
        ]}));
        let sources: Vec<&str> = app.project.services["u1-pr-5"]
            .volumes
            .iter()
            .filter_map(|v| v.source.as_deref())
            .collect();
        assert_eq!(sources, ["u1-data-pr-5", "u1-shared", "/srv/u1-pr-5"]);
    }

    #[test]
    fn two_applications_with_one_name_share_no_object() {
        let t = crate::Translator::default();
        let attrs = |uuid: &str| {
            json!({"uuid": uuid, "name": "blog", "image": "ghost:5",
            "ports_exposes": "2368", "fqdn": format!("https://{uuid}.example.com"),
            "persistent_storages": [{"name": format!("{uuid}-content"), "mount_path": "/var/lib/ghost/content"}],
            "environment_variables": [{"key": "DB_PASSWORD", "value": "pw"}]})
        };
        let ids = |m: &crate::Manifests| -> BTreeSet<String> {
            m.objects()
                .iter()
                .map(|o| {
                    format!(
                        "{}/{}/{}",
                        o["metadata"]["namespace"].as_str().unwrap_or(""),
                        o["kind"].as_str().unwrap_or(""),
                        o["metadata"]["name"].as_str().unwrap_or("")
                    )
                })
                .collect()
        };
        let a = t.application(&attrs("k4wc8s0gk8")).unwrap();
        let b = t.application(&attrs("m2x9q7p1zz")).unwrap();
        assert!(
            ids(&a).is_disjoint(&ids(&b)),
            "{:?}",
            ids(&a).intersection(&ids(&b)).collect::<Vec<_>>()
        );
        for o in a.objects() {
            assert_eq!(
                o["metadata"]["labels"]["app.kubernetes.io/instance"], "k4wc8s0gk8",
                "{o}"
            );
        }
        // Under one shared namespace too, and the Service is the uuid other resources dial.
        let shared = crate::Translator::new(crate::Options {
            namespace_strategy: crate::options::NamespaceStrategy::Shared,
            ..Default::default()
        });
        let a = shared.application(&attrs("k4wc8s0gk8")).unwrap();
        let b = shared.application(&attrs("m2x9q7p1zz")).unwrap();
        assert!(ids(&a).is_disjoint(&ids(&b)));
        assert!(
            ids(&a).contains("coolify/Service/k4wc8s0gk8"),
            "{:?}",
            ids(&a)
        );
        assert!(!a.objects().iter().any(|o| o["kind"] == "Namespace"));
    }

    #[test]
    fn a_preview_shares_no_object_name_with_production() {
        let t = crate::Translator::default();
        let attrs = |pr: u64| {
            json!({"uuid": "k4wc8s0gk8", "name": "blog", "image": "ghost:5",
            "ports_exposes": "2368", "fqdn": "https://blog.example.com", "pull_request_id": pr,
            "persistent_storages": [{"name": "k4wc8s0gk8-content", "mount_path": "/data"}],
            "environment_variables": [{"key": "A", "value": "1"}, {"key": "A", "value": "2", "is_preview": true}]})
        };
        let prod = t.application(&attrs(0)).unwrap();
        let preview = t.application(&attrs(9)).unwrap();
        let names = |m: &crate::Manifests| -> BTreeSet<String> {
            m.objects()
                .iter()
                .filter(|o| o["kind"] != "Namespace")
                .map(|o| {
                    format!(
                        "{}/{}",
                        o["kind"].as_str().unwrap_or(""),
                        o["metadata"]["name"].as_str().unwrap_or("")
                    )
                })
                .collect()
        };
        assert!(
            names(&prod).is_disjoint(&names(&preview)),
            "{:?}",
            names(&prod)
                .intersection(&names(&preview))
                .collect::<Vec<_>>()
        );
        // Production owns the namespace: the preview never relabels nor deletes it.
        assert!(prod.objects().iter().any(|o| o["kind"] == "Namespace"));
        assert!(!preview.objects().iter().any(|o| o["kind"] == "Namespace"));
        // One namespace, two instances: prune and delete select by instance.
        let ns = |m: &crate::Manifests| m.objects()[1]["metadata"]["namespace"].clone();
        assert_eq!(ns(&prod), ns(&preview));
        for o in preview
            .objects()
            .iter()
            .filter(|o| o["kind"] != "Namespace")
        {
            assert_eq!(
                o["metadata"]["labels"]["app.kubernetes.io/instance"], "k4wc8s0gk8-pr-9",
                "{o}"
            );
        }
    }

    #[test]
    fn network_aliases_are_names_on_the_destination() {
        let app = input(json!({"uuid": "u1", "image": "x", "ports_exposes": "80",
            "custom_network_aliases": "api,api-internal"}));
        let nets = &app.project.services["u1"].networks;
        assert_eq!(
            nets["default"].as_ref().unwrap().aliases,
            ["api", "api-internal"]
        );
        assert_eq!(
            app.global_names.iter().collect::<Vec<_>>(),
            ["api", "api-internal", "u1"]
        );
        // As JSON list text (the stored column), and for a preview, suffixed and reported.
        let app = input(json!({"uuid": "u1", "image": "x", "pull_request_id": 2,
            "custom_network_aliases": "[\"api\"]"}));
        let nets = &app.project.services["u1-pr-2"].networks;
        assert_eq!(nets["default"].as_ref().unwrap().aliases, ["api-pr-2"]);
        assert!(app
            .report
            .entries()
            .iter()
            .any(|e| e.path.to_string() == "custom_network_aliases"));
        // In a shared namespace the alias keeps its name: other resources dial it.
        let shared = crate::Translator::new(crate::Options {
            namespace_strategy: crate::options::NamespaceStrategy::Shared,
            ..Default::default()
        });
        let m = shared
            .application(&json!({"uuid": "u1", "image": "x", "ports_exposes": "80",
                "custom_network_aliases": "api"}))
            .unwrap();
        let services: Vec<&str> = m
            .objects()
            .iter()
            .filter(|o| o["kind"] == "Service")
            .filter_map(|o| o["metadata"]["name"].as_str())
            .collect();
        assert_eq!(services, ["u1", "api"]);
    }

    #[test]
    fn custom_labels_when_not_read_only() {
        use base64::Engine as _;
        let labels = "traefik.enable=true\ntraefik.http.routers.r.rule=Host(`x.io`)\ntraefik.http.routers.r.middlewares=auth\ntraefik.http.middlewares.auth.basicauth.users=u:$$2y$$05$$abc\nmy.label=1\n";
        let app = input(json!({
            "name": "x", "image": "x", "ports_exposes": "80", "fqdn": "https://ignored.io",
            "is_container_label_readonly_enabled": false,
            "custom_labels": base64::engine::general_purpose::STANDARD.encode(labels),
        }));
        assert_eq!(app.routes.len(), 1);
        assert_eq!(app.routes[0].hosts, vec!["x.io"]);
        assert_eq!(
            app.routes[0].basic_auth.as_ref().unwrap().users,
            vec!["u:$2y$05$abc"]
        );
        assert_eq!(app.project.services["x"].labels["my.label"], "1");
        assert!(!app.project.services["x"]
            .labels
            .contains_key("traefik.enable"));
    }

    #[test]
    fn bad_attributes_name_their_path() {
        let e = from_attributes(
            &json!({"name": "x", "ports_exposes": "80,abc,+81", "fqdn": "ftp://x", "limits_memory": "lots",
                    "environment_variables": [{"value": "v"}]}),
            None,
        )
        .unwrap_err();
        let lines: Vec<String> = e.iter().map(ToString::to_string).collect();
        for want in [
            "image: ",
            "ports_exposes[1]: ",
            "ports_exposes[2]: ",
            "fqdn[0]: ",
            "limits_memory: ",
            "environment_variables[0].key: ",
        ] {
            assert!(
                lines.iter().any(|l| l.starts_with(want)),
                "{want} in {lines:?}"
            );
        }
        assert!(from_attributes(&json!([1]), None).is_err());
    }

    fn env_of(app: &ApplicationInput) -> &indexmap::IndexMap<String, Option<String>> {
        &app.project.services[&app.service].environment
    }

    #[test]
    fn coolify_variables_follow_the_parser_version() {
        // generate_coolify_env_variables: from version 3 COOLIFY_URL has the scheme.
        let base = json!({"uuid": "u1", "name": "a", "image": "x",
            "fqdn": "https://a.example.com/api,http://b.example.com"});
        let new = input(base.clone());
        let e = env_of(&new);
        assert_eq!(
            e["COOLIFY_URL"].as_deref(),
            Some("https://a.example.com/api,http://b.example.com")
        );
        assert_eq!(
            e["COOLIFY_FQDN"].as_deref(),
            Some("a.example.com/api,b.example.com")
        );
        assert_eq!(e["SOURCE_COMMIT"].as_deref(), Some("unknown"));
        let mut old = base;
        old["compose_parsing_version"] = json!("2");
        old["git_commit_sha"] = json!("HEAD");
        let old = input(old);
        let e = env_of(&old);
        assert_eq!(
            e["COOLIFY_URL"].as_deref(),
            Some("a.example.com/api,b.example.com")
        );
        assert_eq!(
            e["COOLIFY_FQDN"].as_deref(),
            Some("https://a.example.com/api,http://b.example.com")
        );
        assert_eq!(e["SOURCE_COMMIT"].as_deref(), Some("unknown"));
    }

    #[test]
    fn custom_internal_name_is_the_container_name_unless_consistent_names() {
        let app = input(
            json!({"uuid": "u1", "name": "a", "image": "x", "pull_request_id": 3,
            "settings": {"custom_internal_name": "api", "is_consistent_container_name_enabled": false}}),
        );
        assert_eq!(
            env_of(&app)["COOLIFY_CONTAINER_NAME"].as_deref(),
            Some("api-pr-3")
        );
        let app = input(json!({"uuid": "u1", "name": "a", "image": "x",
            "settings": {"custom_internal_name": "api", "is_consistent_container_name_enabled": true}}));
        assert_eq!(
            env_of(&app)["COOLIFY_CONTAINER_NAME"].as_deref(),
            Some("u1")
        );
    }

    #[test]
    fn env_overrides_stored_variables_and_generated_ones() {
        let attrs = json!({"uuid": "u1", "name": "a", "image": "x", "fqdn": "https://a.example.com",
            "environment_variables": [{"key": "TOKEN", "value": "stored", "is_runtime": true, "is_preview": false}]});
        let env = BTreeMap::from([
            ("TOKEN".to_string(), "given".to_string()),
            ("EXTRA".to_string(), "e".to_string()),
            (
                "COOLIFY_CONTAINER_NAME".to_string(),
                "u1-123456".to_string(),
            ),
            ("SOURCE_COMMIT".to_string(), "abc".to_string()),
        ]);
        let app = from_attributes_env(&attrs, &env, Some("seed")).unwrap();
        let e = env_of(&app);
        assert_eq!(e["COOLIFY_CONTAINER_NAME"].as_deref(), Some("u1-123456"));
        assert_eq!(e["SOURCE_COMMIT"].as_deref(), Some("abc"));
        assert_eq!(e["COOLIFY_URL"].as_deref(), Some("https://a.example.com"));
        assert_eq!(app.variables["TOKEN"], "given");
        assert_eq!(app.variables["EXTRA"], "e");
        assert_eq!(
            app.secret_variables.iter().collect::<Vec<_>>(),
            vec!["EXTRA", "TOKEN"]
        );
        assert!(!app.variables.contains_key("COOLIFY_CONTAINER_NAME"));
        let bad = BTreeMap::from([("1BAD".to_string(), String::new())]);
        let err = from_attributes_env(&attrs, &bad, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "env.1BAD: \"1BAD\" is not a valid variable name"
        );
    }

    #[test]
    fn preview_variables_from_their_own_relation() {
        // Application::environment_variables_preview, as toArray() names it.
        let attrs = json!({"uuid": "u1", "name": "a", "image": "x", "pull_request_id": 2,
            "environment_variables": [{"key": "API", "value": "prod", "is_preview": false}],
            "environment_variables_preview": [{"key": "API", "value": "pr"}]});
        let app = input(attrs.clone());
        assert_eq!(app.variables["API"], "pr");
        let mut prod = attrs;
        prod["pull_request_id"] = json!(0);
        assert_eq!(input(prod).variables["API"], "prod");
    }
}
