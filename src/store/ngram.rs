//! A trigram index for case-insensitive substring filters: which keys may have a text that
//! contains a needle, without reading every row.
//!
//! Every text is lower-cased (`str::to_lowercase`) and padded with two NUL bytes at its end; each
//! distinct byte trigram of it lists the ordinals of the keys whose texts hold it ([`Postings`]:
//! the gaps between ordinals as varints, mostly one byte an entry instead of four). A lower-case
//! needle of three bytes or more can only be in a text holding all of its trigrams (the
//! intersection of their lists); a shorter needle is the prefix of some trigram of every text
//! holding it (the padding sees to that at the end of a text), so its candidates are the union of
//! the lists of the trigrams it starts. Either way the candidates are a superset of the matches:
//! the owner checks each against its row, as it would in a scan.
//!
//! The index only grows: a key added again (a replaced row) gets a new ordinal, and a removed key
//! keeps its old ones, so candidates can name keys that no longer hold the needle or no longer
//! exist (the owner's check drops them) and the same key twice (`candidates` returns each key
//! once). [`NgramIndex::garbage`] says how much of it no longer belongs to a live row; the owner
//! rebuilds it from its table when that grows too large.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, RwLock};

/// A trigram as a number: its three bytes, big-endian, so trigrams sharing a prefix are adjacent.
type Trigram = u32;

fn trigram(bytes: &[u8]) -> Trigram {
    u32::from(bytes[0]) << 16 | u32::from(bytes[1]) << 8 | u32::from(bytes[2])
}

/// Hashes the `u32` trigrams the map is keyed by: one multiplication, its high bits folded into
/// the low ones the table picks buckets by (SipHash would cost more than the rest of an insert).
#[derive(Default)]
struct TrigramHasher(u64);

impl Hasher for TrigramHasher {
    fn finish(&self) -> u64 {
        let h = self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h ^ (h >> 29)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0 << 8 | u64::from(b);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n);
    }
}

/// Ordinals in a block of a posting list: a membership test decodes at most this many gaps.
const BLOCK: u32 = 64;

/// One trigram's ordinals, ascending, in blocks of [`BLOCK`]: a block's first ordinal is kept
/// aside with the offset of the block's bytes, the others are the gaps to the ordinal before them
/// as LEB128 varints. A trigram that many users hold (`exa`, `son`) has gaps under 128, one byte
/// an entry; a `Vec<u32>` took four.
#[derive(Debug, Default)]
struct Postings {
    bytes: Vec<u8>,
    /// Each block's first ordinal and where its gaps start in `bytes`.
    blocks: Vec<(u32, u32)>,
    len: u32,
    last: u32,
}

impl Postings {
    fn len(&self) -> usize {
        self.len as usize
    }

    fn last(&self) -> Option<u32> {
        (self.len > 0).then_some(self.last)
    }

    /// Appends an ordinal greater than every one listed.
    fn push(&mut self, ordinal: u32) {
        debug_assert!(self.last().is_none_or(|last| last < ordinal));
        if self.len.is_multiple_of(BLOCK) {
            let at = u32::try_from(self.bytes.len()).expect("a posting list under 4 GiB");
            self.blocks.push((ordinal, at));
        } else {
            let mut gap = ordinal - self.last;
            while gap >= 0x80 {
                self.bytes.push(gap as u8 | 0x80);
                gap >>= 7;
            }
            self.bytes.push(gap as u8);
        }
        self.last = ordinal;
        self.len += 1;
    }

    fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.blocks.shrink_to_fit();
    }

    /// The ordinals of block `b`, ascending.
    fn block(&self, b: usize) -> impl Iterator<Item = u32> + '_ {
        let (first, start) = self.blocks[b];
        let end = self
            .blocks
            .get(b + 1)
            .map_or(self.bytes.len(), |&(_, at)| at as usize);
        let mut bytes = self.bytes[start as usize..end].iter();
        let mut current = Some(first);
        std::iter::from_fn(move || {
            let this = current?;
            current = (|| {
                let (mut gap, mut shift) = (0u32, 0);
                loop {
                    let byte = *bytes.next()?;
                    gap |= u32::from(byte & 0x7f) << shift;
                    if byte < 0x80 {
                        return Some(this + gap);
                    }
                    shift += 7;
                }
            })();
            Some(this)
        })
    }

    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.blocks.len()).flat_map(|b| self.block(b))
    }

    fn contains(&self, ordinal: u32) -> bool {
        let b = self.blocks.partition_point(|&(first, _)| first <= ordinal);
        b > 0
            && self
                .block(b - 1)
                .take_while(|&o| o <= ordinal)
                .any(|o| o == ordinal)
    }
}

#[derive(Debug, Default)]
struct Inner {
    /// The key of each ordinal (the owner's table may hold the same `Arc`).
    keys: Vec<Arc<str>>,
    /// Trigram → ordinals of the keys whose texts hold it, ascending (ordinals only grow).
    postings: Lists,
}

/// Trigrams of three ASCII bytes (nearly all of them) in one table of 2²¹ slots.
const ASCII_TRIGRAMS: usize = 1 << 21;

/// The posting list of each trigram. A trigram of ASCII bytes finds its list by its place in a
/// table (allocated zeroed at the first trigram, so only the pages of trigrams met are ever
/// touched), the others through a hash map: a seed looks up some eighty trigrams per user, and a
/// table read costs a fraction of a hash-map probe.
#[derive(Debug, Default)]
struct Lists {
    /// Per ASCII trigram, one more than the index of its list in `lists`; 0: no list.
    ascii: Option<Box<[u32; ASCII_TRIGRAMS]>>,
    other: HashMap<Trigram, u32, BuildHasherDefault<TrigramHasher>>,
    lists: Vec<Postings>,
}

impl Lists {
    /// The table slot of a trigram of three ASCII bytes.
    #[inline]
    fn ascii_slot(t: Trigram) -> Option<usize> {
        (t & 0xff80_8080 == 0).then_some(
            ((((t >> 16) & 0x7f) << 14) | (((t >> 8) & 0x7f) << 7) | (t & 0x7f)) as usize,
        )
    }

    /// One more than the index of the trigram's list; 0: no list.
    #[inline]
    fn find(&self, t: Trigram) -> u32 {
        match (Self::ascii_slot(t), &self.ascii) {
            (Some(slot), Some(table)) => table[slot],
            (Some(_), None) => 0,
            (None, _) => self.other.get(&t).copied().unwrap_or(0),
        }
    }

    fn get(&self, t: Trigram) -> Option<&Postings> {
        let at = self.find(t);
        at.checked_sub(1).map(|i| &self.lists[i as usize])
    }

    #[inline]
    fn get_or_insert(&mut self, t: Trigram) -> &mut Postings {
        let at = match self.find(t) {
            0 => self.insert(t),
            at => at,
        };
        &mut self.lists[at as usize - 1]
    }

    /// Starts the list of a trigram that has none.
    #[cold]
    fn insert(&mut self, t: Trigram) -> u32 {
        let at = u32::try_from(self.lists.len() + 1).expect("fewer than 2³² trigrams");
        self.lists.push(Postings::default());
        match Self::ascii_slot(t) {
            Some(slot) => {
                let table = self.ascii.get_or_insert_with(|| {
                    vec![0; ASCII_TRIGRAMS]
                        .into_boxed_slice()
                        .try_into()
                        .expect("a table of ASCII_TRIGRAMS slots")
                });
                table[slot] = at;
            }
            None => {
                self.other.insert(t, at);
            }
        }
        at
    }

    fn shrink_to_fit(&mut self) {
        self.lists.iter_mut().for_each(Postings::shrink_to_fit);
        self.lists.shrink_to_fit();
    }
}

impl Inner {
    fn add<'t>(
        &mut self,
        key: Arc<str>,
        texts: impl IntoIterator<Item = &'t str>,
        scratch: &mut Vec<u8>,
    ) {
        let Ok(ordinal) = u32::try_from(self.keys.len()) else {
            return;
        };
        self.keys.push(key);
        for text in texts {
            scratch.clear();
            // ASCII (nearly every id, name and email) is lower-cased without a new string.
            if text.is_ascii() {
                scratch.extend(text.bytes().map(|b| b.to_ascii_lowercase()));
            } else {
                scratch.extend_from_slice(text.to_lowercase().as_bytes());
            }
            scratch.extend_from_slice(&[0, 0]);
            for window in scratch.windows(3) {
                let list = self.postings.get_or_insert(trigram(window));
                // A trigram met again in the same row's texts is listed once.
                if list.last() != Some(ordinal) {
                    list.push(ordinal);
                }
            }
        }
    }

    /// The posting lists whose union (needle shorter than a trigram) or intersection (the
    /// others) holds the candidates, and which of the two it is.
    fn lists(&self, needle: &[u8]) -> (Vec<&Postings>, bool) {
        let get = |t: Trigram| self.postings.get(t);
        match needle.len() {
            0 => (Vec::new(), false),
            1 | 2 => {
                let (prefix, free) = if needle.len() == 1 {
                    (u32::from(needle[0]) << 16, 0xffff)
                } else {
                    (u32::from(needle[0]) << 16 | u32::from(needle[1]) << 8, 0xff)
                };
                let lists = (0..=free).filter_map(|rest| get(prefix | rest)).collect();
                (lists, true)
            }
            _ => {
                let mut trigrams: Vec<Trigram> = needle.windows(3).map(trigram).collect();
                trigrams.sort_unstable();
                trigrams.dedup();
                let lists: Option<Vec<&Postings>> = trigrams.into_iter().map(get).collect();
                let mut lists = lists.unwrap_or_default();
                lists.sort_by_key(|l| l.len());
                (lists, false)
            }
        }
    }
}

/// Ordinals in every list (each ascending), ascending.
fn intersect(lists: &[&Postings]) -> Vec<u32> {
    let Some((first, rest)) = lists.split_first() else {
        return Vec::new();
    };
    first
        .iter()
        .filter(|&o| rest.iter().all(|list| list.contains(o)))
        .collect()
}

#[derive(Debug, Default)]
pub struct NgramIndex {
    inner: RwLock<Inner>,
}

impl NgramIndex {
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Indexes the texts of a (new or replaced) row.
    pub fn add(&self, key: impl Into<Arc<str>>, texts: &[&str]) {
        self.write()
            .add(key.into(), texts.iter().copied(), &mut Vec::new());
    }

    /// Indexes the texts of many rows in turn, as `add` of each would, under one lock.
    pub fn add_all<'t, T: IntoIterator<Item = &'t str>>(
        &self,
        rows: impl IntoIterator<Item = (Arc<str>, T)>,
    ) {
        let mut inner = self.write();
        let mut scratch = Vec::new();
        for (key, texts) in rows {
            inner.add(key, texts, &mut scratch);
        }
    }

    /// Replaces the whole index by one of `rows` (key and texts), e.g. the live rows of a table.
    pub fn rebuild<K: AsRef<str>, T: AsRef<str>>(
        &self,
        rows: impl IntoIterator<Item = (K, Vec<T>)>,
    ) {
        let mut inner = self.write();
        *inner = Inner::default();
        let mut scratch = Vec::new();
        for (key, texts) in rows {
            inner.add(
                key.as_ref().into(),
                texts.iter().map(AsRef::as_ref),
                &mut scratch,
            );
        }
        inner.keys.shrink_to_fit();
        inner.postings.shrink_to_fit();
    }

    /// Gives back the room the lists grew into beyond their entries (the end of a seed).
    pub fn shrink_to_fit(&self) {
        let mut inner = self.write();
        inner.keys.shrink_to_fit();
        inner.postings.shrink_to_fit();
    }

    /// How many rows were indexed (replaced and removed ones included).
    pub fn entries(&self) -> usize {
        self.read().keys.len()
    }

    /// Indexed rows that are not among `live` rows any more.
    pub fn garbage(&self, live: usize) -> usize {
        self.entries().saturating_sub(live)
    }

    /// At least as many as the candidates of `needle` (lower case) number, without listing them.
    /// A needle of one byte is the prefix of a third of all trigrams: it is not looked up and
    /// counts as matching every key.
    pub fn estimate(&self, needle: &str) -> usize {
        if needle.len() == 1 {
            return usize::MAX;
        }
        let inner = self.read();
        let (lists, union) = inner.lists(needle.as_bytes());
        if union {
            lists.iter().map(|l| l.len()).sum()
        } else {
            lists.first().map_or(0, |l| l.len())
        }
    }

    /// The first `want` keys after `after` (all keys when `None`) whose texts may contain `needle`
    /// (lower case), ascending, each once, and whether they are all there are: every key whose
    /// texts do contain the needle is among the candidates.
    pub fn candidates(
        &self,
        needle: &str,
        after: Option<&str>,
        want: usize,
    ) -> (Vec<String>, bool) {
        let inner = self.read();
        let (lists, union) = inner.lists(needle.as_bytes());
        let ordinals = if union {
            let mut all: Vec<u32> = lists.iter().flat_map(|l| l.iter()).collect();
            all.sort_unstable();
            all.dedup();
            all
        } else {
            intersect(&lists)
        };
        let mut keys: Vec<&str> = ordinals
            .into_iter()
            .map(|o| &*inner.keys[o as usize])
            .filter(|key| after.is_none_or(|after| *key > after))
            .collect();
        // Only the first `want` are put in order: a filter with many candidates is not sorted
        // whole for one page.
        let all = keys.len() <= want;
        if !all {
            keys.select_nth_unstable(want);
            keys.truncate(want);
        }
        keys.sort_unstable();
        keys.dedup();
        (keys.into_iter().map(str::to_string).collect(), all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<(String, Vec<String>)> {
        let names = [
            "Ada Lovelace",
            "Jan NOVÁK",
            "İlker Şahin",
            "Bo",
            "x",
            "Grace Hopper",
        ];
        (0..300)
            .map(|i| {
                let name = names[i % names.len()];
                (
                    format!("user|{i:04}"),
                    vec![format!("{name} {}", i % 7), format!("u{i}@example.com")],
                )
            })
            .collect()
    }

    fn index(rows: &[(String, Vec<String>)]) -> NgramIndex {
        let index = NgramIndex::new();
        for (key, texts) in rows {
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            index.add(key.as_str(), &texts);
        }
        index
    }

    fn scan(rows: &[(String, Vec<String>)], needle: &str, after: Option<&str>) -> Vec<String> {
        let mut keys: Vec<String> = rows
            .iter()
            .filter(|(k, _)| after.is_none_or(|a| k.as_str() > a))
            .filter(|(_, texts)| texts.iter().any(|t| t.to_lowercase().contains(needle)))
            .map(|(k, _)| k.clone())
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn every_match_of_a_scan_is_a_candidate() {
        let rows = rows();
        let index = index(&rows);
        for needle in [
            "a", "x", "ov", "lovelace", "novák", "i̇lker", "şa", "bo 3", "@example", "u12", "zzz",
            "o", "á", "3",
        ] {
            for after in [None, Some("user|0150")] {
                let matches = scan(&rows, needle, after);
                let (candidates, all) = index.candidates(needle, after, usize::MAX);
                assert!(all);
                let (first, _) = index.candidates(needle, after, 3);
                assert_eq!(first, candidates[..candidates.len().min(3)], "{needle:?}");
                assert!(
                    matches.iter().all(|m| candidates.contains(m)),
                    "{needle:?} after {after:?}: {matches:?} not all in {candidates:?}"
                );
                assert!(candidates.windows(2).all(|w| w[0] < w[1]), "{needle:?}");
                assert!(index.estimate(needle) >= candidates.len(), "{needle:?}");
            }
        }
        // Trigrams narrow the candidates to the matches here.
        assert_eq!(
            index.candidates("grace", None, usize::MAX).0,
            scan(&rows, "grace", None)
        );
        assert!(index.candidates("zzz", None, 10).0.is_empty());
    }

    /// Every trigram of three ASCII bytes has a slot of its own in the table; the others, and
    /// trigrams never met, read as they did in a hash map.
    #[test]
    fn trigrams_find_their_own_lists() {
        let ascii: Vec<Trigram> = (0..128u32)
            .step_by(7)
            .flat_map(|a| {
                (0..128u32)
                    .step_by(5)
                    .map(move |b| a << 16 | b << 8 | (a ^ b))
            })
            .collect();
        let mut slots: Vec<usize> = ascii
            .iter()
            .map(|&t| Lists::ascii_slot(t).unwrap())
            .collect();
        slots.sort_unstable();
        slots.dedup();
        assert_eq!(slots.len(), ascii.len());
        assert!(slots.iter().all(|&s| s < ASCII_TRIGRAMS));
        let mut lists = Lists::default();
        let other = [0x00c3_a900, 0x0080_0000, 0x0000_00ff, 0x00ff_ffff];
        for (n, &t) in ascii.iter().chain(&other).enumerate() {
            assert!(lists.get(t).is_none());
            lists.get_or_insert(t).push(n as u32);
        }
        for (n, &t) in ascii.iter().chain(&other).enumerate() {
            assert_eq!(
                lists.get(t).map(|l| l.iter().collect::<Vec<_>>()),
                Some(vec![n as u32])
            );
        }
        assert!(lists.get(0x0061_6263).is_none() || ascii.contains(&0x0061_6263));
        assert_eq!(lists.other.len(), other.len());
    }

    #[test]
    fn a_posting_list_gives_back_its_ordinals_and_knows_which_it_holds() {
        let ordinals: Vec<u32> = (0..1000u32)
            .map(|i| i * i / 3 + i)
            .chain([u32::MAX - 1, u32::MAX])
            .collect();
        let mut list = Postings::default();
        for &o in &ordinals {
            list.push(o);
        }
        assert_eq!(list.len(), ordinals.len());
        assert_eq!(list.last(), Some(u32::MAX));
        assert_eq!(list.iter().collect::<Vec<_>>(), ordinals);
        for probe in 0..400_000u32 {
            assert_eq!(
                list.contains(probe),
                ordinals.binary_search(&probe).is_ok(),
                "{probe}"
            );
        }
        assert!(list.contains(u32::MAX) && !list.contains(u32::MAX - 2));
        assert!(!Postings::default().contains(0));
    }

    #[test]
    fn replaced_keys_are_listed_once_and_a_rebuild_drops_the_old_texts() {
        let index = NgramIndex::new();
        index.add("k1", &["Smith"]);
        index.add("k1", &["Smithers"]);
        index.add("k2", &["Jones"]);
        assert_eq!(
            index.candidates("smith", None, 5),
            (vec!["k1".to_string()], true)
        );
        // Both entries of k1 are selected for a batch of two: a short batch, but not all.
        assert_eq!(index.candidates("s", None, 2).0, ["k1"]);
        assert!(!index.candidates("s", None, 2).1);
        assert_eq!(index.garbage(2), 1);
        index.rebuild([("k2", vec!["Jones"])]);
        assert!(index.candidates("smith", None, 5).0.is_empty());
        assert_eq!(index.candidates("one", None, 5).0, ["k2"]);
        assert_eq!(index.garbage(1), 0);
    }
}
