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
//! A page of candidates after a key costs in proportion to the page: the rows indexed in
//! ascending key order (a seed indexes its table in key order, a rebuild reads it so) have
//! ascending ordinals, so the first ordinal after a cursor is a binary search away and the posting
//! lists are walked from there, side by side, until the page is full ([`Cursor::seek`] skips
//! blocks it need not decode). Rows indexed later, out of that order, are all checked for each
//! page; [`NgramIndex::unordered`] says how many there are, and the owner rebuilds the index when
//! they grow too many.
//!
//! The index only grows: a key added again (a replaced row) gets a new ordinal, and a removed key
//! keeps its old ones, so candidates can name keys that no longer hold the needle or no longer
//! exist (the owner's check drops them) and the same key twice (`candidates` returns each key
//! once). [`NgramIndex::garbage`] says how much of it no longer belongs to a live row; the owner
//! rebuilds it from its table when that grows too large.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
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

    #[cfg(test)]
    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.iter_from(0)
    }

    /// The ordinals from `start` on, ascending: the blocks before the one `start` falls in are
    /// skipped by their first ordinals, not decoded.
    fn iter_from(&self, start: u32) -> impl Iterator<Item = u32> + '_ {
        let b = self
            .blocks
            .partition_point(|&(first, _)| first <= start)
            .saturating_sub(1);
        (b..self.blocks.len())
            .flat_map(|b| self.block(b))
            .skip_while(move |&o| o < start)
    }

    /// A cursor at the list's first ordinal.
    fn cursor(&self) -> Cursor<'_> {
        Cursor {
            list: self,
            block: 0,
            at: self.blocks.first().map_or(0, |&(_, at)| at as usize),
            current: self.blocks.first().map(|&(first, _)| first),
        }
    }

    #[cfg(test)]
    fn contains(&self, ordinal: u32) -> bool {
        let b = self.blocks.partition_point(|&(first, _)| first <= ordinal);
        b > 0
            && self
                .block(b - 1)
                .take_while(|&o| o <= ordinal)
                .any(|o| o == ordinal)
    }
}

/// A place in a posting list that only moves forward: [`Cursor::seek`] skips whole blocks by their
/// first ordinals and decodes only inside the block it lands in, so walking several lists side
/// by side (an intersection) decodes each about once.
struct Cursor<'a> {
    list: &'a Postings,
    block: usize,
    /// Where the next gap of `block` starts in `list.bytes`.
    at: usize,
    /// The ordinal the cursor is at; `None` past the end.
    current: Option<u32>,
}

impl Cursor<'_> {
    /// The first ordinal at or after `target` (and the cursor moved there), or `None`.
    fn seek(&mut self, target: u32) -> Option<u32> {
        let current = self.current?;
        if current >= target {
            return Some(current);
        }
        let blocks = &self.list.blocks;
        let later = &blocks[self.block + 1..];
        let skip = later.partition_point(|&(first, _)| first <= target);
        if skip > 0 {
            self.block += skip;
            let (first, at) = blocks[self.block];
            self.at = at as usize;
            self.current = Some(first);
            if first == target {
                return self.current;
            }
        }
        loop {
            let ordinal = self.step()?;
            if ordinal >= target {
                return Some(ordinal);
            }
        }
    }

    /// Moves to the next ordinal.
    fn step(&mut self) -> Option<u32> {
        let list = self.list;
        let end = list
            .blocks
            .get(self.block + 1)
            .map_or(list.bytes.len(), |&(_, at)| at as usize);
        if self.at < end {
            let (mut gap, mut shift) = (0u32, 0);
            loop {
                let byte = list.bytes[self.at];
                self.at += 1;
                gap |= u32::from(byte & 0x7f) << shift;
                if byte < 0x80 {
                    break;
                }
                shift += 7;
            }
            self.current = self.current.map(|c| c + gap);
        } else if let Some(&(first, at)) = list.blocks.get(self.block + 1) {
            self.block += 1;
            self.at = at as usize;
            self.current = Some(first);
        } else {
            self.current = None;
        }
        self.current
    }
}

#[derive(Debug, Default)]
struct Inner {
    /// The key of each ordinal (the owner's table may hold the same `Arc`).
    keys: Vec<Arc<str>>,
    /// How many of the first keys are in ascending order, each greater than the one before: the
    /// ordinals below it are in key order, so a page of candidates after a key is found by a
    /// binary search and read off the posting lists from there.
    sorted: usize,
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
        if self.sorted == self.keys.len() && self.keys.last().is_none_or(|last| *last < key) {
            self.sorted += 1;
        }
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

/// The candidate ordinals in `range`, ascending, at most `want` of them, and whether those are all
/// there are in it: the union of `lists` (`union`) or their intersection.
fn candidates_in(
    lists: &[&Postings],
    union: bool,
    range: Range<u32>,
    want: usize,
) -> (Vec<u32>, bool) {
    fn in_range(list: &Postings, range: Range<u32>) -> impl Iterator<Item = u32> + '_ {
        list.iter_from(range.start)
            .take_while(move |&o| o < range.end)
    }
    if union {
        // The first `want` of the union are among the first `want` of each list.
        let mut all = true;
        let mut ordinals = Vec::new();
        for list in lists {
            let before = ordinals.len();
            ordinals.extend(in_range(list, range.clone()).take(want));
            all &= ordinals.len() - before < want;
        }
        ordinals.sort_unstable();
        ordinals.dedup();
        all &= ordinals.len() <= want;
        ordinals.truncate(want);
        return (ordinals, all);
    }
    // The shortest list leads; each other list's cursor is moved to the leader's ordinal, and
    // when it lands past it, the leader jumps there in turn.
    let mut cursors: Vec<Cursor> = lists.iter().map(|l| l.cursor()).collect();
    let Some((leader, rest)) = cursors.split_first_mut() else {
        return (Vec::new(), true);
    };
    let mut ordinals = Vec::new();
    let mut target = range.start;
    'walk: loop {
        let Some(o) = leader.seek(target).filter(|&o| o < range.end) else {
            return (ordinals, true);
        };
        for other in rest.iter_mut() {
            match other.seek(o) {
                None => return (ordinals, true),
                Some(p) if p > o => {
                    target = p;
                    continue 'walk;
                }
                Some(_) => {}
            }
        }
        if ordinals.len() == want {
            return (ordinals, false);
        }
        ordinals.push(o);
        let Some(next) = o.checked_add(1) else {
            return (ordinals, true);
        };
        target = next;
    }
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

    /// The index locked for many [`NgramWriter::add`]s in turn, e.g. of rows read one by one in
    /// key order from their table.
    pub fn writer(&self) -> NgramWriter<'_> {
        NgramWriter {
            inner: self.write(),
            scratch: Vec::new(),
        }
    }

    /// [`NgramIndex::writer`] into an index emptied first, under the same lock: the owner adds
    /// its live rows again (in key order, so they page from a cursor) and no reader sees the
    /// index half built.
    pub fn rebuilder(&self) -> NgramWriter<'_> {
        let mut writer = self.writer();
        *writer.inner = Inner::default();
        writer
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

    /// Rows indexed out of key order (after a key greater than theirs): each page of candidates
    /// checks all of them. A rebuild from the rows in key order brings it back to 0.
    pub fn unordered(&self) -> usize {
        let inner = self.read();
        inner.keys.len() - inner.sorted
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
    ///
    /// The keys indexed in key order (a seed, a rebuild) are read from the first one after
    /// `after` and only until `want` are found, so a page costs in proportion to the page, not to
    /// all of a common needle's matches; the keys indexed since, out of order, are all checked.
    pub fn candidates(
        &self,
        needle: &str,
        after: Option<&str>,
        want: usize,
    ) -> (Vec<String>, bool) {
        let inner = self.read();
        let (lists, union) = inner.lists(needle.as_bytes());
        let ordered = &inner.keys[..inner.sorted];
        let start = after.map_or(0, |after| ordered.partition_point(|key| &**key <= after));
        let (sorted_end, end) = (inner.sorted as u32, inner.keys.len() as u32);
        let (ordinals, mut all) = candidates_in(&lists, union, start as u32..sorted_end, want);
        let key = |o: u32| &*inner.keys[o as usize];
        let mut keys: Vec<&str> = ordinals.into_iter().map(key).collect();
        if sorted_end < end {
            let (unordered, _) = candidates_in(&lists, union, sorted_end..end, usize::MAX);
            keys.extend(
                unordered
                    .into_iter()
                    .map(key)
                    .filter(|key| after.is_none_or(|after| *key > after)),
            );
            // Only the first `want` are put in order: a filter with many candidates is not
            // sorted whole for one page.
            if keys.len() > want {
                all = false;
                keys.select_nth_unstable(want);
                keys.truncate(want);
            }
            keys.sort_unstable();
            keys.dedup();
        }
        (keys.into_iter().map(str::to_string).collect(), all)
    }
}

/// [`NgramIndex::writer`]: the index's write lock, held for several rows.
pub struct NgramWriter<'a> {
    inner: std::sync::RwLockWriteGuard<'a, Inner>,
    scratch: Vec<u8>,
}

impl NgramWriter<'_> {
    /// Indexes the texts of a (new or replaced) row, as [`NgramIndex::add`].
    pub fn add<'t>(&mut self, key: Arc<str>, texts: impl IntoIterator<Item = &'t str>) {
        self.inner.add(key, texts, &mut self.scratch);
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
        // A cursor seeking ever larger targets, by small steps and by jumps over blocks, lands on
        // the first ordinal at or after each.
        for step in [1, 7, 500, 40_000] {
            let mut cursor = list.cursor();
            for target in (0..400_000u32).step_by(step) {
                let at = ordinals.partition_point(|&o| o < target);
                assert_eq!(cursor.seek(target), ordinals.get(at).copied(), "{target}");
            }
            assert_eq!(cursor.seek(u32::MAX), Some(u32::MAX));
            assert_eq!(cursor.step(), None);
            assert_eq!(cursor.seek(0), None);
        }
        assert_eq!(Postings::default().cursor().seek(0), None);
        assert!(!Postings::default().contains(0));
    }

    /// Keys indexed in key order are paged from the cursor; keys indexed out of order after them
    /// (and keys indexed again) are still found, in order, each once, whatever the batch size.
    #[test]
    fn pages_of_candidates_follow_the_key_order_whatever_order_the_keys_came_in() {
        let rows = rows();
        let index = NgramIndex::new();
        // The even rows in key order, then the odd ones backwards, then some even ones again.
        let order = (0..rows.len())
            .step_by(2)
            .chain((1..rows.len()).step_by(2).rev())
            .chain((0..rows.len()).step_by(34));
        for i in order {
            let (key, texts) = &rows[i];
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            index.add(key.as_str(), &texts);
        }
        // The last odd row still follows the last even one; the 149 odd rows and 9 even ones
        // after it do not.
        assert_eq!(index.unordered(), 149 + 9);
        for needle in ["a", "ov", "lovelace", "@example", "u1", "bo 3", "zzz", "á"] {
            for batch in [1, 3, 50, usize::MAX] {
                let mut paged = Vec::new();
                let mut after: Option<String> = None;
                loop {
                    let (keys, all) = index.candidates(needle, after.as_deref(), batch);
                    assert!(keys.len() <= batch, "{needle:?}");
                    assert!(keys.windows(2).all(|w| w[0] < w[1]), "{needle:?}");
                    paged.extend(keys.iter().cloned());
                    if all {
                        break;
                    }
                    after = keys.last().cloned().or(after);
                }
                let matches = scan(&rows, needle, None);
                assert!(paged.windows(2).all(|w| w[0] < w[1]), "{needle:?} {batch}");
                assert!(
                    matches.iter().all(|m| paged.contains(m)),
                    "{needle:?} in batches of {batch}: {matches:?} not all in {paged:?}"
                );
                if needle == "lovelace" {
                    assert_eq!(paged, matches);
                }
            }
        }
        let mut rebuilder = index.rebuilder();
        for (key, texts) in &rows {
            rebuilder.add(key.as_str().into(), texts.iter().map(String::as_str));
        }
        drop(rebuilder);
        assert_eq!(index.unordered(), 0);
        assert_eq!(
            index.candidates("lovelace", Some("user|0100"), 4).0,
            scan(&rows, "lovelace", Some("user|0100"))[..4]
        );
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
        index.rebuilder().add("k2".into(), ["Jones"]);
        assert!(index.candidates("smith", None, 5).0.is_empty());
        assert_eq!(index.candidates("one", None, 5).0, ["k2"]);
        assert_eq!(index.garbage(1), 0);
    }
}
