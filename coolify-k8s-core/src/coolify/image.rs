//! The image an Application runs, named as Coolify's deployment job names it
//! (`generate_image_names`, `resolveDockerImageTag`, `previewImageTag` and
//! `push_to_docker_registry` in `app/Jobs/ApplicationDeploymentJob.php`).
//!
//! On Docker the job runs its `production_image_name` from the server's local images. A
//! Kubernetes node pulls, so only an image Coolify pushed (`docker_registry_image_name`
//! set) or one the caller names (`image`) can run; anything else is an error that says so.

use super::attributes::Attrs;
use crate::compose::PullPolicy;
use crate::error::Error;
use crate::path::InputPath;

/// The image reference and how the node pulls it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Image {
    /// The reference the pod runs.
    pub reference: String,
    /// `Always` where the tag is reused from one deployment to the next while Coolify runs
    /// what it just pulled or built under it: the `dockerimage` build pack (the job runs
    /// `docker compose pull` before every start), `latest` for an inline Dockerfile, and
    /// the tags an unresolved commit falls back to. A node would otherwise keep starting
    /// the copy it pulled first. `None` (Kubernetes' default) for a commit, a digest or a
    /// caller's `image`.
    pub pull_policy: Option<PullPolicy>,
}

impl Image {
    fn fixed(reference: String) -> Self {
        Self {
            reference,
            pull_policy: None,
        }
    }

    fn reused(reference: String) -> Self {
        Self {
            reference,
            pull_policy: Some(PullPolicy::Always),
        }
    }
}

/// Build packs that build an image (every one but `dockerimage`).
fn builds(build_pack: Option<&str>) -> bool {
    build_pack != Some("dockerimage")
}

/// The image: `image` as given; else, for the `dockerimage` build pack,
/// `docker_registry_image_name:docker_registry_image_tag` (`latest` by default, a
/// `sha256-…` tag as a digest); else the image Coolify built and pushed under
/// `docker_registry_image_name`: tagged `latest` for an inline Dockerfile, `pr-N-<commit>`
/// for a preview (`pr-N-<deployment id>` while the commit is `HEAD`, as `previewImageTag()`
/// does with its `deployment_uuid`), `<commit>` (`git_commit_sha`) otherwise, or, when the
/// commit is not resolved (`HEAD`), the `docker_registry_image_tag` Coolify also pushes,
/// else `HEAD` itself, the tag the job then builds and pushes.
pub(super) fn image(
    a: &Attrs<'_>,
    pr: u64,
    deployment_id: Option<&str>,
    errors: &mut Vec<Error>,
) -> Option<Image> {
    if let Some(i) = a.text("image") {
        return Some(Image::fixed(i));
    }
    let at = |k: &str| InputPath::root().key(k);
    let build_pack = a.text("build_pack");
    let Some(name) = a.text("docker_registry_image_name") else {
        errors.push(Error::new(
            at("image"),
            if builds(build_pack.as_deref()) {
                "an image is required: Kubernetes nodes pull images, so set \
                 `docker_registry_image_name` (Coolify's job then pushes the build to it) \
                 or pass the pushed reference as `image`"
            } else {
                "an image is required (`image`, or `docker_registry_image_name` and `_tag`)"
            },
        ));
        return None;
    };
    let tag = a.text("docker_registry_image_tag");
    let commit = a.text("git_commit_sha");
    let unresolved = commit.as_deref() == Some("HEAD");
    let commit = commit.filter(|_| !unresolved);
    if !builds(build_pack.as_deref()) {
        let tag = tag.unwrap_or_else(|| "latest".to_string());
        return Some(match tag.strip_prefix("sha256-") {
            Some(hash) => Image::fixed(format!("{name}@sha256:{hash}")),
            None => Image::reused(format!("{name}:{tag}")),
        });
    }
    if a.text("dockerfile").is_some() {
        return Some(Image::reused(format!("{name}:latest")));
    }
    if pr > 0 {
        let Some(source) = commit.or_else(|| deployment_id.map(str::to_string)) else {
            errors.push(Error::new(
                at("git_commit_sha"),
                "a preview's image is tagged pr-N-<commit>, or pr-N-<deployment uuid> while \
                 the commit is HEAD: pass the deployment's commit as `git_commit_sha` or its \
                 `deployment_uuid`, or the pushed reference as `image`",
            ));
            return None;
        };
        return Some(Image::fixed(format!("{name}:{}", preview_tag(pr, &source))));
    }
    match (commit, tag) {
        (Some(c), _) => Some(Image::fixed(format!("{name}:{}", truncate(&c, 128)))),
        (None, Some(t)) => Some(Image::reused(format!("{name}:{t}"))),
        (None, None) if unresolved => Some(Image::reused(format!("{name}:HEAD"))),
        (None, None) => {
            errors.push(Error::new(
                at("git_commit_sha"),
                "the built image is tagged with the commit: pass the deployed commit \
                 (or `docker_registry_image_tag`, or `image`)",
            ));
            None
        }
    }
}

/// `pr-<N>-<commit>`, the commit with characters outside `A-Za-z0-9_.-` as `-`, cut so the
/// tag stays within Docker's 128 characters.
fn preview_tag(pr: u64, commit: &str) -> String {
    let prefix = format!("pr-{pr}-");
    let clean: String = commit
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!(
        "{prefix}{}",
        truncate(&clean, 128usize.saturating_sub(prefix.len()).max(1))
    )
}

/// The first `max` characters.
fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn image_of(v: Value, pr: u64) -> Result<String, Vec<String>> {
        let mut errors = Vec::new();
        let a = Attrs::root(&v, "x").unwrap();
        let id = a.text("deployment_uuid");
        image(&a, pr, id.as_deref(), &mut errors)
            .map(|i| i.reference)
            .ok_or_else(|| errors.iter().map(|e| e.to_string()).collect())
    }

    fn policy_of(v: Value, pr: u64) -> Option<PullPolicy> {
        let a = Attrs::root(&v, "x").unwrap();
        image(&a, pr, None, &mut Vec::new()).and_then(|i| i.pull_policy)
    }

    #[test]
    fn dockerimage_tag_default_and_digest() {
        let base =
            json!({"build_pack": "dockerimage", "docker_registry_image_name": "traefik/whoami"});
        assert_eq!(image_of(base.clone(), 0).unwrap(), "traefik/whoami:latest");
        let mut v = base.clone();
        v["docker_registry_image_tag"] = json!("v1.10");
        assert_eq!(image_of(v, 0).unwrap(), "traefik/whoami:v1.10");
        let mut v = base;
        v["docker_registry_image_tag"] = json!("sha256-abc123");
        assert_eq!(image_of(v, 0).unwrap(), "traefik/whoami@sha256:abc123");
    }

    #[test]
    fn built_images_are_tagged_with_the_commit() {
        let base = json!({"build_pack": "nixpacks", "docker_registry_image_name": "ghcr.io/acme/api",
            "git_commit_sha": "4f2a9c1e", "docker_registry_image_tag": "stable"});
        assert_eq!(
            image_of(base.clone(), 0).unwrap(),
            "ghcr.io/acme/api:4f2a9c1e"
        );
        assert_eq!(
            image_of(base.clone(), 7).unwrap(),
            "ghcr.io/acme/api:pr-7-4f2a9c1e"
        );
        // An unresolved commit: the extra tag Coolify pushes, else `HEAD` itself.
        let mut v = base.clone();
        v["git_commit_sha"] = json!("HEAD");
        assert_eq!(image_of(v.clone(), 0).unwrap(), "ghcr.io/acme/api:stable");
        let mut untagged = v.clone();
        untagged
            .as_object_mut()
            .unwrap()
            .remove("docker_registry_image_tag");
        assert_eq!(image_of(untagged, 0).unwrap(), "ghcr.io/acme/api:HEAD");
        // A preview of an unresolved commit is tagged with the deployment's uuid.
        let e = image_of(v.clone(), 7).unwrap_err();
        assert!(
            e[0].starts_with("git_commit_sha: ") && e[0].contains("deployment_uuid"),
            "{e:?}"
        );
        v["deployment_uuid"] = json!("qc8g0w4ckoc0");
        assert_eq!(
            image_of(v, 7).unwrap(),
            "ghcr.io/acme/api:pr-7-qc8g0w4ckoc0"
        );
        // An inline Dockerfile is tagged latest.
        let mut v = base;
        v["dockerfile"] = json!("FROM nginx");
        assert_eq!(image_of(v, 0).unwrap(), "ghcr.io/acme/api:latest");
        assert_eq!(preview_tag(3, "feat/x y"), "pr-3-feat-x-y");
        assert_eq!(preview_tag(3, &"a".repeat(200)).len(), 128);
    }

    #[test]
    fn reused_tags_are_pulled_on_every_start() {
        let pushed = json!({"build_pack": "nixpacks", "docker_registry_image_name": "r/api",
            "git_commit_sha": "4f2a9c1e", "docker_registry_image_tag": "stable"});
        // A commit names one build: the node's copy is the image.
        assert_eq!(policy_of(pushed.clone(), 0), None);
        assert_eq!(policy_of(pushed.clone(), 7), None);
        // Tags a later deployment pushes again: the node must ask the registry.
        let mut head = pushed.clone();
        head["git_commit_sha"] = json!("HEAD");
        assert_eq!(policy_of(head, 0), Some(PullPolicy::Always));
        let mut inline = pushed;
        inline["dockerfile"] = json!("FROM nginx");
        assert_eq!(policy_of(inline, 0), Some(PullPolicy::Always));
        // The dockerimage build pack: Coolify pulls before every start, a digest excepted.
        let registry = json!({"build_pack": "dockerimage", "docker_registry_image_name": "nginx",
            "docker_registry_image_tag": "1.27"});
        assert_eq!(policy_of(registry.clone(), 0), Some(PullPolicy::Always));
        let mut digest = registry;
        digest["docker_registry_image_tag"] = json!("sha256-abc");
        assert_eq!(policy_of(digest, 0), None);
        // The caller's own reference keeps Kubernetes' default.
        assert_eq!(
            policy_of(json!({"image": "own:1", "build_pack": "dockerimage"}), 0),
            None
        );
    }

    #[test]
    fn an_explicit_image_wins_and_an_unpushed_build_is_an_error() {
        let v = json!({"image": "own:1", "build_pack": "nixpacks"});
        assert_eq!(image_of(v, 0).unwrap(), "own:1");
        let e = image_of(json!({"build_pack": "static", "git_commit_sha": "abc"}), 0).unwrap_err();
        assert!(
            e[0].starts_with("image: ") && e[0].contains("docker_registry_image_name"),
            "{e:?}"
        );
    }
}
