//! Open documents first. While one is being linted, background work (the workspace's index and
//! lint after `initialized`) waits between files, so that the document's parse and lint get
//! every core: opening a 5,000-line file while a large project was being indexed took its
//! first diagnostics from 30-38 ms to 56-71 ms.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The longest background work waits for its turn: it must go on while the user types without
/// a pause (a keystroke's lint takes a few milliseconds, and the next one starts soon after).
const MAX_WAIT: Duration = Duration::from_millis(250);

/// How many open documents are being linted, and a signal when none is.
#[derive(Debug, Default)]
pub struct Foreground {
    busy: Mutex<usize>,
    idle: Condvar,
}

/// An open document's lint in progress (see [`Foreground::enter`]).
#[must_use = "the lint counts as running only while this is held"]
pub struct Busy<'a>(&'a Foreground);

impl Foreground {
    fn count(&self) -> MutexGuard<'_, usize> {
        // The count stays right whatever panicked while holding it: only `+= 1` and `-= 1`.
        self.busy.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks an open document's lint as running until the result is dropped.
    pub fn enter(&self) -> Busy<'_> {
        *self.count() += 1;
        Busy(self)
    }

    /// For background work, between two files: returns when no open document is being linted,
    /// or after [`MAX_WAIT`].
    pub fn wait_turn(&self) {
        let deadline = Instant::now() + MAX_WAIT;
        let mut busy = self.count();
        while *busy > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            busy = self
                .idle
                .wait_timeout(busy, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        let mut busy = self.0.count();
        *busy = busy.saturating_sub(1);
        if *busy == 0 {
            self.0.idle.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn background_work_waits_for_the_lint_to_end() {
        let fg = Arc::new(Foreground::default());
        let busy = fg.enter();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = {
            let fg = fg.clone();
            std::thread::spawn(move || {
                fg.wait_turn();
                tx.send(()).unwrap();
            })
        };
        // Still waiting while the lint runs.
        assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
        drop(busy);
        rx.recv_timeout(Duration::from_secs(5))
            .expect("the turn came when the lint ended");
        waiter.join().unwrap();
    }

    #[test]
    fn background_work_is_not_starved() {
        let fg = Foreground::default();
        let _busy = fg.enter();
        let start = Instant::now();
        fg.wait_turn();
        assert!(start.elapsed() >= MAX_WAIT);
        // With nothing running it goes on at once.
        let idle = Foreground::default();
        idle.wait_turn();
    }

    #[test]
    fn nested_lints_count_each() {
        let fg = Foreground::default();
        let a = fg.enter();
        let b = fg.enter();
        drop(a);
        assert_eq!(*fg.count(), 1);
        drop(b);
        assert_eq!(*fg.count(), 0);
    }
}
