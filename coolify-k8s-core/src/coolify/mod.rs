//! Coolify specifics that are not Compose: magic variable values, FQDN settings,
//! Applications.

pub mod application;
pub mod magic_values;
