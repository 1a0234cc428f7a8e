//! One Compose file through the per-file stages: parse ([`yaml`]), shape check, `!reset`
//! removal, `version`, [`interpolate`], the canonical form, then
//! [`include`](mod@super::include), [`extends`] and service [`env_file`]s. `include` and `extends` read other files through these
//! functions again, which is where the loader recurses.

use super::context::Context;
use super::merge::Directives;
use super::options::LoadOptions;
use super::{env_file, extends, include, interpolate, normalize, yaml};
use crate::error::{Error, Errors};
use crate::path::InputPath;
use serde_json::Value;

/// One file: its documents, each through every per-file stage, with the merge directives
/// that apply when it merges over earlier files.
pub(crate) fn load_file(
    ctx: &mut Context<'_>,
    name: &str,
    text: &str,
    options: &LoadOptions,
) -> Result<Vec<(Value, Directives)>, Errors> {
    let mut out = Vec::new();
    let docs = yaml::parse(text, name)?;
    if docs.is_empty() {
        return Err(Error::new(
            InputPath::root(),
            format!("{name}: the file is empty; a Compose file is a mapping of top-level keys"),
        )
        .into());
    }
    for doc in docs {
        let (mut tree, directives) = prepare(ctx, name, doc, options)?;
        include::apply(ctx, name, &mut tree, options)?;
        extends::apply(ctx, name, &mut tree, &directives, options)?;
        env_file::apply(ctx, name, &mut tree, options)?;
        out.push((tree, directives));
    }
    Ok(out)
}

/// The first per-file stages: shape check, `!reset` removal, `version`, interpolation and
/// the canonical form. `extends` reads other files through this too.
pub(crate) fn prepare(
    ctx: &mut Context<'_>,
    name: &str,
    doc: yaml::Document,
    options: &LoadOptions,
) -> Result<(Value, Directives), Errors> {
    let mut tree = doc.root;
    let Value::Object(map) = &mut tree else {
        let what = if tree.is_null() {
            "empty"
        } else {
            "not a mapping"
        };
        return Err(Error::new(
            InputPath::root(),
            format!("{name}: the file is {what}; a Compose file is a mapping of top-level keys"),
        )
        .into());
    };
    if map.shift_remove("version").is_some() {
        ctx.report.warn(
            InputPath::root().key("version"),
            "`version` is obsolete and ignored",
        );
    }
    let directives = Directives(doc.tags);
    directives.strip_resets(&mut tree);
    interpolate::interpolate_deferring(&mut tree, options, &ctx.stored, &mut ctx.report)?;
    normalize::canonicalize(&mut tree, options)?;
    Ok((tree, directives))
}

/// Errors from a file other than the first: say which file.
pub(crate) fn in_file(errors: Errors, file: &str) -> Errors {
    let list: Vec<Error> = errors
        .into_iter()
        .map(|e| {
            if e.message.contains(file) {
                e
            } else {
                Error::new(e.path, format!("{} (in {file})", e.message))
            }
        })
        .collect();
    match Errors::from_vec(list) {
        Some(e) => e,
        None => Error::new(InputPath::root(), format!("{file}: cannot be loaded")).into(),
    }
}
