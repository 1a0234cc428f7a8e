//! Coolify specifics that are not Compose: magic variable values, FQDN settings,
//! Applications, standalone databases.

pub mod application;
mod attributes;
pub mod database;
mod image;
pub mod magic_values;
