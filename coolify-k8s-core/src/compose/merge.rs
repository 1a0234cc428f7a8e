//! Stage: merge (being built).
