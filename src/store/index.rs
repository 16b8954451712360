//! An ordered index of string keys that answers "the keys at positions i..i+n" and "the keys
//! after k" in O(number of chunks + n), not O(i): a sorted list of sorted chunks, so a page deep
//! into a million keys costs about what the first page costs.
//!
//! Inserts are buffered: they append to a pending list, which the next read (or remove) sorts and
//! merges in. One key at a time that is a binary search and a chunk insert; a million keys
//! inserted by a seed before anything reads them are one sort and one pass that cuts the merged
//! keys into chunks, instead of a million random inserts into a growing structure.
//!
//! Reads take a shared lock only while copying a batch of keys out; writes hold the exclusive lock
//! for one push (an insert) or one merge and one chunk removal (a remove).
//!
//! Keys are `Arc<str>`: a table hands the index the key its row map holds, so the two share one
//! copy of each key instead of two `String`s.

use std::ops::Bound;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

const CHUNK: usize = 512;

/// Keys a walk reads in its first batch, and in each later one.
const FIRST_BATCH: usize = 128;
const BATCH: usize = 256;

/// Pending keys up to this many are merged one by one; more are merged in one pass.
const MERGE_ONE_BY_ONE: usize = 64;

#[derive(Debug, Default)]
struct Keys {
    chunks: Vec<Vec<Arc<str>>>,
    /// Inserted keys not merged yet, in insertion order, maybe repeated or already in `chunks`.
    pending: Vec<Arc<str>>,
}

impl Keys {
    /// Merges the pending keys into the chunks.
    fn merge(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut pending = std::mem::take(&mut self.pending);
        sort_keys(&mut pending);
        pending.dedup();
        if pending.len() <= MERGE_ONE_BY_ONE {
            for key in pending {
                self.insert_one(key);
            }
            return;
        }
        let total = self.chunks.iter().map(Vec::len).sum::<usize>() + pending.len();
        let mut merged = Vec::with_capacity(total);
        let mut old = std::mem::take(&mut self.chunks)
            .into_iter()
            .flatten()
            .peekable();
        let mut new = pending.into_iter().peekable();
        loop {
            let next = match (old.peek(), new.peek()) {
                (Some(a), Some(b)) if a == b => {
                    new.next();
                    old.next()
                }
                (Some(a), Some(b)) if a < b => old.next(),
                (Some(_), Some(_)) | (None, Some(_)) => new.next(),
                (Some(_), None) => old.next(),
                (None, None) => break,
            };
            merged.extend(next);
        }
        let mut merged = merged.into_iter();
        loop {
            let chunk: Vec<Arc<str>> = merged.by_ref().take(CHUNK).collect();
            if chunk.is_empty() {
                break;
            }
            self.chunks.push(chunk);
        }
    }

    fn insert_one(&mut self, key: Arc<str>) {
        let chunks = &mut self.chunks;
        if chunks.is_empty() {
            chunks.push(vec![key]);
            return;
        }
        let (c, found) = locate(chunks, &key);
        let Err(at) = found else { return };
        chunks[c].insert(at, key);
        if chunks[c].len() >= 2 * CHUNK {
            let tail = chunks[c].split_off(CHUNK);
            chunks.insert(c + 1, tail);
        }
    }
}

/// Keys up to this many are sorted by comparing them whole.
const SORT_BY_PREFIX_FROM: usize = 4096;

/// Sorts keys in byte order. Many keys (a seed's) are sorted by their first 32 bytes, read once
/// into two numbers next to the key, and compared whole only where those are equal: comparing
/// the keys themselves reads each one from wherever it lives, a cache miss per comparison at a
/// million keys (and ids such as `google-oauth2|1…` share their first 16 bytes). Zero-padding
/// keeps the order: a key shorter than 32 bytes ties with every key it is a prefix of followed by
/// zero bytes, and the whole comparison decides.
fn sort_keys(keys: &mut Vec<Arc<str>>) {
    if keys.len() < SORT_BY_PREFIX_FROM || keys.is_sorted() {
        keys.sort_unstable();
        return;
    }
    let prefix = |key: &str| {
        let mut bytes = [0u8; 32];
        let n = key.len().min(32);
        bytes[..n].copy_from_slice(&key.as_bytes()[..n]);
        let (high, low) = bytes.split_at(16);
        let number = |half: &[u8]| u128::from_be_bytes(half.try_into().unwrap_or_default());
        (number(high), number(low))
    };
    let mut tagged: Vec<((u128, u128), Arc<str>)> =
        keys.drain(..).map(|k| (prefix(&k), k)).collect();
    tagged.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    keys.extend(tagged.into_iter().map(|(_, key)| key));
}

#[derive(Debug, Default)]
pub struct OrderedIndex {
    keys: RwLock<Keys>,
}

/// Where `key` is or would be: (chunk, position in chunk).
fn locate(chunks: &[Vec<Arc<str>>], key: &str) -> (usize, Result<usize, usize>) {
    if chunks.is_empty() {
        return (0, Err(0));
    }
    let c = chunks
        .partition_point(|chunk| chunk.last().is_some_and(|last| &**last < key))
        .min(chunks.len() - 1);
    (c, chunks[c].binary_search_by(|k| (**k).cmp(key)))
}

/// The merged chunks, read.
struct Chunks<'a>(RwLockReadGuard<'a, Keys>);

impl std::ops::Deref for Chunks<'_> {
    type Target = Vec<Vec<Arc<str>>>;

    fn deref(&self) -> &Self::Target {
        &self.0.chunks
    }
}

impl OrderedIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// The chunks with every insert made before the call merged in.
    fn read(&self) -> Chunks<'_> {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        if keys.pending.is_empty() {
            return Chunks(keys);
        }
        drop(keys);
        drop(self.write());
        Chunks(self.keys.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// The keys, exclusively, with the pending ones merged in.
    fn write(&self) -> RwLockWriteGuard<'_, Keys> {
        let mut keys = self.keys.write().unwrap_or_else(|e| e.into_inner());
        keys.merge();
        keys
    }

    /// Merges the keys inserted so far now rather than at the next read (the end of a seed).
    pub fn settle(&self) {
        drop(self.write());
    }

    pub fn len(&self) -> usize {
        self.read().iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.read().iter().all(Vec::is_empty)
    }

    /// Adds a key (again: no effect), merged in at the next read.
    pub fn insert(&self, key: impl Into<Arc<str>>) {
        self.keys
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .pending
            .push(key.into());
    }

    /// Removes a key; false when it was not there.
    pub fn remove(&self, key: &str) -> bool {
        let mut keys = self.write();
        let chunks = &mut keys.chunks;
        let (c, found) = locate(chunks, key);
        let Ok(at) = found else { return false };
        chunks[c].remove(at);
        if chunks[c].is_empty() {
            chunks.remove(c);
        }
        true
    }

    /// How many keys sort strictly before `key`: its position, or where it would be.
    pub fn rank(&self, key: &str) -> usize {
        let chunks = self.read();
        let (c, found) = locate(&chunks[..], key);
        let at = match found {
            Ok(i) | Err(i) => i,
        };
        chunks[..c.min(chunks.len())]
            .iter()
            .map(Vec::len)
            .sum::<usize>()
            + at
    }

    /// Keys from `first` (inclusive) on, ascending, read in batches.
    pub fn iter_from<'a>(&'a self, first: &str) -> impl Iterator<Item = String> + use<'a> {
        self.walk(Bound::Included(first), false)
            .map(|key| key.to_string())
    }

    /// The key at a position of the order (or of the reverse order), if any.
    pub fn get(&self, position: usize, descending: bool) -> Option<String> {
        self.range(position, 1, descending).pop()
    }

    /// Up to `limit` keys from `offset` in ascending (or descending) order.
    pub fn range(&self, offset: usize, limit: usize, descending: bool) -> Vec<String> {
        let keys = self.range_shared(offset, limit, descending);
        keys.iter().map(|k| k.to_string()).collect()
    }

    /// [`OrderedIndex::range`] as the index's own shared keys: no copy of a key's text.
    pub fn range_shared(&self, offset: usize, limit: usize, descending: bool) -> Vec<Arc<str>> {
        let chunks = self.read();
        let total: usize = chunks.iter().map(Vec::len).sum();
        if offset >= total || limit == 0 {
            return Vec::new();
        }
        // Positions in ascending order that the window covers.
        let (start, end) = if descending {
            let end = total - offset;
            (end.saturating_sub(limit), end)
        } else {
            (offset, (offset + limit).min(total))
        };
        let mut keys = Vec::with_capacity(end - start);
        let mut base = 0;
        for chunk in chunks.iter() {
            let next = base + chunk.len();
            if next > start && base < end {
                let from = start.saturating_sub(base);
                let to = (end - base).min(chunk.len());
                keys.extend(chunk[from..to].iter().cloned());
            }
            if next >= end {
                break;
            }
            base = next;
        }
        if descending {
            keys.reverse();
        }
        keys
    }

    /// Up to `limit` keys beyond `from` (exclusive or inclusive), walking up or down.
    pub fn batch(&self, from: Bound<&str>, limit: usize, descending: bool) -> Vec<String> {
        let keys = self.batch_shared(from, limit, descending);
        keys.iter().map(|k| k.to_string()).collect()
    }

    /// [`OrderedIndex::batch`] as the index's own shared keys.
    pub fn batch_shared(&self, from: Bound<&str>, limit: usize, descending: bool) -> Vec<Arc<str>> {
        let chunks = self.read();
        let mut keys = Vec::with_capacity(limit.min(CHUNK));
        if descending {
            let (mut c, mut at) = match from {
                Bound::Unbounded => (chunks.len(), 0),
                Bound::Included(k) | Bound::Excluded(k) => {
                    let (c, found) = locate(&chunks[..], k);
                    let at = match (found, from) {
                        (Ok(i), Bound::Included(_)) => i + 1,
                        (Ok(i), _) | (Err(i), _) => i,
                    };
                    (c + 1, at)
                }
            };
            if matches!(from, Bound::Unbounded) {
                at = chunks.last().map_or(0, Vec::len);
            }
            while c > 0 && keys.len() < limit {
                let chunk = &chunks[c - 1];
                let take = at.min(chunk.len());
                for key in chunk[..take].iter().rev().take(limit - keys.len()) {
                    keys.push(key.clone());
                }
                c -= 1;
                at = if c > 0 { chunks[c - 1].len() } else { 0 };
            }
        } else {
            let (mut c, mut at) = match from {
                Bound::Unbounded => (0, 0),
                Bound::Included(k) | Bound::Excluded(k) => {
                    let (c, found) = locate(&chunks[..], k);
                    let at = match (found, from) {
                        (Ok(i), Bound::Excluded(_)) => i + 1,
                        (Ok(i), _) | (Err(i), _) => i,
                    };
                    (c, at)
                }
            };
            while c < chunks.len() && keys.len() < limit {
                let chunk = &chunks[c];
                let rest = &chunk[at.min(chunk.len())..];
                keys.extend(rest.iter().take(limit - keys.len()).cloned());
                c += 1;
                at = 0;
            }
        }
        keys
    }

    /// Every key in order, read in batches so writers are never blocked for long.
    pub fn iter(&self, descending: bool) -> impl Iterator<Item = String> + '_ {
        self.iter_shared(descending).map(|key| key.to_string())
    }

    /// [`OrderedIndex::iter`] as the index's own shared keys: a listing that only looks rows up
    /// by key copies no key's text.
    pub fn iter_shared(&self, descending: bool) -> impl Iterator<Item = Arc<str>> + '_ {
        self.walk(Bound::Unbounded, descending)
    }

    /// Keys strictly after `after`, ascending, in batches.
    pub fn iter_after<'a>(&'a self, after: &str) -> impl Iterator<Item = String> + use<'a> {
        self.iter_after_shared(after).map(|key| key.to_string())
    }

    /// [`OrderedIndex::iter_after`] as the index's own shared keys.
    pub fn iter_after_shared<'a>(
        &'a self,
        after: &str,
    ) -> impl Iterator<Item = Arc<str>> + use<'a> {
        self.walk(Bound::Excluded(after), false)
    }

    /// Keys beyond `from`, up or down, read a batch at a time: the first batch is small (a page
    /// of a listing seldom needs more), the later ones larger. The walk resumes after the last
    /// key of the batch before, so it stays valid while keys come and go.
    fn walk<'a>(
        &'a self,
        from: Bound<&str>,
        descending: bool,
    ) -> impl Iterator<Item = Arc<str>> + use<'a> {
        let mut from: Bound<Arc<str>> = match from {
            Bound::Included(k) => Bound::Included(k.into()),
            Bound::Excluded(k) => Bound::Excluded(k.into()),
            Bound::Unbounded => Bound::Unbounded,
        };
        let mut buffer = std::vec::IntoIter::default();
        let mut size = FIRST_BATCH;
        let mut done = false;
        std::iter::from_fn(move || {
            if buffer.len() == 0 && !done {
                let batch = self.batch_shared(
                    match &from {
                        Bound::Included(k) => Bound::Included(&**k),
                        Bound::Excluded(k) => Bound::Excluded(&**k),
                        Bound::Unbounded => Bound::Unbounded,
                    },
                    size,
                    descending,
                );
                done = batch.len() < size;
                if let Some(last) = batch.last() {
                    from = Bound::Excluded(last.clone());
                }
                size = BATCH;
                buffer = batch.into_iter();
            }
            buffer.next()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(n: usize) -> OrderedIndex {
        let index = OrderedIndex::new();
        // Insert out of order, enough to split chunks several times.
        for i in (0..n).rev() {
            index.insert(format!("k{i:06}"));
            if i % 1_000 == 0 {
                // Reads between inserts: merges of one key and of many.
                assert_eq!(index.len(), n - i);
            }
        }
        index
    }

    #[test]
    fn positions_windows_and_batches_agree_with_a_sorted_list() {
        let n = 5_000;
        let index = filled(n);
        let sorted: Vec<String> = (0..n).map(|i| format!("k{i:06}")).collect();
        assert_eq!(index.len(), n);
        index.insert("k000007");
        assert_eq!(index.len(), n);
        assert_eq!(index.range(0, 3, false), sorted[0..3]);
        assert_eq!(index.range(2_600, 20, false), sorted[2_600..2_620]);
        assert_eq!(index.range(4_990, 20, false), sorted[4_990..]);
        let down: Vec<String> = sorted.iter().rev().skip(1_000).take(20).cloned().collect();
        assert_eq!(index.range(1_000, 20, true), down);
        assert_eq!(index.get(4_999, false).as_deref(), Some("k004999"));
        assert_eq!(index.get(0, true).as_deref(), Some("k004999"));
        assert!(index.range(n, 5, false).is_empty());
        assert_eq!(index.iter(false).collect::<Vec<_>>(), sorted);
        assert_eq!(
            index.iter(true).collect::<Vec<_>>(),
            sorted.iter().rev().cloned().collect::<Vec<_>>()
        );
        assert_eq!(
            index.iter_after("k004997").collect::<Vec<_>>(),
            ["k004998", "k004999"]
        );
        assert_eq!(
            index.iter_after("k0012345").next().as_deref(),
            Some("k001235")
        );
    }

    #[test]
    fn ranks_and_iteration_from_a_key_agree_with_a_sorted_list() {
        let index = filled(3_000);
        assert_eq!(index.rank("k000000"), 0);
        assert_eq!(index.rank("k001500"), 1_500);
        assert_eq!(index.rank("k0015005"), 1_501);
        assert_eq!(index.rank("z"), 3_000);
        assert_eq!(OrderedIndex::new().rank("a"), 0);
        let from: Vec<String> = index.iter_from("k002990").collect();
        assert_eq!(from.len(), 10);
        assert_eq!(from[0], "k002990");
        assert_eq!(
            index.iter_from("k0012345").next().as_deref(),
            Some("k001235")
        );
        assert_eq!(index.iter_from("a").count(), 3_000);
    }

    #[test]
    fn merges_of_many_pending_keys_keep_one_sorted_copy_of_each() {
        let index = OrderedIndex::new();
        let mut want = std::collections::BTreeSet::new();
        // Batches larger and smaller than a one-by-one merge, with keys repeated inside a batch
        // and keys already merged, read after each batch.
        for (round, size) in [3_000usize, 10, 2_000, 1, 700].into_iter().enumerate() {
            for i in 0..size {
                let key = format!("k{:05}", (i * 7_919 + round * 13) % 4_000);
                want.insert(key.clone());
                index.insert(key.clone());
                if i % 5 == 0 {
                    index.insert(key);
                }
            }
            let all: Vec<String> = index.iter(false).collect();
            assert_eq!(
                all,
                want.iter().cloned().collect::<Vec<_>>(),
                "round {round}"
            );
            assert_eq!(index.len(), want.len());
        }
        assert!(index.remove("k00000") == want.contains("k00000"));
    }

    /// Keys sorted by their 32-byte prefixes first come out in the order of a plain sort,
    /// keys shorter than a prefix, with zero bytes and sharing long prefixes included.
    #[test]
    fn many_keys_sort_as_a_plain_sort_does() {
        let mut keys: Vec<Arc<str>> = (0..20_000u32)
            .map(|i| {
                let stem = [
                    "",
                    "a",
                    "ab",
                    "2026-01-01\u{0}a",
                    "2026-01-01\u{0}abcdefgh",
                    "google-oauth2|10000000000000000",
                ][i as usize % 6];
                let tail = match i % 4 {
                    0 => String::new(),
                    1 => "\u{0}".repeat((i % 3) as usize),
                    2 => format!("{}", i.wrapping_mul(2_654_435_761) % 1_000),
                    _ => format!("x{i}"),
                };
                Arc::from(format!("{stem}{tail}"))
            })
            .collect();
        let mut plain = keys.clone();
        plain.sort_unstable();
        sort_keys(&mut keys);
        assert_eq!(keys, plain);
    }

    #[test]
    fn removals_keep_the_order() {
        let index = filled(2_000);
        for i in (0..2_000).step_by(2) {
            assert!(index.remove(&format!("k{i:06}")));
        }
        assert!(!index.remove("k000000"));
        assert_eq!(index.len(), 1_000);
        assert_eq!(index.range(0, 2, false), ["k000001", "k000003"]);
        assert_eq!(index.range(0, 2, true), ["k001999", "k001997"]);
        let all: Vec<String> = index.iter(false).collect();
        assert!(all.windows(2).all(|w| w[0] < w[1]) && all.len() == 1_000);
    }
}
