//! Stage `k8s` (being built; see docs/ARCHITECTURE.md).
