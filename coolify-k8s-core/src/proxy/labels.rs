//! A service's proxy labels, Traefik and Caddy, into routes.

use super::route::Route;
use super::{caddy_labels, traefik_labels};
use crate::path::InputPath;
use crate::report::{Outcome, Report};
use std::collections::BTreeMap;

/// True for labels that [`routes`] reads (they are routing intent, not metadata: the
/// translator does not copy them to annotations).
pub fn is_proxy_label(key: &str) -> bool {
    traefik_labels::is_traefik_label(key) || caddy_labels::is_caddy_label(key)
}

/// The routes a service's labels declare.
///
/// Coolify writes both Traefik and Caddy labels for one domain when the server is not set
/// to "exact labels", and only one proxy runs; so when a service has routes from both, the
/// Traefik ones are used and the Caddy ones are reported as duplicates.
pub fn routes(
    service: &str,
    labels: &BTreeMap<String, String>,
    labels_path: &InputPath,
    report: &mut Report,
) -> Vec<Route> {
    let mut traefik_report = Report::default();
    let traefik = traefik_labels::routes(service, labels, labels_path, &mut traefik_report);
    let mut caddy_report = Report::default();
    let caddy = caddy_labels::routes(service, labels, labels_path, &mut caddy_report);
    report.extend(traefik_report);
    if !traefik.is_empty() && !caddy.is_empty() {
        for key in labels.keys().filter(|k| caddy_labels::is_caddy_label(k)) {
            report.add(
                labels_path.key(key.clone()),
                Outcome::Dropped,
                "Caddy labels duplicate the Traefik routes of this service (Coolify writes both; \
                 one proxy runs): the Traefik routes are used",
            );
        }
        return traefik;
    }
    report.extend(caddy_report);
    if traefik.is_empty() {
        caddy
    } else {
        traefik
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traefik_wins_over_caddy_duplicates() {
        let labels: BTreeMap<String, String> = [
            ("traefik.http.routers.r.rule", "Host(`a.io`)"),
            ("caddy_0", "https://a.io"),
            ("caddy_0.reverse_proxy", "{{upstreams 80}}"),
            ("coolify.managed", "true"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let mut report = Report::default();
        let r = routes(
            "app",
            &labels,
            &InputPath::root().key("labels"),
            &mut report,
        );
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].tls, None);
        assert_eq!(report.entries().len(), 2);
        assert!(is_proxy_label("caddy_0") && !is_proxy_label("coolify.managed"));
    }
}
