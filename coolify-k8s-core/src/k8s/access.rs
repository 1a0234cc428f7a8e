//! Access: the ServiceAccount, Role and RoleBinding that let init containers wait for
//! Jobs, and NetworkPolicies mirroring Compose networks.

use super::meta;
use crate::plan::{NetworkPolicyPlan, Plan};
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;
use std::collections::BTreeMap;

/// ServiceAccount, Role (read Jobs) and RoleBinding for init containers that wait for Jobs.
pub fn job_waiter(plan: &Plan) -> Result<Vec<Value>, serde_json::Error> {
    let name = crate::plan::ordering::job_waiter_name(&plan.instance);
    let m = || {
        meta::object_meta(
            plan,
            &name,
            &plan.instance,
            &BTreeMap::new(),
            &BTreeMap::new(),
        )
    };
    Ok(vec![
        serde_json::to_value(ServiceAccount {
            metadata: m(),
            ..Default::default()
        })?,
        serde_json::to_value(Role {
            metadata: m(),
            rules: Some(vec![PolicyRule {
                api_groups: Some(vec!["batch".into()]),
                resources: Some(vec!["jobs".into()]),
                verbs: vec!["get".into(), "list".into(), "watch".into()],
                ..Default::default()
            }]),
        })?,
        serde_json::to_value(RoleBinding {
            metadata: m(),
            role_ref: RoleRef {
                api_group: "rbac.authorization.k8s.io".into(),
                kind: "Role".into(),
                name: name.clone(),
            },
            subjects: Some(vec![Subject {
                kind: "ServiceAccount".into(),
                name: name.clone(),
                namespace: Some(plan.namespace.clone()),
                ..Default::default()
            }]),
        })?,
    ])
}

/// A NetworkPolicy: ingress to the workload only from workloads sharing a network, and
/// from anywhere on routed / published ports.
pub fn network_policy(plan: &Plan, p: &NetworkPolicyPlan) -> NetworkPolicy {
    let mut rules = Vec::new();
    if !p.peers.is_empty() {
        rules.push(NetworkPolicyIngressRule {
            from: Some(
                p.peers
                    .iter()
                    .map(|peer| NetworkPolicyPeer {
                        pod_selector: Some(LabelSelector {
                            match_labels: Some(meta::selector_labels(plan, peer)),
                            ..Default::default()
                        }),
                        ..Default::default()
                    })
                    .collect(),
            ),
            ports: None,
        });
    }
    if !p.public_ports.is_empty() {
        rules.push(NetworkPolicyIngressRule {
            from: None,
            ports: Some(
                p.public_ports
                    .iter()
                    .map(|(port, proto)| NetworkPolicyPort {
                        port: Some(IntOrString::Int(i32::from(*port))),
                        protocol: Some(proto.clone()),
                        end_port: None,
                    })
                    .collect(),
            ),
        });
    }
    NetworkPolicy {
        metadata: meta::object_meta(plan, &p.name, &p.target, &BTreeMap::new(), &BTreeMap::new()),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(meta::selector(plan, &p.target)),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(rules),
            ..Default::default()
        }),
    }
}
