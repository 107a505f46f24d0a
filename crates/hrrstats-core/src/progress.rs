//! Progress: long computations report the fraction of their work done, so that a
//! binding can draw a progress bar (Python: tqdm or a line on stderr; R:
//! `txtProgressBar`).
//!
//! Built as [`crate::interrupt`] is: the core knows nothing of R or Python; a binding
//! installs a *hook* (a function receiving the fraction done, in `[0, 1]`) with
//! [`install`] on the thread that calls into the core, and a long method's outer loop
//! calls [`report`] (or runs its work through [`in_blocks`], which also polls for
//! Ctrl-C). Reports are
//!
//! - rate-limited: the hook runs at most once every [`INTERVAL`], the first time one
//!   interval after [`install`] (a computation shorter than that never calls it), so a
//!   report costs a thread-local read and a clock read, and nothing at all where no
//!   hook is installed (plain Rust, or a binding whose user asked for quiet);
//! - monotone: a fraction below one already reported is not passed on (a method may
//!   report from several loops one after the other, each over its share);
//! - on the installing thread only (rayon's workers never report; an interpreter may
//!   only be called from its own thread).
//!
//! The hook returns whether it wants more reports: `false` uninstalls it (a binding
//! whose display is off then costs one call of the hook per long computation).
//! [`finish`] (the binding calls it when the call into the core returns) reports 1 on
//! success if anything was reported, so a bar that was shown always ends full.

use std::cell::Cell;
use std::time::{Duration, Instant};

use crate::error::Result;

/// The most often the hook is called (about five times a second).
pub const INTERVAL: Duration = Duration::from_millis(200);

/// Receives the fraction done (in `[0, 1]`); returns whether to go on reporting.
pub type Hook = fn(f64) -> bool;

#[derive(Clone, Copy)]
struct Installed {
    hook: Hook,
    every: Duration,
    next: Instant,
    last: f64,
    reported: bool,
}

thread_local! {
    static HOOK: Cell<Option<Installed>> = const { Cell::new(None) };
    /// The share of the whole call that the current reports cover (offset, width).
    static SPAN: Cell<(f64, f64)> = const { Cell::new((0.0, 1.0)) };
}

/// Run `f` as part `k` (0-based) of `parts` equal parts of the call: its reports of
/// `done` of `total` count as `(k + done / total) / parts` of the whole (spans nest).
pub fn part<T>(k: usize, parts: usize, f: impl FnOnce() -> T) -> T {
    let outer = SPAN.with(|s| s.get());
    let w = outer.1 / parts.max(1) as f64;
    SPAN.with(|s| s.set((outer.0 + w * k.min(parts) as f64, w)));
    let out = f();
    SPAN.with(|s| s.set(outer));
    out
}

/// Install `hook` for the current thread, called at most every [`INTERVAL`] (or every
/// `HRRSTATS_PROGRESS_INTERVAL_MS` milliseconds where that environment variable is set:
/// tests of the bindings use 0, so that they do not depend on the machine's speed); the
/// first time one interval from now. A binding calls this when a call into the core
/// starts.
pub fn install(hook: Hook) {
    let every = std::env::var("HRRSTATS_PROGRESS_INTERVAL_MS")
        .ok()
        .and_then(|ms| ms.trim().parse::<u64>().ok())
        .map_or(INTERVAL, Duration::from_millis);
    install_every(hook, every);
}

/// [`install`] with another interval (`Duration::ZERO`: at every [`report`]; tests).
pub fn install_every(hook: Hook, every: Duration) {
    HOOK.with(|h| {
        h.set(Some(Installed {
            hook,
            every,
            next: Instant::now() + every,
            last: 0.0,
            reported: false,
        }))
    });
}

/// Remove the current thread's hook ([`report`] becomes a no-op on it).
pub fn uninstall() {
    HOOK.with(|h| h.set(None));
}

/// Whether a hook is installed on this thread (a method may skip preparing its
/// reports when none is).
#[inline]
pub fn active() -> bool {
    HOOK.with(|h| h.get().is_some())
}

/// Report that `done` of `total` units of work are done (rate-limited, monotone; a
/// no-op without a hook). `done >= total` is passed on as 1 only through [`finish`]'s
/// rules: it is rate-limited like any other report.
#[inline]
pub fn report(done: usize, total: usize) {
    HOOK.with(|h| {
        let Some(mut ins) = h.get() else {
            return;
        };
        let now = Instant::now();
        if now < ins.next {
            return;
        }
        let f = if total == 0 { 1.0 } else { (done as f64 / total as f64).clamp(0.0, 1.0) };
        let (offset, width) = SPAN.with(|s| s.get());
        let f = (offset + width * f).clamp(0.0, 1.0);
        if f < ins.last {
            return;
        }
        ins.next = now + ins.every;
        ins.last = f;
        ins.reported = true;
        h.set(if (ins.hook)(f) { Some(ins) } else { None });
    })
}

/// End of a call into the core: with `ok` and a hook that has reported (and still
/// wants reports), report 1 (not rate-limited) unless 1 was the last report; then
/// uninstall the hook. Returns whether the hook reported during the call and still
/// wanted reports (a binding then closes its display, e.g. after a failure).
pub fn finish(ok: bool) -> bool {
    HOOK.with(|h| match h.take() {
        Some(ins) if ins.reported => {
            if ok && ins.last < 1.0 {
                (ins.hook)(1.0);
            }
            true
        }
        _ => false,
    })
}

/// [`crate::interrupt::in_blocks`] (parallel work over `n` items in consecutive blocks,
/// Ctrl-C polled before each), reporting the items done after each block.
pub fn in_blocks<A>(
    n: usize,
    cost: usize,
    init: A,
    mut work: impl FnMut(std::ops::Range<usize>) -> A,
    add: impl FnMut(A, A) -> A,
) -> Result<A> {
    crate::interrupt::in_blocks(
        n,
        cost,
        init,
        |range| {
            let end = range.end;
            let a = work(range);
            report(end, n);
            a
        },
        add,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    thread_local! {
        static SEEN: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
    }
    fn record(f: f64) -> bool {
        SEEN.with(|s| s.borrow_mut().push(f));
        true
    }
    fn once(f: f64) -> bool {
        SEEN.with(|s| s.borrow_mut().push(f));
        false
    }
    fn seen() -> Vec<f64> {
        SEEN.with(|s| std::mem::take(&mut *s.borrow_mut()))
    }

    #[test]
    fn no_hook_no_report() {
        uninstall();
        report(1, 2);
        finish(true);
        assert!(seen().is_empty());
    }

    #[test]
    fn monotone_and_ends_at_one() {
        install_every(record, Duration::ZERO);
        report(1, 4);
        report(0, 4); // below the last: not passed on
        report(3, 4);
        finish(true);
        assert_eq!(seen(), vec![0.25, 0.75, 1.0]);
        assert!(!active());
    }

    #[test]
    fn nothing_at_the_end_without_reports_or_on_failure() {
        install_every(record, Duration::from_secs(3600));
        report(1, 2); // rate-limited away
        finish(true);
        assert!(seen().is_empty());
        install_every(record, Duration::ZERO);
        report(1, 2);
        finish(false);
        assert_eq!(seen(), vec![0.5]);
    }

    #[test]
    fn parts_share_the_whole() {
        install_every(record, Duration::ZERO);
        for k in 0..2 {
            part(k, 2, || {
                report(1, 2);
                part(1, 2, || report(1, 1));
            });
        }
        report(3, 4); // outside the parts again: the whole
        finish(true);
        assert_eq!(seen(), vec![0.25, 0.5, 0.75, 1.0]);
    }

    #[test]
    fn hook_declining_is_uninstalled() {
        install_every(once, Duration::ZERO);
        report(1, 3);
        report(2, 3);
        finish(true);
        assert_eq!(seen(), vec![1.0 / 3.0]);
    }

    #[test]
    fn blocks_report_their_progress() {
        install_every(record, Duration::ZERO);
        let n = 100_000;
        let sum = in_blocks(n, 1 << 20, 0usize, |r| r.len(), |a, b| a + b).unwrap();
        assert_eq!(sum, n);
        finish(true);
        let s = seen();
        assert!(s.len() > 1);
        assert!(s.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(*s.last().unwrap(), 1.0);
    }

    #[test]
    fn other_threads_never_report() {
        install_every(record, Duration::ZERO);
        std::thread::spawn(|| report(1, 2)).join().unwrap();
        assert!(seen().is_empty());
        uninstall();
    }
}
