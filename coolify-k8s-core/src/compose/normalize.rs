//! Stage: normalize (being built).
