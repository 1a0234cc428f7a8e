//! `Coolify\Kubernetes\Translator`: options array in, `Manifests` out.

use crate::convert::{array_argument, array_to_json, options_to_json, text_argument};
use crate::error::{guard, one};
use crate::manifests::PhpManifests;
use coolify_k8s_core::coolify::database::DatabaseKind;
use coolify_k8s_core::{Error, InputPath, Options, Translator};
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use serde_json::Value;
use std::collections::BTreeMap;

/// Translates Coolify's Compose dialect and Application attributes with fixed options. Option keys are the CLI flags in snake_case (`namespace`, `router`, …).
#[php_class]
#[php(name = "Coolify\\Kubernetes\\Translator")]
pub struct PhpTranslator {
    inner: Translator,
}

#[php_impl]
impl PhpTranslator {
    /// A translator; unknown option keys and wrong types throw a TranslationException
    /// naming the option (`options: unknown field `routr``).
    #[php(optional = options)]
    pub fn __construct(options: Option<&ZendHashTable>) -> PhpResult<Self> {
        guard(|| {
            let value = options
                .map_or(Ok(serde_json::Value::Object(Default::default())), |o| {
                    options_to_json(o, &InputPath::root().key("options"))
                })
                .map_err(one)?;
            if !value.is_object() {
                return Err(one(Error::new(
                    InputPath::root().key("options"),
                    "must be an array of option => value, not a list",
                )));
            }
            let options = Options::from_value(value)?;
            Ok(Self {
                inner: Translator::new(options),
            })
        })
    }

    /// Translate one Compose document; `$env` holds the values of `${VAR}` references and
    /// Coolify's stored magic variables (`SERVICE_PASSWORD_DB` => '…'). A text that is not
    /// UTF-8 (or not a string) throws a TranslationException naming `yaml` and the byte.
    #[php(optional = env)]
    pub fn compose(&self, yaml: &Zval, env: Option<&ZendHashTable>) -> PhpResult<PhpManifests> {
        guard(|| {
            // Taken as any value: a `&str` parameter makes PHP throw a TypeError, which
            // Coolify's `catch (Exception $e)` does not catch.
            let yaml = text_argument(yaml, "yaml").map_err(one)?;
            let env = match env {
                Some(e) => env_map(e)?,
                None => BTreeMap::new(),
            };
            let inner = self.inner.compose(&yaml, &env)?;
            Ok(PhpManifests { inner })
        })
    }

    /// Translate an Application from its attributes as Coolify's models hold them
    /// (`$application->toArray()` with `settings`, `environment_variables`,
    /// `persistent_storages` and `file_storages` loaded; `image` or
    /// `docker_registry_image_name`/`_tag` for the built image). `$env` holds runtime
    /// variables that win over the stored ones and over the generated `COOLIFY_*` values
    /// (pass Coolify's `generate_coolify_env_variables()` to reproduce it exactly).
    #[php(optional = env)]
    pub fn application(&self, attributes: &Zval, env: Option<&Zval>) -> PhpResult<PhpManifests> {
        guard(|| {
            let attrs = attributes_json(attributes, "an Application")?;
            let env = env_argument(env)?;
            let inner = self.inner.application_env(&attrs, &env)?;
            Ok(PhpManifests { inner })
        })
    }

    /// Translate a standalone database: `$type` is `postgresql`, `mysql`, `mariadb`,
    /// `mongodb`, `redis`, `keydb`, `dragonfly` or `clickhouse` (also as Coolify's
    /// `database_type`, `standalone-postgresql`); `$attributes` the model's `toArray()` with
    /// `environment_variables`, `persistent_storages` and `file_storages` loaded; `$env`
    /// variables that win over the stored ones and the credential columns.
    #[php(optional = env)]
    pub fn database(
        &self,
        r#type: &Zval,
        attributes: &Zval,
        env: Option<&Zval>,
    ) -> PhpResult<PhpManifests> {
        guard(|| {
            let r#type = text_argument(r#type, "type").map_err(one)?;
            let Some(kind) = DatabaseKind::parse(&r#type) else {
                return Err(one(Error::new(
                    InputPath::root().key("type"),
                    format!(
                        "unknown database type {:?} (postgresql, mysql, mariadb, mongodb, \
                         redis, keydb, dragonfly, clickhouse)",
                        r#type
                    ),
                )));
            };
            let attrs = attributes_json(attributes, "a database")?;
            let env = env_argument(env)?;
            let inner = self.inner.database(kind, &attrs, &env)?;
            Ok(PhpManifests { inner })
        })
    }
}

/// A model's attributes (`column => value`) as a JSON object; errors name the column
/// (values) or `attributes` (the argument itself).
fn attributes_json(attributes: &Zval, model: &str) -> Result<Value, coolify_k8s_core::Errors> {
    let array = array_argument(attributes, "attributes").map_err(one)?;
    let attrs = options_to_json(array, &InputPath::root()).map_err(one)?;
    if !attrs.is_object() {
        return Err(one(Error::new(
            InputPath::root().key("attributes"),
            format!("{model}'s attributes must be an array of column => value, not a list"),
        )));
    }
    Ok(attrs)
}

/// The optional `$env` argument: absent or null is none.
fn env_argument(env: Option<&Zval>) -> Result<BTreeMap<String, String>, coolify_k8s_core::Errors> {
    match env {
        Some(z) if !z.dereference().is_null() => env_map(array_argument(z, "env").map_err(one)?),
        _ => Ok(BTreeMap::new()),
    }
}

/// `$env` as a map of strings: values must be strings, numbers or booleans (as in a
/// `.env` file); anything else names the key.
fn env_map(env: &ZendHashTable) -> Result<BTreeMap<String, String>, coolify_k8s_core::Errors> {
    let path = InputPath::root().key("env");
    let value = if env.is_empty() {
        Value::Object(Default::default())
    } else {
        array_to_json(env, &path).map_err(one)?
    };
    let Value::Object(map) = value else {
        return Err(one(Error::new(path, "must be an array of NAME => value")));
    };
    let mut out = BTreeMap::new();
    let mut errors = Vec::new();
    for (k, v) in map {
        let s = match v {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => if b { "true" } else { "false" }.to_string(),
            Value::Null => String::new(),
            _ => {
                errors.push(Error::new(path.key(k.as_str()), "must be a string"));
                continue;
            }
        };
        out.insert(k, s);
    }
    match coolify_k8s_core::Errors::from_vec(errors) {
        Some(e) => Err(e),
        None => Ok(out),
    }
}
