//! A small mirror of the Compose Specification's JSON schema for the parts of a service
//! that the model keeps as given (`logging`, `develop`, `deploy.placement`, …): they are
//! validated as strictly as the schema validates them, so that what the schema rejects
//! is rejected here too, without a JSON-schema engine at run time.

use super::value::{self, Diagnostics};
use crate::path::InputPath;
use serde_json::Value;

/// The shape a value must have.
#[derive(Debug)]
pub(crate) enum Shape {
    /// Anything.
    Any,
    /// `string`.
    Str,
    /// `string` with an `enum`.
    StrEnum(&'static [&'static str]),
    /// `["boolean", "string"]` (cast like compose-go).
    Bool,
    /// `boolean` only.
    StrictBool,
    /// `["integer", "string"]`.
    Int,
    /// `integer` only.
    StrictInt,
    /// `["number", "string"]`.
    Num,
    /// `number` only.
    StrictNum,
    /// `["string", "number"]`, kept as text.
    StrOrNum,
    /// `["string", "number", "null"]`.
    StrOrNumOrNull,
    /// `["string", "number", "boolean"]`.
    Scalar,
    /// `list_of_strings` (unique).
    ListOfStrings,
    /// `string_or_list`.
    StringOrList,
    /// `list_or_dict`.
    ListOrDict,
    /// `array` of items.
    ArrayOf(&'static Shape),
    /// `object` with any keys whose values have one shape.
    MapOf(&'static Shape),
    /// `object` with known properties.
    Object(&'static Object),
    /// Alternatives, told apart by the value's JSON type.
    OneOf(&'static [Shape]),
    /// `null` or the shape.
    Nullable(&'static Shape),
}

/// An object with known properties (`additionalProperties: false`).
#[derive(Debug)]
pub(crate) struct Object {
    /// Properties and their shapes.
    pub(crate) fields: &'static [(&'static str, Shape)],
    /// Required properties.
    pub(crate) required: &'static [&'static str],
}

impl Shape {
    /// Whether the value's JSON type is one this shape takes (for [`Shape::OneOf`]).
    fn takes_type_of(&self, v: &Value) -> bool {
        match self {
            Shape::Any => true,
            Shape::Str | Shape::StrEnum(_) => v.is_string(),
            Shape::Bool => v.is_boolean() || v.is_string(),
            Shape::StrictBool => v.is_boolean(),
            Shape::Int | Shape::Num | Shape::StrOrNum => v.is_number() || v.is_string(),
            Shape::StrictInt | Shape::StrictNum => v.is_number(),
            Shape::StrOrNumOrNull => v.is_number() || v.is_string() || v.is_null(),
            Shape::Scalar => v.is_number() || v.is_string() || v.is_boolean(),
            Shape::ListOfStrings | Shape::ArrayOf(_) => v.is_array(),
            Shape::StringOrList => v.is_array() || v.is_string(),
            Shape::ListOrDict => v.is_array() || v.is_object(),
            Shape::MapOf(_) | Shape::Object(_) => v.is_object(),
            Shape::OneOf(alts) => alts.iter().any(|a| a.takes_type_of(v)),
            Shape::Nullable(s) => v.is_null() || s.takes_type_of(v),
        }
    }

    /// Validate `v` at `path`, recording every error.
    pub(crate) fn check(&self, v: &Value, path: &InputPath, d: &mut Diagnostics) {
        match self {
            Shape::Any => {}
            Shape::Str => {
                value::string(v, path, d);
            }
            Shape::StrEnum(allowed) => {
                if let Some(s) = value::string(v, path, d) {
                    if !allowed.contains(&s.as_str()) {
                        d.error(
                            path,
                            format!(
                                "invalid value {s:?} (expected one of: {})",
                                allowed.join(", ")
                            ),
                        );
                    }
                }
            }
            Shape::Bool => {
                value::boolean(v, path, d);
            }
            Shape::StrictBool => {
                value::strict_boolean(v, path, d);
            }
            Shape::Int => {
                value::integer(v, path, d);
            }
            Shape::StrictInt => {
                if v.is_string() {
                    d.error(path, value::expected("an integer", v));
                } else {
                    value::integer(v, path, d);
                }
            }
            Shape::Num => {
                value::number(v, path, d);
            }
            Shape::StrictNum => {
                if !v.is_number() {
                    d.error(path, value::expected("a number", v));
                }
            }
            Shape::StrOrNum => {
                value::string_or_number(v, path, d);
            }
            Shape::StrOrNumOrNull => {
                if !v.is_null() {
                    value::string_or_number(v, path, d);
                }
            }
            Shape::Scalar => {
                if value::scalar_text(v).is_none() {
                    d.error(path, value::expected("a string, number or boolean", v));
                }
            }
            Shape::ListOfStrings => {
                value::string_list(v, path, d);
            }
            Shape::StringOrList => {
                value::string_or_list(v, path, d);
            }
            Shape::ListOrDict => match v {
                Value::Array(_) => {
                    value::string_list(v, path, d);
                }
                Value::Object(m) => {
                    for (k, item) in m {
                        if !item.is_null() && value::scalar_text(item).is_none() {
                            d.error(
                                &path.key(k),
                                value::expected("a string, number, boolean or null", item),
                            );
                        }
                    }
                }
                other => d.error(path, value::expected("a mapping or a sequence", other)),
            },
            Shape::ArrayOf(item) => {
                if let Some(items) = value::sequence(v, path, d) {
                    for (i, x) in items.iter().enumerate() {
                        item.check(x, &path.index(i), d);
                    }
                }
            }
            Shape::MapOf(item) => {
                if let Some(m) = value::mapping(v, path, d) {
                    for (k, x) in m {
                        item.check(x, &path.key(k), d);
                    }
                }
            }
            Shape::Object(obj) => {
                if let Some(m) = value::mapping(v, path, d) {
                    for (k, x) in m {
                        match obj.fields.iter().find(|(name, _)| name == k) {
                            Some((_, shape)) => shape.check(x, &path.key(k), d),
                            None if value::is_extension(k) => {}
                            None => {
                                let known: Vec<&str> = obj.fields.iter().map(|(n, _)| *n).collect();
                                d.error(&path.key(k), value::unknown_key_message(k, &known));
                            }
                        }
                    }
                    for r in obj.required {
                        if !m.contains_key(*r) {
                            d.error(path, format!("missing required key {r:?}"));
                        }
                    }
                }
            }
            Shape::OneOf(alts) => match alts.iter().find(|a| a.takes_type_of(v)) {
                Some(a) => a.check(v, path, d),
                None => d.error(path, format!("{} is not allowed here", value::type_name(v))),
            },
            Shape::Nullable(s) => {
                if !v.is_null() {
                    s.check(v, path, d);
                }
            }
        }
    }
}

/// `service_hook` (`post_start`, `pre_stop`, `develop.watch[].exec`).
pub(crate) const SERVICE_HOOK: Shape = Shape::Object(&Object {
    fields: &[
        (
            "command",
            Shape::OneOf(&[Shape::Str, Shape::ArrayOf(&Shape::Str)]),
        ),
        ("user", Shape::Str),
        ("privileged", Shape::Bool),
        ("working_dir", Shape::Str),
        ("environment", Shape::ListOrDict),
    ],
    required: &["command"],
});

/// `post_start` / `pre_stop`.
pub(crate) static HOOKS: Shape = Shape::ArrayOf(&SERVICE_HOOK);

/// `develop`.
pub(crate) static DEVELOP: Shape = Shape::Nullable(&Shape::Object(&Object {
    fields: &[(
        "watch",
        Shape::ArrayOf(&Shape::Object(&Object {
            fields: &[
                ("ignore", Shape::StringOrList),
                ("include", Shape::StringOrList),
                ("path", Shape::Str),
                (
                    "action",
                    Shape::StrEnum(&["rebuild", "sync", "restart", "sync+restart", "sync+exec"]),
                ),
                ("target", Shape::Str),
                ("exec", SERVICE_HOOK),
                ("initial_sync", Shape::StrictBool),
            ],
            required: &["path", "action"],
        })),
    )],
    required: &[],
}));

const BLKIO_LIMIT: Shape = Shape::ArrayOf(&Shape::Object(&Object {
    fields: &[("path", Shape::Str), ("rate", Shape::Int)],
    required: &[],
}));

/// `blkio_config`.
pub(crate) static BLKIO_CONFIG: Shape = Shape::Object(&Object {
    fields: &[
        ("device_read_bps", BLKIO_LIMIT),
        ("device_read_iops", BLKIO_LIMIT),
        ("device_write_bps", BLKIO_LIMIT),
        ("device_write_iops", BLKIO_LIMIT),
        ("weight", Shape::Int),
        (
            "weight_device",
            Shape::ArrayOf(&Shape::Object(&Object {
                fields: &[("path", Shape::Str), ("weight", Shape::Int)],
                required: &[],
            })),
        ),
    ],
    required: &[],
});

/// `credential_spec`.
pub(crate) static CREDENTIAL_SPEC: Shape = Shape::Object(&Object {
    fields: &[
        ("config", Shape::Str),
        ("file", Shape::Str),
        ("registry", Shape::Str),
    ],
    required: &[],
});

/// A service's `devices`.
pub(crate) static DEVICES: Shape = Shape::ArrayOf(&Shape::OneOf(&[
    Shape::Str,
    Shape::Object(&Object {
        fields: &[
            ("source", Shape::Str),
            ("target", Shape::Str),
            ("permissions", Shape::Str),
        ],
        required: &["source"],
    }),
]));

const DEVICE_REQUEST_FIELDS: &[(&str, Shape)] = &[
    ("capabilities", Shape::ListOfStrings),
    ("count", Shape::OneOf(&[Shape::Str, Shape::StrictInt])),
    ("device_ids", Shape::ListOfStrings),
    ("driver", Shape::Str),
    ("options", Shape::ListOrDict),
];

/// `gpus`.
pub(crate) static GPUS: Shape = Shape::OneOf(&[
    Shape::StrEnum(&["all"]),
    Shape::ArrayOf(&Shape::Object(&Object {
        fields: DEVICE_REQUEST_FIELDS,
        required: &[],
    })),
]);

/// `deploy.resources.reservations.devices`.
pub(crate) static RESERVED_DEVICES: Shape = Shape::ArrayOf(&Shape::Object(&Object {
    fields: DEVICE_REQUEST_FIELDS,
    required: &["capabilities"],
}));

/// `deploy.resources.reservations.generic_resources`.
pub(crate) static GENERIC_RESOURCES: Shape = Shape::ArrayOf(&Shape::Object(&Object {
    fields: &[(
        "discrete_resource_spec",
        Shape::Object(&Object {
            fields: &[("kind", Shape::Str), ("value", Shape::Num)],
            required: &[],
        }),
    )],
    required: &[],
}));

/// `logging`.
pub(crate) static LOGGING: Shape = Shape::Object(&Object {
    fields: &[
        ("driver", Shape::Str),
        ("options", Shape::MapOf(&Shape::StrOrNumOrNull)),
    ],
    required: &[],
});

/// A service's `models`.
pub(crate) static SERVICE_MODELS: Shape = Shape::OneOf(&[
    Shape::ListOfStrings,
    Shape::MapOf(&Shape::Object(&Object {
        fields: &[("endpoint_var", Shape::Str), ("model_var", Shape::Str)],
        required: &[],
    })),
]);

/// A top-level `models` entry.
pub(crate) static MODEL: Shape = Shape::Object(&Object {
    fields: &[
        ("name", Shape::Str),
        ("model", Shape::Str),
        ("context_size", Shape::StrictInt),
        ("runtime_flags", Shape::ArrayOf(&Shape::Str)),
    ],
    required: &["model"],
});

/// `provider`.
pub(crate) static PROVIDER: Shape = Shape::Object(&Object {
    fields: &[
        ("type", Shape::Str),
        (
            "options",
            Shape::MapOf(&Shape::OneOf(&[
                Shape::Scalar,
                Shape::ArrayOf(&Shape::Scalar),
            ])),
        ),
    ],
    required: &["type"],
});

/// `storage_opt`.
pub(crate) static STORAGE_OPT: Shape = Shape::MapOf(&Shape::Any);

const ROLLOUT_CONFIG: Shape = Shape::Object(&Object {
    fields: &[
        ("parallelism", Shape::Int),
        ("delay", Shape::Str),
        ("failure_action", Shape::Str),
        ("monitor", Shape::Str),
        ("max_failure_ratio", Shape::Num),
        ("order", Shape::StrEnum(&["start-first", "stop-first"])),
    ],
    required: &[],
});

/// `deploy.update_config`.
pub(crate) static UPDATE_CONFIG: Shape = ROLLOUT_CONFIG;

/// `deploy.placement`.
pub(crate) static PLACEMENT: Shape = Shape::Object(&Object {
    fields: &[
        ("constraints", Shape::ArrayOf(&Shape::Str)),
        (
            "preferences",
            Shape::ArrayOf(&Shape::Object(&Object {
                fields: &[("spread", Shape::Str)],
                required: &[],
            })),
        ),
        ("max_replicas_per_node", Shape::Int),
    ],
    required: &[],
});

/// `driver_opts` of networks and volumes.
pub(crate) static DRIVER_OPTS: Shape = Shape::MapOf(&Shape::StrOrNum);

/// A top-level network's `ipam`.
pub(crate) static IPAM: Shape = Shape::Object(&Object {
    fields: &[
        ("driver", Shape::Str),
        (
            "config",
            Shape::ArrayOf(&Shape::Object(&Object {
                fields: &[
                    ("subnet", Shape::Str),
                    ("ip_range", Shape::Str),
                    ("gateway", Shape::Str),
                    ("aux_addresses", Shape::MapOf(&Shape::Str)),
                ],
                required: &[],
            })),
        ),
        ("options", Shape::MapOf(&Shape::Str)),
    ],
    required: &[],
});

/// `include` entries (resolved by the loader; checked here when still present).
pub(crate) static INCLUDE: Shape = Shape::ArrayOf(&Shape::OneOf(&[
    Shape::Str,
    Shape::Object(&Object {
        fields: &[
            ("path", Shape::StringOrList),
            ("env_file", Shape::StringOrList),
            ("project_directory", Shape::Str),
        ],
        required: &[],
    }),
]));

/// `extends` (resolved by the loader; checked here when still present).
pub(crate) static EXTENDS: Shape = Shape::OneOf(&[
    Shape::Str,
    Shape::Object(&Object {
        fields: &[("service", Shape::Str), ("file", Shape::Str)],
        required: &["service"],
    }),
]);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors(shape: &Shape, v: Value) -> Vec<String> {
        let mut d = Diagnostics::default();
        shape.check(&v, &InputPath::root().key("logging"), &mut d);
        d.errors.iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn objects_check_keys_types_and_required() {
        assert!(errors(
            &LOGGING,
            json!({"driver": "json-file", "options": {"max-size": "1m"}})
        )
        .is_empty());
        assert_eq!(
            errors(&LOGGING, json!({"driver": 1, "bogus": 2, "x-ok": 3})),
            vec![
                "logging.driver: expected a string, got a number",
                "logging.bogus: unknown key \"bogus\" (expected one of: driver, options)",
            ]
        );
        assert_eq!(
            errors(&MODEL, json!({"name": "m"})),
            vec!["logging: missing required key \"model\""]
        );
    }

    #[test]
    fn one_of_picks_by_type() {
        assert!(errors(&GPUS, json!("all")).is_empty());
        assert_eq!(
            errors(&GPUS, json!("some")),
            vec!["logging: invalid value \"some\" (expected one of: all)"]
        );
        assert!(errors(&GPUS, json!([{"count": 1, "capabilities": ["gpu"]}])).is_empty());
        assert_eq!(
            errors(&GPUS, json!(1)),
            vec!["logging: a number is not allowed here"]
        );
    }
}
