//! Stage: include (being built).
