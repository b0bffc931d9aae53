//! What one node (one `parley` process) keeps in memory to answer hot requests without
//! rereading what seldom changes: the decisioning engine's view of a point, a tracking
//! key's workspace. Every entry is at most [`STALE_AFTER`] old, so a change made on
//! another node is seen within that; a change made on this node is seen at once, because
//! each writer of what these entries hold calls [`Node::changed`], which makes every
//! entry older than the change stale.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::decisions::live::Learning;

/// How old a cached entry may be.
pub const STALE_AFTER: Duration = Duration::from_secs(1);

/// The most entries one cache holds; past it, the cache is emptied (a cold start, not an
/// error).
const MAX_ENTRIES: usize = 100_000;

/// The per-node state of one [`crate::Parley`] handle (shared by its clones).
#[derive(Debug, Default)]
pub(crate) struct Node {
    /// Bumped by every local change to what a cache holds.
    changes: AtomicU64,
    /// A tracking key's workspace and key ID.
    pub(crate) keys: Cache<String, (crate::WorkspaceId, crate::TrackingKeyId)>,
    /// Decisioning: points' snapshots and the learner's counts not written yet.
    pub(crate) learning: Learning,
}

impl Node {
    /// Makes every entry cached so far stale.
    pub(crate) fn changed(&self) {
        self.changes.fetch_add(1, Ordering::AcqRel);
    }

    /// The count of local changes so far.
    pub(crate) fn generation(&self) -> u64 {
        self.changes.load(Ordering::Acquire)
    }
}

#[derive(Debug)]
struct Entry<V> {
    value: Arc<V>,
    at: Instant,
    generation: u64,
}

/// A map whose entries are fresh for [`STALE_AFTER`] and until the next local change.
#[derive(Debug)]
pub(crate) struct Cache<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
}

impl<K, V> Default for Cache<K, V> {
    fn default() -> Self {
        Cache { entries: Mutex::new(HashMap::new()) }
    }
}

impl<K: Eq + Hash, V> Cache<K, V> {
    /// The fresh entry of `k`, if any; `generation` is the node's now.
    pub(crate) fn get(&self, k: &K, generation: u64) -> Option<Arc<V>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.get(k).filter(|e| e.generation == generation && e.at.elapsed() < STALE_AFTER).map(|e| e.value.clone())
    }

    /// Keeps `v` for `k`, read when the node's generation was `generation`.
    pub(crate) fn put(&self, k: K, v: Arc<V>, generation: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(k, Entry { value: v, at: Instant::now(), generation });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_stale_after_a_local_change() {
        let node = Node::default();
        let c: Cache<&str, i32> = Cache::default();
        c.put("a", Arc::new(1), node.generation());
        assert_eq!(c.get(&"a", node.generation()).as_deref(), Some(&1));
        node.changed();
        assert_eq!(c.get(&"a", node.generation()), None);
        c.put("a", Arc::new(2), node.generation());
        assert_eq!(c.get(&"a", node.generation()).as_deref(), Some(&2));
    }
}
