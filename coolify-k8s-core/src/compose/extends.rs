//! Stage: extends (being built).
