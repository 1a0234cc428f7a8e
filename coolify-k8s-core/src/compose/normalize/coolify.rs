//! Coolify's dialect in the model: the routes that `SERVICE_URL_*` / `SERVICE_FQDN_*`
//! environment keys ask for, and every magic variable the project references.

use crate::compose::magic::{deferred, MagicKind, MagicVariable, ServiceUrl, ServiceUrlKind};
use indexmap::IndexMap;
use serde_json::Value;
use std::collections::BTreeMap;

/// The `SERVICE_URL_*` / `SERVICE_FQDN_*` keys of a service's environment, in declared
/// order. A value that starts with `/` is the route's path.
pub(crate) fn service_urls(environment: &IndexMap<String, Option<String>>) -> Vec<ServiceUrl> {
    environment
        .iter()
        .filter_map(|(key, val)| {
            let magic = MagicVariable::parse(key)?;
            let kind = match magic.kind {
                MagicKind::Url => ServiceUrlKind::Url,
                MagicKind::Fqdn => ServiceUrlKind::Fqdn,
                _ => return None,
            };
            Some(ServiceUrl {
                variable: key.clone(),
                kind,
                id: magic.id,
                port: magic.port,
                path: val
                    .as_deref()
                    .filter(|v| v.starts_with('/'))
                    .map(str::to_string),
            })
        })
        .collect()
}

/// Add every magic variable referenced by a deferred reference in any string of `v`.
/// Iterative: extension keys (`x-*`) may nest deeply, and a stack overflow is no error.
pub(crate) fn collect_references(v: &Value, out: &mut BTreeMap<String, MagicVariable>) {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) => {
                for name in deferred::variables(s) {
                    if let Some(m) = MagicVariable::parse(name) {
                        out.entry(name.to_string()).or_insert(m);
                    }
                }
            }
            Value::Array(items) => stack.extend(items),
            Value::Object(m) => stack.extend(m.values()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn urls_from_environment_keys() {
        let env: IndexMap<String, Option<String>> = [
            (
                "SERVICE_URL_APP_3000",
                Some(deferred::reference("SERVICE_URL_APP_3000")),
            ),
            ("SERVICE_FQDN_API", Some("/api".to_string())),
            (
                "SERVICE_PASSWORD_DB",
                Some(deferred::reference("SERVICE_PASSWORD_DB")),
            ),
            ("OTHER", None),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let urls = service_urls(&env);
        assert_eq!(
            urls,
            vec![
                ServiceUrl {
                    variable: "SERVICE_URL_APP_3000".into(),
                    kind: ServiceUrlKind::Url,
                    id: "APP".into(),
                    port: Some(3000),
                    path: None
                },
                ServiceUrl {
                    variable: "SERVICE_FQDN_API".into(),
                    kind: ServiceUrlKind::Fqdn,
                    id: "API".into(),
                    port: None,
                    path: Some("/api".into())
                },
            ]
        );
    }

    #[test]
    fn references_anywhere() {
        let mut out = BTreeMap::new();
        let v = json!({"a": [format!("u:{}@db", deferred::reference("SERVICE_PASSWORD_DB"))],
                       "b": {"c": deferred::reference("MY_SECRET")}});
        collect_references(&v, &mut out);
        assert_eq!(out.keys().collect::<Vec<_>>(), vec!["SERVICE_PASSWORD_DB"]);
    }
}
