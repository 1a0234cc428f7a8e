//! `Coolify\Kubernetes\KubernetesException` (the base of every exception the extension
//! throws) and `TranslationException` (input errors), the mapping of core errors to it,
//! and the guard that turns a Rust panic into that exception instead of taking PHP down.

use coolify_k8s_core::{Error, Errors, InputPath};
use ext_php_rs::class::RegisteredClass;
use ext_php_rs::convert::IntoZval;
use ext_php_rs::exception::{throw_object, PhpException};
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendClassObject;
use ext_php_rs::zend::{ce, ClassEntry, ExecutorGlobals};
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// `\RuntimeException`, else `\Exception`. Classes are registered at module startup, when
/// the executor's class table (which `ClassEntry::try_find` reads) does not exist yet, so
/// the compiler's class table is read; SPL is built into PHP and registered its classes
/// before any shared extension starts.
fn runtime_exception() -> &'static ClassEntry {
    // SAFETY: the compiler globals are a static of the engine (a thread's own in ZTS
    // builds, which the wrapper resolves); its class table is created at engine startup
    // and lives for the process. Only read, at module startup, single-threaded.
    let table = unsafe {
        ext_php_rs::ffi::ext_php_rs_compiler_globals()
            .as_ref()
            .and_then(|g| g.class_table.as_ref())
    };
    table
        .and_then(|t| t.get("runtimeexception"))
        .filter(|z| z.is_ptr())
        // SAFETY: class table entries are `IS_PTR` zvals pointing to class entries that
        // live as long as the table.
        .and_then(|z| unsafe { z.value.ptr.cast::<ClassEntry>().cast_const().as_ref() })
        .unwrap_or_else(ce::exception)
}

/// The base of every exception the extension throws, so that callers can catch all of
/// them in one clause; a `\RuntimeException`.
#[php_class]
#[php(name = "Coolify\\Kubernetes\\KubernetesException")]
#[php(extends(ce = runtime_exception, stub = "\\RuntimeException"))]
#[derive(Default)]
pub struct KubernetesException;

#[php_impl]
impl KubernetesException {}

/// `KubernetesException`'s class entry, for `TranslationException` to extend. Registered
/// first (see `get_module`), so it exists when `TranslationException` is registered.
fn kubernetes_exception() -> &'static ClassEntry {
    KubernetesException::get_metadata().ce()
}

/// Input errors: bad input (with the path in the input), bad options, or an internal
/// error. The message holds one line per error.
#[php_class]
#[php(name = "Coolify\\Kubernetes\\TranslationException")]
#[php(extends(ce = kubernetes_exception, stub = "\\Coolify\\Kubernetes\\KubernetesException"))]
#[derive(Default)]
pub struct TranslationException {
    errors: Vec<(String, String)>,
}

#[php_impl]
impl TranslationException {
    /// The path in the input of the first error (`services.web.ports[1]`), `""` for the
    /// whole input.
    pub fn get_input_path(&self) -> String {
        self.errors.first().map(|e| e.0.clone()).unwrap_or_default()
    }

    /// Every error: a list of `['path' => string, 'message' => string]`.
    pub fn get_errors(&self) -> Vec<BTreeMap<String, String>> {
        self.errors
            .iter()
            .map(|(path, message)| {
                BTreeMap::from([
                    ("path".to_string(), path.clone()),
                    ("message".to_string(), message.clone()),
                ])
            })
            .collect()
    }
}

/// Throw `errors` as a TranslationException carrying their paths. Returns the value a
/// method returns as its error; throwing it again is a no-op, the exception is pending.
pub fn to_exception(errors: Errors) -> PhpException {
    // PHP cannot throw a message holding NUL (input quoted in a message may hold one).
    let message = errors.to_string().replace('\0', "\\0");
    let fields: Vec<(String, String)> = errors
        .iter()
        .map(|e| (e.path.to_string(), e.message.clone()))
        .collect();
    let ce = TranslationException::get_metadata().ce();
    PhpException::new(message.clone(), 0, ce).throw();
    // Fill in the paths on the pending exception object, then put it back.
    if let Some(mut object) = ExecutorGlobals::take_exception() {
        if let Some(ex) = ZendClassObject::<TranslationException>::from_zend_obj_mut(&mut object) {
            ex.errors = fields;
        }
        if let Ok(zval) = object.into_zval(false) {
            let _ = throw_object(zval);
        }
    }
    PhpException::new(message, 0, ce)
}

/// Run `f`; its errors and any panic inside become a TranslationException.
pub fn guard<T>(f: impl FnOnce() -> Result<T, Errors>) -> PhpResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_exception(e)),
        // The panic message is not repeated: it could quote input, and input may hold secrets.
        Err(_) => Err(to_exception(
            Error::new(
                InputPath::root(),
                "internal error in coolify-k8s (a Rust panic); please report it with the input",
            )
            .into(),
        )),
    }
}

/// An [`Error`] as [`Errors`].
pub fn one(e: Error) -> Errors {
    e.into()
}
