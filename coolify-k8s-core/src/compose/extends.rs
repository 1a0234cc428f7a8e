//! Stage: `extends`. A service that extends another (in the same file, or in one named by
//! `file:` and read through the caller's [`Resolver`](super::Resolver)) starts from that
//! service and merges its own keys over it, per the merge rules; `!reset` / `!override` in
//! the extending service apply to what it inherits. Chains are followed; a cycle is an
//! error naming the chain.
//!
//! Relative paths in a service inherited from another file (bind mounts, `build.context`,
//! `env_file`) are kept as written there, not rebased.

use super::context::Context;
use super::file::prepare;
use super::merge::{merge_service, Directives};
use super::normalize::Expanded;
use super::options::LoadOptions;
use super::yaml;
use crate::error::{Error, Errors};
use crate::path::InputPath;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::rc::Rc;

/// The longest `extends` chain followed. Each link is a level of recursion, and a chain of
/// 20,000 services (420 kB) overflowed the stack: an abort, which takes the PHP worker that
/// calls the translator with it. Real chains are two or three links long.
pub(crate) const EXTENDS_CHAIN_MAX: usize = 64;

/// Resolve every `extends` of the file `file` in place.
pub(crate) fn apply(
    ctx: &mut Context<'_>,
    file: &str,
    tree: &mut Value,
    directives: &Directives,
    options: &LoadOptions,
) -> Result<(), Errors> {
    let Some(Value::Object(services)) = tree.get("services") else {
        return Ok(());
    };
    let names: Vec<String> = services
        .iter()
        .filter(|(_, s)| s.get("extends").is_some())
        .map(|(n, _)| n.clone())
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    let services = services.clone();
    let services_path = InputPath::root().key("services");
    // A service inherits the ports of the services it extends: counted as they are
    // resolved, so that copies of one service's 65,535 ports stop at the limit.
    let mut total = Expanded::default();
    for (name, service) in services.iter().filter(|(_, s)| s.get("extends").is_none()) {
        total.add(service, &services_path.key(name))?;
    }
    let mut extender = Extender {
        ctx,
        options,
        chain: Vec::new(),
        resolved: HashMap::new(),
        files: HashMap::new(),
        too_long: false,
    };
    let mut resolved = Vec::new();
    let mut errors = Vec::new();
    let by_service = directives.by_service();
    let none = Directives::default();
    for name in names {
        extender.chain.clear();
        let own = by_service.get(name.as_str()).unwrap_or(&none);
        match extender.resolve(file, &services, &name, own) {
            Ok((v, _)) => {
                if let Err(e) = total.add(&v, &services_path.key(&name)) {
                    errors.push(e);
                    break;
                }
                resolved.push((name, v));
            }
            Err(e) => {
                errors.extend(e);
                if extender.too_long {
                    break;
                }
            }
        }
    }
    if let Some(e) = Errors::from_vec(errors) {
        return Err(e);
    }
    if let Some(Value::Object(services)) = tree.get_mut("services") {
        for (name, v) in resolved {
            services.insert(name, v);
        }
    }
    Ok(())
}

/// The resolution of one file's `extends`.
struct Extender<'c, 'a> {
    ctx: &'c mut Context<'a>,
    options: &'c LoadOptions,
    /// The services being resolved, outermost first, by file and name (to find cycles).
    chain: Vec<(String, String)>,
    /// Services resolved without directives of their own, by file and name, with the
    /// length of their chain: each is resolved once however many services extend it (a
    /// chain of 1,000 services took 14 s when every service resolved its whole chain again).
    resolved: HashMap<(String, String), (Value, usize)>,
    /// A chain passed [`EXTENDS_CHAIN_MAX`]: one such error is enough, and the services
    /// after it would each follow the chain again.
    too_long: bool,
    /// The services of other files named by `extends.file`, read once each.
    files: HashMap<String, Rc<Map<String, Value>>>,
}

impl Extender<'_, '_> {
    /// The service `name` of `services` (from `file`) with its `extends` chain applied, and
    /// the length of that chain.
    fn resolve(
        &mut self,
        file: &str,
        services: &Map<String, Value>,
        name: &str,
        directives: &Directives,
    ) -> Result<(Value, usize), Errors> {
        let path = InputPath::root().key("services").key(name);
        let Some(service) = services.get(name) else {
            return Err(Error::new(path, format!("no service {name:?} in {file}")).into());
        };
        let here = (file.to_string(), name.to_string());
        if self.chain.contains(&here) {
            let mut names: Vec<String> = self.chain.iter().map(|(f, s)| show(f, s, file)).collect();
            names.push(show(file, name, file));
            return Err(Error::new(
                path.key("extends"),
                format!("extends cycle: {}", names.join(" -> ")),
            )
            .into());
        }
        let Some(extends) = service.get("extends") else {
            return Ok((service.clone(), 0));
        };
        let memoized = directives.0.is_empty();
        if let Some(v) = self.resolved.get(&here).filter(|_| memoized) {
            return Ok(v.clone());
        }
        let ext_path = path.key("extends");
        // The chain so far bounds the recursion; the length returned by a resolved base
        // bounds the chain whatever order the services were resolved in.
        if self.chain.len() >= EXTENDS_CHAIN_MAX {
            return Err(self.too_long(&ext_path));
        }
        let (base_name, base_file) = base_of(extends, &ext_path)?;
        self.chain.push(here.clone());
        let base = match base_file {
            None => self.resolve(file, services, &base_name, &Directives::default()),
            Some(f) => {
                let (canonical, text) = self
                    .ctx
                    .resolver
                    .read(Some(file), &f)
                    .map_err(|m| Error::new(ext_path.key("file"), m))?;
                let other = match self.files.get(&canonical) {
                    Some(other) => Rc::clone(other),
                    None => {
                        let other =
                            Rc::new(read_services(self.ctx, &canonical, &text, self.options)?);
                        self.files.insert(canonical.clone(), Rc::clone(&other));
                        other
                    }
                };
                self.resolve(&canonical, &other, &base_name, &Directives::default())
            }
        };
        self.chain.pop();
        let (mut merged, depth) = base.map_err(|e| {
            // Say where the chain started (the outermost service, once).
            let list: Vec<Error> = e
                .into_iter()
                .map(|err| {
                    if err.path.is_root() || err.message.contains("extends cycle") {
                        err
                    } else {
                        let own = match err.message.rfind(EXTENDED_BY) {
                            Some(i) => &err.message[..i],
                            None => &err.message,
                        };
                        Error::new(err.path.clone(), format!("{own}{EXTENDED_BY}{name})"))
                    }
                })
                .collect();
            Errors::from_vec(list)
                .unwrap_or_else(|| Error::new(ext_path.clone(), "extends failed").into())
        })?;
        let depth = depth + 1;
        if depth > EXTENDS_CHAIN_MAX {
            return Err(self.too_long(&ext_path));
        }
        let mut local = service.clone();
        if let Value::Object(m) = &mut local {
            m.shift_remove("extends");
        }
        if let Value::Object(m) = &mut merged {
            m.shift_remove("extends");
        }
        merge_service(&mut merged, local, directives);
        Expanded::default().add(&merged, &path)?;
        if memoized {
            self.resolved.insert(here, (merged.clone(), depth));
        }
        Ok((merged, depth))
    }

    fn too_long(&mut self, ext_path: &InputPath) -> Errors {
        self.too_long = true;
        Error::new(
            ext_path.clone(),
            format!("extends chain longer than {EXTENDS_CHAIN_MAX} services"),
        )
        .into()
    }
}

/// The suffix that names the service whose `extends` chain an error was found in.
const EXTENDED_BY: &str = " (extended by services.";

/// The service and, when another file's, the file an `extends` names.
fn base_of(extends: &Value, ext_path: &InputPath) -> Result<(String, Option<String>), Errors> {
    match extends {
        Value::String(s) => Ok((s.clone(), None)),
        Value::Object(m) => {
            let Some(Value::String(s)) = m.get("service") else {
                return Err(Error::new(
                    ext_path.key("service"),
                    "extends needs `service`, the name of the service to extend",
                )
                .into());
            };
            let f = match m.get("file") {
                None | Some(Value::Null) => None,
                Some(Value::String(f)) => Some(f.clone()),
                Some(_) => {
                    return Err(Error::new(ext_path.key("file"), "`file` must be a string").into())
                }
            };
            if let Some(k) = m.keys().find(|k| *k != "service" && *k != "file") {
                return Err(Error::new(ext_path.key(k.clone()), "unknown key in extends").into());
            }
            Ok((s.clone(), f))
        }
        _ => Err(Error::new(
            ext_path.clone(),
            "extends must be a service name or a mapping with `service` and `file`",
        )
        .into()),
    }
}

fn show(f: &str, s: &str, top: &str) -> String {
    if f == top {
        s.to_string()
    } else {
        format!("{f}:{s}")
    }
}

/// The services of another file, through the per-file stages that precede `extends`.
fn read_services(
    ctx: &mut Context<'_>,
    name: &str,
    text: &str,
    options: &LoadOptions,
) -> Result<Map<String, Value>, Errors> {
    let mut services = Map::new();
    for doc in yaml::parse(text, name)? {
        let (tree, _) = prepare(ctx, name, doc, options)?;
        if let Some(Value::Object(s)) = tree.get("services") {
            for (k, v) in s {
                services.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(services)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::{load_tree, NoFiles, SourceFile};

    fn load(text: String) -> Result<Value, Vec<String>> {
        let files = [SourceFile {
            name: "compose.yaml".into(),
            text,
        }];
        load_tree(&files, &LoadOptions::default(), &NoFiles)
            .map(|(tree, _)| tree)
            .map_err(|e| e.iter().map(ToString::to_string).collect())
    }

    /// `links` services, each extending the next (`forward`: the previous) one; the last
    /// (first) has the image.
    fn chain(links: usize, forward: bool) -> String {
        let mut text = String::from("services:\n");
        for i in 0..=links {
            let base = if forward {
                i.checked_sub(1)
            } else {
                (i < links).then_some(i + 1)
            };
            match base {
                Some(b) => text.push_str(&format!(
                    "  s{i}:\n    extends: s{b}\n    environment: [V{i}=x]\n"
                )),
                None => text.push_str(&format!("  s{i}:\n    image: base\n")),
            }
        }
        text
    }

    #[test]
    fn a_chain_is_followed_up_to_its_limit_in_either_order() {
        for forward in [true, false] {
            let tree = load(chain(EXTENDS_CHAIN_MAX, forward)).unwrap();
            let last = if forward { EXTENDS_CHAIN_MAX } else { 0 };
            let service = &tree["services"][format!("s{last}")];
            assert_eq!(service["image"], "base", "forward {forward}");
            // Every link's own variable arrives, through the resolved bases.
            let env = service["environment"].as_object().unwrap();
            assert_eq!(env.len(), EXTENDS_CHAIN_MAX, "forward {forward}");
        }
    }

    #[test]
    fn a_chain_past_its_limit_is_one_error_whatever_the_order() {
        // Reversed, 20,000 links overflowed the stack (an abort) before the limit.
        let e = load(chain(20_000, false)).unwrap_err();
        assert_eq!(
            e,
            ["services.s64.extends: extends chain longer than 64 services (extended by services.s0)"]
        );
        let e = load(chain(EXTENDS_CHAIN_MAX + 1, true)).unwrap_err();
        assert_eq!(
            e,
            ["services.s65.extends: extends chain longer than 64 services"]
        );
    }

    #[test]
    fn an_error_in_a_base_names_the_service_that_extends_it_once() {
        let text = "services:\n  a:\n    image: x\n    extends: {service: b, nope: 1}\n  \
                    b:\n    extends: a\n  c:\n    extends: b\n";
        let e = load(text.into()).unwrap_err();
        assert_eq!(
            e,
            [
                "services.a.extends.nope: unknown key in extends",
                "services.a.extends.nope: unknown key in extends (extended by services.b)",
                "services.a.extends.nope: unknown key in extends (extended by services.c)",
            ]
        );
    }

    #[test]
    fn services_that_extend_one_with_all_ports_pass_the_limit_at_the_first_copy() {
        let mut text = String::from("services:\n  s0:\n    image: a\n    ports: [1-65535/udp]\n");
        for i in 1..20 {
            text.push_str(&format!("  s{i}:\n    extends: s0\n"));
        }
        let e = load(text).unwrap_err();
        assert_eq!(
            e,
            ["services.s1.ports: with what the services merge or extend, their `ports` hold more than 65535 ports (one per port number, over all services)"]
        );
    }
}
