//! Stage: interpolate (being built).
