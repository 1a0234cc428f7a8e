//! Coolify specifics that are not Compose: magic variable values, FQDN settings,
//! Applications.

pub mod magic_values;
