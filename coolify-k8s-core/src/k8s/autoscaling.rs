//! Autoscaling: a `HorizontalPodAutoscaler` (`autoscaling/v2`, CPU and memory utilization
//! targets, min / max replicas) and a `PodDisruptionBudget` (`policy/v1`) for a workload
//! whose replicas can exceed one.
//!
//! The settings come from the `autoscale` option or a service's `x-coolify-autoscale`
//! extension:
//!
//! ```yaml
//! x-coolify-autoscale: {min: 2, max: 10, cpu: 70, memory: 80}
//! ```

use crate::error::Error;
use crate::path::InputPath;
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricSpec,
    MetricTarget, ResourceMetricSource,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The CPU target when neither CPU nor memory is given (the HPA controller's own default).
pub const DEFAULT_CPU_TARGET: u32 = 80;

/// Autoscaling settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Autoscale {
    /// Minimum replicas (default 1).
    #[serde(default = "one")]
    pub min: u32,
    /// Maximum replicas.
    pub max: u32,
    /// Target average CPU utilization, percent of the CPU request.
    #[serde(default)]
    pub cpu: Option<u32>,
    /// Target average memory utilization, percent of the memory request.
    #[serde(default)]
    pub memory: Option<u32>,
}

fn one() -> u32 {
    1
}

impl Autoscale {
    /// Read and check settings (the option value or `x-coolify-autoscale`); errors name
    /// `path`.
    ///
    /// ```
    /// use coolify_k8s_core::k8s::autoscaling::Autoscale;
    /// use coolify_k8s_core::InputPath;
    /// let a = Autoscale::from_value(&serde_json::json!({"max": 5, "cpu": 70}),
    ///                               &InputPath::root()).unwrap();
    /// assert_eq!((a.min, a.max, a.cpu, a.memory), (1, 5, Some(70), None));
    /// assert!(Autoscale::from_value(&serde_json::json!({"min": 3, "max": 2}),
    ///                               &InputPath::root()).is_err());
    /// ```
    pub fn from_value(value: &Value, path: &InputPath) -> Result<Self, Error> {
        let a: Autoscale = serde_json::from_value(value.clone())
            .map_err(|e| Error::new(path.clone(), format!("autoscale: {e}")))?;
        a.validate(path)?;
        Ok(a)
    }

    /// Check the values.
    pub fn validate(&self, path: &InputPath) -> Result<(), Error> {
        if self.min < 1 {
            return Err(Error::new(path.key("min"), "min must be at least 1"));
        }
        if self.max < self.min {
            return Err(Error::new(
                path.key("max"),
                format!("max ({}) must be at least min ({})", self.max, self.min),
            ));
        }
        for (k, v) in [("cpu", self.cpu), ("memory", self.memory)] {
            if let Some(v) = v {
                if v == 0 || v > 1000 {
                    return Err(Error::new(
                        path.key(k),
                        format!("{v} is not a utilization percentage (1 to 1000)"),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The scaled workload.
#[derive(Debug, Clone, Copy)]
pub struct ScaleTarget<'a> {
    /// `Deployment` or `StatefulSet`.
    pub kind: &'a str,
    /// The workload's name (also the HPA's and PDB's).
    pub name: &'a str,
    /// Namespace.
    pub namespace: &'a str,
    /// Labels of the objects.
    pub labels: &'a BTreeMap<String, String>,
    /// The pods' selector labels.
    pub selector: &'a BTreeMap<String, String>,
}

fn metadata(t: &ScaleTarget<'_>) -> ObjectMeta {
    ObjectMeta {
        name: Some(t.name.to_string()),
        namespace: Some(t.namespace.to_string()),
        labels: Some(t.labels.clone()).filter(|l| !l.is_empty()),
        ..ObjectMeta::default()
    }
}

/// The HorizontalPodAutoscaler for `target`.
pub fn horizontal_pod_autoscaler(t: &ScaleTarget<'_>, a: &Autoscale) -> HorizontalPodAutoscaler {
    let metric = |name: &str, pct: u32| MetricSpec {
        type_: "Resource".to_string(),
        resource: Some(ResourceMetricSource {
            name: name.to_string(),
            target: MetricTarget {
                type_: "Utilization".to_string(),
                average_utilization: Some(i32::try_from(pct).unwrap_or(i32::MAX)),
                ..MetricTarget::default()
            },
        }),
        ..MetricSpec::default()
    };
    let mut metrics = Vec::new();
    let cpu = match (a.cpu, a.memory) {
        (None, None) => Some(DEFAULT_CPU_TARGET),
        (c, _) => c,
    };
    if let Some(c) = cpu {
        metrics.push(metric("cpu", c));
    }
    if let Some(m) = a.memory {
        metrics.push(metric("memory", m));
    }
    HorizontalPodAutoscaler {
        metadata: metadata(t),
        spec: Some(HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some("apps/v1".to_string()),
                kind: t.kind.to_string(),
                name: t.name.to_string(),
            },
            min_replicas: Some(i32::try_from(a.min).unwrap_or(i32::MAX)),
            max_replicas: i32::try_from(a.max).unwrap_or(i32::MAX),
            metrics: Some(metrics),
            behavior: None,
        }),
        status: None,
    }
}

/// A PodDisruptionBudget allowing one pod of `target` down at a time (for workloads whose
/// replicas can exceed one, so a node drain keeps the rest serving).
pub fn pod_disruption_budget(t: &ScaleTarget<'_>) -> PodDisruptionBudget {
    PodDisruptionBudget {
        metadata: metadata(t),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(LabelSelector {
                match_labels: Some(t.selector.clone()),
                match_expressions: None,
            }),
            ..PodDisruptionBudgetSpec::default()
        }),
        status: None,
    }
}

/// The objects for a workload: an HPA when `autoscale` is set, and a PDB when the replicas
/// can exceed one (autoscaled to more than one, or `replicas` > 1).
pub fn render(
    t: &ScaleTarget<'_>,
    autoscale: Option<&Autoscale>,
    replicas: Option<u32>,
) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some(a) = autoscale {
        if let Ok(v) = serde_json::to_value(horizontal_pod_autoscaler(t, a)) {
            out.push(v);
        }
    }
    let many = autoscale.is_some_and(|a| a.max > 1) || replicas.is_some_and(|r| r > 1);
    if many {
        if let Ok(v) = serde_json::to_value(pod_disruption_budget(t)) {
            out.push(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn target<'a>(labels: &'a BTreeMap<String, String>) -> ScaleTarget<'a> {
        ScaleTarget {
            kind: "Deployment",
            name: "web",
            namespace: "acme",
            labels,
            selector: labels,
        }
    }

    #[test]
    fn hpa_and_pdb() {
        let labels: BTreeMap<String, String> =
            [("app.kubernetes.io/name".into(), "web".into())].into();
        let a = Autoscale {
            min: 2,
            max: 6,
            cpu: Some(70),
            memory: Some(80),
        };
        let o = render(&target(&labels), Some(&a), None);
        assert_eq!(o.len(), 2);
        assert_eq!(o[0]["apiVersion"], "autoscaling/v2");
        assert_eq!(o[0]["kind"], "HorizontalPodAutoscaler");
        assert_eq!(
            o[0]["spec"]["scaleTargetRef"],
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"})
        );
        assert_eq!(
            (
                o[0]["spec"]["minReplicas"].clone(),
                o[0]["spec"]["maxReplicas"].clone()
            ),
            (json!(2), json!(6))
        );
        assert_eq!(o[0]["spec"]["metrics"][0]["resource"]["name"], "cpu");
        assert_eq!(
            o[0]["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
            70
        );
        assert_eq!(o[0]["spec"]["metrics"][1]["resource"]["name"], "memory");
        assert_eq!(o[1]["apiVersion"], "policy/v1");
        assert_eq!(o[1]["spec"]["maxUnavailable"], 1);
        assert_eq!(
            o[1]["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"],
            "web"
        );
    }

    #[test]
    fn defaults_and_single_replica() {
        let labels = BTreeMap::new();
        let a = Autoscale::from_value(&json!({"max": 1}), &InputPath::root()).unwrap();
        let o = render(&target(&labels), Some(&a), None);
        assert_eq!(o.len(), 1, "no PDB when at most one replica");
        assert_eq!(
            o[0]["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
            80
        );
        assert_eq!(render(&target(&labels), None, Some(3)).len(), 1);
        assert!(render(&target(&labels), None, Some(1)).is_empty());
    }

    #[test]
    fn bad_settings_name_the_key() {
        let p = InputPath::parse("services.web.x-coolify-autoscale");
        for (v, want) in [
            (
                json!({"min": 0, "max": 2}),
                "services.web.x-coolify-autoscale.min: ",
            ),
            (
                json!({"min": 1, "max": 2, "cpu": 0}),
                "services.web.x-coolify-autoscale.cpu: ",
            ),
            (
                json!({"max": 2, "gpu": 1}),
                "services.web.x-coolify-autoscale: ",
            ),
            (json!("lots"), "services.web.x-coolify-autoscale: "),
        ] {
            let e = Autoscale::from_value(&v, &p).unwrap_err().to_string();
            assert!(e.starts_with(want), "{e}");
        }
    }
}
