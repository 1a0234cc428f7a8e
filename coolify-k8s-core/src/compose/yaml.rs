//! Stage: yaml (being built).
