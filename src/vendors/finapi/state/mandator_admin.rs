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
    /// filters the window is cut from the tables' key orders alone; with filters it is cut from
    /// `listing`, which knows what they range over. Either way only the window's rows are read.
    pub fn list_users(
        &self,
        filter: &UserFilter,
        window: crate::store::OffsetWindow,
        today: NaiveDate,
    ) -> Page<ListedUser> {
        let read_at = |key: &str, active: bool| {
            if active {
                self.users.with(key, ListedUser::active)
            } else {
                self.deleted.with(key, ListedUser::deleted)
            }
        };
        let stats = filter.monthly_stats.as_ref();
        let by_stats = stats.and_then(|s| s.min_bank_connections).is_some();
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
        } else if let Some(id) = &filter.user_id {
            // `userId` names one active user.
            let row = (filter.is_deleted != Some(true))
                .then(|| self.users.with(&user_key(id), ListedUser::active))
                .flatten()
                .filter(|row| {
                    filter.matches(row)
                        && filter.matches_stats(&row.clone().with_stats(stats, today))
                });
            Page::from_ordered(row.into_iter(), window)
        } else {
            let facts = filter.facts();
            let read = |(key, facts): (Arc<str>, Facts<FACTS>)| read_at(&key, facts.group != GONE);
            if by_stats {
                // The bank connection filter reads the stats, of the rows the others let through.
                let (keys, _) = self.listing.page(&facts, 0, usize::MAX, filter.descending);
                let rows = keys.into_iter().filter_map(read);
                Page::from_ordered(
                    rows.filter(|row| filter.matches_stats(&row.clone().with_stats(stats, today))),
                    window,
                )
            } else {
                let (keys, total) =
                    self.listing
                        .page(&facts, window.offset, window.limit, filter.descending);
                Page {
                    has_more: window.offset + keys.len() < total,
                    items: keys.into_iter().filter_map(read).collect(),
                    total,
                }
            }
        };
        page.map(|row| row.with_stats(stats, today))
    }
}

impl UserFilter {
    /// The filters but `userId` and the bank connection count, as what `listing` keeps.
    fn facts(&self) -> FactFilter<FACTS> {
        let bit = |group: u8| 1u8 << group;
        let mut groups = bit(ACTIVE) | bit(LOCKED) | bit(GONE);
        match self.is_deleted {
            Some(true) => groups &= bit(GONE),
            Some(false) => groups &= !bit(GONE),
            None => {}
        }
        match self.is_locked {
            Some(true) => groups &= bit(LOCKED),
            Some(false) => groups &= !bit(LOCKED),
            None => {}
        }
        // A min bound leaves out rows without the date (`NONE` is below every day); a max bound
        // lets them through, as finAPI does.
        let range = |min: Option<NaiveDate>, max: Option<NaiveDate>| {
            (min.is_some() || max.is_some())
                .then(|| (min.map_or(NONE, day), max.map_or(i32::MAX, day)))
        };
        let mut ranges = [None; FACTS];
        ranges[REGISTERED] = range(self.min_registration, self.max_registration);
        ranges[DELETED] = range(self.min_deletion, self.max_deletion);
        ranges[LAST_ACTIVE] = range(self.min_last_active, self.max_last_active);
        FactFilter { groups, ranges }
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
        // Enough users for several chunks of the listing, so pages skip chunks by their counts.
        let state = State::empty();
        for i in 0..13_000 {
            let mut u = user(&format!("user{i:05}"));
            u.registered_on = first + Duration::days((i * 7 % 700) as i64);
            state.create_user(u).unwrap();
        }
        for i in (0..10_000).step_by(97) {
            state
                .update_user(&format!("user{i:05}"), |u| u.locked = true)
                .unwrap();
        }
        for i in (0..10_000).step_by(97 * 3) {
            // Unlocked again, as a password change does.
            state
                .update_user(&format!("user{i:05}"), |u| u.locked = false)
                .unwrap();
        }
        for i in (0..10_000).step_by(89) {
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

    /// Every combination of the date filters, `isDeleted` and `isLocked` (and the bank connection
    /// filter on some), both orders, several windows, against a scan of the rows: on a state
    /// restored from an export (the listing filled in one pass), then after rounds of creates,
    /// deletes, locks, unlocks and new last-active dates, so a listing left behind by a write
    /// fails.
    #[test]
    fn every_filter_lists_what_a_scan_lists_between_writes() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
        let first = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let date = |days: usize| first + Duration::days(days as i64);
        let built = State::empty();
        for i in 0..2_000 {
            let mut u = user(&format!("User{i:05}"));
            u.registered_on = date(i * 7 % 700);
            u.last_active_on = (i % 5 != 0).then(|| date(i * 13 % 800));
            u.locked = i % 61 == 0;
            u.bank_connections = (i % 4) as u32;
            built.create_user(u).unwrap();
        }
        for i in (0..2_000).step_by(43) {
            built
                .delete_user(&format!("user{i:05}"), date(650 + i % 30))
                .unwrap();
        }
        let state = State::import(built.export_value(Secrets::Include)).unwrap();
        let dates = |min: Option<usize>, max: Option<usize>| {
            [(None, None), (min, None), (None, max), (min, max)]
        };
        let mut filters = Vec::new();
        for (min_registration, max_registration) in dates(Some(300), Some(420)) {
            for (min_deletion, max_deletion) in dates(Some(660), Some(670)).into_iter().take(3) {
                for (min_last_active, max_last_active) in dates(Some(500), Some(200)) {
                    for is_deleted in [None, Some(true), Some(false)] {
                        for is_locked in [None, Some(true), Some(false)] {
                            filters.push(UserFilter {
                                min_registration: min_registration.map(date),
                                max_registration: max_registration.map(date),
                                min_deletion: min_deletion.map(date),
                                max_deletion: max_deletion.map(date),
                                min_last_active: min_last_active.map(date),
                                max_last_active: max_last_active.map(date),
                                is_deleted,
                                is_locked,
                                ..UserFilter::default()
                            });
                        }
                    }
                }
            }
        }
        for (i, min) in [1, 3].into_iter().enumerate() {
            filters.push(UserFilter {
                min_registration: Some(date(100 * i)),
                monthly_stats: Some(StatsWindow {
                    start: Some(date(400)),
                    end: None,
                    min_bank_connections: Some(min),
                }),
                ..UserFilter::default()
            });
        }
        for round in 0..3 {
            let rows = scanned(&state, &UserFilter::default());
            let listed_rows = |filter: &UserFilter| -> Vec<ListedUser> {
                let all = rows.iter().filter(|row| {
                    filter
                        .is_deleted
                        .is_none_or(|d| row.deleted_on.is_some() == d)
                        && filter.matches(row)
                        && filter.matches_stats(
                            &(*row)
                                .clone()
                                .with_stats(filter.monthly_stats.as_ref(), today),
                        )
                });
                let mut all: Vec<ListedUser> = all.cloned().collect();
                if filter.descending {
                    all.reverse();
                }
                all
            };
            for filter in &filters {
                for descending in [false, true] {
                    let filter = UserFilter {
                        descending,
                        ..filter.clone()
                    };
                    let all = listed_rows(&filter);
                    for (page, per_page) in [(1, 20), (5, 7), (2, 500)] {
                        let window = OffsetWindow::page(page, per_page);
                        let listed = state.list_users(&filter, window, today);
                        let expected = Page::from_ordered(all.iter().cloned(), window)
                            .map(|row| row.with_stats(filter.monthly_stats.as_ref(), today));
                        assert_eq!(
                            listed, expected,
                            "round {round}: {filter:?}, page {page} of {per_page}"
                        );
                    }
                }
            }
            // Writes: creates, deletes (of locked users too), locks, unlocks, activity.
            for i in 0..200 {
                let mut u = user(&format!("new{round}-{i:03}"));
                u.registered_on = date(i * 11 % 700);
                u.locked = i % 9 == 0;
                state.create_user(u).unwrap();
            }
            for i in (round..2_000).step_by(37) {
                let key = format!("user{i:05}");
                let _ = state.delete_user(&key, date(655 + round * 5));
            }
            for i in (round..2_000).step_by(29) {
                let key = format!("user{i:05}");
                let _ = state.update_user(&key, |u| {
                    u.locked = !u.locked;
                    u.last_active_on = Some(date(400 + i % 300));
                });
            }
        }
    }
}
