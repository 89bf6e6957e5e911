//! Batching: a request's data loader and the driver that runs its batches on
//! the request's own task, so one level of a response is one batch.

use std::sync::Arc;

use std::any::TypeId;
use std::hash::Hash;

use async_graphql::dataloader::{CacheFactory, CacheStorage, DataLoader, HashMapCache, NoCache};
use sea_orm::DatabaseConnection;

use super::Db;
use super::by_id::is_by_id;

/// A request's data loader.
pub type RequestLoader = DataLoader<Db, RowsById>;

/// What a request's loader keeps: the rows it read by id (a servicio's
/// partida, a ficha's servicio, a servicio's ficha; `super::by_id::is_by_id`
/// names them), so one a resolver already has — read with
/// the row that links to it — is not read again
/// ([`DataLoader::feed_one`]). Pages are not kept: each list field asks
/// for its own, once.
pub struct RowsById;

impl CacheFactory for RowsById {
    fn create<K, V>(&self) -> Box<dyn CacheStorage<Key = K, Value = V>>
    where
        K: Send + Sync + Clone + Eq + Hash + 'static,
        V: Send + Sync + Clone + 'static,
    {
        if is_by_id(TypeId::of::<K>()) {
            HashMapCache::default().create()
        } else {
            NoCache.create()
        }
    }
}

/// The most keys one statement serves. Far above any page a request may
/// ask for, and under the bind-parameter limits of SQLite and PostgreSQL.
const MAX_BATCH: usize = 20_000;

/// A request's data loader, and the batches it starts.
///
/// The batches do not run as tasks of their own: they are handed to
/// [`Batches`], which the request drives on its own task, beside the
/// execution. So a batch can only start once the execution has yielded —
/// after every sibling field of a level has asked for its key — however
/// long that level takes to resolve and whatever the runtime's threads do.
/// One level is one batch, deterministically, without waiting on a timer.
pub fn data_loader(db: DatabaseConnection) -> (RequestLoader, Batches) {
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
    let loader = DataLoader::with_cache(
        Db { db },
        move |batch| {
            // The receiver lives as long as the request; a send can only fail
            // once the request is over, when nobody waits for the batch.
            let _ = sender.send(batch);
        },
        RowsById,
    )
    .max_batch_size(MAX_BATCH)
    .delay(std::time::Duration::ZERO);
    (loader, Batches { receiver })
}

/// A request's execution went past its deadline ([`Batches::drive`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overdue;

/// The batches of a request's data loader, run by [`Batches::drive`].
pub struct Batches {
    receiver: tokio::sync::mpsc::UnboundedReceiver<futures_util::future::BoxFuture<'static, ()>>,
}

impl Batches {
    /// Run `work` (the request's execution), running the batches it starts
    /// on the same task — each only once `work` is waiting on loads, not
    /// while it is still walking a level (a long list yields to the
    /// executor midway, and a batch started then would miss the rest).
    ///
    /// Past `deadline`, no more batches start: the execution stops with
    /// [`Overdue`]. A timer around the request cannot do it alone: when
    /// each level's statement has answered before the level is resolved
    /// (SQLite's thread is fast), the request never waits, the runtime
    /// never turns to its timers, and the whole walk ran in one poll.
    pub async fn drive<T>(
        mut self,
        work: impl std::future::Future<Output = T>,
        deadline: std::time::Instant,
    ) -> Result<T, Overdue> {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::task::{Context, Poll};

        use futures_util::StreamExt;
        use futures_util::task::{ArcWake, AtomicWaker};

        /// Wakes the request's task, noting that `work` asked to be polled.
        #[derive(Default)]
        struct Flag {
            woken: AtomicBool,
            task: AtomicWaker,
        }
        impl ArcWake for Flag {
            fn wake_by_ref(flag: &Arc<Self>) {
                flag.woken.store(true, Ordering::SeqCst);
                flag.task.wake();
            }
        }

        let mut work = std::pin::pin!(work);
        let mut running = futures_util::stream::FuturesUnordered::new();
        let flag = Arc::new(Flag::default());
        let waker = futures_util::task::waker(flag.clone());
        std::future::poll_fn(move |cx| {
            flag.task.register(cx.waker());
            loop {
                flag.woken.store(false, Ordering::SeqCst);
                if let Poll::Ready(output) = work.as_mut().poll(&mut Context::from_waker(&waker)) {
                    return Poll::Ready(Ok(output));
                }
                if flag.woken.load(Ordering::SeqCst) {
                    // `work` yielded with more to do: let it finish the level.
                    continue;
                }
                if std::time::Instant::now() >= deadline {
                    return Poll::Ready(Err(Overdue));
                }
                while let Ok(batch) = self.receiver.try_recv() {
                    running.push(batch);
                }
                match running.poll_next_unpin(cx) {
                    // A batch finished: the fields waiting on it go on.
                    Poll::Ready(Some(())) => continue,
                    _ if flag.woken.load(Ordering::SeqCst) => continue,
                    _ => return Poll::Pending,
                }
            }
        })
        .await
    }
}
