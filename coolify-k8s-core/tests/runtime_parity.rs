//! Workload runtime parity (issue 9, rules 1, 2, 4, 9, 10) on a project of our own in
//! Coolify's dialect: `tests/testdata/runtime/docker-compose.yaml`. Every expectation
//! below is Docker's or Coolify's behaviour, written by hand.

mod convert_support;

use convert_support::DirFiles;
use coolify_k8s_core::compose::SourceFile;
use coolify_k8s_core::kubectl::{Kubectl, Target};
use coolify_k8s_core::{Manifests, Options, Translator};
use serde_json::Value;
use std::collections::BTreeMap;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/testdata/runtime/docker-compose.yaml"
);

fn convert(options: Options, env: &[(&str, &str)]) -> Manifests {
    let files = [SourceFile {
        name: FIXTURE.to_string(),
        text: std::fs::read_to_string(FIXTURE).unwrap(),
    }];
    let env: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let options = Options {
        name: Some("runtime".into()),
        seed: Some("runtime-seed".into()),
        ..options
    };
    Translator::new(options)
        .compose_files(&files, &env, &DirFiles)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn find<'a>(m: &'a Manifests, kind: &str, name: &str) -> &'a Value {
    m.objects()
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind}/{name}"))
}

fn workload<'a>(m: &'a Manifests, service: &str) -> &'a Value {
    m.objects()
        .iter()
        .find(|o| {
            matches!(
                o["kind"].as_str(),
                Some("Deployment" | "StatefulSet" | "DaemonSet" | "Job")
            ) && o["metadata"]["labels"]["app.kubernetes.io/name"] == service
        })
        .unwrap_or_else(|| panic!("no workload for {service}"))
}

fn pod(w: &Value) -> &Value {
    &w["spec"]["template"]["spec"]
}

/// Rule 1: the name of a service (and its `hostname`, `container_name`) resolves to its
/// pods for every port: headless Services selecting the pods, so `app:5679`, a port `app`
/// never declares, is reachable as on a Docker network.
#[test]
fn every_port_resolves_by_service_name_hostname_and_container_name() {
    let m = convert(Options::default(), &[]);
    for name in ["app", "n8n-main", "n8n-app"] {
        let s = find(&m, "Service", name);
        assert_eq!(s["spec"]["clusterIP"], "None", "{name}");
        assert_eq!(
            s["spec"]["selector"]["app.kubernetes.io/name"], "app",
            "{name}"
        );
    }
    // The routed port is still listed, so routes can name it.
    assert_eq!(find(&m, "Service", "app")["spec"]["ports"][0]["port"], 5678);
    let app_labels = &workload(&m, "app")["spec"]["template"]["metadata"]["labels"];
    assert_eq!(app_labels["app.kubernetes.io/name"], "app");
}

/// Rule 1: `network_mode: service:vpn` puts the container into vpn's pod (one network
/// namespace), with no workload or Service of its own.
#[test]
fn network_mode_service_joins_the_pod() {
    let m = convert(Options::default(), &[]);
    let vpn = workload(&m, "vpn");
    let names: Vec<&str> = pod(vpn)["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["vpn", "torrent"]);
    assert!(!m
        .objects()
        .iter()
        .any(|o| o["metadata"]["name"] == "torrent"));
    assert!(m
        .warnings()
        .iter()
        .any(|w| w.contains("services.torrent.network_mode")
            && w.contains("joins the pod of \"vpn\"")));
}

/// Rule 2: a health check gates readiness (with `start_period` as a startup probe) and
/// never kills: no liveness probe unless the caller asks for it.
#[test]
fn health_checks_never_kill() {
    let m = convert(Options::default(), &[]);
    for o in m.objects() {
        for c in o["spec"]["template"]["spec"]["containers"]
            .as_array()
            .into_iter()
            .flatten()
        {
            assert!(
                c.get("livenessProbe").is_none(),
                "{}",
                o["metadata"]["name"]
            );
        }
    }
    let app = &pod(workload(&m, "app"))["containers"][0];
    assert!(app["readinessProbe"].is_object());
    // 10 minutes of start period at Docker's 5s start interval, then 3 retries.
    assert_eq!(app["startupProbe"]["failureThreshold"], 123);
    let asked = convert(
        Options {
            liveness_probes: true,
            ..Default::default()
        },
        &[],
    );
    let app = &pod(workload(&asked, "app"))["containers"][0];
    assert_eq!(app["livenessProbe"], app["readinessProbe"]);
}

fn checksum(w: &Value) -> &str {
    w["spec"]["template"]["metadata"]["annotations"]["coolify.io/config-checksum"]
        .as_str()
        .unwrap_or_else(|| panic!("no checksum on {}", w["metadata"]["name"]))
}

/// Rule 4: a changed Secret value rolls the pods that read it (with the `.env` in every
/// container, all of them), and the
/// one-shot `migrate` Job becomes a new Job (Job templates are immutable), which its
/// dependant `app` then waits for.
#[test]
fn a_changed_secret_rolls_the_pods_and_reruns_the_job() {
    let a = convert(Options::default(), &[("SERVICE_PASSWORD_POSTGRES", "one")]);
    let b = convert(Options::default(), &[("SERVICE_PASSWORD_POSTGRES", "two")]);
    assert_ne!(
        checksum(workload(&a, "postgres")),
        checksum(workload(&b, "postgres"))
    );
    assert_ne!(checksum(workload(&a, "app")), checksum(workload(&b, "app")));
    // Every container holds Coolify's whole `.env` (the resource Secret through `envFrom`,
    // rule 5), so a changed stored value rolls every pod, as Coolify recreates them all.
    assert_ne!(checksum(workload(&a, "vpn")), checksum(workload(&b, "vpn")));
    let (ja, jb) = (workload(&a, "migrate"), workload(&b, "migrate"));
    let (na, nb) = (
        ja["metadata"]["name"].as_str().unwrap(),
        jb["metadata"]["name"].as_str().unwrap(),
    );
    assert!(na.starts_with("migrate-") && nb.starts_with("migrate-"));
    assert_ne!(na, nb);
    let wait = &pod(workload(&b, "app"))["initContainers"];
    assert!(
        wait.to_string().contains(&format!("job/{nb}")),
        "app waits for {nb}: {wait}"
    );
    // Same input, same names.
    let again = convert(Options::default(), &[("SERVICE_PASSWORD_POSTGRES", "two")]);
    assert_eq!(again.to_yaml(), b.to_yaml());
    // A StatefulSet whose new revision never becomes ready is replaced by the next one.
    assert_eq!(
        workload(&a, "postgres")["spec"]["podManagementPolicy"],
        "Parallel"
    );
}

/// Coolify starts every container anew on each start (`docker compose up -d
/// --force-recreate` in `StartService.php`): with a deployment id every pod template
/// differs per deployment, so an apply rolls every pod and runs the one-shot Jobs again;
/// without one an unchanged project keeps its pods.
#[test]
fn each_deployment_id_recreates_every_pod_as_force_recreate_does() {
    let with = |id: &str| {
        convert(
            Options {
                deployment_id: Some(id.into()),
                ..Options::default()
            },
            &[],
        )
    };
    let (plain, first, second) = (convert(Options::default(), &[]), with("d-1"), with("d-2"));
    let templates = |m: &Manifests| -> Vec<(String, Value)> {
        m.objects()
            .iter()
            .filter(|o| o["spec"]["template"].is_object())
            .map(|o| {
                let name = o["metadata"]["name"].as_str().unwrap_or("?").to_string();
                (
                    name,
                    o["spec"]["template"]["metadata"]["annotations"].clone(),
                )
            })
            .collect()
    };
    let on_first = templates(&first);
    assert!(on_first.len() >= 5, "{on_first:?}");
    for (name, annotations) in &on_first {
        assert_eq!(annotations["coolify.io/deploymentId"], "d-1", "{name}");
    }
    for (name, annotations) in templates(&plain) {
        assert!(
            annotations.get("coolify.io/deploymentId").is_none(),
            "{name}"
        );
    }
    // Only the id differs: the same checksums, a new Job name.
    assert_eq!(
        checksum(workload(&first, "app")),
        checksum(workload(&second, "app"))
    );
    let job = |m: &Manifests| workload(m, "migrate")["metadata"]["name"].clone();
    assert_ne!(job(&first), job(&second));
    assert_ne!(job(&first), job(&plain));
    assert_eq!(with("d-1").to_yaml(), first.to_yaml());
}

/// "Pull latest images & restart" (`StartService` with `pullLatestImages`): `docker
/// compose pull` fetches every service's tag again before `up`. With the option every
/// container of the project's images (init containers that copy files included) pulls at
/// its start; the project's own helper containers (the waits) keep their pinned images'
/// default. Without it, nothing is pulled again, as a plain start on Docker.
#[test]
fn pull_latest_images_pulls_every_tag_again_as_compose_pull_does() {
    let pulled = convert(
        Options {
            pull_latest_images: true,
            deployment_id: Some("d-3".into()),
            ..Options::default()
        },
        &[],
    );
    let plain = convert(Options::default(), &[]);
    let policies = |m: &Manifests| -> Vec<(String, String, Value)> {
        let mut out = Vec::new();
        for o in m.objects() {
            let spec = &o["spec"]["template"]["spec"];
            let images: Vec<&Value> = spec["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| &c["image"])
                .collect();
            let init = spec["initContainers"].as_array().into_iter().flatten();
            for c in spec["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(init)
            {
                if images.contains(&&c["image"]) {
                    let name = c["name"].as_str().unwrap_or("?").to_string();
                    let image = c["image"].as_str().unwrap_or("?").to_string();
                    out.push((name, image, c["imagePullPolicy"].clone()));
                }
            }
        }
        out
    };
    let all = policies(&pulled);
    assert!(all.len() >= 9, "{all:?}");
    for (name, image, policy) in &all {
        assert_eq!(policy, "Always", "{name} ({image})");
    }
    for (name, image, policy) in policies(&plain) {
        assert!(policy.is_null(), "{name} ({image}): {policy}");
    }
}

/// Rule 9: run-once services stay run-once; dependants wait without a deadline that fails
/// them for good; `exclude_from_hc` is out of the rollout wait and the status.
#[test]
fn run_once_services_stay_run_once() {
    let m = convert(Options::default(), &[]);
    for s in ["migrate", "cleanup", "seed"] {
        assert_eq!(workload(&m, s)["kind"], "Job", "{s}");
    }
    let migrate = workload(&m, "migrate");
    // on-failure: retried (default backoffLimit), never restarted after a clean exit.
    assert!(migrate["spec"].get("backoffLimit").is_none());
    // It waits for postgres; a failed wait is ignored, not counted against the Job.
    let rule = &migrate["spec"]["podFailurePolicy"]["rules"][0];
    assert_eq!(rule["action"], "Ignore");
    assert_eq!(rule["onExitCodes"]["containerName"], "wait-for-postgres");
    assert_eq!(pod(migrate)["restartPolicy"], "Never");
    let app_wait = pod(workload(&m, "app"))["initContainers"].to_string();
    assert!(app_wait.contains("--timeout=-1s"), "{app_wait}");
    assert!(!app_wait.contains("--timeout=600s"));
    let k = Kubectl::new(Target::default()).unwrap();
    let lines = k.rollout_status(&m, 300).unwrap().join("\n");
    let cleanup = workload(&m, "cleanup")["metadata"]["name"]
        .as_str()
        .unwrap();
    assert!(!lines.contains(cleanup), "{lines}");
    // `restart: "no"` alone is left out too (Coolify sets `exclude_from_status` for both,
    // bootstrap/helpers/parsers.php); the on-failure migration is waited for.
    let seed = workload(&m, "seed")["metadata"]["name"].as_str().unwrap();
    assert!(!lines.contains(seed), "{lines}");
    let migrate = workload(&m, "migrate")["metadata"]["name"]
        .as_str()
        .unwrap();
    assert!(lines.contains(&format!("job.batch/{migrate}")), "{lines}");
    assert!(lines.contains("deployment.apps/app"), "{lines}");
}

/// Rule 10: Docker's embedded DNS becomes the cluster's, and names handed to nginx's
/// resolver are fully qualified.
#[test]
fn docker_dns_becomes_the_cluster_dns() {
    let m = convert(Options::default(), &[]);
    let yaml = m.to_yaml();
    assert!(!yaml.contains("127.0.0.11"), "{yaml}");
    assert!(yaml.contains("resolver kube-dns.kube-system.svc.cluster.local valid=10s;"));
    assert!(
        yaml.contains("http://app.runtime.svc.cluster.local:5678"),
        "{yaml}"
    );
    let proxy = pod(workload(&m, "proxy"))["containers"][0]["env"].to_string();
    assert!(
        proxy.contains("kube-dns.kube-system.svc.cluster.local"),
        "{proxy}"
    );
    assert!(m
        .warnings()
        .iter()
        .any(|w| w.contains("Docker's embedded DNS")));
    let custom = convert(
        Options {
            cluster_dns: "10.43.0.10".into(),
            ..Default::default()
        },
        &[],
    );
    assert!(custom.to_yaml().contains("resolver 10.43.0.10 valid=10s;"));
}
