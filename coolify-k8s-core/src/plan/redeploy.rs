//! Every deploy is a redeploy, as on Coolify (which recreates containers on each deploy):
//!
//! - every pod template carries [`CHECKSUM_ANNOTATION`], a SHA-256 over the values of the
//!   Secret keys and the ConfigMap / Secret files the pod reads, so a changed value rolls
//!   the pods (Kubernetes itself never restarts a pod for a changed Secret);
//! - with the `deployment_id` option, every pod template also carries
//!   [`DEPLOYMENT_ANNOTATION`]: a new id rolls every pod even when nothing else changed, as
//!   Coolify starts every container anew on each deployment;
//! - a Job (a run-once service) is named `<service>-<hash>` after all its template holds
//!   (spec, labels, annotations, the deployment id, the Jobs it waits for) and its inputs:
//!   Job templates are immutable, so a changed Job is a new object (applied) and the old
//!   one is pruned with the rest of the previous object set; an unchanged Job keeps its
//!   name and does not run again (with a new deployment id it runs again, as `docker
//!   compose up --force-recreate` runs a one-shot container again). The apply never meets
//!   an immutable-field error.

use super::model::{EnvValue, Plan, SecretValues, VolumeSource, Workload, WorkloadKind};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// The pod-template annotation holding the checksum of the pod's inputs.
pub const CHECKSUM_ANNOTATION: &str = "coolify.io/config-checksum";

/// The pod-template annotation holding the deployment's id (Coolify labels the images it
/// builds `coolify.deploymentId`).
pub const DEPLOYMENT_ANNOTATION: &str = "coolify.io/deploymentId";

/// Hex digits of a Job's name suffix.
const JOB_HASH_LEN: usize = 8;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of the values a workload's pods read: each `(object, key, value)` of the
/// resource Secret's keys in its environment and of the files in its volumes, in name
/// order, length-prefixed so no two inputs hash alike.
pub fn config_checksum(plan: &Plan, w: &Workload) -> String {
    Inputs::new(plan).checksum(w)
}

/// What the checksums read, indexed once per plan so a project of n services costs O(n):
/// every pod reads the whole resource Secret (Coolify's `.env`, which holds a value per
/// service) through `envFrom`, and hashing it again for each workload was quadratic.
struct Inputs<'a> {
    secret: Option<&'a SecretValues>,
    /// The hasher after the resource Secret's keys, in order: the start of the checksum of
    /// every pod that reads the whole Secret (the digest is the same as hashing them anew).
    whole_secret: Option<Sha256>,
    /// Positions in `plan.files` of each file set's name (plan order is hash order).
    files: BTreeMap<&'a str, Vec<usize>>,
    plan: &'a Plan,
}

/// Hashes one `(object, key, value)` input, each part length-prefixed.
fn put(h: &mut Sha256, parts: [&str; 3]) {
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
}

impl<'a> Inputs<'a> {
    fn new(plan: &'a Plan) -> Self {
        let secret = plan.secret.as_ref();
        let whole_secret = secret.map(|s| {
            let mut h = Sha256::new();
            for (key, value) in &s.data {
                put(&mut h, [&s.name, key, value]);
            }
            h
        });
        let mut files: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, f) in plan.files.iter().enumerate() {
            files.entry(f.name.as_str()).or_default().push(i);
        }
        Self {
            secret,
            whole_secret,
            files,
            plan,
        }
    }

    fn value(&self, secret: &str, key: &str) -> &'a str {
        self.secret
            .filter(|s| s.name == secret)
            .and_then(|s| s.data.get(key))
            .map(String::as_str)
            .unwrap_or_default()
    }

    fn checksum(&self, w: &Workload) -> String {
        let mut refs: BTreeSet<(&str, &str)> = BTreeSet::new();
        let mut reads_whole_secret = false;
        for c in w.containers.iter().chain(&w.init_containers) {
            for e in &c.env {
                if let EnvValue::SecretKey { secret, key } = &e.value {
                    refs.insert((secret.as_str(), key.as_str()));
                }
            }
            // `envFrom` the resource Secret (Coolify's `.env`): every key is in the environment.
            reads_whole_secret |= self.secret.is_some_and(|s| c.env_from.contains(&s.name));
        }
        let mut h = self.secret_part(refs, reads_whole_secret);
        let mut positions: Vec<usize> = w
            .volumes
            .iter()
            .filter_map(|v| match &v.source {
                VolumeSource::Files { name, .. } => self.files.get(name.as_str()),
                _ => None,
            })
            .flatten()
            .copied()
            .collect();
        positions.sort_unstable();
        positions.dedup();
        for f in positions.into_iter().map(|i| &self.plan.files[i]) {
            for (key, value) in &f.data {
                put(&mut h, [&f.name, key, value]);
            }
        }
        hex(&h.finalize())
    }

    /// The hasher after the Secret keys: `refs` (single keys) and, when `whole`, every key of
    /// the resource Secret, all in `(secret, key)` order.
    fn secret_part(&self, mut refs: BTreeSet<(&'a str, &'a str)>, whole: bool) -> Sha256 {
        let (Some(secret), Some(start), true) = (self.secret, &self.whole_secret, whole) else {
            return self.hash_refs(Sha256::new(), &refs);
        };
        // The whole Secret covers its own single keys; the pre-hashed start fits when every
        // other key sorts after the Secret's (always so today: it is the only Secret read
        // by key), otherwise hash the union in order.
        refs.retain(|(s, k)| *s != secret.name || !secret.data.contains_key(*k));
        if refs.iter().all(|(s, _)| *s > secret.name.as_str()) {
            return self.hash_refs(start.clone(), &refs);
        }
        refs.extend(
            secret
                .data
                .keys()
                .map(|k| (secret.name.as_str(), k.as_str())),
        );
        self.hash_refs(Sha256::new(), &refs)
    }

    fn hash_refs(&self, mut h: Sha256, refs: &BTreeSet<(&str, &str)>) -> Sha256 {
        for (secret, key) in refs {
            put(&mut h, [secret, key, self.value(secret, key)]);
        }
        h
    }
}

/// The hash a Job is named after: the Job as it is written out (its spec and pod template:
/// containers, volumes, pod settings, labels, annotations with the checksum of its inputs
/// and the deployment id, pull secrets, retries; the resource's namespace and instance), and
/// what its wait init containers and failure policy will be made of (each dependency's
/// kind, Service, port and object name, a Job's being its own hashed name), which are added
/// after the naming. A part left out could change under an unchanged name, which the API
/// server rejects (`spec.template: field is immutable`), so the apply would fail. Hashing the
/// rendered object, not the plan's types, renames a Job only when its output changes: a new
/// field in the model that leaves the manifest as it was leaves the name too.
fn job_hash(plan: &Plan, w: &Workload, waits: &[String]) -> String {
    let mut h = Sha256::new();
    // serde_json writes a struct's fields in declaration order and maps in key order: the
    // same object is the same text.
    let rendered = crate::k8s::workloads::workload(plan, w)
        .map(|v| v.to_string())
        .unwrap_or_default();
    put(&mut h, [&rendered, &waits.join("\n"), ""]);
    hex(&h.finalize())[..JOB_HASH_LEN].to_string()
}

/// Set every workload's checksum; name Jobs after their spec and inputs. Runs before the
/// wait init containers are added (they name the Jobs), so `deps` (service → the services it
/// waits for) stands for them: Jobs are named in dependency order, each after the final
/// names of the Jobs it waits for.
pub fn apply(plan: &mut Plan, deps: &BTreeMap<String, Vec<String>>) {
    let inputs = Inputs::new(plan);
    let sums: Vec<String> = plan.workloads.iter().map(|w| inputs.checksum(w)).collect();
    for (w, sum) in plan.workloads.iter_mut().zip(sums) {
        w.config_checksum = Some(sum);
    }
    let index: BTreeMap<String, usize> = plan
        .workloads
        .iter()
        .enumerate()
        .map(|(i, w)| (w.service.clone(), i))
        .collect();
    let mut seen = BTreeSet::new();
    for i in 0..plan.workloads.len() {
        name_job(plan, deps, &index, i, &mut seen);
    }
}

/// Names the Job at `i` after what its wait containers will hold: each dependency's
/// [`Target`](super::ordering::Target), a Job dependency named first. `seen` holds the Jobs
/// named or being named, so each is named once and a dependency cycle (the loader rejects
/// them) cannot recurse forever. Other workloads keep their names.
fn name_job(
    plan: &mut Plan,
    deps: &BTreeMap<String, Vec<String>>,
    index: &BTreeMap<String, usize>,
    i: usize,
    seen: &mut BTreeSet<usize>,
) {
    if plan.workloads[i].kind != WorkloadKind::Job || !seen.insert(i) {
        return;
    }
    let mut waits = Vec::new();
    for dep in deps.get(&plan.workloads[i].service).into_iter().flatten() {
        match index.get(dep) {
            Some(&j) => {
                name_job(plan, deps, index, j, seen);
                let t = super::ordering::Target::of(&plan.workloads[j]);
                waits.push(format!(
                    "{}|{:?}|{}|{}|{:?}",
                    t.service, t.kind, t.object, t.service_name, t.port
                ));
            }
            None => waits.push(dep.clone()),
        }
    }
    let w = &plan.workloads[i];
    let suffix = job_hash(plan, w, &waits);
    let base = super::names::dns_label(
        &w.service_name,
        super::names::DNS_LABEL_MAX - JOB_HASH_LEN - 1,
    );
    plan.workloads[i].name = format!("{base}-{suffix}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Container, EnvVar, FileSet, PodVolume, SecretValues};

    fn plan_with(secret_value: &str, file: &str, kind: WorkloadKind) -> Plan {
        let container = Container {
            name: "web".into(),
            image: "nginx".into(),
            env: vec![EnvVar {
                name: "DB_PASSWORD".into(),
                value: EnvValue::SecretKey {
                    secret: "app-secrets".into(),
                    key: "SERVICE_PASSWORD_DB".into(),
                },
            }],
            ..Default::default()
        };
        Plan {
            secret: Some(SecretValues {
                name: "app-secrets".into(),
                data: [
                    ("SERVICE_PASSWORD_DB".to_string(), secret_value.to_string()),
                    ("UNUSED".to_string(), "x".to_string()),
                ]
                .into(),
            }),
            files: vec![FileSet {
                name: "web-files".into(),
                data: [("nginx.conf".to_string(), file.to_string())].into(),
                ..Default::default()
            }],
            workloads: vec![Workload {
                kind,
                containers: vec![container],
                volumes: vec![PodVolume {
                    name: "files".into(),
                    source: VolumeSource::Files {
                        name: "web-files".into(),
                        secret: false,
                        items: vec![("nginx.conf".into(), None)],
                    },
                }],
                ..Workload::for_test("web")
            }],
            ..Default::default()
        }
    }

    fn checksum(p: &Plan) -> String {
        config_checksum(p, &p.workloads[0])
    }

    #[test]
    fn a_changed_secret_or_file_changes_the_checksum() {
        let base = plan_with("s1", "conf", WorkloadKind::Deployment);
        assert_eq!(checksum(&base).len(), 64);
        assert_ne!(
            checksum(&base),
            checksum(&plan_with("s2", "conf", WorkloadKind::Deployment))
        );
        assert_ne!(
            checksum(&base),
            checksum(&plan_with("s1", "conf2", WorkloadKind::Deployment))
        );
        // A key the pod does not read leaves it alone.
        let mut other = base.clone();
        if let Some(s) = &mut other.secret {
            s.data.insert("UNUSED".into(), "y".into());
        }
        assert_eq!(checksum(&base), checksum(&other));
    }

    /// The checksum's definition, written plainly (every input of every workload hashed
    /// in `(secret, key)` order, then the file sets in plan order): the indexed
    /// [`Inputs`] must give the same digest.
    fn defined_checksum(plan: &Plan, w: &Workload) -> String {
        let mut keys: BTreeSet<(&str, &str)> = BTreeSet::new();
        for c in w.containers.iter().chain(&w.init_containers) {
            for e in &c.env {
                if let EnvValue::SecretKey { secret, key } = &e.value {
                    keys.insert((secret, key));
                }
            }
            for s in plan.secret.iter().filter(|s| c.env_from.contains(&s.name)) {
                keys.extend(s.data.keys().map(|k| (s.name.as_str(), k.as_str())));
            }
        }
        let mut h = Sha256::new();
        for (secret, key) in keys {
            let value = plan
                .secret
                .as_ref()
                .filter(|s| s.name == secret)
                .and_then(|s| s.data.get(key));
            put(
                &mut h,
                [secret, key, value.map(String::as_str).unwrap_or("")],
            );
        }
        let read: BTreeSet<&str> = w
            .volumes
            .iter()
            .filter_map(|v| match &v.source {
                VolumeSource::Files { name, .. } => Some(name.as_str()),
                _ => None,
            })
            .collect();
        for f in plan.files.iter().filter(|f| read.contains(f.name.as_str())) {
            for (key, value) in &f.data {
                put(&mut h, [&f.name, key, value]);
            }
        }
        hex(&h.finalize())
    }

    #[test]
    fn the_indexed_checksum_is_the_defined_one() {
        let secret_ref = |secret: &str, key: &str| EnvVar {
            name: format!("{secret}_{key}"),
            value: EnvValue::SecretKey {
                secret: secret.into(),
                key: key.into(),
            },
        };
        let base = plan_with("s1", "conf", WorkloadKind::Deployment);
        let mut cases = vec![base.clone()];
        // envFrom the whole Secret, alone and with single keys of it, of a missing key, and
        // of other Secrets named before and after it.
        for extra in [
            vec![],
            vec![secret_ref("app-secrets", "UNUSED")],
            vec![secret_ref("app-secrets", "MISSING")],
            vec![secret_ref("zz-other", "K")],
            vec![secret_ref("aa-other", "K")],
            vec![
                secret_ref("zz-other", "K"),
                secret_ref("app-secrets", "MISSING"),
            ],
        ] {
            let mut p = base.clone();
            let c = &mut p.workloads[0].containers[0];
            c.env_from.push("app-secrets".into());
            c.env.extend(extra.clone());
            cases.push(p.clone());
            // The same without envFrom, and the Secret read only by an init container.
            let mut q = p.clone();
            q.workloads[0].containers[0].env_from.clear();
            cases.push(q.clone());
            let mut init = q.workloads[0].containers[0].clone();
            init.env_from.push("app-secrets".into());
            q.workloads[0].init_containers.push(init);
            cases.push(q);
        }
        // A file set read twice, two sets of one name, one not read, and no Secret at all.
        let mut files = base.clone();
        files.files.push(FileSet {
            name: "web-files".into(),
            data: [("b.conf".to_string(), "b".to_string())].into(),
            ..Default::default()
        });
        files.files.insert(
            0,
            FileSet {
                name: "unread".into(),
                data: [("x".to_string(), "x".to_string())].into(),
                ..Default::default()
            },
        );
        let twice = files.workloads[0].volumes[0].clone();
        files.workloads[0].volumes.push(twice);
        cases.push(files.clone());
        files.secret = None;
        cases.push(files);
        let mut digests = BTreeSet::new();
        for p in &cases {
            let want = defined_checksum(p, &p.workloads[0]);
            assert_eq!(checksum(p), want, "{:?}", p.workloads[0]);
            digests.insert(want);
        }
        // The cases differ, so the comparison above is not between constants.
        assert!(digests.len() > cases.len() / 2, "{digests:?}");
    }

    #[test]
    fn jobs_are_named_after_spec_and_inputs() {
        let mut a = plan_with("s1", "conf", WorkloadKind::Job);
        let mut b = plan_with("s2", "conf", WorkloadKind::Job);
        let mut same = plan_with("s1", "conf", WorkloadKind::Job);
        apply(&mut a, &BTreeMap::new());
        apply(&mut b, &BTreeMap::new());
        apply(&mut same, &BTreeMap::new());
        let name = &a.workloads[0].name;
        assert!(
            name.starts_with("web-") && name.len() == "web-".len() + JOB_HASH_LEN,
            "{name}"
        );
        assert_ne!(a.workloads[0].name, b.workloads[0].name);
        assert_eq!(a.workloads[0].name, same.workloads[0].name);
        assert!(a.workloads[0].config_checksum.is_some());
        // Long-running workloads keep their names.
        let mut d = plan_with("s1", "conf", WorkloadKind::Deployment);
        apply(&mut d, &BTreeMap::new());
        assert_eq!(d.workloads[0].name, "web");
    }

    /// A Job that waits for a renamed Job is renamed too: its wait init container names the
    /// other Job, and would otherwise change under an unchanged name.
    #[test]
    fn a_job_waiting_for_a_renamed_job_is_renamed() {
        let names = |secret_value: &str| {
            let mut p = plan_with(secret_value, "conf", WorkloadKind::Job);
            let mut second = Workload {
                kind: WorkloadKind::Job,
                ..Workload::for_test("second")
            };
            second.containers.push(Container {
                name: "second".into(),
                image: "busybox".into(),
                ..Default::default()
            });
            p.workloads.push(second);
            let deps = BTreeMap::from([("second".to_string(), vec!["web".to_string()])]);
            apply(&mut p, &deps);
            (p.workloads[0].name.clone(), p.workloads[1].name.clone())
        };
        let (web1, second1) = names("s1");
        let (web2, second2) = names("s2");
        assert_ne!(web1, web2);
        assert_ne!(
            second1, second2,
            "second waits for {web2} under its old name"
        );
        assert_eq!(names("s1"), (web1, second1));
    }

    /// Every field of a Job's pod template is in its name: one that changed under an
    /// unchanged name would be rejected as immutable by the API server.
    #[test]
    fn a_changed_template_or_deployment_renames_the_job() {
        let named = |edit: &dyn Fn(&mut Plan)| {
            let mut p = plan_with("s1", "conf", WorkloadKind::Job);
            edit(&mut p);
            apply(&mut p, &BTreeMap::new());
            p.workloads[0].name.clone()
        };
        let base = named(&|_| {});
        let label = named(&|p| {
            p.workloads[0].labels.insert("team".into(), "a".into());
        });
        let annotation = named(&|p| {
            p.workloads[0].annotations.insert("note".into(), "a".into());
        });
        let first = named(&|p| p.deployment_id = Some("d1".into()));
        let second = named(&|p| p.deployment_id = Some("d2".into()));
        let names: BTreeSet<&String> = [&base, &label, &annotation, &first, &second].into();
        assert_eq!(names.len(), 5, "{names:?}");
        // The same deployment id names the same Job: a retried apply does not run it twice.
        assert_eq!(first, named(&|p| p.deployment_id = Some("d1".into())));
        // The name follows the written Job, not the plan's types: what the Job does not
        // hold (its Compose networks, written as NetworkPolicies) leaves the name as it was.
        let networks = named(&|p| p.workloads[0].networks.push("backend".into()));
        assert_eq!(networks, base);
        let image = named(&|p| p.workloads[0].containers[0].image = "nginx:2".into());
        assert_ne!(image, base);
    }
}
