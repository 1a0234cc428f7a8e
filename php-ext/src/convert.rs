//! PHP values to `serde_json::Value` and back: the only data conversions of the extension.

use coolify_k8s_core::{Error, InputPath};
use ext_php_rs::boxed::ZBox;
use ext_php_rs::convert::IntoZval;
use ext_php_rs::types::{ZendHashTable, Zval};
use serde_json::{Map, Number, Value};

/// Deepest nesting accepted from PHP (a self-referencing array would otherwise recurse).
const MAX_DEPTH: usize = 64;

/// A PHP array as JSON: a list (keys 0..n in order) becomes an array, anything else an
/// object with string keys. `path` names the argument in errors (`options.sudo`).
pub fn array_to_json(array: &ZendHashTable, path: &InputPath) -> Result<Value, Error> {
    array_at(array, path, 0)
}

/// An options array: like [`array_to_json`], but an empty array is an empty object.
pub fn options_to_json(array: &ZendHashTable, path: &InputPath) -> Result<Value, Error> {
    if array.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    array_to_json(array, path)
}

fn array_at(array: &ZendHashTable, path: &InputPath, depth: usize) -> Result<Value, Error> {
    if depth > MAX_DEPTH {
        return Err(Error::new(path.clone(), "nested too deeply"));
    }
    let entries = entries(array, path)?;
    let sequential = entries
        .iter()
        .enumerate()
        .all(|(i, (k, _))| matches!(k, Key::Long(n) if usize::try_from(*n) == Ok(i)));
    if sequential && !entries.is_empty() {
        let mut items = Vec::with_capacity(entries.len());
        for (i, (_, value)) in entries.into_iter().enumerate() {
            items.push(zval_at(value, &path.index(i), depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    let mut map = Map::new();
    for (key, value) in entries {
        let key = match key {
            Key::Long(n) => n.to_string(),
            Key::Text(s) => s,
        };
        let v = zval_at(value, &path.key(key.as_str()), depth + 1)?;
        map.insert(key, v);
    }
    Ok(Value::Object(map))
}

/// An array key: PHP's integer or string keys.
enum Key {
    Long(i64),
    Text(String),
}

/// The entries of `array` in order. Read through the raw key (`next_zval`): ext-php-rs's
/// `iter()` and `has_sequential_keys()` panic on a string key that is not UTF-8.
fn entries<'a>(array: &'a ZendHashTable, path: &InputPath) -> Result<Vec<(Key, &'a Zval)>, Error> {
    let mut out = Vec::with_capacity(array.len());
    let mut iter = array.iter();
    while let Some((key, value)) = iter.next_zval() {
        let key = if let Some(n) = key.long() {
            Key::Long(n)
        } else {
            let bytes = key.zend_str().map(|s| s.as_bytes()).unwrap_or_default();
            match std::str::from_utf8(bytes) {
                Ok(s) => Key::Text(s.to_string()),
                Err(e) => {
                    return Err(Error::new(
                        path.clone(),
                        format!("an array key is not UTF-8 (at byte {})", e.valid_up_to()),
                    ))
                }
            }
        };
        out.push((key, value));
    }
    Ok(out)
}

fn zval_at(z: &Zval, path: &InputPath, depth: usize) -> Result<Value, Error> {
    let z = z.dereference();
    if z.is_null() {
        Ok(Value::Null)
    } else if let Some(b) = z.bool() {
        Ok(Value::Bool(b))
    } else if let Some(n) = z.long() {
        Ok(Value::Number(n.into()))
    } else if let Some(f) = z.double() {
        Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| Error::new(path.clone(), "must be a finite number"))
    } else if z.is_string() {
        text_at(z, path).map(Value::String)
    } else if let Some(a) = z.array() {
        array_at(a, path, depth)
    } else {
        Err(Error::new(
            path.clone(),
            format!(
                "must be a string, number, boolean, null or array, not {:?}",
                z.get_type()
            ),
        ))
    }
}

/// A string argument as UTF-8 text; the error names the argument and, for bytes that are
/// not UTF-8, the offset of the first one (`yaml: not UTF-8 at byte 12 …`).
pub fn text_argument(z: &Zval, name: &str) -> Result<String, Error> {
    text_at(z, &InputPath::root().key(name))
}

/// A string at `path` (an argument, or a value in an array argument) as UTF-8 text: the
/// one conversion of PHP strings, so every argument fails the same way.
fn text_at(z: &Zval, path: &InputPath) -> Result<String, Error> {
    let Some(bytes) = z.zend_str().map(|s| s.as_bytes()) else {
        return Err(Error::new(
            path.clone(),
            format!("must be a string, not {:?}", z.dereference().get_type()),
        ));
    };
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => Err(Error::new(
            path.clone(),
            format!(
                "not UTF-8 at byte {} (convert the text to UTF-8, e.g. from Latin-1)",
                e.valid_up_to()
            ),
        )),
    }
}

/// [`text_argument`] for an optional argument: `null` (or absent) is `None`.
pub fn optional_text_argument(z: Option<&Zval>, name: &str) -> Result<Option<String>, Error> {
    match z {
        None => Ok(None),
        Some(z) if z.dereference().is_null() => Ok(None),
        Some(z) => text_argument(z, name).map(Some),
    }
}

/// An array argument (`attributes`, `env`); anything else is an error naming the argument
/// (a typed `array` parameter would make PHP throw a `TypeError`, which Coolify's
/// `catch (Exception $e)` does not catch).
pub fn array_argument<'a>(z: &'a Zval, name: &str) -> Result<&'a ZendHashTable, Error> {
    z.dereference().array().ok_or_else(|| {
        Error::new(
            InputPath::root().key(name),
            format!("must be an array, not {:?}", z.dereference().get_type()),
        )
    })
}

/// JSON as a PHP value: objects become associative arrays, arrays lists.
pub fn json_to_zval(v: &Value) -> ext_php_rs::error::Result<Zval> {
    match v {
        Value::Null => Ok(Zval::new()),
        Value::Bool(b) => b.into_zval(false),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.into_zval(false),
            None => n.as_f64().unwrap_or(0.0).into_zval(false),
        },
        Value::String(s) => s.as_str().into_zval(false),
        Value::Array(items) => {
            let mut ht: ZBox<ZendHashTable> =
                ZendHashTable::with_capacity(u32::try_from(items.len()).unwrap_or(u32::MAX));
            for item in items {
                ht.push(json_to_zval(item)?)?;
            }
            ht.into_zval(false)
        }
        Value::Object(map) => {
            let mut ht: ZBox<ZendHashTable> =
                ZendHashTable::with_capacity(u32::try_from(map.len()).unwrap_or(u32::MAX));
            for (k, item) in map {
                ht.insert(k.as_str(), json_to_zval(item)?)?;
            }
            ht.into_zval(false)
        }
    }
}
