//! A secondary index: primary keys ordered by a value of their row (a date, a flag), then by
//! key. A filter on that value reads only the matching keys, and counts them by two rank lookups
//! instead of reading any row. The owner keeps it in step with its table on every write.

use super::index::OrderedIndex;

/// Separates the value from the key in an entry; values never contain it, and it sorts first,
/// so all entries of one value are contiguous and ordered by key.
const SEP: char = '\u{0}';
/// Sorts right after `SEP`: `"{value}{AFTER}"` bounds the entries of `value` from above.
const AFTER: char = '\u{1}';

#[derive(Debug, Default)]
pub struct SecondaryIndex {
    entries: OrderedIndex,
}

impl SecondaryIndex {
    pub fn new() -> Self {
        Self::default()
    }

    fn entry(value: &str, key: &str) -> String {
        debug_assert!(!value.contains(SEP));
        let mut entry = String::with_capacity(value.len() + SEP.len_utf8() + key.len());
        entry.push_str(value);
        entry.push(SEP);
        entry.push_str(key);
        entry
    }

    /// Puts the entries inserted so far in order now, not at the next read (the end of a seed).
    pub fn settle(&self) {
        self.entries.settle();
    }

    pub fn insert(&self, value: &str, key: &str) {
        self.entries.insert(Self::entry(value, key));
    }

    pub fn remove(&self, value: &str, key: &str) {
        self.entries.remove(&Self::entry(value, key));
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many keys have a value in `min..=max` (`None`: unbounded on that side).
    pub fn count(&self, min: Option<&str>, max: Option<&str>) -> usize {
        let start = min.map_or(0, |v| self.entries.rank(&format!("{v}{SEP}")));
        let end = max.map_or_else(
            || self.entries.len(),
            |v| self.entries.rank(&format!("{v}{AFTER}")),
        );
        end.saturating_sub(start)
    }

    /// The keys with a value in `min..=max`, in value order, then key order.
    pub fn keys<'a>(
        &'a self,
        min: Option<&str>,
        max: Option<&str>,
    ) -> impl Iterator<Item = String> + use<'a> {
        let first = min.map_or_else(String::new, |v| format!("{v}{SEP}"));
        let end = max.map(|v| format!("{v}{AFTER}"));
        self.entries
            .iter_from(&first)
            .take_while(move |entry| end.as_ref().is_none_or(|end| entry < end))
            .filter_map(|entry| entry.split_once(SEP).map(|(_, key)| key.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_keys_of_a_value_range_agree_with_a_scan() {
        let index = SecondaryIndex::new();
        let rows: Vec<(String, String)> = (0..2_000)
            .map(|i| {
                (
                    format!("2026-{:02}-{:02}", i % 12 + 1, i % 28 + 1),
                    format!("u{i:05}"),
                )
            })
            .collect();
        for (date, key) in &rows {
            index.insert(date, key);
        }
        let scan = |min: Option<&str>, max: Option<&str>| -> Vec<String> {
            let mut keys: Vec<_> = rows
                .iter()
                .filter(|(d, _)| min.is_none_or(|m| d.as_str() >= m))
                .filter(|(d, _)| max.is_none_or(|m| d.as_str() <= m))
                .map(|(_, k)| k.clone())
                .collect();
            keys.sort();
            keys
        };
        for (min, max) in [
            (Some("2026-03-05"), Some("2026-07-01")),
            (Some("2026-12-28"), None),
            (None, Some("2026-01-01")),
            (None, None),
            (Some("2027-01-01"), None),
        ] {
            let mut keys: Vec<String> = index.keys(min, max).collect();
            assert_eq!(index.count(min, max), keys.len(), "{min:?}..{max:?}");
            keys.sort();
            assert_eq!(keys, scan(min, max), "{min:?}..{max:?}");
        }
        let first_day = index.count(None, Some("2026-01-01"));
        index.remove("2026-01-01", "u00000");
        assert_eq!(index.count(None, Some("2026-01-01")), first_day - 1);
        assert_eq!(index.len(), 1_999);
    }

    #[test]
    fn keys_may_contain_the_separator() {
        let index = SecondaryIndex::new();
        index.insert("b", "x\u{0}1");
        index.insert("a", "y");
        assert_eq!(
            index.keys(Some("b"), Some("b")).collect::<Vec<_>>(),
            ["x\u{0}1"]
        );
        assert_eq!(index.count(Some("a"), Some("a")), 1);
    }
}
