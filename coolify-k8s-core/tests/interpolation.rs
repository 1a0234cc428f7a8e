//! Interpolation cases from the Compose Specification (interpolation.md), as a table.
//! Variables: `SET=value`, `EMPTY=` (set, empty), `FOO=foo`; `UNSET` is not set.

use coolify_k8s_core::compose::interpolate::{substitute, Variable};
use coolify_k8s_core::compose::{load_tree, LoadOptions, NoFiles, SourceFile};

fn vars(name: &str) -> Option<Variable> {
    let value = match name {
        "SET" => "value",
        "EMPTY" => "",
        "FOO" => "foo",
        _ => return None,
    };
    Some(Variable {
        value: value.into(),
        empty: value.is_empty(),
    })
}

#[test]
fn specification_table() {
    // (template, expected)
    let cases: &[(&str, &str)] = &[
        // Direct substitution.
        ("$SET", "value"),
        ("${SET}", "value"),
        ("${SET}-suffix", "value-suffix"),
        ("$SET-suffix", "value-suffix"),
        ("pre${SET}post", "prevaluepost"),
        // Default value.
        ("${UNSET:-default}", "default"),
        ("${EMPTY:-default}", "default"),
        ("${SET:-default}", "value"),
        ("${UNSET-default}", "default"),
        ("${EMPTY-default}", ""),
        ("${SET-default}", "value"),
        // Alternative value.
        ("${SET:+replacement}", "replacement"),
        ("${EMPTY:+replacement}", ""),
        ("${UNSET:+replacement}", ""),
        ("${SET+replacement}", "replacement"),
        ("${EMPTY+replacement}", "replacement"),
        ("${UNSET+replacement}", ""),
        // Required, when set.
        ("${SET:?must be set}", "value"),
        ("${SET?must be set}", "value"),
        ("${EMPTY?must be set}", ""),
        // Nested.
        ("${UNSET:-${FOO}}", "foo"),
        ("${UNSET:-${UNSET2:-default}}", "default"),
        ("${SET?$FOO}", "value"),
        ("${UNSET:-${FOO}-x}", "foo-x"),
        // Escape.
        ("$$SET", "$SET"),
        ("$${SET}", "${SET}"),
        ("a $$ b", "a $ b"),
        // Not interpolation (kept as written, as compose-go does).
        ("$(date)", "$(date)"),
        ("$1", "$1"),
        ("cost: 5$", "cost: 5$"),
        ("no variables", "no variables"),
        // Defaults may hold anything but a closing brace.
        ("${UNSET:-a:b/c?d}", "a:b/c?d"),
        ("${UNSET:-}", ""),
    ];
    for (template, expected) in cases {
        let got = substitute(template, &vars, &mut Vec::new())
            .unwrap_or_else(|e| panic!("{template}: {e}"));
        assert_eq!(&got, expected, "{template}");
    }
}

#[test]
fn required_variables_take_their_text_as_coolify_stores_it() {
    // Coolify's dialect, not the specification's: the text after `?` is the value Coolify's
    // parser stores for an unset variable (`${TZ:?UTC}`), nested references resolved.
    let cases: &[(&str, &str)] = &[
        ("${UNSET:?UTC}", "UTC"),
        ("${UNSET?0 * * * *}", "0 * * * *"),
        ("${UNSET:?${FOO}-${UNSET:-x}}", "foo-x"),
        ("${SET:?hint}", "value"),
        ("${SET?hint}", "value"),
        // Without `:`, a set empty value is a value.
        ("${EMPTY?hint}", ""),
    ];
    for (template, expected) in cases {
        let got = substitute(template, &vars, &mut Vec::new())
            .unwrap_or_else(|e| panic!("{template}: {e}"));
        assert_eq!(&got, expected, "{template}");
    }
}

#[test]
fn required_and_invalid_are_errors_naming_the_variable() {
    let cases: &[(&str, &str)] = &[
        (
            "${EMPTY:?must be set}",
            "required variable EMPTY is missing a value: must be set",
        ),
        ("${UNSET?}", "required variable UNSET is missing a value"),
        ("${UNSET:?}", "required variable UNSET is missing a value"),
        ("${}", "invalid interpolation format: \"${}\""),
        ("${1A}", "invalid interpolation format: \"${1A}\""),
        ("${SET:}", "invalid interpolation format: \"${SET:}\""),
        ("${SET%x}", "invalid interpolation format: \"${SET%x}\""),
        (
            "${SET",
            "invalid interpolation format: unterminated \"${SET\"",
        ),
    ];
    for (template, expected) in cases {
        let e = substitute(template, &vars, &mut Vec::new()).unwrap_err();
        assert_eq!(&e, expected, "{template}");
    }
}

#[test]
fn unset_variables_become_empty_with_a_warning_at_the_path() {
    let mut unset = Vec::new();
    assert_eq!(
        substitute("a${UNSET}b$UNSET2", &vars, &mut unset).unwrap(),
        "ab"
    );
    assert_eq!(unset, ["UNSET", "UNSET2"]);
    // A default or alternative is not a warning.
    let mut unset = Vec::new();
    substitute("${UNSET:-x}${UNSET+y}", &vars, &mut unset).unwrap();
    assert!(unset.is_empty());

    let file = SourceFile {
        name: "compose.yaml".into(),
        text:
            "services:\n  web:\n    image: \"nginx:${TAG}\"\n    environment:\n      - X=${X:-1}\n"
                .into(),
    };
    let (tree, report) = load_tree(&[file], &LoadOptions::default(), &NoFiles).unwrap();
    assert_eq!(tree["services"]["web"]["image"], "nginx:");
    let lines: Vec<String> = report.entries().iter().map(|e| e.to_string()).collect();
    assert_eq!(
        lines,
        ["warning: services.web.image: variable TAG is not set; substituting an empty string"]
    );
}

#[test]
fn required_error_names_the_path() {
    let file = SourceFile {
        name: "compose.yaml".into(),
        text: "services:\n  web:\n    environment:\n      KEY: ${API_KEY:?}\n".into(),
    };
    let e = load_tree(&[file], &LoadOptions::default(), &NoFiles).unwrap_err();
    assert_eq!(
        e.to_string(),
        "services.web.environment.KEY: required variable API_KEY is missing a value"
    );
    // Set but empty under `:?`: Coolify does not deploy it either.
    let file = SourceFile {
        name: "compose.yaml".into(),
        text: "services:\n  web:\n    environment:\n      KEY: ${API_KEY:?set the API key}\n"
            .into(),
    };
    let mut options = LoadOptions::default();
    options.variables.insert("API_KEY".into(), String::new());
    let e = load_tree(&[file], &options, &NoFiles).unwrap_err();
    assert_eq!(
        e.to_string(),
        "services.web.environment.KEY: required variable API_KEY is missing a value: set the API key"
    );
}

#[test]
fn an_unset_required_variable_with_a_value_is_shared_and_warned_once() {
    // As Coolify's `.env` holds TZ=UTC, a bare `$TZ` in another service sees it too.
    let file = SourceFile {
        name: "compose.yaml".into(),
        text: "services:\n  a:\n    environment:\n      - TZ=${TZ:?UTC}\n  \
               b:\n    environment:\n      - ZONE=$TZ\n      - Z2=${TZ:?UTC}\n"
            .into(),
    };
    let (tree, report) = load_tree(&[file], &LoadOptions::default(), &NoFiles).unwrap();
    assert_eq!(tree["services"]["a"]["environment"]["TZ"], "UTC");
    assert_eq!(tree["services"]["b"]["environment"]["ZONE"], "UTC");
    let lines: Vec<String> = report.entries().iter().map(|e| e.to_string()).collect();
    assert_eq!(
        lines,
        [
            "warning: variable TZ is required and not set: it takes the template's value \"UTC\", \
          as Coolify stores it (Docker Compose alone would stop with that text as its error)"
        ]
    );
    // A value the caller sets wins, without a warning.
    let mut options = LoadOptions::default();
    options.variables.insert("TZ".into(), "Europe/Paris".into());
    let file = SourceFile {
        name: "compose.yaml".into(),
        text: "services:\n  a:\n    environment:\n      - TZ=${TZ:?UTC}\n".into(),
    };
    let (tree, report) = load_tree(&[file], &options, &NoFiles).unwrap();
    assert_eq!(tree["services"]["a"]["environment"]["TZ"], "Europe/Paris");
    assert!(report.entries().is_empty());
}

#[test]
fn magic_variables_are_always_set_and_deferred() {
    let file = SourceFile {
        name: "compose.yaml".into(),
        text: "services:\n  db:\n    environment:\n      - URL=postgres://u:${SERVICE_PASSWORD_DB:?}@db/x\n      - U=${SERVICE_USER_DB:-ignored}\n".into(),
    };
    let (tree, report) = load_tree(&[file], &LoadOptions::default(), &NoFiles).unwrap();
    let env = &tree["services"]["db"]["environment"];
    assert_eq!(
        env_value(env, "URL"),
        "postgres://u:\u{0}SERVICE_PASSWORD_DB\u{0}@db/x"
    );
    assert_eq!(env_value(env, "U"), "\u{0}SERVICE_USER_DB\u{0}");
    assert!(report.entries().is_empty());
}

/// A variable of `environment` in list form (`K=V`) or canonical mapping form.
fn env_value(env: &serde_json::Value, key: &str) -> String {
    match env {
        serde_json::Value::Object(m) => m[key].as_str().unwrap().to_string(),
        serde_json::Value::Array(items) => items
            .iter()
            .filter_map(|i| {
                i.as_str()?
                    .strip_prefix(&format!("{key}="))
                    .map(str::to_string)
            })
            .next()
            .unwrap(),
        other => panic!("environment is {other}"),
    }
}
