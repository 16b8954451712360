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
        self.counter_locked(&user.username) || self.locks.contains_key(&user.user_id)
    }

    /// `is_locked` for the many users of a page: the bad-login counters and the admin locks are
    /// looked at once, and each user looked up in them only while they hold any entry (most of
    /// the time neither does).
    pub fn is_locked_check(&self) -> LockCheck<'_> {
        LockCheck {
            state: self,
            counters: !self.bad_logins.is_empty(),
            locks: !self.locks.is_empty(),
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

    /// The token's record while it is valid at `now`.
    pub fn token(&self, token: &str, now: DateTime<Utc>) -> Option<TokenRecord> {
        self.tokens
            .get(token)
            .map(|t| t.value().clone())
            .filter(|t| t.expires_at > now)
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
        self.locks.remove(&user.user_id);
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

/// [`State::is_locked_check`]: `is_locked` and `counter_locked` for one page's users.
#[derive(Debug, Clone, Copy)]
pub struct LockCheck<'a> {
    state: &'a State,
    counters: bool,
    locks: bool,
}

impl LockCheck<'_> {
    pub fn is_locked(&self, user: &UserRecord) -> bool {
        self.counter_locked(user) || (self.locks && self.state.locks.contains_key(&user.user_id))
    }

    pub fn counter_locked(&self, user: &UserRecord) -> bool {
        self.counters && self.state.counter_locked(&user.username)
    }
}
