//! Authorization: clients, access and refresh tokens, revocation (`/oauth/token`, `/oauth/revoke`).

use super::*;

impl State {
    pub(super) fn client(&self, client_id: &str, secret: &str) -> Result<ClientRecord> {
        match self.clients.get(client_id) {
            Some(c) if c.client_secret == secret => Ok(c.value().clone()),
            _ => Err(Error::BadClientCredentials),
        }
    }

    pub(super) fn expiry(now: DateTime<Utc>, validity: i64) -> Option<DateTime<Utc>> {
        (validity > 0).then(|| now + Duration::seconds(validity))
    }

    pub(super) fn remaining(now: DateTime<Utc>, expires_at: Option<DateTime<Utc>>) -> i64 {
        expires_at.map_or(0, |at| (at - now).num_seconds().max(1))
    }

    /// The still-valid token for these credentials, if any.
    pub(super) fn reuse(&self, key: &str, now: DateTime<Utc>) -> Option<IssuedToken> {
        let access = self.current.get(key)?.value().clone();
        let token = self.tokens.get(&access)?.value().clone();
        if token.expires_at.is_some_and(|at| at <= now) {
            return None;
        }
        Some(IssuedToken {
            expires_in: Self::remaining(now, token.expires_at),
            access_token: access,
            refresh_token: token.refresh_token,
        })
    }

    pub(super) fn issue_access(
        &self,
        ids: &Ids,
        key: String,
        record: TokenRecord,
        now: DateTime<Utc>,
    ) -> IssuedToken {
        let access = ids.url_safe(Purpose::Token, 128);
        let issued = IssuedToken {
            access_token: access.clone(),
            refresh_token: record.refresh_token.clone(),
            expires_in: Self::remaining(now, record.expires_at),
        };
        self.tokens.insert(access.clone(), record);
        self.current.insert(key, access);
        issued
    }

    /// `grant_type=client_credentials`.
    pub fn client_token(
        &self,
        ids: &Ids,
        now: DateTime<Utc>,
        client_id: &str,
        secret: &str,
    ) -> Result<IssuedToken> {
        let client = self.client(client_id, secret)?;
        let key = format!("client|{client_id}");
        if let Some(token) = self.reuse(&key, now) {
            return Ok(token);
        }
        let record = TokenRecord {
            client_id: client.client_id,
            user: None,
            expires_at: Self::expiry(now, client.client_access_tokens_validity_period),
            refresh_token: None,
        };
        Ok(self.issue_access(ids, key, record, now))
    }

    /// `grant_type=password`: checks the lock, the password (counting failures), then verification.
    pub fn password_token(
        &self,
        ids: &Ids,
        now: DateTime<Utc>,
        (client_id, secret): (&str, &str),
        (username, password): (&str, &str),
    ) -> Result<IssuedToken> {
        let client = self.client(client_id, secret)?;
        let user = user_key(username);
        enum Outcome {
            Ok,
            Locked,
            JustLocked,
            BadPassword,
            Unverified,
        }
        let outcome = self
            .update_row(&user, |u| {
                if u.locked {
                    Outcome::Locked
                } else if !u.password.verify(password) {
                    u.failed_logins += 1;
                    if client.max_user_login_attempts > 0
                        && u.failed_logins >= client.max_user_login_attempts
                    {
                        u.locked = true;
                        Outcome::JustLocked
                    } else {
                        Outcome::BadPassword
                    }
                } else if !u.verified {
                    Outcome::Unverified
                } else {
                    u.failed_logins = 0;
                    u.last_active_on = Some(now.date_naive());
                    Outcome::Ok
                }
            })
            .map_err(|_| Error::BadCredentials("Bad user credentials".into()))?;
        match outcome {
            Outcome::Locked => return Err(Error::Locked("User is locked".into())),
            Outcome::JustLocked => {
                // Locking invalidates every token of the user.
                self.revoke_user_tokens(&user);
                return Err(Error::BadCredentials("Bad user credentials".into()));
            }
            Outcome::BadPassword => {
                return Err(Error::BadCredentials("Bad user credentials".into()));
            }
            Outcome::Unverified => return Err(Error::UserNotVerifiedLogin),
            Outcome::Ok => {}
        }
        let key = format!("user|{client_id}|{user}");
        if let Some(token) = self.reuse(&key, now) {
            return Ok(token);
        }
        let refresh = ids.url_safe(Purpose::Token, 128);
        self.refresh_tokens.insert(
            refresh.clone(),
            RefreshRecord {
                client_id: client.client_id.clone(),
                user: user.clone(),
                expires_at: Self::expiry(now, client.refresh_tokens_validity_period),
            },
        );
        let record = TokenRecord {
            client_id: client.client_id,
            user: Some(user),
            expires_at: Self::expiry(now, client.user_access_tokens_validity_period),
            refresh_token: Some(refresh),
        };
        Ok(self.issue_access(ids, key, record, now))
    }

    /// `grant_type=refresh_token`: a new access token for the same grant; the old one is revoked.
    pub fn refresh_token(
        &self,
        ids: &Ids,
        now: DateTime<Utc>,
        (client_id, secret): (&str, &str),
        refresh: &str,
    ) -> Result<IssuedToken> {
        let client = self.client(client_id, secret)?;
        let invalid = || Error::BadCredentials(format!("Invalid refresh token: {refresh}"));
        let grant = self
            .refresh_tokens
            .get(refresh)
            .map(|r| r.value().clone())
            .ok_or_else(invalid)?;
        if grant.client_id != client.client_id || grant.expires_at.is_some_and(|at| at <= now) {
            return Err(invalid());
        }
        let user = self.users.get(&grant.user).map_err(|_| invalid())?;
        if user.locked {
            return Err(Error::Locked("User is locked".into()));
        }
        self.tokens
            .retain(|_, t| t.refresh_token.as_deref() != Some(refresh));
        self.update_row(&grant.user, |u| u.last_active_on = Some(now.date_naive()))
            .map_err(|_| invalid())?;
        let record = TokenRecord {
            client_id: client.client_id.clone(),
            user: Some(grant.user.clone()),
            expires_at: Self::expiry(now, client.user_access_tokens_validity_period),
            refresh_token: Some(refresh.to_string()),
        };
        Ok(self.issue_access(ids, format!("user|{client_id}|{}", grant.user), record, now))
    }

    /// Who an access token belongs to, if it is valid at `now`.
    pub fn authenticate(&self, access: &str, now: DateTime<Utc>) -> Result<Principal> {
        // Read in place: only the principal's two strings are copied out of the token.
        let token = self
            .tokens
            .get(access)
            .ok_or_else(|| Error::InvalidAccessToken(access.to_string()))?;
        if token.expires_at.is_some_and(|at| at <= now) {
            return Err(Error::ExpiredAccessToken(access.to_string()));
        }
        let role = match (&token.user, self.clients.get(&token.client_id)) {
            (Some(_), _) => Role::User,
            (None, Some(c)) if c.is_mandator_admin => Role::MandatorAdmin,
            (None, Some(_)) => Role::Client,
            (None, None) => return Err(Error::InvalidAccessToken(access.to_string())),
        };
        Ok(Principal {
            role,
            client_id: token.client_id.clone(),
            user: token.user.clone(),
        })
    }

    /// `POST /oauth/revoke`: only the caller's own tokens; anything else is silently ignored.
    pub fn revoke(&self, caller: &str, token: &str, hint: Option<&str>) -> Result<()> {
        if let Some(hint) = hint
            && hint != "access_token"
            && hint != "refresh_token"
        {
            return Err(Error::BadRequest(
                "The service does not support the revocation of the presented token type".into(),
            ));
        }
        if let Some(access) = self.tokens.get(token).map(|t| t.value().clone()) {
            if access.client_id != caller {
                return Ok(());
            }
            match (hint, access.refresh_token) {
                (Some("access_token"), _) | (_, None) => {
                    self.tokens.remove(token);
                }
                (_, Some(refresh)) => self.revoke_grant(&refresh),
            }
        } else if self
            .refresh_tokens
            .get(token)
            .is_some_and(|r| r.client_id == caller)
        {
            self.revoke_grant(token);
        }
        self.current
            .retain(|_, access| self.tokens.contains_key(access));
        Ok(())
    }

    pub(super) fn revoke_grant(&self, refresh: &str) {
        self.refresh_tokens.remove(refresh);
        self.tokens
            .retain(|_, t| t.refresh_token.as_deref() != Some(refresh));
    }

    pub(super) fn revoke_user_tokens(&self, user: &str) {
        self.tokens.retain(|_, t| t.user.as_deref() != Some(user));
        self.refresh_tokens.retain(|_, r| r.user != user);
        self.current
            .retain(|_, access| self.tokens.contains_key(access));
    }
}
