//! DirectLogin: consumers, logins, tokens, bad-login counters and locks.

use super::*;

impl State {
    pub fn consumer(&self, key: &str) -> Option<&ConsumerRecord> {
        self.consumers.iter().find(|c| c.consumer_key == key)
    }

    pub(super) fn counter_locked(&self, username: &str) -> bool {
        self.bad_logins
            .get(username)
            .is_some_and(|b| b.attempts > self.config.max_bad_login_attempts)
    }

    /// OBP's `userIsLocked`: the bad-login counter is over the limit, or an admin lock exists.
    pub fn is_locked(&self, user: &UserRecord) -> bool {
        self.counter_locked(&user.username) || self.locks.contains_key(&*user.user_id)
    }

    /// `is_locked` for the many users of a page: the bad-login counters and the admin locks are
    /// read once. While they hold few entries (most of the time none or a handful), the names
    /// over the limit and the locked ids are copied out and each user is checked against those
    /// short lists, not looked up in the maps.
    pub fn is_locked_check(&self) -> LockCheck<'_> {
        self.is_locked_check_within(FEW_LOCKS)
    }

    fn is_locked_check_within(&self, few: usize) -> LockCheck<'_> {
        let max = self.config.max_bad_login_attempts;
        // One walk of each map, given up past `few` entries (a map's `len` walks it too).
        let counters = self
            .bad_logins
            .iter()
            .map(|b| (b.attempts > max).then(|| b.key().clone()));
        let over_limit = few_of(counters, few).map(|names| names.into_iter().flatten().collect());
        let locked = few_of(self.locks.iter().map(|l| l.key().clone()), few);
        LockCheck {
            state: self,
            over_limit,
            locked,
        }
    }

    pub(super) fn failed_login(&self, username: &str, now: DateTime<Utc>) {
        let mut row = self
            .bad_logins
            .entry(username.to_string())
            .or_insert(BadLoginRecord {
                attempts: 0,
                last_failure_date: now,
            });
        row.attempts += 1;
        row.last_failure_date = now;
    }

    /// DirectLogin's credential check, with OBP's bad-login counting: every failure counts, a
    /// locked user is refused even with the right password, a success resets the counter.
    pub fn direct_login(
        &self,
        username: &str,
        password: &str,
        consumer_key: &str,
        now: DateTime<Utc>,
    ) -> Result<UserRecord> {
        if !self.consumer(consumer_key).is_some_and(|c| c.enabled) {
            return Err(Error::InvalidConsumerKey);
        }
        let Some(user) = self.user_by_username(username) else {
            self.failed_login(username, now);
            return Err(Error::InvalidLoginCredentials);
        };
        if self.is_locked(&user) {
            self.failed_login(username, now);
            return Err(Error::UserLocked);
        }
        if !user.validated || !user.password.verify(password) {
            self.failed_login(username, now);
            return Err(Error::InvalidLoginCredentials);
        }
        if let Some(mut row) = self.bad_logins.get_mut(username) {
            row.attempts = 0;
        }
        Ok(user)
    }

    pub fn issue_token(&self, token: String, record: TokenRecord) {
        self.tokens.insert(token, record);
    }

    /// `f` of the token's record while it is valid at `now`, read in place.
    pub fn with_token<R>(
        &self,
        token: &str,
        now: DateTime<Utc>,
        f: impl FnOnce(&TokenRecord) -> R,
    ) -> Option<R> {
        let record = self.tokens.get(token)?;
        (record.expires_at > now).then(|| f(record.value()))
    }

    /// `getBadLoginStatus`: OBP creates a zero counter (dated now) on first look.
    pub fn bad_login_status(&self, username: &str, now: DateTime<Utc>) -> BadLoginRecord {
        self.bad_logins
            .entry(username.to_string())
            .or_insert(BadLoginRecord {
                attempts: 0,
                last_failure_date: now,
            })
            .value()
            .clone()
    }

    /// `lockUser`: a new admin lock, or a fresh date on the existing one.
    pub fn lock(&self, user_id: &str, now: DateTime<Utc>) -> UserLockRecord {
        let mut row = self
            .locks
            .entry(user_id.to_string())
            .or_insert(UserLockRecord {
                type_of_lock: "lock_via_api".into(),
                last_lock_date: now,
            });
        row.last_lock_date = now;
        row.value().clone()
    }

    /// `unlockUser`: resets the counter (if any) and removes the admin lock.
    pub fn unlock(&self, user: &UserRecord, now: DateTime<Utc>) -> BadLoginRecord {
        self.locks.remove(&*user.user_id);
        if let Some(mut row) = self.bad_logins.get_mut(&user.username) {
            row.attempts = 0;
            row.last_failure_date = now;
            return row.value().clone();
        }
        BadLoginRecord {
            attempts: 0,
            last_failure_date: now,
        }
    }
}

/// Entries of the bad-login counters (and of the admin locks) up to which a page copies them
/// out once instead of looking each user up.
const FEW_LOCKS: usize = 64;

/// The items of `iter` while there are at most `few` of them.
fn few_of<T>(iter: impl Iterator<Item = T>, few: usize) -> Option<Vec<T>> {
    let mut items = Vec::new();
    for item in iter {
        if items.len() == few {
            return None;
        }
        items.push(item);
    }
    Some(items)
}

/// [`State::is_locked_check`]: `is_locked` and `counter_locked` for one page's users.
#[derive(Debug)]
pub struct LockCheck<'a> {
    state: &'a State,
    /// Usernames whose counter is over the limit; `None`: too many counters, look each up.
    over_limit: Option<Vec<String>>,
    /// User ids with an admin lock; `None`: too many locks, look each up.
    locked: Option<Vec<String>>,
}

impl LockCheck<'_> {
    #[inline]
    pub fn is_locked(&self, user: &UserRecord) -> bool {
        self.counter_locked(user)
            || match &self.locked {
                Some(ids) => ids.iter().any(|id| **id == *user.user_id),
                None => self.state.locks.contains_key(&*user.user_id),
            }
    }

    #[inline]
    pub fn counter_locked(&self, user: &UserRecord) -> bool {
        match &self.over_limit {
            Some(names) => names.contains(&user.username),
            None => self.state.counter_locked(&user.username),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pages_lock_check_is_is_locked_with_few_or_many_counters_and_locks() {
        let (state, clock) = crate::vendors::obp::state::seeded_with(40);
        let users = state.list_users(false, 0, 1000, LockedStatus::Any);
        let now = clock.now();
        for u in users.iter().step_by(5) {
            state.lock(&u.user_id, now);
        }
        for (i, u) in users.iter().enumerate().skip(1).step_by(3) {
            // Some over the limit, some under it, some reset to zero.
            for _ in 0..(i % 9) {
                let _ = state.direct_login(&u.username, "wrong", "sandbox-consumer-key", now);
            }
        }
        let _ = state.direct_login("nobody", "wrong", "sandbox-consumer-key", now);
        let mut locked = 0;
        for few in [0, 3, FEW_LOCKS, usize::MAX] {
            let check = state.is_locked_check_within(few);
            for u in &users {
                assert_eq!(
                    check.is_locked(u),
                    state.is_locked(u),
                    "{few} {}",
                    u.username
                );
                assert_eq!(
                    check.counter_locked(u),
                    state.counter_locked(&u.username),
                    "{few} {}",
                    u.username
                );
                locked += usize::from(check.counter_locked(u));
            }
        }
        assert!(locked > 0);
    }
}
