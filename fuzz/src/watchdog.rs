//! Saves a unit that outlives libFuzzer's `-timeout`, which libFuzzer itself may lose.
//!
//! libFuzzer saves such a unit from its SIGALRM handler, and that handler allocates: when the
//! alarm interrupts `malloc`, the handler deadlocks and the unit is never written (session 9:
//! a campaign stuck for ten minutes, its unit lost). Here a thread of the harness keeps a copy
//! of the running unit and, once the unit has run five sixths of the timeout, writes it to
//! `<-artifact_prefix>hang-<hash>` from an ordinary thread, where allocating is safe. The
//! alarm then comes as before; `scripts/fuzz.sh campaign` names the saved file if the handler
//! hangs.
//!
//! Every target starts with `let _unit = coolify_k8s_fuzz::watch(data);`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// libFuzzer's default `-timeout`, in seconds.
const LIBFUZZER_DEFAULT_TIMEOUT: u64 = 1200;

/// How often the watchdog looks at the running unit.
const TICK: Duration = Duration::from_millis(50);

/// A copy of the running unit's bytes (the buffer is reused from unit to unit). The watchdog
/// locks it only to save a unit past its time, so in a run without one the fuzzing thread
/// never meets a held lock: the slow path of the lock, whose edges depend on timing, would
/// pass for new coverage of whatever unit was running.
static BYTES: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// When the running unit started: milliseconds since [`EPOCH`], plus one (0 between units).
static STARTED: AtomicU64 = AtomicU64::new(0);

/// The watchdog's clock, set when the first unit starts it.
static EPOCH: OnceLock<Instant> = OnceLock::new();

/// The running unit, for as long as it lives: dropping it tells the watchdog the unit ended.
#[must_use = "the unit counts as running until this value is dropped"]
pub struct Unit(());

impl Drop for Unit {
    fn drop(&mut self) {
        STARTED.store(0, Ordering::Release);
    }
}

/// Marks `data` as the running unit (starting the watchdog at the first call).
pub fn watch(data: &[u8]) -> Unit {
    let epoch = *EPOCH.get_or_init(|| {
        let epoch = Instant::now();
        let flags = Flags::from_args(std::env::args());
        if let Some(after) = flags.save_after() {
            // Without the thread the harness runs as before: libFuzzer alone handles timeouts.
            let _ = thread::Builder::new()
                .name("watchdog".to_string())
                .spawn(move || guard(epoch, after, &flags.artifact_prefix));
        }
        epoch
    });
    {
        let mut bytes = unit_bytes();
        bytes.clear();
        bytes.extend_from_slice(data);
    }
    STARTED.store(millis_since(epoch) + 1, Ordering::Release);
    Unit(())
}

/// A panic elsewhere must not silence the watchdog.
fn unit_bytes() -> MutexGuard<'static, Vec<u8>> {
    BYTES.lock().unwrap_or_else(PoisonError::into_inner)
}

fn millis_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX - 1)
}

fn guard(epoch: Instant, after: Duration, prefix: &str) {
    let after = u64::try_from(after.as_millis()).unwrap_or(u64::MAX / 2);
    let mut saved = 0;
    loop {
        thread::sleep(TICK);
        let started = STARTED.load(Ordering::Acquire);
        if started == 0 || started == saved || millis_since(epoch) + 1 < started + after {
            continue;
        }
        let bytes = unit_bytes();
        // The unit may have ended meanwhile, and the buffer hold the next one.
        if STARTED.load(Ordering::Acquire) != started {
            continue;
        }
        saved = started;
        let ran = (millis_since(epoch) + 1 - started) as f64 / 1000.0;
        let path = hang_path(prefix, &bytes);
        match std::fs::write(&path, &*bytes) {
            Ok(()) => eprintln!(
                "watchdog: a unit has run {ran:.1} s, five sixths of the timeout; saved to {path}"
            ),
            Err(e) => eprintln!("watchdog: cannot save the running unit to {path}: {e}"),
        }
    }
}

/// `<prefix>hang-<FNV-1a of the bytes>`: the same unit, the same file.
fn hang_path(prefix: &str, bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{prefix}hang-{hash:016x}")
}

/// The libFuzzer flags the watchdog follows, read from the process's own arguments.
#[derive(Debug, PartialEq)]
struct Flags {
    /// `-timeout=N`: seconds (0 turns timeouts off).
    timeout: u64,
    /// `-artifact_prefix=P`, where libFuzzer writes crashes and timeouts.
    artifact_prefix: String,
}

impl Flags {
    fn from_args(args: impl IntoIterator<Item = String>) -> Flags {
        let mut flags = Flags {
            timeout: LIBFUZZER_DEFAULT_TIMEOUT,
            artifact_prefix: String::new(),
        };
        for arg in args {
            if let Some(n) = arg.strip_prefix("-timeout=") {
                // libFuzzer reads the number as atoi does: a bad one is 0, no timeout.
                flags.timeout = n.parse().unwrap_or(0);
            } else if let Some(p) = arg.strip_prefix("-artifact_prefix=") {
                flags.artifact_prefix = p.to_string();
            }
        }
        flags
    }

    /// When to save a running unit: five sixths of the timeout, before libFuzzer's alarm.
    fn save_after(&self) -> Option<Duration> {
        (self.timeout > 0).then(|| Duration::from_millis(self.timeout * 1000 * 5 / 6))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(args: &[&str]) -> Flags {
        Flags::from_args(args.iter().map(|a| a.to_string()))
    }

    #[test]
    fn follows_libfuzzers_timeout_and_artifact_prefix() {
        let f = flags(&[
            "translate",
            "-timeout=30",
            "-artifact_prefix=artifacts/translate/",
        ]);
        assert_eq!(f.artifact_prefix, "artifacts/translate/");
        assert_eq!(f.save_after(), Some(Duration::from_secs(25)));
        assert_eq!(
            flags(&["translate"]).save_after(),
            Some(Duration::from_secs(1000))
        );
        assert_eq!(flags(&["translate", "-timeout=0"]).save_after(), None);
    }

    #[test]
    fn one_unit_one_file() {
        assert_eq!(hang_path("a/", b"x"), hang_path("a/", b"x"));
        assert_ne!(hang_path("a/", b"x"), hang_path("a/", b"y"));
        assert!(hang_path("a/", b"").starts_with("a/hang-"));
    }
}
