//! A secondary index for filtered listings: a table's keys in key order, each with the few
//! facts its filters range over (a group such as active / locked / deleted, dates as day
//! numbers). A filtered page and its total are read from the facts, never from the rows, and
//! cost about the page however deep it is ([`FactOrder`]). The owner keeps it in step with its
//! table on every write.

use std::sync::Arc;

/// Groups a [`FactOrder`] tells apart (finAPI: active, locked, deleted).
pub const GROUPS: usize = 4;

/// What a [`FactOrder`] keeps about a key: a small group number (below [`GROUPS`]) and `N`
/// numbers a filter ranges over (dates as day numbers, [`NONE`] for no date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts<const N: usize> {
    pub group: u8,
    pub values: [i32; N],
}

/// The value of a fact that is not there (a date never set): below every bound a `min`
/// filter sets, within every `max` one.
pub const NONE: i32 = i32::MIN;

/// The keys a [`FactOrder`] page lists: those of a group in `groups` (a bit per group) whose
/// every fact lies in its inclusive range (`None`: any value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactFilter<const N: usize> {
    pub groups: u8,
    pub ranges: [Option<(i32, i32)>; N],
}

impl<const N: usize> FactFilter<N> {
    /// Every key of every group.
    pub fn all() -> Self {
        Self {
            groups: (1u8 << GROUPS) - 1,
            ranges: [None; N],
        }
    }

    pub fn matches(&self, facts: &Facts<N>) -> bool {
        self.groups & (1 << facts.group) != 0
            && self
                .ranges
                .iter()
                .zip(&facts.values)
                .all(|(range, v)| range.is_none_or(|(lo, hi)| lo <= *v && *v <= hi))
    }

    /// Whether nothing can match (no group, or an empty range).
    fn is_empty(&self) -> bool {
        self.groups == 0 || self.ranges.iter().flatten().any(|(lo, hi)| lo > hi)
    }

    /// The one fact ranged over, when no more than one is (`Some(None)`: none is).
    fn single_range(&self) -> Option<Option<(usize, (i32, i32))>> {
        let mut ranged = self
            .ranges
            .iter()
            .enumerate()
            .filter_map(|(c, r)| r.map(|r| (c, r)));
        let first = ranged.next();
        ranged.next().is_none().then_some(first)
    }

    fn groups(&self) -> impl Iterator<Item = u8> + '_ {
        (0..GROUPS as u8).filter(|g| self.groups & (1 << g) != 0)
    }
}

/// A group's value as one number that sorts by group, then value: one group's values in a
/// range are one run of a sorted list of these.
fn tagged(group: u8, value: i32) -> i64 {
    (i64::from(group) << 32) | (i64::from(value) - i64::from(i32::MIN))
}

/// Keys a chunk of a [`FactOrder`] holds before it is split in two.
const FACT_CHUNK: usize = 2048;

/// Pending keys up to this many are merged one by one; more are merged in one pass.
const FACT_MERGE_ONE_BY_ONE: usize = 64;

#[derive(Debug, Default, Clone)]
struct FactChunk<const N: usize> {
    keys: Vec<Arc<str>>,
    facts: Vec<Facts<N>>,
    /// Keys per group.
    groups: [u32; GROUPS],
    /// Per fact, the chunk's values tagged by group, sorted: the keys of a group with a fact in
    /// a range are counted by two binary searches.
    sorted: Vec<Vec<i64>>,
}

impl<const N: usize> FactChunk<N> {
    fn build(keys: Vec<Arc<str>>, facts: Vec<Facts<N>>) -> Self {
        let mut groups = [0; GROUPS];
        for f in &facts {
            groups[usize::from(f.group)] += 1;
        }
        let sorted = (0..N)
            .map(|c| {
                let mut values: Vec<i64> =
                    facts.iter().map(|f| tagged(f.group, f.values[c])).collect();
                values.sort_unstable();
                values
            })
            .collect();
        Self {
            keys,
            facts,
            groups,
            sorted,
        }
    }

    fn count(&self, filter: &FactFilter<N>) -> usize {
        match filter.single_range() {
            Some(None) => filter
                .groups()
                .map(|g| self.groups[usize::from(g)] as usize)
                .sum(),
            Some(Some((c, (lo, hi)))) => {
                let sorted = &self.sorted[c];
                filter
                    .groups()
                    .filter(|g| self.groups[usize::from(*g)] > 0)
                    .map(|g| {
                        let (lo, hi) = (tagged(g, lo), tagged(g, hi));
                        let end = sorted.partition_point(|&t| t <= hi);
                        end.saturating_sub(sorted.partition_point(|&t| t < lo))
                    })
                    .sum()
            }
            None => self.facts.iter().filter(|f| filter.matches(f)).count(),
        }
    }

    fn add_facts(&mut self, facts: &Facts<N>) {
        self.groups[usize::from(facts.group)] += 1;
        for (c, sorted) in self.sorted.iter_mut().enumerate() {
            let t = tagged(facts.group, facts.values[c]);
            let at = sorted.partition_point(|&x| x < t);
            sorted.insert(at, t);
        }
    }

    fn remove_facts(&mut self, facts: &Facts<N>) {
        self.groups[usize::from(facts.group)] -= 1;
        for (c, sorted) in self.sorted.iter_mut().enumerate() {
            let t = tagged(facts.group, facts.values[c]);
            if let Ok(at) = sorted.binary_search(&t) {
                sorted.remove(at);
            }
        }
    }
}

/// How many keys of each group have each value of each fact: a filter ranging over one fact
/// is counted from these, without reading a chunk.
#[derive(Debug, Default)]
struct FactCounts {
    groups: [usize; GROUPS],
    /// Per fact: tagged value → keys.
    values: Vec<std::collections::BTreeMap<i64, usize>>,
}

impl FactCounts {
    fn add<const N: usize>(&mut self, facts: &Facts<N>) {
        self.values.resize_with(N, Default::default);
        self.groups[usize::from(facts.group)] += 1;
        for (c, values) in self.values.iter_mut().enumerate() {
            *values
                .entry(tagged(facts.group, facts.values[c]))
                .or_default() += 1;
        }
    }

    fn remove<const N: usize>(&mut self, facts: &Facts<N>) {
        self.groups[usize::from(facts.group)] -= 1;
        for (c, values) in self.values.iter_mut().enumerate() {
            let t = tagged(facts.group, facts.values[c]);
            if let Some(n) = values.get_mut(&t) {
                *n -= 1;
                if *n == 0 {
                    values.remove(&t);
                }
            }
        }
    }

    /// The keys `filter` lets through, when it ranges over one fact at most.
    fn count<const N: usize>(&self, filter: &FactFilter<N>) -> Option<usize> {
        Some(match filter.single_range()? {
            None => filter.groups().map(|g| self.groups[usize::from(g)]).sum(),
            Some((c, (lo, hi))) => {
                let values = self.values.get(c)?;
                filter
                    .groups()
                    .map(|g| {
                        values
                            .range(tagged(g, lo)..=tagged(g, hi))
                            .map(|(_, n)| n)
                            .sum::<usize>()
                    })
                    .sum()
            }
        })
    }
}

#[derive(Debug, Default)]
struct FactKeys<const N: usize> {
    chunks: Vec<FactChunk<N>>,
    counts: FactCounts,
    /// Inserted keys not merged yet, in insertion order.
    pending: Vec<(Arc<str>, Facts<N>)>,
}

impl<const N: usize> FactKeys<N> {
    /// Where `key` is or would be: (chunk, position in chunk).
    fn locate(&self, key: &str) -> (usize, Result<usize, usize>) {
        if self.chunks.is_empty() {
            return (0, Err(0));
        }
        let c = self
            .chunks
            .partition_point(|chunk| chunk.keys.last().is_some_and(|last| &**last < key))
            .min(self.chunks.len() - 1);
        (c, self.chunks[c].keys.binary_search_by(|k| (**k).cmp(key)))
    }

    fn merge(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        if pending.len() <= FACT_MERGE_ONE_BY_ONE {
            for (key, facts) in pending {
                self.set(key, facts);
            }
            return;
        }
        // Many keys (a seed's): one sort and one pass that cuts the merged keys into chunks.
        let mut pending: Vec<(Arc<str>, Facts<N>)> = pending;
        // Stable: of a key inserted twice, the later facts win.
        pending.sort_by(|a, b| a.0.cmp(&b.0));
        let mut deduped: Vec<(Arc<str>, Facts<N>)> = Vec::with_capacity(pending.len());
        for entry in pending {
            match deduped.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => deduped.push(entry),
            }
        }
        let old = std::mem::take(&mut self.chunks)
            .into_iter()
            .flat_map(|chunk| chunk.keys.into_iter().zip(chunk.facts));
        let mut old = old.peekable();
        let mut new = deduped.into_iter().peekable();
        let mut counts = FactCounts::default();
        let (mut keys, mut facts) = (
            Vec::with_capacity(FACT_CHUNK / 2),
            Vec::with_capacity(FACT_CHUNK / 2),
        );
        loop {
            let next = match (old.peek(), new.peek()) {
                (Some(a), Some(b)) if a.0 == b.0 => {
                    old.next();
                    new.next()
                }
                (Some(a), Some(b)) if a.0 < b.0 => old.next(),
                (Some(_), Some(_)) | (None, Some(_)) => new.next(),
                (Some(_), None) => old.next(),
                (None, None) => break,
            };
            let Some((key, f)) = next else { break };
            counts.add(&f);
            keys.push(key);
            facts.push(f);
            if keys.len() == FACT_CHUNK / 2 {
                let chunk = FactChunk::build(std::mem::take(&mut keys), std::mem::take(&mut facts));
                self.chunks.push(chunk);
            }
        }
        if !keys.is_empty() {
            self.chunks.push(FactChunk::build(keys, facts));
        }
        self.counts = counts;
    }

    /// Inserts a key or changes its facts, in place.
    fn set(&mut self, key: Arc<str>, facts: Facts<N>) {
        if self.chunks.is_empty() {
            self.chunks.push(FactChunk::build(Vec::new(), Vec::new()));
        }
        let (c, found) = self.locate(&key);
        let chunk = &mut self.chunks[c];
        match found {
            Ok(at) => {
                let old = chunk.facts[at];
                if old == facts {
                    return;
                }
                chunk.remove_facts(&old);
                chunk.add_facts(&facts);
                chunk.facts[at] = facts;
                self.counts.remove(&old);
            }
            Err(at) => {
                chunk.keys.insert(at, key);
                chunk.facts.insert(at, facts);
                chunk.add_facts(&facts);
                if chunk.keys.len() >= FACT_CHUNK {
                    let keys = chunk.keys.split_off(FACT_CHUNK / 2);
                    let tail = chunk.facts.split_off(FACT_CHUNK / 2);
                    let head = FactChunk::build(
                        std::mem::take(&mut chunk.keys),
                        std::mem::take(&mut chunk.facts),
                    );
                    *chunk = head;
                    self.chunks.insert(c + 1, FactChunk::build(keys, tail));
                }
            }
        }
        self.counts.add(&facts);
    }

    fn remove(&mut self, key: &str) -> bool {
        let (c, found) = self.locate(key);
        let Ok(at) = found else { return false };
        let chunk = &mut self.chunks[c];
        chunk.keys.remove(at);
        let facts = chunk.facts.remove(at);
        chunk.remove_facts(&facts);
        if chunk.keys.is_empty() {
            self.chunks.remove(c);
        }
        self.counts.remove(&facts);
        true
    }

    fn count(&self, filter: &FactFilter<N>) -> usize {
        if filter.is_empty() {
            return 0;
        }
        self.counts
            .count(filter)
            .unwrap_or_else(|| self.chunks.iter().map(|chunk| chunk.count(filter)).sum())
    }
}

/// Keys in key order, each with a few small facts (a group, dates as day numbers): the listing
/// order of a vendor whose filters range over those facts. A page of the keys a filter lets
/// through reads the facts, never a row, and skips whole chunks by counting their matches
/// (two binary searches per group in a chunk's sorted facts, when the filter ranges over one
/// fact), so it costs about the page, however deep; the total comes from counts of each fact's
/// values. The owner keeps it in step with its rows on every write.
///
/// Inserts are buffered as [`OrderedIndex`](super::index::OrderedIndex)'s are: a seed's million
/// keys are one sort.
#[derive(Debug, Default)]
pub struct FactOrder<const N: usize> {
    keys: std::sync::RwLock<FactKeys<N>>,
}

impl<const N: usize> FactOrder<N> {
    pub fn new() -> Self {
        Self {
            keys: std::sync::RwLock::new(FactKeys::default()),
        }
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, FactKeys<N>> {
        let mut keys = self.keys.write().unwrap_or_else(|e| e.into_inner());
        keys.merge();
        keys
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, FactKeys<N>> {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        if keys.pending.is_empty() {
            return keys;
        }
        drop(keys);
        drop(self.write());
        self.keys.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Merges the keys inserted so far now rather than at the next read (the end of a seed).
    pub fn settle(&self) {
        drop(self.write());
    }

    /// Adds a key with its facts, or gives a listed key new facts (merged at the next read).
    pub fn insert(&self, key: impl Into<Arc<str>>, facts: Facts<N>) {
        debug_assert!(usize::from(facts.group) < GROUPS);
        self.keys
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .pending
            .push((key.into(), facts));
    }

    /// Gives a listed key new facts (or lists it), now.
    pub fn set(&self, key: impl Into<Arc<str>>, facts: Facts<N>) {
        debug_assert!(usize::from(facts.group) < GROUPS);
        self.write().set(key.into(), facts);
    }

    /// Removes a key; false when it was not listed.
    pub fn remove(&self, key: &str) -> bool {
        self.write().remove(key)
    }

    pub fn len(&self) -> usize {
        self.read().counts.groups.iter().sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many keys `filter` lets through.
    pub fn count(&self, filter: &FactFilter<N>) -> usize {
        self.read().count(filter)
    }

    /// Up to `limit` of the keys `filter` lets through, from the `offset`-th on, in key order
    /// (or reverse), with their facts and the number of keys it lets through in all.
    pub fn page(
        &self,
        filter: &FactFilter<N>,
        offset: usize,
        limit: usize,
        descending: bool,
    ) -> (Vec<(Arc<str>, Facts<N>)>, usize) {
        let keys = self.read();
        let total = keys.count(filter);
        let mut page = Vec::with_capacity(limit.min(total.saturating_sub(offset)));
        if offset >= total || limit == 0 {
            return (page, total);
        }
        let mut skip = offset;
        let chunks: Box<dyn Iterator<Item = &FactChunk<N>>> = if descending {
            Box::new(keys.chunks.iter().rev())
        } else {
            Box::new(keys.chunks.iter())
        };
        for chunk in chunks {
            let matching = chunk.count(filter);
            if matching <= skip {
                skip -= matching;
                continue;
            }
            // The chunk's matches, in order, up to its last one: `matching` says when that is.
            let wanted = matching.min(skip.saturating_add(limit - page.len()));
            let mut take = |(i, facts): (usize, &Facts<N>)| {
                if skip > 0 {
                    skip -= 1;
                } else {
                    page.push((chunk.keys[i].clone(), *facts));
                }
            };
            let found = chunk
                .facts
                .iter()
                .enumerate()
                .filter(|(_, f)| filter.matches(f));
            if descending {
                let found = chunk.facts.iter().enumerate().rev();
                found
                    .filter(|(_, f)| filter.matches(f))
                    .take(wanted)
                    .for_each(&mut take);
            } else {
                found.take(wanted).for_each(&mut take);
            }
            if page.len() == limit {
                break;
            }
        }
        (page, total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pages and counts of a [`FactOrder`] against a scan of a sorted list, for filters over
    /// no fact, one and two, after a bulk insert, single inserts, changed facts and removals
    /// (chunks split and emptied on the way).
    #[test]
    fn fact_pages_agree_with_a_scan_between_writes() {
        let order: FactOrder<2> = FactOrder::new();
        let mut rows = std::collections::BTreeMap::<String, Facts<2>>::new();
        let mut seed = 7u64;
        let mut next = move |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let facts = |next: &mut dyn FnMut(u64) -> u64| Facts {
            group: next(3) as u8,
            values: [
                next(100) as i32,
                if next(4) == 0 {
                    NONE
                } else {
                    next(50) as i32 - 25
                },
            ],
        };
        // A bulk insert, a key inserted twice among it (the later facts win).
        for i in 0..9_000 {
            let (key, f) = (format!("k{:05}", next(20_000)), facts(&mut next));
            order.insert(key.as_str(), f);
            rows.insert(key, f);
            if i == 10 {
                let again = facts(&mut next);
                let key = rows.keys().next().unwrap().clone();
                order.insert(key.as_str(), again);
                rows.insert(key, again);
            }
        }
        let filters = [
            FactFilter::all(),
            FactFilter {
                groups: 0b010,
                ranges: [None, None],
            },
            FactFilter {
                groups: 0b101,
                ranges: [None, None],
            },
            FactFilter {
                groups: 0b111,
                ranges: [Some((90, 99)), None],
            },
            FactFilter {
                groups: 0b011,
                ranges: [Some((0, 4)), None],
            },
            FactFilter {
                groups: 0b111,
                ranges: [None, Some((NONE, -20))],
            },
            FactFilter {
                groups: 0b110,
                ranges: [None, Some((0, i32::MAX))],
            },
            FactFilter {
                groups: 0b111,
                ranges: [Some((10, 60)), Some((NONE, 0))],
            },
            FactFilter {
                groups: 0b100,
                ranges: [Some((50, 50)), Some((-3, 3))],
            },
            FactFilter {
                groups: 0b111,
                ranges: [Some((60, 10)), None],
            },
            FactFilter {
                groups: 0,
                ranges: [None, None],
            },
        ];
        for round in 0..4 {
            for filter in &filters {
                for descending in [false, true] {
                    let mut all: Vec<(&String, &Facts<2>)> =
                        rows.iter().filter(|(_, f)| filter.matches(f)).collect();
                    if descending {
                        all.reverse();
                    }
                    assert_eq!(order.count(filter), all.len(), "{filter:?} round {round}");
                    for (offset, limit) in [
                        (0, 20),
                        (0, 1),
                        (137, 50),
                        (2_000, 500),
                        (all.len().saturating_sub(3), 20),
                        (99_999, 5),
                    ] {
                        let (page, total) = order.page(filter, offset, limit, descending);
                        let want: Vec<(String, Facts<2>)> = all
                            .iter()
                            .skip(offset)
                            .take(limit)
                            .map(|(k, f)| ((*k).clone(), **f))
                            .collect();
                        let got: Vec<(String, Facts<2>)> =
                            page.into_iter().map(|(k, f)| (k.to_string(), f)).collect();
                        assert_eq!(
                            got, want,
                            "{filter:?} {offset}+{limit} desc {descending} round {round}"
                        );
                        assert_eq!(total, all.len());
                    }
                }
            }
            // Writes: new keys one by one (splitting chunks), changed facts, removals.
            for _ in 0..3_000 {
                let key = format!("k{:05}", next(20_000));
                match next(3) {
                    0 => {
                        assert_eq!(order.remove(&key), rows.remove(&key).is_some());
                    }
                    _ => {
                        let f = facts(&mut next);
                        order.set(key.as_str(), f);
                        rows.insert(key, f);
                    }
                }
            }
            // Many keys into one chunk: it splits.
            for i in 0..2_500 {
                let (key, f) = (format!("k10000-{round}-{i:04}"), facts(&mut next));
                order.set(key.as_str(), f);
                rows.insert(key, f);
            }
            assert_eq!(order.len(), rows.len());
        }
        // Emptied, then filled again.
        for key in rows.keys() {
            assert!(order.remove(key));
        }
        assert!(order.is_empty());
        assert_eq!(order.page(&FactFilter::all(), 0, 10, false).1, 0);
        order.set(
            "a",
            Facts {
                group: 1,
                values: [1, NONE],
            },
        );
        assert_eq!(order.page(&FactFilter::all(), 0, 10, true).0.len(), 1);
    }
}
