//! The Users API: create, read, edit, verify and delete users, password changes.

use super::*;

impl State {
    pub fn user(&self, key: &str) -> Result<UserRecord> {
        Ok(self.users.get(key)?)
    }

    /// Reads a user in place, under its row's lock, without cloning it.
    pub fn read_user<R>(&self, key: &str, f: impl FnOnce(&UserRecord) -> R) -> Result<R> {
        Ok(self.users.read(key, f)?)
    }

    pub fn client_config(&self, client_id: &str) -> Result<ClientRecord> {
        self.clients
            .get(client_id)
            .map(|c| c.value().clone())
            .ok_or(Error::UnauthorizedAccess)
    }

    /// Creates a user; an id taken in any casing is `ENTITY_EXISTS`, named as the caller sent it.
    pub fn create_user(&self, record: UserRecord) -> Result<UserRecord> {
        let key: Arc<str> = user_key(&record.id).into();
        match self.users.insert(key.clone(), record.clone()) {
            Ok(()) => {
                self.listing.set(key, user_facts(&record));
                Ok(record)
            }
            Err(crate::store::StoreError::AlreadyExists { .. }) => Err(Error::EntityExists(
                format!("User with id '{}' already exists", record.id),
            )),
            Err(e) => Err(e.into()),
        }
    }

    pub fn update_user<R>(&self, key: &str, f: impl FnOnce(&mut UserRecord) -> R) -> Result<R> {
        Ok(self.update_row(key, f)?)
    }

    /// Deletes a user who is not busy; the user stays listed, distorted, as deleted.
    pub fn delete_user(&self, key: &str, today: NaiveDate) -> Result<Option<UserRecord>> {
        let removed = self.users.remove_if(key, |u| !u.busy)?;
        if let Some(user) = &removed {
            self.listing.remove(key);
            self.forget(key, user, today);
        }
        Ok(removed)
    }

    pub(super) fn forget(&self, key: &str, user: &UserRecord, today: NaiveDate) {
        self.revoke_user_tokens(key);
        self.password_changes.retain(|_, u| u != key);
        self.insert_deleted(DeletedUser {
            distorted_id: distort(&user.id),
            registered_on: user.registered_on,
            deleted_on: today,
            last_active_on: user.last_active_on,
            bank_connections_before: user.bank_connections,
            latest_import_on: user.latest_import_on,
        });
    }

    /// `DELETE /api/v1/users/{userId}`: only an unverified user goes.
    pub fn delete_unverified_user(&self, key: &str, today: NaiveDate) -> Result<()> {
        match self.users.remove_if(key, |u| !u.verified)? {
            Some(user) => {
                self.listing.remove(key);
                self.forget(key, &user, today);
                Ok(())
            }
            None => Err(Error::UserAlreadyVerified),
        }
    }

    pub fn verify_user(&self, key: &str) -> Result<()> {
        self.update_row(key, |u| {
            if u.verified {
                Err(Error::UserAlreadyVerified)
            } else {
                u.verified = true;
                Ok(())
            }
        })?
    }

    pub fn request_password_change(&self, ids: &Ids, key: &str) -> Result<(UserRecord, String)> {
        let user = self.users.get(key)?;
        if !user.verified {
            return Err(Error::UserNotVerified);
        }
        let token = ids.uuid(Purpose::Secret);
        self.password_changes.insert(token.clone(), key.to_string());
        Ok((user, token))
    }

    /// Sets the new password, unlocks the user and revokes all of the user's tokens.
    pub fn execute_password_change(&self, key: &str, token: &str, password: &str) -> Result<()> {
        self.users.get(key)?;
        if self
            .password_changes
            .remove_if(token, |_, user| user == key)
            .is_none()
        {
            return Err(Error::InvalidPasswordChangeToken);
        }
        self.update_row(key, |u| {
            u.password = hash_password(password, key);
            u.locked = false;
            u.failed_logins = 0;
        })?;
        self.revoke_user_tokens(key);
        Ok(())
    }
}
