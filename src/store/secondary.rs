//! A secondary index: primary keys ordered by a value of their row (a date, a flag), then by
//! key. A filter on that value reads only the matching keys, and counts them by two rank lookups
//! instead of reading any row. The owner keeps it in step with its table on every write.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

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
        self.insert_parts(value, &[key]);
    }

    /// Inserts the key made of `key_parts` one after the other (`["a", "ada"]` is `ada` with a
    /// prefix), written straight into the entry.
    pub fn insert_parts(&self, value: &str, key_parts: &[&str]) {
        debug_assert!(!value.contains(SEP));
        thread_local! {
            static ENTRY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        // The entry is written into a buffer kept for the next one: the index keeps an
        // `Arc<str>`, which a new `String` would only be copied into.
        let entry: Arc<str> = ENTRY.with_borrow_mut(|entry| {
            entry.clear();
            entry.push_str(value);
            entry.push(SEP);
            key_parts.iter().for_each(|part| entry.push_str(part));
            Arc::from(entry.as_str())
        });
        self.entries.insert(entry);
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

/// `d` as `to_string` writes it (`2026-03-05`), without the formatting machinery for the years
/// 0 to 9999 (every date a seed writes); a secondary index keyed by dates writes a million.
pub fn date_text(d: NaiveDate) -> String {
    let (year, month, day) = (d.year(), d.month(), d.day());
    if !(0..=9999).contains(&year) {
        return d.to_string();
    }
    let digits = |n: u32, width: usize, out: &mut Vec<u8>| {
        let start = out.len();
        let mut n = n;
        for _ in 0..width {
            out.push(b'0' + (n % 10) as u8);
            n /= 10;
        }
        out[start..].reverse();
    };
    let mut text = Vec::with_capacity(10);
    digits(year.unsigned_abs(), 4, &mut text);
    text.push(b'-');
    digits(month, 2, &mut text);
    text.push(b'-');
    digits(day, 2, &mut text);
    String::from_utf8(text).unwrap_or_else(|_| d.to_string())
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
    fn dates_read_as_to_string_writes_them() {
        for (y, m, d) in [
            (2026, 3, 5),
            (1, 1, 1),
            (0, 12, 31),
            (9999, 12, 31),
            (10_000, 1, 1),
            (-5, 6, 7),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(date_text(date), date.to_string());
        }
        let mut day = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap();
        while day.year() < 2040 {
            assert_eq!(date_text(day), day.to_string());
            day = day.succ_opt().unwrap();
        }
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
