//! The image an Application runs, named as Coolify's deployment job names it
//! (`generate_image_names`, `resolveDockerImageTag`, `previewImageTag` and
//! `push_to_docker_registry` in `app/Jobs/ApplicationDeploymentJob.php`).
//!
//! On Docker the job runs its `production_image_name` from the server's local images. A
//! Kubernetes node pulls, so only an image Coolify pushed (`docker_registry_image_name`
//! set) or one the caller names (`image`) can run; anything else is an error that says so.

use super::attributes::Attrs;
use crate::error::Error;
use crate::path::InputPath;

/// Build packs that build an image (every one but `dockerimage`).
fn builds(build_pack: Option<&str>) -> bool {
    build_pack != Some("dockerimage")
}

/// The image reference: `image` as given; else, for the `dockerimage` build pack,
/// `docker_registry_image_name:docker_registry_image_tag` (`latest` by default, a
/// `sha256-…` tag as a digest); else the image Coolify built and pushed under
/// `docker_registry_image_name`: tagged `latest` for an inline Dockerfile, `pr-N-<commit>`
/// for a preview, `<commit>` (`git_commit_sha`) otherwise, or, when the commit is not
/// resolved (`HEAD`), the `docker_registry_image_tag` Coolify also pushes.
pub(super) fn image(a: &Attrs<'_>, pr: u64, errors: &mut Vec<Error>) -> Option<String> {
    if let Some(i) = a.text("image") {
        return Some(i);
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
    let commit = a.text("git_commit_sha").filter(|c| c != "HEAD");
    if !builds(build_pack.as_deref()) {
        let tag = tag.unwrap_or_else(|| "latest".to_string());
        return Some(match tag.strip_prefix("sha256-") {
            Some(hash) => format!("{name}@sha256:{hash}"),
            None => format!("{name}:{tag}"),
        });
    }
    if a.text("dockerfile").is_some() {
        return Some(format!("{name}:latest"));
    }
    if pr > 0 {
        let Some(commit) = commit else {
            errors.push(Error::new(
                at("git_commit_sha"),
                "a preview's image is tagged pr-N-<commit> (pr-N-<deployment uuid> for HEAD): \
                 pass the deployment's commit as `git_commit_sha`, or the pushed reference as `image`",
            ));
            return None;
        };
        return Some(format!("{name}:{}", preview_tag(pr, &commit)));
    }
    match (commit, tag) {
        (Some(c), _) => Some(format!("{name}:{}", truncate(&c, 128))),
        (None, Some(t)) => Some(format!("{name}:{t}")),
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
        image(&a, pr, &mut errors).ok_or_else(|| errors.iter().map(|e| e.to_string()).collect())
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
        // An unresolved commit: the extra tag Coolify pushes.
        let mut v = base.clone();
        v["git_commit_sha"] = json!("HEAD");
        assert_eq!(image_of(v.clone(), 0).unwrap(), "ghcr.io/acme/api:stable");
        assert!(image_of(v, 7).unwrap_err()[0].starts_with("git_commit_sha: "));
        // An inline Dockerfile is tagged latest.
        let mut v = base;
        v["dockerfile"] = json!("FROM nginx");
        assert_eq!(image_of(v, 0).unwrap(), "ghcr.io/acme/api:latest");
        assert_eq!(preview_tag(3, "feat/x y"), "pr-3-feat-x-y");
        assert_eq!(preview_tag(3, &"a".repeat(200)).len(), 128);
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
