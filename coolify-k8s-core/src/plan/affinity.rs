//! Single-host storage: Docker's shared volumes work on one host with any storage. By
//! default (option `shared_volumes: affinity`) a volume shared by several services is one
//! ReadWriteOnce claim and the sharers are scheduled on one node: every pod of a *volume
//! group* (services linked through shared claims) carries the group's label and requires
//! a pod of the group on its node. ReadWriteMany (`shared_volumes: rwx`) leaves
//! placement free, but single-node setups (k3s local-path) and most block storage cannot
//! provide it, so the claim would stay Pending.

use super::names::dns_label;
use std::collections::{BTreeMap, BTreeSet};

/// The volume group of every service that shares a claim with another: services linked
/// through shared claims (directly or through a chain) form one group, named after its
/// first claim in name order.
pub fn volume_groups(users: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, String> {
    let mut group: BTreeMap<String, String> = BTreeMap::new();
    // Claims in name order; merging relabels the later group, so the result does not
    // depend on the order of the services.
    for (claim, services) in users.iter().filter(|(_, s)| s.len() > 1) {
        let label = services
            .iter()
            .filter_map(|s| group.get(s).cloned())
            .min()
            .unwrap_or_else(|| dns_label(claim, 63));
        let merged: BTreeSet<String> = services
            .iter()
            .filter_map(|s| group.get(s).cloned())
            .collect();
        for g in group.values_mut() {
            if merged.contains(g) {
                *g = label.clone();
            }
        }
        for s in services {
            group.insert(s.clone(), label.clone());
        }
    }
    group
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(pairs: &[(&str, &[&str])]) -> BTreeMap<String, BTreeSet<String>> {
        pairs
            .iter()
            .map(|(c, s)| (c.to_string(), s.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn sharers_form_one_group_through_chains() {
        let g = volume_groups(&users(&[
            ("uploads", &["app", "worker"]),
            ("cache", &["worker", "cron"]),
            ("pg-data", &["db"]),
            ("z-logs", &["proxy", "shipper"]),
        ]));
        assert_eq!(g["app"], "cache");
        assert_eq!(g["worker"], "cache");
        assert_eq!(g["cron"], "cache");
        assert_eq!(g["proxy"], "z-logs");
        assert!(!g.contains_key("db"), "an exclusive claim needs no group");
    }
}
