//! Interrupts: long loops stop when the user presses Ctrl-C (or Esc in R's GUI).
//!
//! The core knows nothing of R or Python; a binding installs a *hook* — a function
//! that asks its interpreter whether the user has asked to stop (R:
//! `R_CheckUserInterrupt` run under `R_ToplevelExec`; Python: `PyErr_CheckSignals`) —
//! with [`install`] on the thread that calls into the core, and the long loops call
//! [`check`] (once per iteration or per chunk of work, never per row), which returns
//! [`Error::Interrupted`] when the hook says so. The error then travels up like any
//! other and the binding raises its language's interrupt (R: a condition of class
//! `interrupt`; Python: `KeyboardInterrupt`).
//!
//! The hook belongs to the thread that installed it: an interpreter's API may only be
//! called from the thread that runs it, so on any other thread (rayon's workers, a
//! caller's own threads) [`check`] is a no-op. It is also rate-limited: the hook runs at
//! most once every [`INTERVAL`] (a computation shorter than that never calls it), so a
//! check costs a thread-local read and a clock read, and nothing at all where no hook
//! is installed (plain Rust).

use std::cell::Cell;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// The most often the hook is asked (about ten times a second).
pub const INTERVAL: Duration = Duration::from_millis(100);

/// Asks the interpreter whether the user has asked to stop (`true`: stop).
pub type Hook = fn() -> bool;

#[derive(Clone, Copy)]
struct Installed {
    hook: Hook,
    every: Duration,
    next: Instant,
}

thread_local! {
    static HOOK: Cell<Option<Installed>> = const { Cell::new(None) };
}

/// Install `hook` for the current thread, asked at most every [`INTERVAL`]; the first
/// time one interval from now. A binding calls this when a call into the core starts
/// (installing again restarts the clock).
pub fn install(hook: Hook) {
    install_every(hook, INTERVAL);
}

/// [`install`] with another interval (`Duration::ZERO`: at every [`check`]; tests).
pub fn install_every(hook: Hook, every: Duration) {
    HOOK.with(|h| {
        h.set(Some(Installed {
            hook,
            every,
            next: Instant::now() + every,
        }))
    });
}

/// Remove the current thread's hook ([`check`] becomes a no-op on it).
pub fn uninstall() {
    HOOK.with(|h| h.set(None));
}

/// `Err(Error::Interrupted)` when the user has asked to stop; a no-op on threads
/// without a hook and between two asks of the hook.
#[inline]
pub fn check() -> Result<()> {
    HOOK.with(|h| {
        let Some(mut ins) = h.get() else {
            return Ok(());
        };
        let now = Instant::now();
        if now < ins.next {
            return Ok(());
        }
        ins.next = now + ins.every;
        h.set(Some(ins));
        if (ins.hook)() {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    })
}

/// [`check`] every `every`-th time `i` passes (for tight loops: `i` the loop counter).
#[inline]
pub fn check_every(i: usize, every: usize) -> Result<()> {
    if i % every == 0 {
        check()
    } else {
        Ok(())
    }
}

/// Parallel work over `n` items, interruptible: rayon's workers never ask the hook, and
/// the calling thread waits while they work, so the items are taken in consecutive
/// blocks (`work(range)` runs one block, in parallel as it likes), with a [`check`]
/// before each, and the blocks' results combined by `add` into `init`.
///
/// `cost` is the rough work per item (e.g. the length of the time grid each person
/// walks): a block holds about 2^24 units of work (some tens of milliseconds: the
/// latency of Ctrl-C), and at least 16 items per thread, so that per-block
/// accumulators (often as long as the grid too) stay small against the work.
///
/// The blocks' boundaries depend on the number of threads: `add` must not round (a
/// concatenation, an integer count). Floating-point sums go through [`crate::par::fold`]
/// instead, whose grouping depends only on the input (the same bits for any number of
/// threads).
pub fn in_blocks<A>(
    n: usize,
    cost: usize,
    init: A,
    mut work: impl FnMut(std::ops::Range<usize>) -> A,
    mut add: impl FnMut(A, A) -> A,
) -> Result<A> {
    let floor = 16 * rayon::current_num_threads();
    let block = ((1usize << 24) / cost.max(1)).max(floor).max(1);
    let mut acc = init;
    let mut start = 0;
    while start < n {
        check()?;
        let end = n.min(start.saturating_add(block));
        acc = add(acc, work(start..end));
        start = end;
    }
    Ok(acc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yes() -> bool {
        true
    }
    fn no() -> bool {
        false
    }

    #[test]
    fn no_hook_no_interrupt() {
        uninstall();
        assert_eq!(check(), Ok(()));
    }

    #[test]
    fn hook_says_stop() {
        install_every(yes, Duration::ZERO);
        assert_eq!(check(), Err(Error::Interrupted));
        install_every(no, Duration::ZERO);
        assert_eq!(check(), Ok(()));
        uninstall();
    }

    #[test]
    fn rate_limited() {
        install_every(yes, Duration::from_secs(3600));
        assert_eq!(check(), Ok(()));
        uninstall();
    }

    #[test]
    fn blocks_cover_every_item_once() {
        uninstall();
        let sum = in_blocks(1_000_003, 1 << 15, 0u64, |r| r.map(|i| i as u64).sum(), |a, b| a + b);
        assert_eq!(sum, Ok(1_000_003u64 * 1_000_002 / 2));
        install_every(yes, Duration::ZERO);
        assert_eq!(in_blocks(10, 1, 0, |r| r.len(), |a, b| a + b), Err(Error::Interrupted));
        uninstall();
    }

    #[test]
    fn other_threads_never_interrupted() {
        install_every(yes, Duration::ZERO);
        let other = std::thread::spawn(check).join().unwrap();
        assert_eq!(other, Ok(()));
        assert_eq!(check(), Err(Error::Interrupted));
        uninstall();
    }
}
