//! Admission control: only as much work runs at once as a memory budget
//! allows, whatever the load.
//!
//! Each request is weighed, before it runs, by the objects its answer can
//! hold (`super::limits::cost::estimate`, from its parsed document). The
//! [`Budget`] is that many objects in flight: a request runs when its
//! weight fits (a request heavier than the whole budget runs alone), and
//! otherwise waits in a short queue, in arrival order (tokio's semaphore is
//! fair: a light request does not pass a heavy one waiting ahead of it).
//! When the queue is full, or a request has waited its longest, it is
//! answered at once `503` with `Retry-After` and the code `OVERLOADED`:
//! refused before any work, never a `504` after it. A waiting request
//! whose client has gone is dropped by hyper (it notices the closed
//! connection while the handler waits), and with it its place in the
//! queue: it never runs.
//!
//! What is admitted, and when, is `super::endpoint`'s: after the response
//! cache (a kept answer takes nothing from the budget), just before the
//! request executes; the weight is held until its answer's body is built.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::metrics;
use super::protocol::{Media, refuse};

/// Admission control's settings (`definiciones serve --help`).
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct Admission {
    /// Most objects the answers being computed at once may hold, each
    /// request weighed by its estimate (a list counts its page, `first` or
    /// 50, times what each item holds); past it requests wait. 0 turns
    /// admission control off. [default: 40000 on SQLite, whose memory is
    /// the server's; 80000 on PostgreSQL]
    #[arg(long = "admission-budget", env = "DEFINICIONES_ADMISSION_BUDGET")]
    pub budget: Option<u64>,
    /// Most requests waiting for room to run; past it a request is
    /// answered 503 at once.
    #[arg(
        long = "admission-queue",
        env = "DEFINICIONES_ADMISSION_QUEUE",
        default_value_t = Admission::DEFAULT.queue
    )]
    pub queue: usize,
    /// Longest a request waits for room to run, in milliseconds; then it
    /// is answered 503.
    #[arg(
        long = "admission-wait-ms",
        env = "DEFINICIONES_ADMISSION_WAIT_MS",
        default_value_t = Admission::DEFAULT.wait_ms
    )]
    pub wait_ms: u64,
}

impl Admission {
    /// Every default, as `definiciones serve --help` shows it; the budget's
    /// depends on the database ([`Admission::budget`]).
    pub const DEFAULT: Admission = Admission {
        budget: None,
        queue: 256,
        wait_ms: 10_000,
    };

    /// The default budget when the database runs inside the server's
    /// process (SQLite), whose page caches and prepared statements take
    /// most of the memory: one deep query (`bench/queries/deep.graphql`,
    /// 25,061 objects; about 40 MiB at its peak) at a time beside smaller
    /// ones. More at once would not answer faster on one core.
    pub const EMBEDDED_BUDGET: u64 = 40_000;

    /// The default budget over a database server (PostgreSQL): three deep
    /// queries at once, so the server computes while the database reads.
    pub const SERVER_BUDGET: u64 = 80_000;

    /// The budget: as set, or the default for the database (`embedded`:
    /// SQLite, inside the server's process).
    pub fn budget(&self, embedded: bool) -> u64 {
        self.budget.unwrap_or(if embedded {
            Admission::EMBEDDED_BUDGET
        } else {
            Admission::SERVER_BUDGET
        })
    }
}

impl Default for Admission {
    fn default() -> Self {
        Admission::DEFAULT
    }
}

/// The objects in flight, and the requests waiting for room.
#[derive(Debug)]
pub struct Budget {
    permits: Semaphore,
    objects: u32,
    queue: usize,
    wait: Duration,
    queued: AtomicUsize,
    running: AtomicUsize,
    in_flight: AtomicU64,
    admitted: AtomicU64,
    refused: AtomicU64,
    abandoned: AtomicU64,
}

/// What a [`Budget`] is doing, for tests and people watching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Load {
    /// Requests running now.
    pub running: usize,
    /// Their weight, in objects.
    pub objects: u64,
    /// Requests waiting for room now.
    pub queued: usize,
    /// Requests admitted so far.
    pub admitted: u64,
    /// Requests answered 503 so far (queue full, or waited too long).
    pub refused: u64,
    /// Requests whose client left while they waited.
    pub abandoned: u64,
}

/// A request's room to run: its weight goes back to the budget when this
/// is dropped.
#[must_use = "the request runs while this is held"]
pub struct Admitted<'a> {
    budget: &'a Budget,
    weight: u32,
    _permit: SemaphorePermit<'a>,
}

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        self.budget.running.fetch_sub(1, Ordering::Relaxed);
        self.budget
            .in_flight
            .fetch_sub(u64::from(self.weight), Ordering::Relaxed);
        ::metrics::gauge!(metrics::ADMITTED_OBJECTS).decrement(f64::from(self.weight));
    }
}

/// Why a request was refused without running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overloaded {
    /// As many requests as the queue holds were waiting already.
    QueueFull {
        /// The queue's length.
        queue: usize,
    },
    /// The request waited its longest without room to run.
    Waited {
        /// How long it waited, in milliseconds.
        wait_ms: u64,
    },
}

impl Budget {
    /// A budget as `settings` say, for a database inside the server's
    /// process or not (`embedded`); `None` when admission control is off
    /// (a budget of 0).
    pub fn new(settings: &Admission, embedded: bool) -> Option<Budget> {
        let objects = u32::try_from(settings.budget(embedded)).unwrap_or(u32::MAX);
        (objects > 0).then(|| Budget {
            permits: Semaphore::new(objects as usize),
            objects,
            queue: settings.queue,
            wait: Duration::from_millis(settings.wait_ms),
            queued: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            in_flight: AtomicU64::new(0),
            admitted: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            abandoned: AtomicU64::new(0),
        })
    }

    /// What a request estimated at `objects` takes from the budget: at
    /// least 1, at most all of it (then it runs alone).
    pub fn weight(&self, objects: u64) -> u32 {
        u32::try_from(objects)
            .unwrap_or(u32::MAX)
            .clamp(1, self.objects)
    }

    /// Wait for room to run a request estimated at `objects`, in arrival
    /// order; refused at once when the queue is full, or when the wait
    /// passes its longest. Dropping the future (the client left) gives up
    /// the request's place.
    pub async fn admit(&self, objects: u64) -> Result<Admitted<'_>, Overloaded> {
        let weight = self.weight(objects);
        let permit = match self.permits.try_acquire_many(weight) {
            Ok(permit) => permit,
            Err(_) => {
                let joined = self
                    .queued
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                        (n < self.queue).then_some(n + 1)
                    });
                if joined.is_err() {
                    return Err(self.refuse(Overloaded::QueueFull { queue: self.queue }));
                }
                ::metrics::gauge!(metrics::QUEUED).increment(1.0);
                let mut waiting = Waiting {
                    budget: self,
                    left: true,
                };
                let waited = tokio::time::timeout(self.wait, self.permits.acquire_many(weight));
                let permit = waited.await;
                waiting.left = false;
                drop(waiting);
                match permit {
                    Ok(Ok(permit)) => permit,
                    // The semaphore is never closed; and a wait past its
                    // longest is refused.
                    Ok(Err(_)) | Err(_) => {
                        return Err(self.refuse(Overloaded::Waited {
                            wait_ms: self.wait.as_millis() as u64,
                        }));
                    }
                }
            }
        };
        self.running.fetch_add(1, Ordering::Relaxed);
        self.in_flight
            .fetch_add(u64::from(weight), Ordering::Relaxed);
        self.admitted.fetch_add(1, Ordering::Relaxed);
        ::metrics::gauge!(metrics::ADMITTED_OBJECTS).increment(f64::from(weight));
        Ok(Admitted {
            budget: self,
            weight,
            _permit: permit,
        })
    }

    fn refuse(&self, why: Overloaded) -> Overloaded {
        self.refused.fetch_add(1, Ordering::Relaxed);
        let reason = match why {
            Overloaded::QueueFull { .. } => "queue_full",
            Overloaded::Waited { .. } => "waited",
        };
        ::metrics::counter!(metrics::REFUSED, "reason" => reason).increment(1);
        tracing::debug!(?why, "request refused: overloaded");
        why
    }

    /// What the budget is doing now.
    pub fn load(&self) -> Load {
        Load {
            running: self.running.load(Ordering::Relaxed),
            objects: self.in_flight.load(Ordering::Relaxed),
            queued: self.queued.load(Ordering::Relaxed),
            admitted: self.admitted.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            abandoned: self.abandoned.load(Ordering::Relaxed),
        }
    }

    /// Seconds a refused client should wait before trying again: the
    /// longest wait, rounded up.
    pub fn retry_after(&self) -> u64 {
        self.wait.as_millis().div_ceil(1000).max(1) as u64
    }
}

/// A request's place in the queue, given up when the wait ends or the
/// request is dropped while waiting (`left`: its client went away).
struct Waiting<'a> {
    budget: &'a Budget,
    left: bool,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.budget.queued.fetch_sub(1, Ordering::AcqRel);
        ::metrics::gauge!(metrics::QUEUED).decrement(1.0);
        if self.left {
            self.budget.abandoned.fetch_add(1, Ordering::Relaxed);
            ::metrics::counter!(metrics::ABANDONED).increment(1);
            tracing::debug!("a waiting request's client left; it will not run");
        }
    }
}

impl Overloaded {
    /// The answer: 503, `Retry-After` (`retry_after` seconds) and a GraphQL
    /// error with the code `OVERLOADED`.
    pub fn response(self, media: Media, retry_after: u64) -> Response {
        let why = match self {
            Overloaded::QueueFull { queue } => {
                format!("as many requests as the queue holds ({queue}) are already waiting to run")
            }
            Overloaded::Waited { wait_ms } => {
                format!("the request waited {wait_ms} ms without room to run")
            }
        };
        let mut response = refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            media,
            "OVERLOADED",
            format!(
                "the server is busy: {why}; nothing was run, retry in {retry_after} s (Retry-After)"
            ),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(objects: u64, queue: usize, wait_ms: u64) -> Budget {
        Budget::new(
            &Admission {
                budget: Some(objects),
                queue,
                wait_ms,
            },
            true,
        )
        .expect("a budget")
    }

    #[test]
    fn a_budget_of_0_turns_admission_off_and_none_is_the_database_s_default() {
        let off = Admission {
            budget: Some(0),
            ..Admission::DEFAULT
        };
        assert!(Budget::new(&off, true).is_none());
        assert_eq!(Admission::DEFAULT.budget(true), Admission::EMBEDDED_BUDGET);
        assert_eq!(Admission::DEFAULT.budget(false), Admission::SERVER_BUDGET);
    }

    #[test]
    fn a_weight_is_at_least_1_and_at_most_the_budget() {
        let b = budget(100, 1, 1000);
        assert_eq!(b.weight(0), 1);
        assert_eq!(b.weight(40), 40);
        assert_eq!(b.weight(u64::MAX), 100);
        assert_eq!(b.retry_after(), 1);
        assert_eq!(budget(1, 1, 2001).retry_after(), 3);
    }

    #[tokio::test]
    async fn requests_wait_in_order_and_a_full_queue_refuses_at_once() {
        let b = budget(10, 1, 60_000);
        let first = b.admit(6).await.expect("room");
        let second = b.admit(4).await.expect("room");
        assert_eq!(b.load().objects, 10);
        // A third waits; a fourth finds the queue full.
        let mut third = Box::pin(b.admit(3));
        assert!(futures_poll(&mut third).is_none());
        assert_eq!(b.load().queued, 1);
        assert_eq!(
            b.admit(1).await.err(),
            Some(Overloaded::QueueFull { queue: 1 })
        );
        drop(first);
        let third = third.await.expect("room once the first is done");
        assert_eq!(b.load().queued, 0);
        drop((second, third));
        assert_eq!(
            b.load(),
            Load {
                running: 0,
                objects: 0,
                queued: 0,
                admitted: 3,
                refused: 1,
                abandoned: 0
            }
        );
    }

    #[tokio::test]
    async fn a_wait_past_its_longest_is_refused_and_a_dropped_wait_is_abandoned() {
        let b = budget(1, 5, 200);
        let held = b.admit(1).await.expect("room");
        assert_eq!(
            b.admit(1).await.err(),
            Some(Overloaded::Waited { wait_ms: 200 })
        );
        let mut gone = Box::pin(b.admit(1));
        assert!(futures_poll(&mut gone).is_none());
        drop(gone);
        drop(held);
        let load = b.load();
        assert_eq!((load.queued, load.abandoned, load.admitted), (0, 1, 1));
    }

    /// Poll a future once.
    fn futures_poll<F: std::future::Future + Unpin>(future: &mut F) -> Option<F::Output> {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        match std::pin::Pin::new(future).poll(&mut cx) {
            std::task::Poll::Ready(out) => Some(out),
            std::task::Poll::Pending => None,
        }
    }
}
