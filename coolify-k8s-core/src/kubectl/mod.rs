//! Stage `kubectl` (being built; see docs/ARCHITECTURE.md).
