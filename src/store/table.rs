//! A keyed table with an ordered index: point reads and writes go to a `DashMap`, listings read the
//! `OrderedIndex` of keys, so paging never sorts the table and a deep page costs what the first
//! one does, even at a million rows.
//!
//! No map guard leaves a method: reads return clones, writes run a closure under the shard lock.
//! The key order changes under the same shard lock as the row, so an insert and a remove of one
//! key, racing, leave the order and the rows agreeing.

use std::sync::Arc;

use dashmap::DashMap;
use dashmap::mapref::entry::Entry;
use foldhash::fast::RandomState;

use super::StoreError;
use super::index::OrderedIndex;

#[derive(Debug)]
pub struct Table<V> {
    kind: &'static str,
    /// Hashed with foldhash (randomly seeded per table), not SipHash: at a million rows SipHash
    /// was the largest single cost of seeding. The order holds the same `Arc<str>` keys.
    ///
    /// Rows are boxed: a hash map keeps a third to a half of its slots empty, and a slot of a
    /// boxed row is a pointer where an unboxed one is the whole record (OBP's user is about 250
    /// bytes); growing the map then moves pointers, not records.
    rows: DashMap<Arc<str>, Box<V>, RandomState>,
    order: OrderedIndex,
}

impl<V: Clone> Table<V> {
    /// `kind` names the rows in errors ("user", "tenant").
    pub fn new(kind: &'static str) -> Self {
        Self {
            kind,
            rows: DashMap::with_hasher(RandomState::default()),
            order: OrderedIndex::new(),
        }
    }

    /// A table with room for `rows` rows: a seed that knows how many it inserts does not grow the
    /// map (rehashing every row) again and again on the way.
    pub fn with_capacity(kind: &'static str, rows: usize) -> Self {
        Self {
            kind,
            rows: DashMap::with_capacity_and_hasher(rows, RandomState::default()),
            order: OrderedIndex::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn not_found(&self, key: &str) -> StoreError {
        StoreError::NotFound {
            kind: self.kind,
            id: key.to_string(),
        }
    }

    /// Puts the keys inserted so far in order now, not at the next listing (the end of a seed).
    pub fn settle(&self) {
        self.order.settle();
    }

    /// Inserts a new row; an existing key is `AlreadyExists` and changes nothing.
    pub fn insert(&self, key: impl Into<Arc<str>>, value: V) -> Result<(), StoreError> {
        let key: Arc<str> = key.into();
        match self.rows.entry(key.clone()) {
            Entry::Occupied(_) => Err(StoreError::AlreadyExists {
                kind: self.kind,
                id: key.to_string(),
            }),
            Entry::Vacant(slot) => {
                self.order.insert(key);
                slot.insert(Box::new(value));
                Ok(())
            }
        }
    }

    /// Inserts or replaces a row.
    pub fn put(&self, key: impl Into<Arc<str>>, value: V) {
        match self.rows.entry(key.into()) {
            Entry::Occupied(mut row) => {
                **row.get_mut() = value;
            }
            Entry::Vacant(slot) => {
                self.order.insert(slot.key().clone());
                slot.insert(Box::new(value));
            }
        }
    }

    pub fn get(&self, key: &str) -> Result<V, StoreError> {
        self.read(key, V::clone)
    }

    /// `f` of the row under `key`, read in place (no copy of the row), or [`get`](Self::get)'s
    /// not-found error.
    pub fn read<R>(&self, key: &str, f: impl FnOnce(&V) -> R) -> Result<R, StoreError> {
        self.rows
            .get(key)
            .map(|row| f(row.value()))
            .ok_or_else(|| self.not_found(key))
    }

    pub fn contains(&self, key: &str) -> bool {
        self.rows.contains_key(key)
    }

    /// Runs `f` on the row under its shard lock, so check-and-set is atomic per row.
    pub fn update<R>(&self, key: &str, f: impl FnOnce(&mut V) -> R) -> Result<R, StoreError> {
        let mut row = self.rows.get_mut(key).ok_or_else(|| self.not_found(key))?;
        Ok(f(row.value_mut()))
    }

    /// Removes the row when `remove` says so; `Ok(None)` when the row was kept.
    pub fn remove_if(
        &self,
        key: &str,
        remove: impl FnOnce(&V) -> bool,
    ) -> Result<Option<V>, StoreError> {
        // `entry` wants an owned key; the shard lock it takes covers the order's update too.
        match self.rows.entry(key.into()) {
            Entry::Vacant(_) => Err(self.not_found(key)),
            Entry::Occupied(row) if remove(row.get()) => {
                self.order.remove(key);
                Ok(Some(*row.remove()))
            }
            Entry::Occupied(_) => Ok(None),
        }
    }

    pub fn remove(&self, key: &str) -> Result<V, StoreError> {
        self.remove_if(key, |_| true)?
            .ok_or_else(|| self.not_found(key))
    }

    /// Keys in order (or reverse), without reading the rows.
    pub fn keys(&self, descending: bool) -> impl Iterator<Item = String> + '_ {
        self.order.iter(descending)
    }

    /// [`Table::keys`] as the table's own shared keys, for listings that look each row up by key
    /// and copy no key's text.
    pub fn keys_shared(&self, descending: bool) -> impl Iterator<Item = Arc<str>> + '_ {
        self.order.iter_shared(descending)
    }

    /// [`Table::keys_after`] as the table's own shared keys.
    pub fn keys_after_shared<'a>(
        &'a self,
        after: &str,
    ) -> impl Iterator<Item = Arc<str>> + use<'a, V> {
        self.order.iter_after_shared(after)
    }

    /// Up to `limit` keys from position `offset` of the order (or the reverse order), as the
    /// table's own shared keys.
    pub fn key_window(&self, offset: usize, limit: usize, descending: bool) -> Vec<Arc<str>> {
        self.order.range_shared(offset, limit, descending)
    }

    /// The key at a position of the order (or the reverse order).
    pub fn key_at(&self, position: usize, descending: bool) -> Option<Arc<str>> {
        self.order.range_shared(position, 1, descending).pop()
    }

    /// Reads a row in place, without cloning it.
    pub fn with<R>(&self, key: &str, f: impl FnOnce(&V) -> R) -> Option<R> {
        self.rows.get(key).map(|row| f(row.value()))
    }

    /// Rows in key order (or reverse), each read as it is reached.
    pub fn ordered(&self, descending: bool) -> impl Iterator<Item = (String, V)> + '_ {
        self.order.iter(descending).filter_map(|key| {
            self.rows
                .get(key.as_str())
                .map(|row| (key.clone(), V::clone(row.value())))
        })
    }

    /// Rows whose key sorts strictly after `after`, in key order: a cursor that stays valid while
    /// rows before or after it come and go.
    pub fn after<'a>(&'a self, after: &str) -> impl Iterator<Item = (String, V)> + use<'a, V> {
        self.order.iter_after(after).filter_map(|key| {
            self.rows
                .get(key.as_str())
                .map(|row| (key.clone(), V::clone(row.value())))
        })
    }

    /// Keys strictly after `after`, in key order, without reading the rows.
    pub fn keys_after<'a>(&'a self, after: &str) -> impl Iterator<Item = String> + use<'a, V> {
        self.order.iter_after(after)
    }

    /// Every row in key order, for snapshots.
    pub fn to_vec(&self) -> Vec<(String, V)> {
        self.ordered(false).collect()
    }

    pub fn from_vec(kind: &'static str, rows: Vec<(String, V)>) -> Self {
        let table = Self::new(kind);
        for (key, value) in rows {
            table.put(key, value);
        }
        table
    }
}

/// A map's entries sorted by key: a deterministic form for snapshots of a world.
pub fn sorted_entries<V: Clone, H: std::hash::BuildHasher + Clone>(
    map: &DashMap<String, V, H>,
) -> Vec<(String, V)> {
    let mut rows: Vec<(String, V)> = map
        .iter()
        .map(|r| (r.key().clone(), r.value().clone()))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_list_in_key_order_and_duplicates_are_refused() {
        let table = Table::new("user");
        for key in ["carol", "alice", "bob"] {
            table.insert(key, key.len()).unwrap();
        }
        assert!(matches!(
            table.insert("bob", 0),
            Err(StoreError::AlreadyExists { .. })
        ));
        let keys: Vec<String> = table.ordered(false).map(|(k, _)| k).collect();
        assert_eq!(keys, ["alice", "bob", "carol"]);
        let after: Vec<String> = table.after("alice").map(|(k, _)| k).collect();
        assert_eq!(after, ["bob", "carol"]);
        assert_eq!(table.get("bob"), Ok(3));
    }

    /// Threads insert, replace and remove one key at once while another looks at the key's row
    /// and the order together, holding the row's shard lock: every order change happens under
    /// that lock, so the two always agree. With the order updated after the row's lock was
    /// released, the checker sees a row without its key listed or a listed key without a row (and
    /// a remove that ran in between could leave it so for good).
    #[test]
    fn racing_inserts_and_removes_of_one_key_leave_order_and_rows_agreeing() {
        let table: Table<usize> = Table::new("user");
        let done = std::sync::atomic::AtomicBool::new(false);
        let disagreements = std::thread::scope(|s| {
            let writers: Vec<_> = (0..2)
                .map(|t| {
                    let table = &table;
                    s.spawn(move || {
                        for i in 0..50_000 {
                            match (i + t) % 4 {
                                0 => drop(table.insert("k", i)),
                                1 => table.put("k", i),
                                2 => drop(table.remove("k")),
                                _ => drop(table.remove_if("k", |v| v % 3 != 0)),
                            }
                        }
                    })
                })
                .collect();
            let checker = s.spawn(|| {
                let mut disagreements = 0;
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    let row = table.rows.entry("k".into());
                    let listed = table.order.iter(false).count();
                    let present = matches!(row, Entry::Occupied(_));
                    drop(row);
                    disagreements += usize::from(listed != usize::from(present));
                }
                disagreements
            });
            for writer in writers {
                writer.join().unwrap();
            }
            done.store(true, std::sync::atomic::Ordering::Relaxed);
            checker.join().unwrap()
        });
        assert_eq!(disagreements, 0);
        assert_eq!(table.keys(false).count(), table.len());
    }

    #[test]
    fn a_kept_row_stays_listed() {
        let table = Table::new("user");
        table.insert("a", 1).unwrap();
        assert_eq!(table.remove_if("a", |v| *v > 1), Ok(None));
        assert_eq!(table.remove("a"), Ok(1));
        assert_eq!(table.ordered(false).count(), 0);
        assert!(matches!(
            table.remove("a"),
            Err(StoreError::NotFound { .. })
        ));
    }
}
