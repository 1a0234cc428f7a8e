//! Stage `proxy` (being built; see docs/ARCHITECTURE.md).
