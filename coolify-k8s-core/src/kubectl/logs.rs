//! `logs` for one service of a resource: the Kubernetes form of the `docker logs -n N -t
//! CONTAINER` that Coolify's logs page runs (`app/Livewire/Project/Shared/GetLogs.php`).

use super::choice::{container_flag, pick};
use super::resource::Workload;
use super::target::{boolean, kind, options_object, string};
use super::{namespace_flag, quote, selector_flag, Kubectl, ResourceSource};
use crate::error::{Error, Errors};
use crate::path::InputPath;
use serde_json::Value;

/// What [`Kubectl::logs_with`] prints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogOptions {
    /// The last lines of each container (`docker logs -n`); all when `None`.
    pub tail: Option<u32>,
    /// Only newer lines: a duration (`10m`, `1h30m`) or an RFC 3339 time
    /// (`2026-01-01T00:00:00Z`).
    pub since: Option<String>,
    /// Each line prefixed with its time (`docker logs -t`, Coolify's "show timestamps").
    pub timestamps: bool,
    /// The previous run of a restarted container (what it printed before it crashed).
    pub previous: bool,
    /// One container of the pods; all when `None`.
    pub container: Option<String>,
    /// One pod (a name from [`Kubectl::parse_pods`]); every pod of the service when `None`.
    pub pod: Option<String>,
}

/// The keys [`LogOptions::from_json`] accepts.
const LOG_KEYS: &str = "tail, since, timestamps, previous, container, pod";

impl LogOptions {
    /// Options from a JSON object (the PHP options array, the CLI): the field names as
    /// keys, `null` for the default; `tail` a number ≥ 0 or -1 for every line. Unknown keys
    /// and wrong types are errors naming the key.
    pub fn from_json(options: &Value) -> Result<Self, Errors> {
        let mut o = Self::default();
        let Some(map) = options_object(options, "log")? else {
            return Ok(o);
        };
        let mut errors = Vec::new();
        for (key, value) in map.iter().filter(|(_, v)| !v.is_null()) {
            let path = InputPath::root().key(key.as_str());
            let res = match key.as_str() {
                "tail" => match value.as_i64() {
                    Some(-1) => {
                        o.tail = None;
                        Ok(())
                    }
                    Some(t) => u32::try_from(t).map(|t| o.tail = Some(t)).map_err(|_| {
                        Error::new(path, "must be a number of lines ≥ 0, or -1 for all")
                    }),
                    None => Err(Error::new(
                        path,
                        format!("must be a number, not {}", kind(value)),
                    )),
                },
                "since" => string(&path, value).map(|s| o.since = Some(s)),
                "timestamps" => boolean(&path, value).map(|b| o.timestamps = b),
                "previous" => boolean(&path, value).map(|b| o.previous = b),
                "container" => string(&path, value).map(|s| o.container = Some(s)),
                "pod" => string(&path, value).map(|s| o.pod = Some(s)),
                _ => Err(Error::new(
                    path,
                    format!("unknown log option (known: {LOG_KEYS})"),
                )),
            };
            if let Err(e) = res {
                errors.push(e);
            }
        }
        match Errors::from_vec(errors) {
            Some(e) => Err(e),
            None => Ok(o),
        }
    }
}

impl Kubectl {
    /// The last `tail` log lines of every container of every pod of `service`'s workload
    /// (`service` is the Compose service, or a workload name), each line prefixed with its
    /// pod and container. [`logs_with`](Self::logs_with) takes the other options.
    pub fn logs(
        &self,
        resource: &(impl ResourceSource + ?Sized),
        service: &str,
        tail: u32,
    ) -> Result<Vec<String>, Errors> {
        let options = LogOptions {
            tail: Some(tail),
            ..LogOptions::default()
        };
        self.logs_with(resource, service, &options)
    }

    /// Logs of `service`'s pods as `options` say: one line, the pods chosen by the
    /// workload's selector (or the one `pod`), every container (or `container`), lines
    /// prefixed with pod and container.
    pub fn logs_with(
        &self,
        resource: &(impl ResourceSource + ?Sized),
        service: &str,
        options: &LogOptions,
    ) -> Result<Vec<String>, Errors> {
        let r = self.resource(resource)?;
        let w = r.workload_of(service)?;
        let mut errors = Vec::new();
        let source = match pick(w, options.pod.as_deref(), options.container.as_deref()) {
            Ok(s) => Some(s),
            Err(e) => {
                errors.extend(e);
                None
            }
        };
        let since = match options.since.as_deref().map(since_flag).transpose() {
            Ok(s) => s,
            Err(e) => {
                errors.push(e);
                None
            }
        };
        if let Some(e) = Errors::from_vec(errors) {
            return Err(e);
        }
        let (reference, by_selector) = match source {
            Some(Some(pod)) => (quote(&format!("pod/{pod}")).into_owned(), false),
            _ => target_of(w),
        };
        let mut args: Vec<String> = vec!["logs".into()];
        if by_selector {
            args.push(namespace_flag(&r.namespace));
            args.push(reference);
        } else {
            args.push(reference);
            args.push(namespace_flag(&r.namespace));
        }
        args.push(match &options.container {
            Some(c) => container_flag(c),
            None => "--all-containers=true".into(),
        });
        args.push("--prefix=true".into());
        // kubectl shows 10 lines per pod with a selector unless told: "all" is -1.
        args.push(match options.tail {
            Some(t) => format!("--tail={t}"),
            None => "--tail=-1".into(),
        });
        if let Some(s) = since {
            args.push(s);
        }
        if options.timestamps {
            args.push("--timestamps=true".into());
        }
        if options.previous {
            args.push("--previous=true".into());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Ok(vec![self.kubectl(&args)])
    }
}

/// `--selector=…` of the workload's pods (and `true`), or the workload itself when it
/// has no selector (a CronJob).
fn target_of(w: &Workload) -> (String, bool) {
    if w.pod_selector.is_empty() {
        (quote(&w.reference()).into_owned(), false)
    } else {
        (selector_flag(&w.pod_selector), true)
    }
}

/// `--since=10m` for a duration, `--since-time=…` for an RFC 3339 time.
fn since_flag(since: &str) -> Result<String, Error> {
    let path = InputPath::root().key("since");
    let duration = !since.is_empty()
        && since
            .bytes()
            .all(|b| b.is_ascii_digit() || b"hms.".contains(&b))
        && since.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && since.as_bytes().last().is_some_and(|b| b"hms".contains(b));
    if duration {
        return Ok(format!("--since={since}"));
    }
    let time = since.len() >= 20
        && since.len() <= 40
        && since.as_bytes().get(4) == Some(&b'-')
        && since.as_bytes().get(10) == Some(&b'T')
        && since
            .bytes()
            .all(|b| b.is_ascii_digit() || b"-:.TZ+".contains(&b));
    if time {
        return Ok(quote(&format!("--since-time={since}")).into_owned());
    }
    Err(Error::new(
        path,
        "must be a duration (`10m`, `1h30m`) or an RFC 3339 time (`2026-01-01T00:00:00Z`)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubectl::Target;
    use crate::manifests::Manifests;
    use crate::report::Report;
    use serde_json::json;

    fn manifests() -> Manifests {
        let labels = json!({"app.kubernetes.io/instance": "u1", "app.kubernetes.io/name": "web"});
        Manifests::new(
            vec![json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web", "namespace": "n", "labels": labels},
                "spec": {"selector": {"matchLabels": labels},
                         "template": {"spec": {"containers": [{"name": "web"}, {"name": "proxy"}]}}}})],
            Report::default(),
        )
    }

    fn logs(o: &LogOptions) -> Result<String, Errors> {
        Kubectl::new(Target::default())
            .unwrap()
            .logs_with(&manifests(), "web", o)
            .map(|l| l.join("\n"))
    }

    #[test]
    fn every_option() {
        assert_eq!(
            logs(&LogOptions::default()).unwrap(),
            "kubectl logs --namespace=n --selector=app.kubernetes.io/instance=u1,app.kubernetes.io/name=web --all-containers=true --prefix=true --tail=-1"
        );
        let o = LogOptions {
            tail: Some(1000),
            since: Some("2026-01-01T00:00:00Z".into()),
            timestamps: true,
            previous: true,
            container: Some("proxy".into()),
            pod: Some("web-7d9f-x2".into()),
        };
        assert_eq!(
            logs(&o).unwrap(),
            "kubectl logs pod/web-7d9f-x2 --namespace=n --container=proxy --prefix=true --tail=1000 --since-time=2026-01-01T00:00:00Z --timestamps=true --previous=true"
        );
        let o = LogOptions {
            since: Some("1h30m".into()),
            ..LogOptions::default()
        };
        assert!(logs(&o).unwrap().ends_with(" --tail=-1 --since=1h30m"));
    }

    #[test]
    fn options_from_json() {
        let o = LogOptions::from_json(&json!({
            "tail": 50, "since": "5m", "timestamps": true, "previous": false, "container": "web", "pod": null
        }))
        .unwrap();
        assert_eq!(
            o,
            LogOptions {
                tail: Some(50),
                since: Some("5m".into()),
                timestamps: true,
                container: Some("web".into()),
                ..LogOptions::default()
            }
        );
        assert_eq!(
            LogOptions::from_json(&json!({"tail": -1})).unwrap().tail,
            None
        );
        let e = LogOptions::from_json(&json!({"tail": -2, "timestamps": "yes", "follow": true}))
            .unwrap_err();
        let lines: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            vec![
                "tail: must be a number of lines ≥ 0, or -1 for all",
                "timestamps: must be a boolean, not a string",
                "follow: unknown log option (known: tail, since, timestamps, previous, container, pod)",
            ]
        );
    }

    #[test]
    fn bad_choices_are_errors_naming_the_option() {
        let o = LogOptions {
            since: Some("yesterday; rm -rf /".into()),
            container: Some("db".into()),
            pod: Some("db-0".into()),
            ..LogOptions::default()
        };
        let e = logs(&o).unwrap_err();
        let lines: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            vec![
                "pod: \"db-0\" is not a pod of workload \"web\" (its pods are named web-…)",
                "container: no container \"db\" in service \"web\" (known: web, proxy)",
                "since: must be a duration (`10m`, `1h30m`) or an RFC 3339 time (`2026-01-01T00:00:00Z`)",
            ]
        );
    }
}
