//! Stage: `${VAR}` interpolation, exactly as the Compose Specification defines it
//! (interpolation.md): `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
//! `${VAR:?error}`, `${VAR?error}`, `${VAR:+replacement}`, `${VAR+replacement}`, nested
//! defaults (`${A:-${B:-x}}`), and `$$` for a literal `$`. Values only, never keys.
//!
//! Variables come only from the caller ([`LoadOptions`] through [`lookup`]): Coolify's magic
//! variables and caller-marked secrets are substituted by a *deferred reference*
//! ([`crate::compose::magic::deferred`]), so `postgres://u:${SERVICE_PASSWORD_DB}@db` becomes
//! `postgres://u:\0SERVICE_PASSWORD_DB\0@db`; a magic variable always counts as set and
//! non-empty. An unset variable becomes an empty string and a warning in the report. A
//! required one (`:?` / `?`) follows Coolify's dialect, which differs from the
//! specification: Coolify's parser stores the text after `?` as the variable's value, so an
//! unset `${TZ:?UTC}` is `UTC` (the loader warns once per variable). With no text, or set
//! but empty under `:?`, it is an error naming the variable and the path: Coolify does not
//! deploy a resource whose required variable has no value.
//!
//! A `$` that starts none of these forms (`$(cmd)`, `$1`, a trailing `$`) is kept as it is,
//! as compose-go does.
//!
//! Coolify's `content:` on a service volume is the body of a file that Coolify writes
//! itself; Docker Compose never sees it, so it is not interpolated: the `${…}` in such
//! bodies belong to the program that reads the file (nginx, envsubst, Vector, …).

use super::magic::{deferred, MagicVariable};
use super::options::{lookup, LoadOptions};
use crate::error::{Error, Errors};
use crate::path::InputPath;
use crate::report::Report;
use serde_json::Value;

/// Deepest nesting of `${…}` inside defaults that is accepted (real files use 2).
const MAX_NESTING: usize = 16;

/// A variable's state for interpolation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    /// What is substituted (the value, or a deferred reference).
    pub value: String,
    /// Whether it counts as empty for `:-`, `:?` and `:+`.
    pub empty: bool,
}

/// A variable as [`LoadOptions`] define it: `None` when unset.
pub fn variable(name: &str, options: &LoadOptions) -> Option<Variable> {
    let value = lookup(name, options)?;
    let empty = MagicVariable::parse(name).is_none()
        && options.variables.get(name).is_none_or(|v| v.is_empty());
    Some(Variable { value, empty })
}

/// Interpolate one string. `lookup` gives each variable's state; the names of unset
/// variables used without a default are pushed to `unset`. The error names the variable
/// (never its value).
///
/// ```
/// use coolify_k8s_core::compose::interpolate::{substitute, Variable};
/// let vars = |n: &str| (n == "TAG").then(|| Variable { value: "1.2".into(), empty: false });
/// let mut unset = Vec::new();
/// assert_eq!(substitute("img:${TAG}-$$HOME-${NOPE:-x}", &vars, &mut unset).unwrap(), "img:1.2-$HOME-x");
/// assert_eq!(substitute("${MISSING}", &vars, &mut unset).unwrap(), "");
/// assert_eq!(unset, ["MISSING"]);
/// // Coolify's dialect: the text after `?` is the value it stores for an unset variable.
/// assert_eq!(substitute("${TZ_NAME:?UTC}", &vars, &mut unset).unwrap(), "UTC");
/// assert!(substitute("${DB:?}", &vars, &mut unset).unwrap_err().contains("DB"));
/// ```
pub fn substitute(
    template: &str,
    lookup: &dyn Fn(&str) -> Option<Variable>,
    unset: &mut Vec<String>,
) -> Result<String, String> {
    substitute_at(template, lookup, unset, 0)
}

fn substitute_at(
    template: &str,
    lookup: &dyn Fn(&str) -> Option<Variable>,
    unset: &mut Vec<String>,
    nesting: usize,
) -> Result<String, String> {
    if nesting > MAX_NESTING {
        return Err(format!(
            "interpolation nested deeper than {MAX_NESTING} levels"
        ));
    }
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.as_bytes().first() {
            Some(b'$') => {
                out.push('$');
                rest = &after[1..];
            }
            Some(b'{') => {
                let body_start = &after[1..];
                let end = closing_brace(body_start).ok_or_else(|| {
                    format!("invalid interpolation format: unterminated \"${{{body_start}\"")
                })?;
                let body = &body_start[..end];
                out.push_str(&braced(body, lookup, unset, nesting)?);
                rest = &body_start[end + 1..];
            }
            Some(&c) if c == b'_' || c.is_ascii_alphabetic() => {
                let len = name_len(after);
                let name = &after[..len];
                match lookup(name) {
                    Some(v) => out.push_str(&v.value),
                    None => unset.push(name.to_string()),
                }
                rest = &after[len..];
            }
            _ => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Length of the variable name at the start of `s` (`[_A-Za-z][_A-Za-z0-9]*`).
fn name_len(s: &str) -> usize {
    s.bytes()
        .enumerate()
        .take_while(|&(i, b)| b == b'_' || b.is_ascii_alphabetic() || (i > 0 && b.is_ascii_digit()))
        .count()
}

/// Index of the `}` closing a `${`, skipping nested `${…}` and `$$`.
fn closing_brace(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut depth = 1usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'$') => i += 2,
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 2;
            }
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// The value of one `${…}` body.
fn braced(
    body: &str,
    lookup: &dyn Fn(&str) -> Option<Variable>,
    unset: &mut Vec<String>,
    nesting: usize,
) -> Result<String, String> {
    let len = name_len(body);
    let invalid = || format!("invalid interpolation format: \"${{{body}}}\"");
    if len == 0 {
        return Err(invalid());
    }
    let name = &body[..len];
    let rest = &body[len..];
    let var = lookup(name);
    let (colon, rest) = match rest.strip_prefix(':') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let Some(op) = rest.chars().next() else {
        if colon {
            return Err(invalid());
        }
        return Ok(match var {
            Some(v) => v.value,
            None => {
                unset.push(name.to_string());
                String::new()
            }
        });
    };
    let arg = &rest[op.len_utf8()..];
    // `:` makes an empty value count as unset.
    let present = var.as_ref().is_some_and(|v| !(colon && v.empty));
    match op {
        '-' => match var {
            Some(v) if present => Ok(v.value),
            _ => substitute_at(arg, lookup, unset, nesting + 1),
        },
        '?' => match var {
            Some(v) if present => Ok(v.value),
            // Coolify's dialect: its parser stores the text after `?` as the variable's value
            // (`${TZ:?UTC}` is TZ=UTC in the `.env`), so an unset variable takes it, nested
            // references resolved as in a default. See `suggested_values`.
            None if !arg.is_empty() => substitute_at(arg, lookup, unset, nesting + 1),
            _ => Err(if arg.is_empty() {
                format!("required variable {name} is missing a value")
            } else {
                // Set but empty: Coolify does not deploy the resource either. The text is
                // the file author's, kept literal (never a value).
                format!("required variable {name} is missing a value: {arg}")
            }),
        },
        '+' => {
            if present {
                substitute_at(arg, lookup, unset, nesting + 1)
            } else {
                Ok(String::new())
            }
        }
        _ => Err(invalid()),
    }
}

/// Interpolate every string value of a Compose tree in place (keys are left alone).
/// Unset variables are reported as warnings at their paths; errors name the path.
/// Strings holding NUL are rejected: NUL marks deferred references.
pub fn interpolate(
    doc: &mut Value,
    options: &LoadOptions,
    report: &mut Report,
) -> Result<(), Errors> {
    interpolate_deferring(doc, options, &std::collections::BTreeSet::new(), report)
}

/// [`interpolate`], where the variables named in `stored` (the caller's stored values)
/// are deferred like secrets in the values a workload runs with (a service's
/// `environment`, `command`, `entrypoint`, `healthcheck`): Coolify stores every variable
/// encrypted, so they reach the container only through the resource Secret. Elsewhere
/// (`image`, `ports`, labels, …) they are substituted.
pub fn interpolate_deferring(
    doc: &mut Value,
    options: &LoadOptions,
    stored: &std::collections::BTreeSet<String>,
    report: &mut Report,
) -> Result<(), Errors> {
    let lookup = |name: &str| variable(name, options);
    let deferring = |name: &str| {
        let mut v = variable(name, options)?;
        if stored.contains(name) {
            v.value = deferred::reference(name);
        }
        Some(v)
    };
    let mut errors = Vec::new();
    walk(
        doc,
        &mut Vec::new(),
        &Lookups {
            plain: &lookup,
            workload: &deferring,
        },
        report,
        &mut errors,
    );
    match Errors::from_vec(errors) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Interpolate a tree with any variable source (the `.env` of an `include`, for one).
pub fn interpolate_with(
    doc: &mut Value,
    lookup: &dyn Fn(&str) -> Option<Variable>,
    report: &mut Report,
) -> Result<(), Errors> {
    let mut errors = Vec::new();
    walk(
        doc,
        &mut Vec::new(),
        &Lookups {
            plain: lookup,
            workload: lookup,
        },
        report,
        &mut errors,
    );
    match Errors::from_vec(errors) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The variable sources of a walk: one for the values a workload runs with, one for the
/// rest.
struct Lookups<'a> {
    plain: &'a dyn Fn(&str) -> Option<Variable>,
    workload: &'a dyn Fn(&str) -> Option<Variable>,
}

/// One step from the root of the tree to the node a walk is at, borrowed from the tree: the
/// [`InputPath`] of an error or a report line is built from the steps only when one is
/// needed (building it at every node was a third of the loader's allocations).
#[derive(Debug, Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn path_of(trail: &[Step<'_>]) -> InputPath {
    trail.iter().fold(InputPath::root(), |p, step| match step {
        Step::Key(k) => p.key(*k),
        Step::Index(i) => p.index(*i),
    })
}

/// True under `services.<name>.{environment,command,entrypoint,healthcheck}`.
fn in_workload_values(trail: &[Step<'_>]) -> bool {
    matches!(trail, [Step::Key("services"), Step::Key(_), Step::Key(k), ..]
        if matches!(*k, "environment" | "command" | "entrypoint" | "healthcheck"))
}

/// Depth is bounded by the YAML stage's limit, so recursion is safe.
fn walk<'a>(
    value: &'a mut Value,
    trail: &mut Vec<Step<'a>>,
    lookups: &Lookups<'_>,
    report: &mut Report,
    errors: &mut Vec<Error>,
) {
    let lookup = if in_workload_values(trail) {
        lookups.workload
    } else {
        lookups.plain
    };
    match value {
        Value::String(s) => {
            if s.contains(deferred::MARK) {
                errors.push(Error::new(
                    path_of(trail),
                    "the value holds a NUL character, which Compose files cannot contain",
                ));
                return;
            }
            if !s.contains('$') {
                return;
            }
            let mut unset = Vec::new();
            match substitute(s, lookup, &mut unset) {
                Ok(new) => *s = new,
                Err(m) => errors.push(Error::new(path_of(trail), m)),
            }
            for name in unset {
                report.warn(
                    path_of(trail),
                    format!("variable {name} is not set; substituting an empty string"),
                );
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                trail.push(Step::Index(i));
                walk(item, trail, lookups, report, errors);
                trail.pop();
            }
        }
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                let service_volume_content = k == "content" && is_service_volume(trail);
                trail.push(Step::Key(k));
                if k.contains(deferred::MARK) {
                    errors.push(Error::new(
                        path_of(trail),
                        "the key holds a NUL character, which Compose files cannot contain",
                    ));
                } else if service_volume_content {
                    if v.as_str().is_some_and(|s| s.contains(deferred::MARK)) {
                        errors.push(Error::new(
                            path_of(trail),
                            "the value holds a NUL character, which Compose files cannot contain",
                        ));
                    }
                } else {
                    walk(v, trail, lookups, report, errors);
                }
                trail.pop();
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// True at `services.<name>.volumes[<i>]`.
fn is_service_volume(trail: &[Step<'_>]) -> bool {
    matches!(
        trail,
        [
            Step::Key("services"),
            Step::Key(_),
            Step::Key("volumes"),
            Step::Index(_)
        ]
    )
}

/// The `${NAME<modifier><text>}` forms of a Compose text, in order: the name, the modifier
/// (`:?`, `?`, `:-`, `-`, `:+`, `+`, or empty) and the text up to the matching `}`. `$$` is
/// a literal `$`.
///
/// The text runs to the matching `}`, past nested references (`${A:?${B}}`), when that is
/// on the same line within 4 KiB of the name; otherwise to the end of that window. One
/// pass pairs every `}` with the innermost open reference, so that nested or unclosed
/// references cost no rescans: with a rescan per reference (to the end of the line, then
/// of the window), 100,000 nested `${A:-` on one line took 15 s.
fn braced_references(text: &str) -> Vec<(&str, &str, &str)> {
    /// A `${` seen: where its name starts, the length of name and modifier, the end of its
    /// window, and its matching `}` once found.
    struct Reference {
        rest: usize,
        name: usize,
        modifier: &'static str,
        window: usize,
        end: Option<usize>,
    }
    let bytes = text.as_bytes();
    let mut found: Vec<Reference> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut i = 0;
    // `find` skips to the next `$`, `}` or line end; most text holds none.
    while let Some(at) = text[i..].find(['$', '}', '\n']) {
        i += at;
        match bytes[i] {
            b'\n' => {
                open.clear();
                i += 1;
            }
            b'}' => {
                if let Some(r) = open.pop() {
                    if i < found[r].window {
                        found[r].end = Some(i);
                    }
                }
                i += 1;
            }
            _ => match bytes.get(i + 1) {
                Some(b'$') => i += 2,
                Some(b'{') => {
                    let rest = i + 2;
                    let name = bytes[rest..]
                        .iter()
                        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                        .count();
                    let after = &text[rest + name..];
                    let modifier = [":?", ":-", ":+", "?", "-", "+"]
                        .into_iter()
                        .find(|m| after.starts_with(*m))
                        .unwrap_or("");
                    let mut window = (rest + 4096).min(text.len());
                    while !text.is_char_boundary(window) {
                        window -= 1;
                    }
                    open.push(found.len());
                    found.push(Reference {
                        rest,
                        name,
                        modifier,
                        window,
                        end: None,
                    });
                    i = rest;
                }
                _ => i += 1,
            },
        }
    }
    found
        .into_iter()
        .filter(|r| r.name > 0)
        .map(|r| {
            let rest = &text[r.rest..];
            let start = r.name + r.modifier.len();
            // Unclosed: to the end of the window or of the line, whichever is first.
            let end = match r.end {
                Some(end) => end - r.rest,
                None => rest[..r.window - r.rest]
                    .find('\n')
                    .unwrap_or(r.window - r.rest),
            };
            (&rest[..r.name], r.modifier, &rest[start..end.max(start)])
        })
        .collect()
}

/// A Compose text without the bodies of Coolify's `content:` keys, which are not
/// interpolated (their `${…}` belong to the program that reads the file, and Coolify's
/// parser does not store them as variables). A line scan, as the callers scan text: a
/// `content:` key's block scalar (`|`, `>`) is every following line indented deeper than
/// the key, or blank; a one-line value is its line.
///
/// ```
/// use coolify_k8s_core::compose::interpolate::required_variables;
/// let text = "services:\n  v:\n    environment: [\"A=${A:?x}\"]\n    volumes:\n      - type: bind\n        \
///             content: |\n          key: ${B?y}\n\n          more: ${C:?}\n        target: /c\n";
/// assert_eq!(required_variables(text).into_keys().collect::<Vec<_>>(), ["A"]);
/// ```
fn outside_content_bodies(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("content:") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut block: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(key) = block {
            if line.trim().is_empty() || indent > key {
                continue;
            }
            block = None;
        }
        // The key's column, after any `- ` of a list item.
        let mut rest = &line[indent..];
        let mut column = indent;
        while let Some(r) = rest.strip_prefix('-') {
            let spaces = r.len() - r.trim_start_matches(' ').len();
            if spaces == 0 {
                break;
            }
            column += 1 + spaces;
            rest = &r[spaces..];
        }
        if let Some(value) = rest.strip_prefix("content:") {
            let value = value.trim_start();
            if value.starts_with('|') || value.starts_with('>') {
                block = Some(column);
            }
            continue;
        }
        out.push_str(line);
    }
    std::borrow::Cow::Owned(out)
}

/// The variables a Compose text requires (`${VAR:?…}` / `${VAR?…}`), each with the text
/// after `?` when there is one. Coolify's templates put a suggested value there
/// (`${TZ:?UTC}`): Coolify's parser stores it as the variable's value, which the user may
/// edit, and the loader does the same for a variable the caller does not set. Without one,
/// Coolify does not deploy until the user gives a value (`Service::isDeployable`), and the
/// loader stops with an error; callers use this list to ask for the values first.
///
/// ```
/// use coolify_k8s_core::compose::interpolate::required_variables;
/// let r = required_variables("TZ: ${TZ:?UTC}\nKEY: ${API_KEY?}\nX: $${NOT:?a}\nY: ${OPT:-1}\nS: ${S:?${P}}\n");
/// assert_eq!(r.get("TZ"), Some(&Some("UTC".to_string())));
/// assert_eq!(r.get("API_KEY"), Some(&None));
/// assert_eq!(r.get("S"), Some(&Some("${P}".to_string())));
/// assert_eq!(r.len(), 3);
/// ```
pub fn required_variables(text: &str) -> std::collections::BTreeMap<String, Option<String>> {
    coolify_variables(text).required
}

/// What Coolify's parser makes of a Compose text's references, from one scan: see
/// [`shared_defaults`] and [`required_variables`].
#[derive(Debug, Default)]
pub struct CoolifyVariables {
    /// [`shared_defaults`].
    pub shared_defaults: std::collections::BTreeMap<String, String>,
    /// [`required_variables`].
    pub required: std::collections::BTreeMap<String, Option<String>>,
}

/// [`shared_defaults`] and [`required_variables`] of a text, scanned once (the loader needs
/// both for every file).
pub fn coolify_variables(text: &str) -> CoolifyVariables {
    let mut out = CoolifyVariables::default();
    let text = outside_content_bodies(text);
    for (name, m, text) in braced_references(&text) {
        let required = matches!(m, ":?" | "?");
        if required {
            let hint = text.trim();
            out.required.insert(
                name.to_string(),
                (!hint.is_empty()).then(|| hint.to_string()),
            );
        }
        let stored = matches!(m, ":-" | "-") || (required && !text.is_empty());
        if stored && !text.contains('$') {
            out.shared_defaults
                .entry(name.to_string())
                .or_insert_with(|| text.to_string());
        }
    }
    out
}

/// Coolify's shared defaults: Coolify turns every `${VAR:-default}` (and `${VAR-default}`,
/// and a required `${VAR:?value}` / `${VAR?value}` with its suggested value, see
/// [`required_variables`]) into a stored variable of the resource's `.env`, which every
/// service receives, so a bare
/// `$VAR` in another service sees the default too (`$POSTGRES_DB` in an app whose database
/// service says `${POSTGRES_DB:-umami}`). The first default in the text wins; defaults that
/// hold another reference are left out.
///
/// ```
/// use coolify_k8s_core::compose::interpolate::shared_defaults;
/// let d = shared_defaults("a: ${DB:-umami}\nb: postgres://x/$DB\nc: ${DB:-other}\nd: ${X:-${Y}}\n");
/// assert_eq!(d.get("DB").map(String::as_str), Some("umami"));
/// assert_eq!(d.len(), 1);
/// ```
pub fn shared_defaults(text: &str) -> std::collections::BTreeMap<String, String> {
    coolify_variables(text).shared_defaults
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn options() -> LoadOptions {
        let mut o = LoadOptions::default();
        o.variables.insert("TAG".into(), "1.25".into());
        o.variables.insert("EMPTY".into(), String::new());
        o.variables.insert("PW".into(), "hunter2".into());
        o.secret_variables.insert("PW".into());
        o
    }

    #[test]
    fn magic_and_secret_variables_are_deferred() {
        let mut doc = json!({"services": {"db": {"environment": {
            "URL": "postgres://u:${SERVICE_PASSWORD_DB}@db/x",
            "KEY": "${SERVICE_BASE64_64_KEY:?required}",
            "D": "${SERVICE_USER_X:-fallback}",
            "P": "$PW",
        }}}});
        let mut report = Report::default();
        interpolate(&mut doc, &options(), &mut report).unwrap();
        let env = &doc["services"]["db"]["environment"];
        assert_eq!(
            env["URL"],
            "postgres://u:\u{0}SERVICE_PASSWORD_DB\u{0}@db/x"
        );
        assert_eq!(env["KEY"], "\u{0}SERVICE_BASE64_64_KEY\u{0}");
        assert_eq!(env["D"], "\u{0}SERVICE_USER_X\u{0}");
        assert_eq!(env["P"], "\u{0}PW\u{0}");
        assert!(report.entries().is_empty());
    }

    #[test]
    fn unset_warns_with_the_path_and_required_errors_with_the_path() {
        let mut doc = json!({"services": {"web": {"image": "nginx:${NOPE}", "ports": ["${P:?}"]}}});
        let mut report = Report::default();
        let e = interpolate(&mut doc, &options(), &mut report).unwrap_err();
        assert_eq!(
            e.to_string(),
            "services.web.ports[0]: required variable P is missing a value"
        );
        assert_eq!(
            report.entries()[0].to_string(),
            "warning: services.web.image: variable NOPE is not set; substituting an empty string"
        );
    }

    #[test]
    fn keys_are_not_interpolated_and_nul_is_rejected() {
        let mut doc = json!({"${TAG}": "${TAG}"});
        interpolate(&mut doc, &options(), &mut Report::default()).unwrap();
        assert_eq!(doc, json!({"${TAG}": "1.25"}));
        let mut doc = json!({"a": "x\u{0}y"});
        let e = interpolate(&mut doc, &options(), &mut Report::default()).unwrap_err();
        assert!(e.to_string().starts_with("a: the value holds a NUL"));
    }

    #[test]
    fn coolify_content_bodies_are_not_interpolated() {
        let mut doc = json!({"services": {"nginx": {"volumes": [
            {"type": "bind", "source": "./n.conf", "target": "/etc/n.conf", "content": "proxy_set_header Host $host; ${NGINX_PORT:?x}"}
        ], "x-content": {"content": "${TAG}"}}}});
        interpolate(&mut doc, &options(), &mut Report::default()).unwrap();
        let v = &doc["services"]["nginx"]["volumes"][0];
        assert_eq!(
            v["content"],
            "proxy_set_header Host $host; ${NGINX_PORT:?x}"
        );
        assert_eq!(doc["services"]["nginx"]["x-content"]["content"], "1.25");
    }

    #[test]
    fn empty_secret_counts_as_empty() {
        let mut o = options();
        o.variables.insert("S".into(), String::new());
        o.secret_variables.insert("S".into());
        let mut doc = json!(["${S:-d}", "${S-d}"]);
        interpolate(&mut doc, &o, &mut Report::default()).unwrap();
        assert_eq!(doc, json!(["d", "\u{0}S\u{0}"]));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let s = format!("{}x{}", "${A:-".repeat(1000), "}".repeat(1000));
        let e = substitute(&s, &|_: &str| None, &mut Vec::new()).unwrap_err();
        assert!(e.contains("nested deeper"), "{e}");
    }

    /// The earlier `braced_references`, which rescanned from every reference: the oracle.
    /// The `${NAME<modifier><text>}` forms of a Compose text, in order: the name, the modifier
    /// (`:?`, `?`, `:-`, `-`, `:+`, `+`, or empty) and the text up to the matching `}`. `$$` is
    /// a literal `$`.
    fn braced_references_by_rescanning(text: &str) -> Vec<(&str, &str, &str)> {
        let mut out = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        // `find` skips to the next `$` a word at a time (memchr); most text holds none.
        while let Some(at) = text[i..].find('$') {
            i += at;
            if i + 1 >= bytes.len() {
                break;
            }
            if bytes[i + 1] == b'$' {
                i += 2;
                continue;
            }
            if bytes[i + 1] != b'{' {
                i += 1;
                continue;
            }
            let rest = &text[i + 2..];
            let len = rest
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            let after = &rest[len..];
            let m = [":?", ":-", ":+", "?", "-", "+"]
                .into_iter()
                .find(|m| after.starts_with(*m))
                .unwrap_or("");
            // The text runs to the matching `}`, past nested references (`${A:?${B}}`), looked
            // for within the line and its first 4 KiB, so hostile text stays linear.
            let start = len + m.len();
            let mut window = rest.find('\n').unwrap_or(rest.len()).min(4096);
            while !rest.is_char_boundary(window) {
                window -= 1;
            }
            let end = closing_brace(&rest[..window]).unwrap_or(window).max(start);
            if len > 0 {
                out.push((&rest[..len], m, &rest[start..end]));
            }
            i += 2;
        }
        out
    }

    #[test]
    fn references_are_those_found_by_rescanning_from_each() {
        // Texts of the characters that matter, nested and unclosed, across lines and
        // past the 4 KiB window.
        let pieces = [
            "${", "}", "$$", "$", "A", "_b", ":-", ":?", "+", "-", "\n", "é", "x",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..20_000 {
            let len = if round % 100 == 0 {
                3_000
            } else {
                (next() % 40) as usize
            };
            let text: String = (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            assert_eq!(
                braced_references(&text),
                braced_references_by_rescanning(&text),
                "{text:?}"
            );
        }
        let nested = format!("${{A:-{}x{}", "${A:-".repeat(2_000), "}".repeat(2_001));
        assert_eq!(
            braced_references(&nested),
            braced_references_by_rescanning(&nested)
        );
    }
}
