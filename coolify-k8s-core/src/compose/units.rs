//! Compose's units: durations (`1m30s`) and byte sizes (`512m`).

use serde::Serialize;
use std::fmt;

/// A duration in Compose's syntax (`1h2m3s`, `1.5s`, `500ms`, `10us`), kept in nanoseconds.
///
/// ```
/// use coolify_k8s_core::compose::Duration;
/// assert_eq!(Duration::parse("1m30s").unwrap().as_secs_f64(), 90.0);
/// assert_eq!(Duration::parse("500ms").unwrap().to_string(), "500ms");
/// assert!(Duration::parse("ten seconds").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    nanos: u128,
}

impl Duration {
    /// A duration of `n` seconds.
    pub fn from_secs(n: u64) -> Self {
        Self {
            nanos: n as u128 * 1_000_000_000,
        }
    }

    /// Nanoseconds.
    pub fn as_nanos(&self) -> u128 {
        self.nanos
    }

    /// Seconds as a float.
    pub fn as_secs_f64(&self) -> f64 {
        self.nanos as f64 / 1e9
    }

    /// Whole seconds, rounded up (Kubernetes counts in whole seconds; a sub-second period
    /// must not become zero).
    pub fn as_secs_ceil(&self) -> u64 {
        let s = self.nanos.div_ceil(1_000_000_000);
        u64::try_from(s).unwrap_or(u64::MAX)
    }

    /// Parse Go's `time.ParseDuration` syntax as Compose accepts it; a bare number is seconds.
    pub fn parse(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if t.is_empty() {
            return Err("empty duration".into());
        }
        if let Ok(n) = t.parse::<u64>() {
            return Ok(Self::from_secs(n));
        }
        let bad = || format!("invalid duration {s:?} (expected e.g. 30s, 1m30s, 500ms)");
        let mut rest = t;
        let mut total: f64 = 0.0;
        while !rest.is_empty() {
            let num_len = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .ok_or_else(bad)?;
            if num_len == 0 {
                return Err(bad());
            }
            let num: f64 = rest[..num_len].parse().map_err(|_| bad())?;
            rest = &rest[num_len..];
            let unit_len = rest
                .find(|c: char| c.is_ascii_digit() || c == '.')
                .unwrap_or(rest.len());
            let mult = match &rest[..unit_len] {
                "ns" => 1.0,
                "us" | "µs" | "μs" => 1e3,
                "ms" => 1e6,
                "s" => 1e9,
                "m" => 60e9,
                "h" => 3600e9,
                _ => return Err(bad()),
            };
            rest = &rest[unit_len..];
            total += num * mult;
        }
        if !total.is_finite() || total > 1e30 {
            return Err(bad());
        }
        Ok(Self {
            nanos: total.round() as u128,
        })
    }
}

impl fmt::Display for Duration {
    /// Go's canonical form, the one `docker compose config` prints (`1m30s`, `500ms`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.nanos;
        if n == 0 {
            return f.write_str("0s");
        }
        if n < 1_000 {
            return write!(f, "{n}ns");
        }
        if n < 1_000_000 {
            return write!(f, "{}us", trim_float(n as f64 / 1e3));
        }
        if n < 1_000_000_000 {
            return write!(f, "{}ms", trim_float(n as f64 / 1e6));
        }
        let h = n / 3_600_000_000_000;
        let m = (n / 60_000_000_000) % 60;
        let s = (n % 60_000_000_000) as f64 / 1e9;
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if h > 0 || m > 0 {
            write!(f, "{m}m")?;
        }
        write!(f, "{}s", trim_float(s))
    }
}

fn trim_float(x: f64) -> String {
    let s = format!("{x:.9}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

impl Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A byte size in Compose's syntax (`512m`, `1gb`, `2048`, `1.5G`), kept in bytes.
/// Serializes as the number of bytes in a string (`"536870912"`), which every key that
/// takes a size accepts (`deploy.resources.*.memory` takes only strings).
///
/// ```
/// use coolify_k8s_core::compose::ByteSize;
/// assert_eq!(ByteSize::parse("512m").unwrap().bytes(), 512 * 1024 * 1024);
/// assert_eq!(ByteSize::parse("1gb").unwrap().bytes(), 1 << 30);
/// assert_eq!(ByteSize::parse("2048").unwrap().bytes(), 2048);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByteSize(u64);

impl Serialize for ByteSize {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl ByteSize {
    /// A size of `n` bytes.
    pub fn from_bytes(n: u64) -> Self {
        Self(n)
    }

    /// The size in bytes.
    pub fn bytes(&self) -> u64 {
        self.0
    }

    /// Parse docker's `RAMInBytes` syntax: a number with an optional binary unit
    /// (`b`, `k`/`kb`, `m`/`mb`, `g`/`gb`, `t`/`tb`, `p`/`pb`, any case).
    pub fn parse(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let bad = || format!("invalid size {s:?} (expected e.g. 512m, 1g, 2048)");
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        if split == 0 {
            return Err(bad());
        }
        let num: f64 = t[..split].parse().map_err(|_| bad())?;
        let mult: f64 = match t[split..].trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1.0,
            "k" | "kb" | "kib" => 1024.0,
            "m" | "mb" | "mib" => 1024.0 * 1024.0,
            "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
            "t" | "tb" | "tib" => 1024f64.powi(4),
            "p" | "pb" | "pib" => 1024f64.powi(5),
            _ => return Err(bad()),
        };
        let v = num * mult;
        if !v.is_finite() || v >= u64::MAX as f64 {
            return Err(bad());
        }
        Ok(Self(v as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for (i, secs) in [
            ("1m30s", 90.0),
            ("1h", 3600.0),
            ("1.5s", 1.5),
            ("10", 10.0),
            ("2m", 120.0),
        ] {
            assert_eq!(Duration::parse(i).unwrap().as_secs_f64(), secs, "{i}");
        }
        assert_eq!(Duration::parse("1m30s").unwrap().to_string(), "1m30s");
        assert_eq!(Duration::parse("1h").unwrap().to_string(), "1h0m0s");
        assert_eq!(Duration::parse("1500ms").unwrap().to_string(), "1.5s");
        assert_eq!(Duration::parse("100ms").unwrap().as_secs_ceil(), 1);
        for bad in ["", "s", "1x", "1m-3s", "abc"] {
            assert!(Duration::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(ByteSize::parse("1k").unwrap().bytes(), 1024);
        assert_eq!(ByteSize::parse("1.5G").unwrap().bytes(), 1610612736);
        assert_eq!(ByteSize::parse("64M").unwrap().bytes(), 64 << 20);
        for bad in ["", "m", "1x", "-1m"] {
            assert!(ByteSize::parse(bad).is_err(), "{bad}");
        }
    }
}
