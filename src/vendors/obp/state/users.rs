//! OBP's User endpoints: users (create, read, list, delete, refresh) and personal user attributes.

use super::*;

impl State {
    /// Inserts a user with the next creation sequence, which it returns; a taken username
    /// changes nothing.
    pub(super) fn insert_user(&self, mut record: UserRecord) -> Result<u64> {
        match self.usernames.entry(record.username.as_str().into()) {
            Entry::Occupied(_) => Err(Error::Internal(actix_web::http::StatusCode::CONFLICT)),
            Entry::Vacant(slot) => {
                let seq = self.next_seq.fetch_add(1, Ordering::AcqRel);
                record.seq = seq;
                // The table and the listing share one copy of the key.
                let key: Arc<str> = seq_key(seq).as_str().into();
                slot.insert(seq);
                self.index_email(&record.email, seq);
                self.user_keys.insert(record.user_id.clone(), seq);
                self.index_listed_shared(&key, record.is_deleted);
                self.users.put(key, record);
                Ok(seq)
            }
        }
    }

    /// `createUser`: a taken username is OBP's (masked) 409.
    pub fn create_user(&self, mut record: UserRecord) -> Result<UserRecord> {
        record.seq = self.insert_user(record.clone())?;
        Ok(record)
    }

    /// The user of a creation sequence.
    fn user_at(&self, seq: u64) -> Option<UserRecord> {
        self.users.get(SeqKey::new(seq).as_str()).ok()
    }

    /// `f` of a user by id, read in place (no copy of the record).
    pub fn with_user<R>(&self, user_id: &str, f: impl FnOnce(&UserRecord) -> R) -> Option<R> {
        let seq = *self.user_keys.get(user_id)?.value();
        self.users.with(SeqKey::new(seq).as_str(), f)
    }

    /// `f` of a user by username, read in place.
    pub fn with_user_by_username<R>(
        &self,
        username: &str,
        f: impl FnOnce(&UserRecord) -> R,
    ) -> Option<R> {
        let seq = *self.usernames.get(username)?.value();
        self.users.with(SeqKey::new(seq).as_str(), f)
    }

    pub fn user(&self, user_id: &str) -> Option<UserRecord> {
        let seq = *self.user_keys.get(user_id)?.value();
        self.user_at(seq)
    }

    pub fn user_by_username(&self, username: &str) -> Option<UserRecord> {
        let seq = *self.usernames.get(username)?.value();
        self.user_at(seq)
    }

    pub(super) fn index_email(&self, email: &str, seq: u64) {
        self.emails.entry(email.into()).or_default().push(seq);
    }

    pub(super) fn unindex_email(&self, email: &str, seq: u64) {
        if let Some(mut seqs) = self.emails.get_mut(email) {
            seqs.retain(|s| *s != seq);
        }
        self.emails.remove_if(email, |_, seqs| seqs.is_empty());
    }

    /// Users with exactly this email, in creation order.
    pub fn users_by_email(&self, email: &str) -> Vec<UserRecord> {
        let seqs = self
            .emails
            .get(email)
            .map(|seqs| seqs.value().clone())
            .unwrap_or_default();
        seqs.into_iter()
            .filter_map(|seq| self.user_at(seq))
            .collect()
    }

    /// `getUsers`: `is_deleted` users, in creation order, `limit` after `offset`; OBP applies
    /// the `locked_status` filter after the window, so pages can be short.
    pub fn list_users(
        &self,
        is_deleted: bool,
        offset: usize,
        limit: usize,
        locked: LockedStatus,
    ) -> Vec<UserRecord> {
        let mut users = Vec::new();
        self.list_users_with(is_deleted, offset, limit, locked, |u, _| {
            users.push(u.clone())
        });
        users
    }

    /// [`State::list_users`] with each listed user given to `list` in place, under its row's
    /// lock, instead of copied out of the table, with whether it is locked (`is_locked`).
    pub fn list_users_with(
        &self,
        is_deleted: bool,
        offset: usize,
        limit: usize,
        locked: LockedStatus,
        mut list: impl FnMut(&UserRecord, bool),
    ) {
        let listed = if is_deleted {
            &self.deleted_users
        } else {
            &self.live_users
        };
        let check = self.is_locked_check();
        let wanted = |u: &UserRecord| {
            u.is_deleted == is_deleted
                && match locked {
                    LockedStatus::Any => true,
                    LockedStatus::Locked => check.counter_locked(u),
                    LockedStatus::Active => !check.counter_locked(u),
                }
        };
        for key in listed.range_shared(offset, limit, false) {
            self.users.with(&key, |u| {
                if wanted(u) {
                    list(u, check.is_locked(u));
                }
            });
        }
    }

    /// Files a users key under the live or the deleted listing (and out of the other).
    pub(super) fn index_listed(&self, key: &str, is_deleted: bool) {
        self.index_listed_shared(&key.into(), is_deleted);
    }

    /// [`State::index_listed`] of a key the listing may share with the table.
    fn index_listed_shared(&self, key: &Arc<str>, is_deleted: bool) {
        let (to, from) = if is_deleted {
            (&self.deleted_users, &self.live_users)
        } else {
            (&self.live_users, &self.deleted_users)
        };
        from.remove(key);
        to.insert(key.clone());
    }

    pub(super) fn update_user<R>(
        &self,
        user_id: &str,
        f: impl FnOnce(&mut UserRecord) -> R,
    ) -> Option<R> {
        let seq = *self.user_keys.get(user_id)?.value();
        self.users.update(SeqKey::new(seq).as_str(), f).ok()
    }

    /// `deleteUser`: OBP scrambles the user (username `DELETED-...`, a random email) and marks
    /// it deleted; the user id stays, and its old tokens now get `OBP-20064`. Deleting again
    /// succeeds and changes nothing.
    pub fn delete_user(&self, ids: &Ids, user_id: &str) -> Option<UserRecord> {
        let user = self.user(user_id)?;
        if user.is_deleted {
            return Some(user);
        }
        let username = format!("DELETED-{}", ids.alphanumeric(Purpose::Misc, 16));
        let email = format!(
            "{}@example.com",
            ids.alphanumeric(Purpose::Misc, 16).to_lowercase()
        );
        let first_name = ids.alphanumeric(Purpose::Misc, 10);
        let last_name = ids.alphanumeric(Purpose::Misc, 10);
        // A random password no one knows, stored hashed like any other.
        let password = Password::hash(
            &ids.alphanumeric(Purpose::Secret, 24),
            &password_context(&username),
        );
        self.usernames.remove(user.username.as_str());
        self.usernames.insert(username.as_str().into(), user.seq);
        self.unindex_email(&user.email, user.seq);
        self.index_email(&email, user.seq);
        self.update_user(user_id, |u| {
            u.username = username.clone();
            u.provider_id = username;
            u.email = email;
            u.first_name = first_name;
            u.last_name = last_name;
            u.password = password;
            u.validated = false;
            u.is_deleted = true;
            u.clone()
        })
        .inspect(|_| {
            if let Some(seq) = self.user_keys.get(user_id).map(|k| *k.value()) {
                self.index_listed(&seq_key(seq), true);
            }
        })
    }
}

impl State {
    /// All of a user's attributes, newest first.
    pub fn attributes(&self, user_id: &str) -> Vec<AttributeRecord> {
        let mut list = self
            .attributes
            .get(user_id)
            .map(|a| a.value().clone())
            .unwrap_or_default();
        list.reverse();
        list
    }

    pub fn add_attribute(&self, record: AttributeRecord) {
        self.attributes
            .entry(record.user_id.clone())
            .or_default()
            .push(record);
    }

    /// Updates one of the user's own personal attributes; `None` when there is none with that id.
    pub fn update_personal_attribute(
        &self,
        user_id: &str,
        attribute_id: &str,
        name: String,
        kind: String,
        value: String,
    ) -> Option<AttributeRecord> {
        let mut list = self.attributes.get_mut(user_id)?;
        let attribute = list
            .iter_mut()
            .find(|a| a.user_attribute_id == attribute_id && a.is_personal)?;
        attribute.name = name;
        attribute.r#type = kind;
        attribute.value = value;
        Some(attribute.clone())
    }
}
