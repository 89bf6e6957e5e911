//! Giving memory back once the server is idle.
//!
//! The allocator (mimalloc, the binary's) keeps the pages a burst of large
//! answers freed, to serve the next burst without asking the kernel again;
//! it returns them only as later allocations pass by. A server that goes
//! quiet after a burst would hold its peak for good (about 30 MiB more
//! after `bench/burst`). So when answers were computed and then none has
//! run for a quiet second, the allocator is asked to collect its free
//! pages and hand them back (`mi_collect`). Under load it is never called:
//! a collection in the middle of a burst costs the next requests their
//! pages again (a collection every 2 s cut the burst's rate by a fifth).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Computed answers started, and finished.
static STARTED: AtomicU64 = AtomicU64::new(0);
static FINISHED: AtomicU64 = AtomicU64::new(0);

/// An answer being computed, from admission until its body is built.
#[derive(Debug)]
pub struct Computing(());

impl Computing {
    /// Note an answer being computed until the value is dropped.
    pub fn start() -> Computing {
        STARTED.fetch_add(1, Ordering::Relaxed);
        Computing(())
    }
}

impl Drop for Computing {
    fn drop(&mut self) {
        FINISHED.fetch_add(1, Ordering::Relaxed);
    }
}

/// Every `quiet`, when answers were computed since the last collection and
/// none is running or has started since the last look, return the
/// allocator's free memory to the system. Runs until dropped.
pub async fn give_back_when_idle(quiet: Duration) {
    let mut ticks = tokio::time::interval(quiet);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut watch = Watch::default();
    loop {
        ticks.tick().await;
        let started = STARTED.load(Ordering::Relaxed);
        if watch.due(started, FINISHED.load(Ordering::Relaxed)) {
            give_back();
        }
    }
}

/// What the idle watch has seen: the answers started at the last look and
/// at the last collection.
#[derive(Debug, Default)]
struct Watch {
    seen: u64,
    collected: u64,
}

impl Watch {
    /// Whether to collect now, with `started` and `finished` answers so far:
    /// some were computed since the last collection, and none is running
    /// or has started since the last look.
    fn due(&mut self, started: u64, finished: u64) -> bool {
        let quiet = started == self.seen && finished == started;
        let due = quiet && started != self.collected;
        if due {
            self.collected = started;
        }
        self.seen = started;
        due
    }
}

/// Return every free page of the allocator to the system: this thread's
/// own and the process's pending purges.
fn give_back() {
    // SAFETY: mi_collect only walks mimalloc's own structures; when mimalloc
    // is not the global allocator (the test binaries) its heaps are empty.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

#[cfg(test)]
mod tests {
    use super::Watch;

    #[test]
    fn collects_once_after_work_when_quiet() {
        let mut watch = Watch::default();
        // Never anything computed: nothing to give back.
        assert!(!watch.due(0, 0));
        // Answers running: wait for them.
        assert!(!watch.due(3, 1));
        // None started since the last look, and none runs: give back.
        assert!(watch.due(3, 3));
        // Collected already: quiet looks after it do nothing.
        assert!(!watch.due(3, 3));
        // A long answer that has not finished keeps its memory.
        assert!(!watch.due(4, 3));
        assert!(!watch.due(4, 3));
        assert!(watch.due(4, 4));
        // Answers started since the last look: not quiet yet.
        assert!(!watch.due(9, 9));
        assert!(watch.due(9, 9));
    }
}
