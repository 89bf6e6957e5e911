//! Answers kept in memory, keyed on the request and the data version.
//!
//! A dashboard asks the same queries again and again; between two imports
//! their answers cannot change. The server keeps the bytes of every answer
//! that had no errors, keyed on the request exactly as it came (the query
//! string of a GET, the body of a POST), the media type it was answered in,
//! and the data version ([`crate::loaders::data_version`]) it was computed at.
//! Each request reads the data version (one small statement) before
//! looking: an import — by this process or any other — raises the version
//! in the transaction that changes the data, so a kept answer is never
//! served once the data it came from has changed.
//!
//! The cache holds at most `--response-cache-mib` of answers (least recently
//! and least often used go first); 0 turns it off.
//!
//! Requests that arrive together share one read of the data version
//! ([`Versions`]): under load, one statement serves every request that was
//! waiting when it started, so a kept answer costs no statement of its own.
//! The same statement brings the links' maxima when the version has moved
//! ([`crate::loaders::version_and_maxima`]): what a request that is not
//! kept is costed against (`super::limits::cost`).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use async_graphql::ErrorExtensions;
use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode};
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use sea_orm::DatabaseConnection;
use tokio::sync::oneshot;

use crate::loaders::Maxima;

/// What a request is kept under.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    /// The data version the answer was computed at.
    pub version: i64,
    /// GET (the query string) or POST (the body): the same bytes mean
    /// different things in each.
    pub get: bool,
    /// The media type the answer was written in (it changes the body).
    pub media: &'static str,
    /// The request as it came.
    pub request: Bytes,
}

/// A kept answer.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The HTTP status it was sent with.
    pub status: StatusCode,
    /// The body, exactly as sent.
    pub body: Bytes,
    /// Its `ETag` (answers to GET).
    pub etag: Option<HeaderValue>,
    /// Its `Content-Disposition` (a CSV's file name).
    pub disposition: Option<HeaderValue>,
}

#[derive(Clone)]
struct Size;

impl Weighter<Key, Entry> for Size {
    fn weight(&self, key: &Key, entry: &Entry) -> u64 {
        // The bytes held, plus the bookkeeping of an entry.
        (key.request.len() + entry.body.len() + 128) as u64
    }
}

/// The answers kept by one server.
pub struct ResponseCache {
    entries: Cache<Key, Entry, Size>,
    /// The largest answer worth keeping: one answer may not push out most
    /// of the others.
    largest: usize,
    /// The newest data version seen: when it moves, everything kept under
    /// older versions is dropped at once instead of aging out.
    newest: AtomicI64,
}

impl ResponseCache {
    /// A cache of at most `mib` MiB; `None` when `mib` is 0 (no caching).
    pub fn new(mib: usize) -> Option<ResponseCache> {
        let bytes = mib.checked_mul(1024 * 1024).filter(|&b| b > 0)?;
        // Expect answers of a few KiB on average.
        let items = (bytes / 4096).max(16);
        Some(ResponseCache {
            entries: Cache::with_weighter(items, bytes as u64, Size),
            largest: bytes / 8,
            newest: AtomicI64::new(i64::MIN),
        })
    }

    /// The answer kept for `key`, if any. Seeing a newer data version than
    /// before empties the cache: nothing kept can be served any more.
    pub fn get(&self, key: &Key) -> Option<Entry> {
        let newest = self.newest.fetch_max(key.version, Ordering::AcqRel);
        if key.version > newest && newest != i64::MIN {
            self.entries.clear();
            return None;
        }
        self.entries.get(key)
    }

    /// Keep an answer, unless it is too large to be worth it or was
    /// computed at a version older than one already seen.
    pub fn insert(&self, key: Key, entry: Entry) {
        if entry.body.len() > self.largest || key.version < self.newest.load(Ordering::Acquire) {
            return;
        }
        self.entries.insert(key, entry);
    }

    /// How many answers are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no answer is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The bytes kept, as weighed.
    pub fn weight(&self) -> u64 {
        self.entries.weight()
    }
}

/// Reads of the data version, shared by the requests waiting for one.
///
/// A request waits for a read that *starts* after it arrived, so it never
/// gets a version older than the data at its arrival: a read in progress
/// serves the requests that were waiting when it started, and those that
/// arrive meanwhile get the next one. The reads run on their own task, so a
/// request that goes away (a client hanging up, a timeout) never strands
/// the others.
pub struct Versions {
    db: DatabaseConnection,
    round: Mutex<Round>,
}

/// The data version, and the links' maxima at it.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The data version.
    pub version: i64,
    /// The links' maxima, as the importer left them at that version.
    pub maxima: Arc<Maxima>,
}

#[derive(Default)]
struct Round {
    reading: bool,
    waiting: Vec<oneshot::Sender<Result<Snapshot, async_graphql::Error>>>,
    /// The last snapshot read: its maxima serve while the version holds.
    last: Option<Snapshot>,
}

impl Versions {
    /// Reads of `db`'s data version.
    pub fn new(db: DatabaseConnection) -> Arc<Versions> {
        Arc::new(Versions {
            db,
            round: Mutex::default(),
        })
    }

    /// The data version now, and the maxima at it: read after this call
    /// started.
    pub async fn current(self: &Arc<Self>) -> Result<Snapshot, async_graphql::Error> {
        let (answer, wait) = oneshot::channel();
        let start = {
            let mut round = self.round.lock().unwrap_or_else(|e| e.into_inner());
            round.waiting.push(answer);
            !std::mem::replace(&mut round.reading, true)
        };
        if start {
            tokio::spawn(self.clone().read());
        }
        wait.await
            .unwrap_or_else(|_| Err(crate::graphql::error::ApiError::Internal.extend()))
    }

    /// Read for everyone waiting, round after round, until no one waits.
    async fn read(self: Arc<Self>) {
        loop {
            let (waiting, known) = {
                let mut round = self.round.lock().unwrap_or_else(|e| e.into_inner());
                if round.waiting.is_empty() {
                    round.reading = false;
                    return;
                }
                let known = round.last.as_ref().map(|last| last.version);
                (std::mem::take(&mut round.waiting), known)
            };
            let read = crate::loaders::version_and_maxima(&self.db, known).await;
            let snapshot = {
                let mut round = self.round.lock().unwrap_or_else(|e| e.into_inner());
                read.map(|(version, maxima)| {
                    let maxima = maxima
                        .or_else(|| round.last.as_ref().map(|last| last.maxima.clone()))
                        .unwrap_or_default();
                    let snapshot = Snapshot { version, maxima };
                    round.last = Some(snapshot.clone());
                    snapshot
                })
                .map_err(async_graphql::Error::from)
            };
            for answer in waiting {
                let _ = answer.send(snapshot.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(version: i64, request: &'static str) -> Key {
        Key {
            version,
            get: false,
            media: "application/json",
            request: Bytes::from_static(request.as_bytes()),
        }
    }

    fn entry(body: &'static str) -> Entry {
        Entry {
            status: StatusCode::OK,
            body: Bytes::from_static(body.as_bytes()),
            etag: None,
            disposition: None,
        }
    }

    #[test]
    fn an_answer_is_served_again_only_at_the_same_version() {
        let cache = ResponseCache::new(1).expect("a cache");
        assert!(cache.get(&key(1, "{a}")).is_none());
        cache.insert(key(1, "{a}"), entry("A"));
        assert_eq!(cache.get(&key(1, "{a}")).expect("kept").body, "A");
        assert!(cache.get(&key(1, "{b}")).is_none(), "another request");
        let other_method = Key {
            get: true,
            ..key(1, "{a}")
        };
        assert!(cache.get(&other_method).is_none(), "the same bytes by GET");

        assert!(cache.get(&key(2, "{a}")).is_none(), "the data changed");
        assert!(cache.is_empty(), "a newer version empties the cache");
        cache.insert(key(1, "{a}"), entry("stale"));
        assert!(
            cache.is_empty(),
            "an answer of an older version is not kept"
        );
        cache.insert(key(2, "{a}"), entry("A2"));
        assert_eq!(cache.get(&key(2, "{a}")).expect("kept").body, "A2");
    }

    #[test]
    fn it_holds_at_most_its_size_and_no_single_huge_answer() {
        assert!(ResponseCache::new(0).is_none(), "0 MiB turns caching off");
        let cache = ResponseCache::new(1).expect("a cache");
        let huge = Entry {
            body: Bytes::from(vec![b'x'; 200 * 1024]),
            ..entry("")
        };
        cache.insert(key(1, "{huge}"), huge);
        assert!(cache.is_empty(), "an answer over an eighth of the cache");
        for i in 0..100 {
            let body = Bytes::from(vec![b'x'; 50 * 1024]);
            let request = Bytes::from(format!("{{q{i}}}"));
            cache.insert(
                Key {
                    request,
                    ..key(1, "")
                },
                Entry { body, ..entry("") },
            );
        }
        assert!(cache.weight() <= 1024 * 1024, "{} bytes", cache.weight());
        assert!(cache.len() >= 10, "{} answers kept", cache.len());
    }
}
