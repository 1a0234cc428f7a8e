//! A service's image reference: the `images` option, else `image:`, else, for a service that
//! only has `build:`, the name Docker Compose gives the image it builds
//! (`<project>-<service>`) under the `registry` option's prefix.
//!
//! Kubernetes nodes pull images; they never build them. On Docker, Coolify's compose build
//! pack runs `docker compose --project-name <uuid> build` on the server
//! (`app/Jobs/ApplicationDeploymentJob.php`), so a build-only service runs the local image
//! `<uuid>-<service>`. Here that image must be pushed where the nodes can pull it: the
//! report line says what to push and under which name.

use super::workload::ServiceContext;
use crate::compose::PullPolicy;
use crate::error::Error;
use crate::path::InputPath;
use crate::report::{Outcome, Report};

/// The image reference of the service in `cx`; a service with neither `image:` nor an
/// `images` entry nor (for `build:`) a `registry` prefix is an error naming the fixes.
pub fn image(
    cx: &ServiceContext<'_>,
    at: &InputPath,
    report: &mut Report,
) -> Result<String, Vec<Error>> {
    let s = cx.service;
    if let Some(i) = cx.options.images.get(cx.name).or(s.image.as_ref()) {
        if s.build.is_some() {
            report.add(at.key("build"), Outcome::Approximated, format!("images are not built on Kubernetes: the image {i:?} must be built and pushed before deploying"));
        }
        return Ok(i.clone());
    }
    if s.build.is_none() {
        return Err(vec![Error::new(
            at.clone(),
            format!(
                "the service has no `image`: pass one with --image {}=REF (the `images` option)",
                cx.name
            ),
        )]);
    }
    let built = built_image_name(cx.project, cx.name);
    let Some(registry) = cx.options.registry.as_deref() else {
        return Err(vec![Error::new(
            at.clone(),
            format!(
                "the service has only `build:` and no image: Kubernetes nodes pull images, they do not build them. \
                 Build and push the image Docker Compose names {built:?}, then pass the registry it is in with \
                 --registry REGISTRY/PATH (the `registry` option) or the whole reference with --image {}=REF \
                 (the `images` option)",
                cx.name
            ),
        )]);
    };
    let reference = format!("{}/{built}", registry.trim_end_matches('/'));
    report.add(
        at.key("build"),
        Outcome::Approximated,
        format!(
            "images are not built on Kubernetes: the pods pull {reference:?} (option registry; Docker Compose names \
             the image it builds {built:?}). Push it before deploying: `docker compose --project-name {project} build {service} \
             && docker tag {built} {reference} && docker push {reference}`; a new push under the same tag \
             restarts nothing (restart the resource, or pass a tagged reference with --image {service}=REF)",
            project = cx.project,
            service = cx.name,
        ),
    );
    Ok(reference)
}

/// The container's `imagePullPolicy`: the service's `pull_policy:`, else, with the
/// `pull_latest_images` option, `Always`, else none (Kubernetes' default, `IfNotPresent`
/// for a tag other than `latest`, as Docker keeps a pulled tag).
///
/// `pull_latest_images` is Coolify's "Pull latest images & restart" (`StartService` with
/// `pullLatestImages`: `docker compose pull`, then `up -d --force-recreate`). That `pull`
/// pulls every image again except where the service says otherwise: `never` and `build`
/// are skipped, `missing` keeps a present image. `Always` does the same at the new pods'
/// start (every pod starts anew, since each start has a new `deployment_id`). An image
/// pinned by digest cannot change, so it keeps the default.
pub fn pull_policy(
    cx: &ServiceContext<'_>,
    image: &str,
    at: &InputPath,
    report: &mut Report,
) -> Option<String> {
    let at = at.key("pull_policy");
    match &cx.service.pull_policy {
        Some(PullPolicy::Always) => Some("Always".into()),
        Some(PullPolicy::Never) => Some("Never".into()),
        Some(PullPolicy::Missing) => Some("IfNotPresent".into()),
        Some(PullPolicy::Build) => {
            report.add(
                at,
                Outcome::Dropped,
                "pull_policy build: images are not built on Kubernetes; the image is pulled",
            );
            None
        }
        Some(PullPolicy::Refresh(s)) => {
            report.add(at, Outcome::Approximated, format!("pull_policy {s:?}: Kubernetes has no scheduled refresh; Always pulls on every pod start"));
            Some("Always".into())
        }
        None if cx.options.pull_latest_images && !image.contains('@') => Some("Always".into()),
        None => None,
    }
}

/// `<project>-<service>`: Docker Compose's name for a built image without `image:`
/// (`api.GetImageNameOrDefault`), lowercased, since a reference's repository is.
pub fn built_image_name(project: &str, service: &str) -> String {
    format!("{project}-{}", service.to_ascii_lowercase())
}

/// A project name as Docker Compose normalizes it (`loader.NormalizeProjectName`):
/// lowercase, only `a-z`, `0-9`, `_` and `-`, starting with a letter or digit; `app` when
/// nothing is left.
pub fn compose_project_name(raw: &str) -> String {
    let kept: String = raw
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        .collect();
    let trimmed = kept.trim_start_matches(['_', '-']);
    if trimmed.is_empty() {
        "app".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::{Build, Service};
    use crate::options::Options;

    fn cx<'a>(service: &'a Service, options: &'a Options) -> ServiceContext<'a> {
        ServiceContext {
            name: "Web",
            k8s_name: "web",
            base_name: "Web",
            service,
            options,
            is_job: false,
            url_routes: Vec::new(),
            project: "shop",
        }
    }

    fn build_only() -> Service {
        Service {
            build: Some(Build::default()),
            ..Service::default()
        }
    }

    #[test]
    fn pull_latest_images_pulls_what_docker_compose_pull_pulls() {
        let latest = Options {
            pull_latest_images: true,
            ..Options::default()
        };
        let at = InputPath::root().key("services").key("Web");
        let policy = |pull: Option<PullPolicy>, image: &str, options: &Options| {
            let s = Service {
                pull_policy: pull,
                ..Service::default()
            };
            pull_policy(&cx(&s, options), image, &at, &mut Report::default())
        };
        let always = Some("Always".to_string());
        assert_eq!(policy(None, "nginx:1.27", &latest), always);
        assert_eq!(policy(None, "nginx:1.27", &Options::default()), None);
        // Pinned by digest: nothing newer to pull.
        assert_eq!(policy(None, "nginx@sha256:0123", &latest), None);
        // The service's own pull_policy wins, as `docker compose pull` skips `never` and
        // keeps a present image for `missing`.
        for (own, want) in [
            (PullPolicy::Never, Some("Never")),
            (PullPolicy::Missing, Some("IfNotPresent")),
            (PullPolicy::Always, Some("Always")),
            (PullPolicy::Build, None),
        ] {
            assert_eq!(
                policy(Some(own.clone()), "nginx:1.27", &latest).as_deref(),
                want,
                "{own:?}"
            );
        }
    }

    #[test]
    fn compose_normalizes_project_names() {
        assert_eq!(compose_project_name("My App.v2"), "myappv2");
        assert_eq!(compose_project_name("__x_y-z"), "x_y-z");
        assert_eq!(compose_project_name("…"), "app");
        assert_eq!(built_image_name("shop", "Web"), "shop-web");
    }

    #[test]
    fn build_only_service_is_pulled_under_the_registry_prefix_and_reported() {
        let options = Options {
            registry: Some("registry.example.com/team/".into()),
            ..Options::default()
        };
        let s = build_only();
        let mut report = Report::default();
        let at = InputPath::root().key("services").key("Web");
        let i = image(&cx(&s, &options), &at, &mut report).unwrap();
        assert_eq!(i, "registry.example.com/team/shop-web");
        let e = &report.entries()[0];
        assert_eq!(e.path.to_string(), "services.Web.build");
        assert!(
            e.message
                .contains("docker push registry.example.com/team/shop-web"),
            "{}",
            e.message
        );
    }

    #[test]
    fn images_option_and_image_key_win_over_the_registry() {
        let mut options = Options {
            registry: Some("r.example.com".into()),
            ..Options::default()
        };
        options
            .images
            .insert("Web".into(), "r.example.com/web:abc".into());
        let s = build_only();
        let at = InputPath::root();
        let mut report = Report::default();
        assert_eq!(
            image(&cx(&s, &options), &at, &mut report).unwrap(),
            "r.example.com/web:abc"
        );
        let s = Service {
            image: Some("own:1".into()),
            ..build_only()
        };
        options.images.clear();
        assert_eq!(image(&cx(&s, &options), &at, &mut report).unwrap(), "own:1");
    }

    #[test]
    fn without_a_registry_the_error_names_the_built_image_and_both_fixes() {
        let options = Options::default();
        let s = build_only();
        let e = image(
            &cx(&s, &options),
            &InputPath::root(),
            &mut Report::default(),
        )
        .unwrap_err();
        let m = &e[0].message;
        assert!(
            m.contains("\"shop-web\"") && m.contains("--registry") && m.contains("--image Web=REF"),
            "{m}"
        );
        let none = Service::default();
        let e = image(
            &cx(&none, &options),
            &InputPath::root(),
            &mut Report::default(),
        )
        .unwrap_err();
        assert!(e[0].message.starts_with("the service has no `image`"));
    }
}
