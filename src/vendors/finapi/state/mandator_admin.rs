//! The Mandator Administration API: `deleteUsers`, `changeClientCredentials` and the
//! `getUserList` listing with its indexes, filters and the merge of active and deleted users.

use super::*;

impl State {
    /// `deleteUsers`: unknown ids are left out; busy users are listed as not deleted.
    pub fn delete_users(&self, ids: &[String], today: NaiveDate) -> (Vec<String>, Vec<String>) {
        let mut keys: Vec<String> = ids.iter().map(|id| user_key(id)).collect();
        keys.sort();
        keys.dedup();
        let (mut deleted, mut kept) = (Vec::new(), Vec::new());
        for key in keys {
            let Ok(user) = self.users.get(&key) else {
                continue;
            };
            match self.delete_user(&key, today) {
                Ok(Some(_)) => deleted.push(user.id),
                Ok(None) => kept.push(user.id),
                Err(_) => {}
            }
        }
        deleted.sort();
        kept.sort();
        (deleted, kept)
    }

    pub fn change_client_secret(&self, client_id: &str, old: &str, new: &str) -> Result<()> {
        let unknown = || {
            Error::IllegalFieldValue(
                "The given 'clientId' is unknown or the given 'oldClientSecret' is incorrect"
                    .into(),
            )
        };
        let mut client = self.clients.get_mut(client_id).ok_or_else(unknown)?;
        if client.client_secret != old {
            return Err(unknown());
        }
        client.client_secret = new.to_string();
        drop(client);
        // Only the client's own tokens go; user tokens stay valid.
        self.tokens
            .retain(|_, t| !(t.client_id == client_id && t.user.is_none()));
        self.current
            .retain(|_, access| self.tokens.contains_key(access));
        Ok(())
    }

    /// `getUserList`: active and deleted users merged in id order, filtered, then paged. Without
    /// filters the window is cut from the key index alone, so only its rows are read.
    pub fn list_users(
        &self,
        filter: &UserFilter,
        window: crate::store::OffsetWindow,
        today: NaiveDate,
    ) -> Page<ListedUser> {
        let active = (filter.is_deleted != Some(true))
            .then(|| self.users.keys(filter.descending).map(|k| (k, true)));
        let deleted = (filter.is_deleted != Some(false) && filter.user_id.is_none())
            .then(|| self.deleted.keys(filter.descending).map(|k| (k, false)));
        let keys = Merge {
            a: active.into_iter().flatten().peekable(),
            b: deleted.into_iter().flatten().peekable(),
            descending: filter.descending,
        };
        let read_at = |key: &str, active: bool| {
            if active {
                self.users.with(key, ListedUser::active)
            } else {
                self.deleted.with(key, ListedUser::deleted)
            }
        };
        let read = |(key, active): (String, bool)| read_at(&key, active);
        let stats = filter.monthly_stats.as_ref();
        let page = if filter.is_unfiltered() {
            let (users, deleted) = (self.users.len(), self.deleted.len());
            let keys = merged_window(
                (&self.users, users),
                (&self.deleted, deleted),
                window,
                filter.descending,
            );
            let total = users + deleted;
            Page {
                has_more: window.offset + keys.len() < total,
                items: keys
                    .into_iter()
                    .filter_map(|(key, active)| read_at(&key, active))
                    .collect(),
                total,
            }
        } else {
            // The bank-connection filter reads the stats; every other filter reads the row alone.
            let by_stats = stats.and_then(|s| s.min_bank_connections).is_some();
            let keep = |row: &ListedUser| {
                filter.matches(row)
                    && (!by_stats || filter.matches_stats(&row.clone().with_stats(stats, today)))
            };
            match (self.indexed_candidates(filter), self.indexed_total(filter)) {
                // The index alone answers the filter: read only the window's rows.
                (Some(keys), Some(total)) => {
                    let items = offset_window(keys.into_iter(), window);
                    Page {
                        has_more: window.offset + items.len() < total,
                        items: items.into_iter().filter_map(read).collect(),
                        total,
                    }
                }
                // A selective index: read its keys' rows, check the other filters on them.
                (Some(keys), None) => {
                    Page::from_ordered(keys.into_iter().filter_map(read).filter(keep), window)
                }
                // A broad filter the indexes count: walk the id order up to the window only.
                (None, Some(total)) => {
                    let items = offset_window(keys.filter_map(read).filter(keep), window);
                    Page {
                        has_more: window.offset + items.len() < total,
                        items,
                        total,
                    }
                }
                (None, None) => Page::from_ordered(keys.filter_map(read).filter(keep), window),
            }
        };
        page.map(|row| row.with_stats(stats, today))
    }

    /// The keys a selective filter can match, from its index, in listing order (active `true`);
    /// `None` when no index narrows the filter enough to beat walking the id order.
    pub(super) fn indexed_candidates(&self, filter: &UserFilter) -> Option<Vec<(String, bool)>> {
        let mut keys: Vec<(String, bool)> = if let Some(id) = &filter.user_id {
            // `userId` names one active user.
            let key = user_key(id);
            self.users.contains(&key).then(|| vec![(key, true)])?
        } else if filter.is_locked == Some(true) {
            // Deleted users are never locked.
            self.listing.locked.iter(false).map(|k| (k, true)).collect()
        } else if filter.min_registration.is_some() || filter.max_registration.is_some() {
            let (min, max) = filter.registration_bounds();
            if self
                .listing
                .registered
                .count(min.as_deref(), max.as_deref())
                > SELECTIVE
            {
                return None;
            }
            self.listing
                .registered
                .keys(min.as_deref(), max.as_deref())
                .filter_map(|entry| match entry.split_at_checked(1) {
                    Some(("a", key)) => Some((key.to_string(), true)),
                    Some(("d", key)) => Some((key.to_string(), false)),
                    _ => None,
                })
                .collect()
        } else {
            return None;
        };
        keys.retain(|(_, active)| filter.is_deleted.is_none_or(|deleted| deleted != *active));
        keys.sort_unstable();
        if filter.descending {
            keys.reverse();
        }
        Some(keys)
    }

    /// The size of the listing when the indexes alone answer every filter given.
    pub(super) fn indexed_total(&self, filter: &UserFilter) -> Option<usize> {
        let (users, deleted) = (self.users.len(), self.deleted.len());
        let registration_only = UserFilter {
            min_registration: filter.min_registration,
            max_registration: filter.max_registration,
            ..UserFilter::default()
        };
        let locked_only = UserFilter {
            is_locked: filter.is_locked,
            is_deleted: filter.is_deleted,
            ..UserFilter::default()
        };
        if filter.same_filters(&registration_only) {
            let (min, max) = filter.registration_bounds();
            Some(
                self.listing
                    .registered
                    .count(min.as_deref(), max.as_deref()),
            )
        } else if filter.same_filters(&locked_only) {
            let locked = self.listing.locked.len();
            Some(match (filter.is_locked, filter.is_deleted) {
                (Some(true), Some(true)) => 0,
                (Some(true), _) => locked,
                (Some(false), Some(true)) | (None, Some(true)) => deleted,
                (Some(false), Some(false)) => users - locked.min(users),
                (Some(false), None) => users - locked.min(users) + deleted,
                (None, Some(false)) => users,
                (None, None) => users + deleted,
            })
        } else {
            None
        }
    }
}

impl UserFilter {
    /// The registration bounds as the index's values.
    fn registration_bounds(&self) -> (Option<String>, Option<String>) {
        (
            self.min_registration.map(|d| d.to_string()),
            self.max_registration.map(|d| d.to_string()),
        )
    }

    /// Whether both filter on the same values (the order and the stats window aside).
    fn same_filters(&self, other: &UserFilter) -> bool {
        self.min_registration == other.min_registration
            && self.max_registration == other.max_registration
            && self.min_deletion == other.min_deletion
            && self.max_deletion == other.max_deletion
            && self.min_last_active == other.min_last_active
            && self.max_last_active == other.max_last_active
            && self.is_deleted == other.is_deleted
            && self.is_locked == other.is_locked
            && self.user_id == other.user_id
            && self
                .monthly_stats
                .as_ref()
                .and_then(|s| s.min_bank_connections)
                == other
                    .monthly_stats
                    .as_ref()
                    .and_then(|s| s.min_bank_connections)
    }

    fn is_unfiltered(&self) -> bool {
        self.min_registration.is_none()
            && self.max_registration.is_none()
            && self.min_deletion.is_none()
            && self.max_deletion.is_none()
            && self.min_last_active.is_none()
            && self.max_last_active.is_none()
            && self.is_deleted.is_none()
            && self.is_locked.is_none()
            && self.user_id.is_none()
            && self
                .monthly_stats
                .as_ref()
                .is_none_or(|s| s.min_bank_connections.is_none())
    }

    /// The `minBankConnectionCountInMonthlyStats` filter, on a row with its stats.
    fn matches_stats(&self, row: &ListedUser) -> bool {
        self.monthly_stats
            .as_ref()
            .and_then(|s| s.min_bank_connections)
            .is_none_or(|min| {
                row.monthly_stats
                    .as_ref()
                    .is_some_and(|stats| stats.iter().any(|(_, _, max)| *max >= min))
            })
    }

    fn matches(&self, row: &ListedUser) -> bool {
        let ge = |value: Option<NaiveDate>, bound: Option<NaiveDate>| {
            bound.is_none_or(|b| value.is_some_and(|v| v >= b))
        };
        // finAPI: a max bound also admits users without the date.
        let le = |value: Option<NaiveDate>, bound: Option<NaiveDate>| {
            bound.is_none_or(|b| value.is_none_or(|v| v <= b))
        };
        ge(Some(row.registered_on), self.min_registration)
            && le(Some(row.registered_on), self.max_registration)
            && ge(row.deleted_on, self.min_deletion)
            && le(row.deleted_on, self.max_deletion)
            && ge(row.last_active_on, self.min_last_active)
            && le(row.last_active_on, self.max_last_active)
            && self.is_locked.is_none_or(|l| row.locked == l)
            && self
                .user_id
                .as_ref()
                .is_none_or(|id| row.deleted_on.is_none() && user_key(&row.user_id) == user_key(id))
    }
}

impl ListedUser {
    fn active(u: &UserRecord) -> Self {
        Self {
            user_id: u.id.clone(),
            registered_on: u.registered_on,
            deleted_on: None,
            last_active_on: u.last_active_on,
            bank_connections: u.bank_connections,
            latest_import_on: u.latest_import_on,
            latest_deletion_on: None,
            monthly_stats: None,
            locked: u.locked,
            stats_connections: u.bank_connections,
        }
    }

    fn deleted(d: &DeletedUser) -> Self {
        Self {
            user_id: d.distorted_id.clone(),
            registered_on: d.registered_on,
            deleted_on: Some(d.deleted_on),
            last_active_on: d.last_active_on,
            bank_connections: 0,
            latest_import_on: d.latest_import_on,
            latest_deletion_on: (d.bank_connections_before > 0).then_some(d.deleted_on),
            monthly_stats: None,
            locked: false,
            stats_connections: d.bank_connections_before,
        }
    }

    /// Monthly stats from the registration month (or `start`) to this month, the deletion month
    /// (or `end`), newest first.
    fn with_stats(mut self, window: Option<&StatsWindow>, today: NaiveDate) -> Self {
        let Some(window) = window else { return self };
        let first = month_start(self.registered_on).max(window.start.unwrap_or(NaiveDate::MIN));
        let last =
            month_start(self.deleted_on.unwrap_or(today)).min(window.end.unwrap_or(NaiveDate::MAX));
        let before = self.stats_connections;
        let deleted_month = self.deleted_on.map(month_start);
        let mut stats = Vec::new();
        let mut month = last;
        while month >= first && stats.len() < 1200 {
            let min = if Some(month) == deleted_month {
                0
            } else {
                before
            };
            stats.push((month, min, before));
            month = previous_month(month);
        }
        self.monthly_stats = Some(stats);
        self
    }
}

/// The window of the merged key order of two tables (active users, deleted users) without
/// walking to it: a binary search finds how many of the first `offset` merged keys are active.
pub(super) fn merged_window(
    (a, la): (&Table<UserRecord>, usize),
    (b, lb): (&Table<DeletedUser>, usize),
    window: crate::store::OffsetWindow,
    descending: bool,
) -> Vec<(Arc<str>, bool)> {
    let after = |x: &str, y: &str| if descending { x < y } else { x > y };
    let offset = window.offset.min(la + lb);
    let (mut lo, mut hi) = (offset.saturating_sub(lb), offset.min(la));
    let mut i = lo;
    while lo <= hi {
        i = lo + (hi - lo) / 2;
        let j = offset - i;
        let a_before = (i > 0 && j < lb)
            .then(|| a.key_at(i - 1, descending).zip(b.key_at(j, descending)))
            .flatten();
        let b_before = (j > 0 && i < la)
            .then(|| b.key_at(j - 1, descending).zip(a.key_at(i, descending)))
            .flatten();
        if a_before.is_some_and(|(x, y)| after(&x, &y)) {
            hi = i - 1;
        } else if b_before.is_some_and(|(x, y)| after(&x, &y)) {
            lo = i + 1;
        } else {
            break;
        }
    }
    let j = offset - i;
    let from_a = a
        .key_window(i, window.limit, descending)
        .into_iter()
        .map(|k| (k, true));
    let from_b = b
        .key_window(j, window.limit, descending)
        .into_iter()
        .map(|k| (k, false));
    Merge {
        a: from_a.peekable(),
        b: from_b.peekable(),
        descending,
    }
    .take(window.limit)
    .collect()
}

/// Merges two key-ordered streams into one.
pub(super) struct Merge<A: Iterator, B: Iterator> {
    a: Peekable<A>,
    b: Peekable<B>,
    descending: bool,
}

impl<A, B, K, T> Iterator for Merge<A, B>
where
    A: Iterator<Item = (K, T)>,
    B: Iterator<Item = (K, T)>,
    K: Ord,
{
    type Item = (K, T);

    fn next(&mut self) -> Option<Self::Item> {
        let take_a = match (self.a.peek(), self.b.peek()) {
            (Some((a, _)), Some((b, _))) if self.descending => a.cmp(b) != CmpOrdering::Less,
            (Some((a, _)), Some((b, _))) => a.cmp(b) != CmpOrdering::Greater,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if take_a { self.a.next() } else { self.b.next() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleted_ids_keep_their_first_and_last_character() {
        assert_eq!(distort("user"), "uXXr");
        assert_eq!(distort("ab"), "XX");
        assert_eq!(distort("abc"), "aXc");
        assert_eq!(distort_password(&hash_password("123456", "u")), "XXXXXX");
    }

    #[test]
    fn merged_streams_stay_ordered_both_ways() {
        let a = vec![("a".to_string(), 1), ("c".to_string(), 3)];
        let b = vec![("b".to_string(), 2)];
        let up: Vec<i32> = Merge {
            a: a.clone().into_iter().peekable(),
            b: b.clone().into_iter().peekable(),
            descending: false,
        }
        .map(|(_, v)| v)
        .collect();
        assert_eq!(up, [1, 2, 3]);
        let down: Vec<i32> = Merge {
            a: a.into_iter().rev().peekable(),
            b: b.into_iter().peekable(),
            descending: true,
        }
        .map(|(_, v)| v)
        .collect();
        assert_eq!(down, [3, 2, 1]);
    }
}

#[cfg(test)]
mod listing_tests {
    use super::*;
    use crate::store::OffsetWindow;

    fn user(id: &str) -> UserRecord {
        UserRecord::example(id)
    }

    #[test]
    fn deep_windows_of_the_merged_listing_match_a_walk() {
        let state = State::empty();
        let today = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
        for i in 0..700 {
            state.create_user(user(&format!("user{i:04}"))).unwrap();
        }
        for i in (0..700).step_by(3) {
            state.delete_user(&format!("user{i:04}"), today).unwrap();
        }
        for descending in [false, true] {
            let filter = UserFilter {
                descending,
                ..UserFilter::default()
            };
            // The same listing, walked: `is_locked: Some(false)` forces the filtered path.
            let walked = UserFilter {
                is_locked: Some(false),
                ..filter.clone()
            };
            for (page, per_page) in [(1, 20), (7, 20), (13, 37), (24, 30), (50, 20)] {
                let window = OffsetWindow::page(page, per_page);
                let fast = state.list_users(&filter, window, today);
                let slow = state.list_users(&walked, window, today);
                assert_eq!(
                    fast.items, slow.items,
                    "page {page} of {per_page}, descending {descending}"
                );
                assert_eq!((fast.total, fast.has_more), (slow.total, slow.has_more));
            }
        }
    }

    /// `getUserList` by reading every row, as it was before the secondary indexes.
    fn scanned(state: &State, filter: &UserFilter) -> Vec<ListedUser> {
        let active = state.users.to_vec().into_iter();
        let deleted = state.deleted.to_vec().into_iter();
        let mut rows: Vec<(String, ListedUser)> = active
            .map(|(k, u)| (k, ListedUser::active(&u)))
            .chain(deleted.map(|(k, d)| (k, ListedUser::deleted(&d))))
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        if filter.descending {
            rows.reverse();
        }
        let rows = rows
            .into_iter()
            .map(|(_, row)| row)
            .filter(|row| {
                filter
                    .is_deleted
                    .is_none_or(|d| row.deleted_on.is_some() == d)
            })
            .filter(|row| filter.matches(row));
        rows.collect()
    }

    #[test]
    fn indexed_filters_list_what_a_scan_lists_after_writes() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
        let first = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        // More users than `SELECTIVE` registered in the broad range, so both index paths run.
        let state = State::empty();
        for i in 0..(SELECTIVE + 3_000) {
            let mut u = user(&format!("user{i:05}"));
            u.registered_on = first + Duration::days((i * 7 % 700) as i64);
            state.create_user(u).unwrap();
        }
        for i in (0..SELECTIVE).step_by(97) {
            state
                .update_user(&format!("user{i:05}"), |u| u.locked = true)
                .unwrap();
        }
        for i in (0..SELECTIVE).step_by(97 * 3) {
            // Unlocked again, as a password change does.
            state
                .update_user(&format!("user{i:05}"), |u| u.locked = false)
                .unwrap();
        }
        for i in (0..SELECTIVE).step_by(89) {
            state.delete_user(&format!("user{i:05}"), today).unwrap();
        }
        let date = |days: i64| Some(first + Duration::days(days));
        let filters = [
            UserFilter {
                is_locked: Some(true),
                ..UserFilter::default()
            },
            UserFilter {
                is_locked: Some(false),
                ..UserFilter::default()
            },
            UserFilter {
                is_locked: Some(false),
                is_deleted: Some(false),
                ..UserFilter::default()
            },
            UserFilter {
                is_deleted: Some(true),
                ..UserFilter::default()
            },
            UserFilter {
                min_registration: date(690),
                ..UserFilter::default()
            },
            UserFilter {
                max_registration: date(40),
                ..UserFilter::default()
            },
            UserFilter {
                min_registration: date(100),
                max_registration: date(120),
                ..UserFilter::default()
            },
            UserFilter {
                min_registration: date(10),
                ..UserFilter::default()
            },
            UserFilter {
                min_registration: date(300),
                is_deleted: Some(true),
                ..UserFilter::default()
            },
            UserFilter {
                min_registration: date(100),
                is_locked: Some(true),
                ..UserFilter::default()
            },
            UserFilter {
                user_id: Some("USER00098".into()),
                ..UserFilter::default()
            },
            UserFilter {
                user_id: Some("user00089".into()),
                ..UserFilter::default()
            },
            UserFilter {
                user_id: Some("nobody".into()),
                ..UserFilter::default()
            },
        ];
        for filter in filters {
            for descending in [false, true] {
                let filter = UserFilter {
                    descending,
                    ..filter.clone()
                };
                let all = scanned(&state, &filter);
                for (page, per_page) in [(1, 20), (3, 7), (40, 20), (9_000, 1)] {
                    let window = OffsetWindow::page(page, per_page);
                    let listed = state.list_users(&filter, window, today);
                    let expected = Page::from_ordered(all.iter().cloned(), window);
                    assert_eq!(listed, expected, "{filter:?}, page {page} of {per_page}");
                }
            }
        }
    }
}
