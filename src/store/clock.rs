//! The injected clock: `system` (optionally shifted) or `fixed`. Token expiry, lock timeouts and
//! every date in responses read it, so the control plane can move time for a whole sandbox.

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use chrono::{DateTime, TimeZone, Utc};

/// How a clock starts, as given on the command line (`system` or `fixed:<RFC3339>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    System,
    Fixed(DateTime<Utc>),
}

impl FromStr for ClockMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "system" {
            return Ok(ClockMode::System);
        }
        let Some(at) = s.strip_prefix("fixed:") else {
            return Err(format!("expected `system` or `fixed:<RFC3339>`, got `{s}`"));
        };
        DateTime::parse_from_rfc3339(at)
            .map(|t| ClockMode::Fixed(t.with_timezone(&Utc)))
            .map_err(|e| format!("`{at}` is not an RFC 3339 date-time: {e}"))
    }
}

impl std::fmt::Display for ClockMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClockMode::System => f.write_str("system"),
            ClockMode::Fixed(t) => write!(f, "fixed:{}", t.to_rfc3339()),
        }
    }
}

/// A lock-free clock: reading it is two atomic loads.
#[derive(Debug)]
pub struct Clock {
    fixed: AtomicBool,
    /// Milliseconds since the epoch when fixed, or the offset added to system time otherwise.
    millis: AtomicI64,
}

impl Clock {
    pub fn new(mode: ClockMode) -> Self {
        match mode {
            ClockMode::System => Self::system(),
            ClockMode::Fixed(at) => Self::fixed(at),
        }
    }

    pub fn system() -> Self {
        Self {
            fixed: AtomicBool::new(false),
            millis: AtomicI64::new(0),
        }
    }

    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self {
            fixed: AtomicBool::new(true),
            millis: AtomicI64::new(at.timestamp_millis()),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let millis = self.millis.load(Ordering::Acquire);
        if self.fixed.load(Ordering::Acquire) {
            Utc.timestamp_millis_opt(millis)
                .single()
                .unwrap_or_default()
        } else {
            Utc::now() + chrono::Duration::milliseconds(millis)
        }
    }

    pub fn mode(&self) -> ClockMode {
        if self.fixed.load(Ordering::Acquire) {
            ClockMode::Fixed(self.now())
        } else {
            ClockMode::System
        }
    }

    /// Moves the clock forward (or back, with a negative amount).
    pub fn advance(&self, by: chrono::Duration) {
        self.millis
            .fetch_add(by.num_milliseconds(), Ordering::AcqRel);
    }

    /// The raw state `(fixed, millis)`, for snapshots: fixed time, or the offset from system time.
    pub fn raw(&self) -> (bool, i64) {
        (
            self.fixed.load(Ordering::Acquire),
            self.millis.load(Ordering::Acquire),
        )
    }

    pub fn from_raw(fixed: bool, millis: i64) -> Self {
        Self {
            fixed: AtomicBool::new(fixed),
            millis: AtomicI64::new(millis),
        }
    }

    pub fn set(&self, mode: ClockMode) {
        match mode {
            ClockMode::System => {
                self.millis.store(0, Ordering::Release);
                self.fixed.store(false, Ordering::Release);
            }
            ClockMode::Fixed(at) => {
                self.millis.store(at.timestamp_millis(), Ordering::Release);
                self.fixed.store(true, Ordering::Release);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_advances_only_when_told() {
        let at = DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .unwrap()
            .to_utc();
        let clock = Clock::fixed(at);
        assert_eq!(clock.now(), at);
        clock.advance(chrono::Duration::seconds(90));
        assert_eq!(clock.now(), at + chrono::Duration::seconds(90));
    }

    #[test]
    fn clock_modes_parse_from_the_command_line_form() {
        assert_eq!("system".parse::<ClockMode>(), Ok(ClockMode::System));
        assert!(matches!(
            "fixed:2026-01-01T00:00:00Z".parse(),
            Ok(ClockMode::Fixed(_))
        ));
        assert!("fixed:yesterday".parse::<ClockMode>().is_err());
        assert!("sometimes".parse::<ClockMode>().is_err());
    }
}
