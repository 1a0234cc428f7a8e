//! The labels Coolify puts on every container it manages (`defaultLabels()` and
//! `defaultDatabaseLabels()` in `bootstrap/helpers/docker.php`).

use super::Attrs;
use crate::compose::Service;

/// `coolify.managed`, `coolify.type`, the model's id under `id_label`, the resource and
/// service name (`name`), the project and environment names; names as DNS labels.
pub(in crate::coolify) fn identity_labels(
    a: &Attrs<'_>,
    svc: &mut Service,
    kind: &str,
    id_label: &str,
    name: Option<&str>,
) {
    let slug = |s: &str| crate::plan::names::dns_label(s, 63);
    svc.labels.insert("coolify.managed".into(), "true".into());
    svc.labels.insert("coolify.type".into(), kind.into());
    if let Some(id) = a.text("id") {
        svc.labels.insert(id_label.into(), id);
    }
    if let Some(n) = name {
        svc.labels.insert("coolify.resourceName".into(), slug(n));
        svc.labels.insert("coolify.serviceName".into(), slug(n));
    }
    if let Some(p) = a.text("project_name") {
        svc.labels.insert("coolify.projectName".into(), slug(&p));
    }
    if let Some(e) = a.text("environment_name") {
        svc.labels
            .insert("coolify.environmentName".into(), slug(&e));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_of_a_database() {
        let v = json!({"id": 4, "project_name": "My Project", "environment_name": "production"});
        let mut svc = Service::default();
        let a = Attrs::root(&v, "x").unwrap();
        identity_labels(
            &a,
            &mut svc,
            "database",
            "coolify.databaseId",
            Some("Main DB"),
        );
        let got: Vec<_> = svc.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            got,
            [
                "coolify.databaseId=4",
                "coolify.environmentName=production",
                "coolify.managed=true",
                "coolify.projectName=my-project",
                "coolify.resourceName=main-db",
                "coolify.serviceName=main-db",
                "coolify.type=database",
            ]
        );
    }
}
