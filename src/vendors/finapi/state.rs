//! finAPI's tables in one world, and the rules that change them: users (case-insensitive ids,
//! verification, locking, busy users), deleted users (kept with distorted ids), clients, tokens
//! and password change tokens.

use std::cmp::Ordering as CmpOrdering;
use std::iter::Peekable;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use dashmap::DashMap;
use serde::{Deserialize, Serialize};

use crate::seed::Person;
use crate::seed::fixtures::FixtureError;
use crate::store::index::OrderedIndex;
use crate::store::page::offset_window;
use crate::store::secondary::SecondaryIndex;
use crate::store::table::sorted_entries;
use crate::store::{Clock, Ids, Page, Purpose, StoreError, Table};

use super::errors::{Error, Result};

/// `fixtures/finapi.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fixtures {
    pub clients: Vec<ClientRecord>,
    pub users: Vec<UserFixture>,
    #[serde(default)]
    pub deleted_users: Vec<DeletedFixture>,
    pub fake_users: FakeUsers,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserFixture {
    /// The `username` of a person in `people.json`; it becomes the finAPI user id.
    pub person: String,
    pub verified: bool,
    #[serde(default)]
    pub locked: bool,
    /// A bank connection is being updated: the user cannot be deleted.
    #[serde(default)]
    pub busy: bool,
    #[serde(default)]
    pub bank_connection_count: u32,
    pub last_active_days_ago: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeletedFixture {
    pub id: String,
    pub registered_days_ago: i64,
    pub deleted_days_ago: i64,
    pub last_active_days_ago: Option<i64>,
    #[serde(default)]
    pub bank_connection_count: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FakeUsers {
    /// Every n-th fake user is left unverified.
    pub unverified_every: usize,
    pub max_bank_connections: u32,
}

/// A finAPI client (an OAuth client of the mandator), as configured in the fixtures.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientRecord {
    pub client_id: String,
    pub client_secret: String,
    pub is_mandator_admin: bool,
    pub is_user_auto_verification_enabled: bool,
    pub is_automatic_batch_update_enabled: bool,
    /// Seconds; 0 = never expires.
    pub client_access_tokens_validity_period: i64,
    pub user_access_tokens_validity_period: i64,
    pub refresh_tokens_validity_period: i64,
    /// 0 = never lock.
    pub max_user_login_attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRecord {
    /// The id as created; the table key is its lower-case form.
    pub id: String,
    pub password: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub auto_update: bool,
    pub verified: bool,
    pub registered_on: NaiveDate,
    pub last_active_on: Option<NaiveDate>,
    pub failed_logins: u32,
    pub locked: bool,
    pub busy: bool,
    pub bank_connections: u32,
    pub latest_import_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeletedUser {
    /// `user` → `uXXr`: finAPI forgets the original id.
    pub distorted_id: String,
    pub registered_on: NaiveDate,
    pub deleted_on: NaiveDate,
    pub last_active_on: Option<NaiveDate>,
    pub bank_connections_before: u32,
    pub latest_import_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenRecord {
    pub client_id: String,
    /// Lower-case user id for user tokens.
    pub user: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub refresh_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefreshRecord {
    pub client_id: String,
    pub user: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// The role a token grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Client,
    MandatorAdmin,
    User,
}

/// Who a valid access token belongs to.
#[derive(Debug, Clone)]
pub struct Principal {
    pub role: Role,
    pub client_id: String,
    /// Lower-case user id for user tokens.
    pub user: Option<String>,
}

/// What `/oauth/token` hands out.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedToken {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: i64,
}

/// The validated filters of `getUserList`.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub min_registration: Option<NaiveDate>,
    pub max_registration: Option<NaiveDate>,
    pub min_deletion: Option<NaiveDate>,
    pub max_deletion: Option<NaiveDate>,
    pub min_last_active: Option<NaiveDate>,
    pub max_last_active: Option<NaiveDate>,
    pub is_deleted: Option<bool>,
    pub is_locked: Option<bool>,
    pub user_id: Option<String>,
    pub monthly_stats: Option<StatsWindow>,
    pub descending: bool,
}

/// `includeMonthlyStats=true` with its bounds (months as their first day).
#[derive(Debug, Clone, Default)]
pub struct StatsWindow {
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub min_bank_connections: Option<u32>,
}

/// One row of `getUserList`, before it becomes wire JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedUser {
    pub user_id: String,
    pub registered_on: NaiveDate,
    pub deleted_on: Option<NaiveDate>,
    pub last_active_on: Option<NaiveDate>,
    pub bank_connections: u32,
    pub latest_import_on: Option<NaiveDate>,
    pub latest_deletion_on: Option<NaiveDate>,
    /// `(first day of month, min, max)`, newest first.
    pub monthly_stats: Option<Vec<(NaiveDate, u32, u32)>>,
    pub locked: bool,
    /// Bank connections the stats report: current ones, or those held before deletion.
    stats_connections: u32,
}

#[derive(Debug)]
pub struct State {
    users: Table<UserRecord>,
    /// Keyed by the lower-case distorted id plus a sequence number, so listings sort by id.
    deleted: Table<DeletedUser>,
    deleted_seq: AtomicU64,
    clients: DashMap<String, ClientRecord>,
    tokens: DashMap<String, TokenRecord>,
    refresh_tokens: DashMap<String, RefreshRecord>,
    /// The live token per set of credentials: finAPI hands out the same token while it is valid.
    current: DashMap<String, String>,
    /// Password change token → lower-case user id.
    password_changes: DashMap<String, String>,
    /// Lower-case ids of the fixture users, in fixture order (documented credentials).
    fixture_users: Vec<String>,
    listing: ListingIndexes,
}

/// `getUserList`'s secondary indexes, kept in step with `users` and `deleted` on every write:
/// the registration date of every listed row (keyed `a<key>` for active users, `d<key>` for
/// deleted ones) and the keys of locked users. Filtered listings read these, not every row.
#[derive(Debug, Default)]
struct ListingIndexes {
    registered: SecondaryIndex,
    locked: OrderedIndex,
}

/// A filter whose index holds at most this many keys reads just their rows.
const SELECTIVE: usize = 10_000;

pub fn user_key(id: &str) -> String {
    id.to_lowercase()
}

/// finAPI's deleted-id distortion: `user` → `uXXr`; ids of one or two characters become all `X`.
pub fn distort(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    match chars.len() {
        0..=2 => "X".repeat(chars.len()),
        n => std::iter::once(chars[0])
            .chain(std::iter::repeat_n('X', n - 2))
            .chain(std::iter::once(chars[n - 1]))
            .collect(),
    }
}

/// One `X` per password character, as the seed documents (`123456` → `XXXXXX`).
pub fn distort_password(password: &str) -> String {
    "X".repeat(password.chars().count())
}

fn stable_hash(s: &str) -> u64 {
    // FNV-1a: a derived value that never changes between Rust versions.
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn previous_month(d: NaiveDate) -> NaiveDate {
    month_start(month_start(d) - Duration::days(1))
}

impl State {
    fn empty() -> Self {
        Self {
            users: Table::new("user"),
            deleted: Table::new("deleted user"),
            deleted_seq: AtomicU64::new(0),
            clients: DashMap::new(),
            tokens: DashMap::new(),
            refresh_tokens: DashMap::new(),
            current: DashMap::new(),
            password_changes: DashMap::new(),
            fixture_users: Vec::new(),
            listing: ListingIndexes::default(),
        }
    }

    fn index_user(&self, key: &str, u: &UserRecord) {
        let registered = u.registered_on.to_string();
        self.listing
            .registered
            .insert(&registered, &format!("a{key}"));
        if u.locked {
            self.listing.locked.insert(key.to_string());
        }
    }

    fn unindex_user(&self, key: &str, registered_on: NaiveDate) {
        let registered = registered_on.to_string();
        self.listing
            .registered
            .remove(&registered, &format!("a{key}"));
        self.listing.locked.remove(key);
    }

    /// Runs `f` on a user's row; a change of what the listing indexes is indexed under the row's
    /// lock, so concurrent writes of one user cannot leave the indexes behind.
    fn update_row<R>(
        &self,
        key: &str,
        f: impl FnOnce(&mut UserRecord) -> R,
    ) -> std::result::Result<R, StoreError> {
        self.users.update(key, |u| {
            let (locked, registered) = (u.locked, u.registered_on);
            let r = f(u);
            if u.locked != locked || u.registered_on != registered {
                self.unindex_user(key, registered);
                self.index_user(key, u);
            }
            r
        })
    }

    pub fn seed(
        fixtures: &Fixtures,
        people: &[Person],
        clock: &Clock,
    ) -> Result<Self, FixtureError> {
        let mut state = Self::empty();
        state.fixture_users = fixtures.users.iter().map(|u| user_key(&u.person)).collect();
        let now = clock.now();
        let today = now.date_naive();
        for client in &fixtures.clients {
            state
                .clients
                .insert(client.client_id.clone(), client.clone());
        }
        let days_ago = |days: i64| today - Duration::days(days);
        let mut fake_n = 0usize;
        for person in people {
            let fixture = fixtures.users.iter().find(|u| u.person == person.username);
            let registered_on = person.registered_at.date_naive();
            let record = match fixture {
                Some(f) => UserRecord {
                    id: person.username.clone(),
                    password: person.password.clone(),
                    email: Some(person.email.clone()),
                    phone: Some(person.phone.clone()),
                    auto_update: false,
                    verified: f.verified,
                    registered_on,
                    last_active_on: f.last_active_days_ago.map(days_ago),
                    failed_logins: 0,
                    locked: f.locked,
                    busy: f.busy,
                    bank_connections: f.bank_connection_count,
                    latest_import_on: (f.bank_connection_count > 0).then_some(registered_on),
                },
                None if person.fixture => continue,
                None => {
                    fake_n += 1;
                    let h = stable_hash(&person.username);
                    let bank_connections =
                        (h % u64::from(fixtures.fake_users.max_bank_connections + 1)) as u32;
                    let since_registration = (today - registered_on).num_days().max(0);
                    let last_active_on = (!h.is_multiple_of(7)).then(|| {
                        today - Duration::days((h >> 8) as i64 % (since_registration + 1))
                    });
                    UserRecord {
                        id: person.username.clone(),
                        password: person.password.clone(),
                        email: Some(person.email.clone()),
                        phone: Some(person.phone.clone()),
                        auto_update: h.is_multiple_of(3),
                        verified: fixtures.fake_users.unverified_every == 0
                            || !fake_n.is_multiple_of(fixtures.fake_users.unverified_every),
                        registered_on,
                        last_active_on,
                        failed_logins: 0,
                        locked: false,
                        busy: false,
                        bank_connections,
                        latest_import_on: (bank_connections > 0).then_some(registered_on),
                    }
                }
            };
            let key = user_key(&record.id);
            state.index_user(&key, &record);
            state.users.put(key, record);
        }
        for f in &fixtures.users {
            if !state.users.contains(&user_key(&f.person)) {
                return Err(FixtureError::Inconsistent(format!(
                    "finapi.json names user '{}', who is not in people.json",
                    f.person
                )));
            }
        }
        for d in &fixtures.deleted_users {
            state.insert_deleted(DeletedUser {
                distorted_id: distort(&d.id),
                registered_on: days_ago(d.registered_days_ago),
                deleted_on: days_ago(d.deleted_days_ago),
                last_active_on: d.last_active_days_ago.map(days_ago),
                bank_connections_before: d.bank_connection_count,
                latest_import_on: (d.bank_connection_count > 0)
                    .then(|| days_ago(d.registered_days_ago)),
            });
        }
        Ok(state)
    }

    fn insert_deleted(&self, deleted: DeletedUser) {
        let seq = self.deleted_seq.fetch_add(1, Ordering::AcqRel);
        let key = format!("{}\u{0}{seq:020}", deleted.distorted_id.to_lowercase());
        let registered = deleted.registered_on.to_string();
        self.listing
            .registered
            .insert(&registered, &format!("d{key}"));
        self.deleted.put(key, deleted);
    }

    pub fn clients(&self) -> Vec<ClientRecord> {
        let mut clients: Vec<ClientRecord> =
            self.clients.iter().map(|c| c.value().clone()).collect();
        clients.sort_by(|a, b| a.client_id.cmp(&b.client_id));
        clients
    }

    /// The fixture users as they are now (a changed password shows).
    pub fn fixture_users(&self) -> Vec<UserRecord> {
        self.fixture_users
            .iter()
            .filter_map(|key| self.users.get(key).ok())
            .collect()
    }

    // ---- tokens -------------------------------------------------------------------------------

    fn client(&self, client_id: &str, secret: &str) -> Result<ClientRecord> {
        match self.clients.get(client_id) {
            Some(c) if c.client_secret == secret => Ok(c.value().clone()),
            _ => Err(Error::BadClientCredentials),
        }
    }

    fn expiry(now: DateTime<Utc>, validity: i64) -> Option<DateTime<Utc>> {
        (validity > 0).then(|| now + Duration::seconds(validity))
    }

    fn remaining(now: DateTime<Utc>, expires_at: Option<DateTime<Utc>>) -> i64 {
        expires_at.map_or(0, |at| (at - now).num_seconds().max(1))
    }

    /// The still-valid token for these credentials, if any.
    fn reuse(&self, key: &str, now: DateTime<Utc>) -> Option<IssuedToken> {
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

    fn issue_access(
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
                } else if u.password != password {
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
        self.users
            .update(&grant.user, |u| u.last_active_on = Some(now.date_naive()))
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
        let token = self
            .tokens
            .get(access)
            .map(|t| t.value().clone())
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
            client_id: token.client_id,
            user: token.user,
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

    fn revoke_grant(&self, refresh: &str) {
        self.refresh_tokens.remove(refresh);
        self.tokens
            .retain(|_, t| t.refresh_token.as_deref() != Some(refresh));
    }

    fn revoke_user_tokens(&self, user: &str) {
        self.tokens.retain(|_, t| t.user.as_deref() != Some(user));
        self.refresh_tokens.retain(|_, r| r.user != user);
        self.current
            .retain(|_, access| self.tokens.contains_key(access));
    }

    // ---- users --------------------------------------------------------------------------------

    pub fn user(&self, key: &str) -> Result<UserRecord> {
        Ok(self.users.get(key)?)
    }

    pub fn client_config(&self, client_id: &str) -> Result<ClientRecord> {
        self.clients
            .get(client_id)
            .map(|c| c.value().clone())
            .ok_or(Error::UnauthorizedAccess)
    }

    /// Creates a user; an id taken in any casing is `ENTITY_EXISTS`, named as the caller sent it.
    pub fn create_user(&self, record: UserRecord) -> Result<UserRecord> {
        let key = user_key(&record.id);
        match self.users.insert(key.clone(), record.clone()) {
            Ok(()) => {
                self.index_user(&key, &record);
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
            self.unindex_user(key, user.registered_on);
            self.forget(key, user, today);
        }
        Ok(removed)
    }

    fn forget(&self, key: &str, user: &UserRecord, today: NaiveDate) {
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
                self.unindex_user(key, user.registered_on);
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
            u.password = password.to_string();
            u.locked = false;
            u.failed_logins = 0;
        })?;
        self.revoke_user_tokens(key);
        Ok(())
    }

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

    // ---- listing ------------------------------------------------------------------------------

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
        let read = |(key, active): (String, bool)| {
            if active {
                self.users.with(&key, ListedUser::active)
            } else {
                self.deleted.with(&key, ListedUser::deleted)
            }
        };
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
                items: keys.into_iter().filter_map(read).collect(),
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
    fn indexed_candidates(&self, filter: &UserFilter) -> Option<Vec<(String, bool)>> {
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
    fn indexed_total(&self, filter: &UserFilter) -> Option<usize> {
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
fn merged_window(
    (a, la): (&Table<UserRecord>, usize),
    (b, lb): (&Table<DeletedUser>, usize),
    window: crate::store::OffsetWindow,
    descending: bool,
) -> Vec<(String, bool)> {
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
struct Merge<A: Iterator, B: Iterator> {
    a: Peekable<A>,
    b: Peekable<B>,
    descending: bool,
}

impl<A, B, T> Iterator for Merge<A, B>
where
    A: Iterator<Item = (String, T)>,
    B: Iterator<Item = (String, T)>,
{
    type Item = (String, T);

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
        assert_eq!(distort_password("123456"), "XXXXXX");
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

/// The serialized form of the whole finAPI state (`GET /__admin/state`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Snapshot {
    users: Vec<(String, UserRecord)>,
    deleted: Vec<(String, DeletedUser)>,
    deleted_seq: u64,
    clients: Vec<ClientRecord>,
    tokens: Vec<(String, TokenRecord)>,
    refresh_tokens: Vec<(String, RefreshRecord)>,
    current: Vec<(String, String)>,
    password_changes: Vec<(String, String)>,
    fixture_users: Vec<String>,
}

impl State {
    /// The whole state as JSON; `import` restores it losslessly.
    pub fn export(&self) -> serde_json::Value {
        let snapshot = Snapshot {
            users: self.users.to_vec(),
            deleted: self.deleted.to_vec(),
            deleted_seq: self.deleted_seq.load(Ordering::Acquire),
            clients: self.clients(),
            tokens: sorted_entries(&self.tokens),
            refresh_tokens: sorted_entries(&self.refresh_tokens),
            current: sorted_entries(&self.current),
            password_changes: sorted_entries(&self.password_changes),
            fixture_users: self.fixture_users.clone(),
        };
        serde_json::to_value(snapshot).unwrap_or_default()
    }

    /// Restores a state written by `export`.
    pub fn import(value: serde_json::Value) -> Result<Self, String> {
        let s: Snapshot = serde_json::from_value(value).map_err(|e| format!("finapi: {e}"))?;
        let collect = |rows: Vec<(String, String)>| rows.into_iter().collect::<DashMap<_, _>>();
        let state = Self {
            users: Table::from_vec("user", s.users),
            deleted: Table::from_vec("deleted user", s.deleted),
            deleted_seq: AtomicU64::new(s.deleted_seq),
            clients: s
                .clients
                .into_iter()
                .map(|c| (c.client_id.clone(), c))
                .collect(),
            tokens: s.tokens.into_iter().collect(),
            refresh_tokens: s.refresh_tokens.into_iter().collect(),
            current: collect(s.current),
            password_changes: collect(s.password_changes),
            fixture_users: s.fixture_users,
            listing: ListingIndexes::default(),
        };
        for key in state.users.keys(false) {
            state.users.with(&key, |u| state.index_user(&key, u));
        }
        for key in state.deleted.keys(false) {
            let registered = state.deleted.with(&key, |d| d.registered_on.to_string());
            if let Some(registered) = registered {
                state
                    .listing
                    .registered
                    .insert(&registered, &format!("d{key}"));
            }
        }
        Ok(state)
    }
}

#[cfg(test)]
mod snapshot_tests {
    use super::*;
    use crate::seed::{SeedPlan, population};

    #[test]
    fn export_then_import_is_lossless() {
        let clock = Clock::fixed("2026-01-15T10:00:00Z".parse().unwrap());
        let plan = SeedPlan::embedded(
            42,
            10,
            crate::store::clock::ClockMode::System,
            crate::vendors::kinds(),
        )
        .unwrap();
        let fixtures = plan.fixtures.clone();
        let people = population(&plan, clock.now());
        let state = State::seed(&fixtures.vendor("finapi").unwrap(), &people, &clock).unwrap();
        let ids = Ids::new(1);
        let now = clock.now();
        state
            .password_token(
                &ids,
                now,
                ("sandbox-client", "sandbox-client-secret"),
                ("felixsmith", "Felix-Sandbox-2026!"),
            )
            .unwrap();
        state.delete_user("grace.hopper", now.date_naive()).unwrap();
        state.request_password_change(&ids, "ada.lovelace").unwrap();
        let exported = state.export();
        let restored = State::import(exported.clone()).unwrap();
        assert_eq!(restored.export(), exported);
        assert!(
            restored
                .authenticate(&restored.tokens.iter().next().unwrap().key().clone(), now)
                .is_ok()
        );
    }
}

#[cfg(test)]
mod listing_tests {
    use super::*;
    use crate::store::OffsetWindow;

    fn user(id: &str) -> UserRecord {
        UserRecord {
            id: id.into(),
            password: "secret12".into(),
            email: None,
            phone: None,
            auto_update: false,
            verified: true,
            registered_on: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            last_active_on: None,
            failed_logins: 0,
            locked: false,
            busy: false,
            bank_connections: 0,
            latest_import_on: None,
        }
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
