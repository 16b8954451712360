//! Progress of seeding a large population on the terminal: an `indicatif` bar when stderr is a
//! TTY, one log line before and one after otherwise. Seeding starts on the thread that called
//! `report`, so a thread-local reporter reaches `population` without threading a handle through
//! every vendor's seeding code; `population` hands the threads that help it a [`Ticker`].

use std::cell::RefCell;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// Populations from this many people on report progress; smaller ones seed in a blink.
pub const REPORT_FROM: usize = 10_000;

/// People between two updates of the bar: the hot loop touches the reporter rarely.
pub(crate) const STEP: usize = 4096;

enum Reporter {
    Bar(ProgressBar),
    Lines,
}

thread_local! {
    static ACTIVE: RefCell<Option<Reporter>> = const { RefCell::new(None) };
}

fn bar(people: usize) -> ProgressBar {
    let bar = ProgressBar::new(people as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} seeding {pos}/{len} people [{bar:40}] {percent:>3}% {elapsed}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Runs `seed`, which builds a world of `people` people, and says how long it took; with
/// progress on stderr when the population is large.
pub fn report<T>(people: usize, seed: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let reporter = (people >= REPORT_FROM).then(|| {
        if std::io::stderr().is_terminal() {
            Reporter::Bar(bar(people))
        } else {
            eprintln!("seeding {people} people…");
            Reporter::Lines
        }
    });
    let reporting = reporter.is_some();
    ACTIVE.with(|active| *active.borrow_mut() = reporter);
    let result = seed();
    let took = started.elapsed();
    match ACTIVE.with(|active| active.borrow_mut().take()) {
        Some(Reporter::Bar(bar)) => bar.finish_and_clear(),
        Some(Reporter::Lines) | None => {}
    }
    if reporting {
        eprintln!("seeded {people} people in {}", human(took));
    }
    (result, took)
}

/// The bar of the seed running on this thread, for the threads that help build it.
#[derive(Clone)]
pub(crate) struct Ticker(Option<ProgressBar>);

impl Ticker {
    /// `n` more people were made.
    pub(crate) fn advance(&self, n: usize) {
        if let Some(bar) = &self.0 {
            bar.inc(n as u64);
        }
    }
}

/// The bar of this thread's seed, if it shows one; it moves from any thread.
pub(crate) fn ticker() -> Ticker {
    ACTIVE.with(|active| match &*active.borrow() {
        Some(Reporter::Bar(bar)) => Ticker(Some(bar.clone())),
        Some(Reporter::Lines) | None => Ticker(None),
    })
}

/// `population` is done; the vendors build their tables and indexes next.
pub(crate) fn people_made() {
    ACTIVE.with(|active| {
        if let Some(Reporter::Bar(bar)) = &*active.borrow() {
            bar.set_position(bar.length().unwrap_or(0));
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_message("people made; building every vendor's tables and indexes");
        }
    });
}

/// `12 ms`, `8.8 s`.
pub fn human(took: Duration) -> String {
    if took < Duration::from_secs(1) {
        format!("{} ms", took.as_millis())
    } else {
        format!("{:.1} s", took.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_milliseconds_or_seconds() {
        assert_eq!(human(Duration::from_millis(12)), "12 ms");
        assert_eq!(human(Duration::from_millis(8_840)), "8.8 s");
    }

    #[test]
    fn the_bar_counts_every_person_and_is_gone_after_seeding() {
        let hidden = ProgressBar::hidden();
        hidden.set_length(10);
        ACTIVE.with(|active| *active.borrow_mut() = Some(Reporter::Bar(hidden.clone())));
        ticker().advance(4);
        assert_eq!(hidden.position(), 4);
        people_made();
        assert_eq!(hidden.position(), 10);
        ACTIVE.with(|active| active.borrow_mut().take());
        ticker().advance(1);
        assert_eq!(hidden.position(), 10, "no reporter, no effect");
    }
}
