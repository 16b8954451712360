//! finAPI's tables in one world, and the rules that change them: users (case-insensitive ids,
//! verification, locking, busy users), deleted users (kept with distorted ids), clients, tokens
//! and password change tokens.

use std::cmp::Ordering as CmpOrdering;
use std::collections::HashMap;
use std::iter::Peekable;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::seed::Person;
use crate::seed::fixtures::FixtureError;
use crate::store::ids::stable_hash;
use crate::store::secondary::{FactFilter, FactOrder, Facts, NONE};
use crate::store::state_schema::keyed;
use crate::store::state_schema::rows::{self, MapOf};
use crate::store::world::Secrets;
use crate::store::{Clock, FastMap, Ids, Page, Password, Purpose, StoreError, Table};

use super::errors::{Error, Result};

mod mandator_admin;
mod oauth;
mod users;

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
    pub password: Password,
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

#[cfg(test)]
impl UserRecord {
    /// A verified user registered on 2025-01-01, with nothing else set.
    pub fn example(id: &str) -> Self {
        Self {
            id: id.into(),
            password: hash_password("secret12", id),
            email: None,
            phone: None,
            auto_update: false,
            verified: true,
            registered_on: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default(),
            last_active_on: None,
            failed_logins: 0,
            locked: false,
            busy: false,
            bank_connections: 0,
            latest_import_on: None,
        }
    }
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
    clients: FastMap<String, ClientRecord>,
    tokens: FastMap<String, TokenRecord>,
    refresh_tokens: FastMap<String, RefreshRecord>,
    /// The live token per set of credentials: finAPI hands out the same token while it is valid.
    current: FastMap<String, String>,
    /// Password change token → lower-case user id.
    password_changes: FastMap<String, String>,
    /// Lower-case ids of the fixture users, in fixture order (documented credentials).
    fixture_users: Vec<String>,
    /// `getUserList`'s order: the key of every listed row (a user's, or a deleted user's: the
    /// two never meet, a deleted key holds a NUL) with what the filters range over, kept in step
    /// with `users` and `deleted` on every write. A filtered page reads it and the page's rows.
    listing: FactOrder<FACTS>,
}

/// What `listing` keeps of a row: its group and these dates as day numbers ([`NONE`]: no date).
const FACTS: usize = 3;
const REGISTERED: usize = 0;
const DELETED: usize = 1;
const LAST_ACTIVE: usize = 2;
/// The groups of `listing`: active users, locked (active) users, deleted users.
const ACTIVE: u8 = 0;
const LOCKED: u8 = 1;
const GONE: u8 = 2;

fn day(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

fn user_facts(u: &UserRecord) -> Facts<FACTS> {
    Facts {
        group: if u.locked { LOCKED } else { ACTIVE },
        values: [
            day(u.registered_on),
            NONE,
            u.last_active_on.map_or(NONE, day),
        ],
    }
}

fn deleted_facts(d: &DeletedUser) -> Facts<FACTS> {
    Facts {
        group: GONE,
        values: [
            day(d.registered_on),
            day(d.deleted_on),
            d.last_active_on.map_or(NONE, day),
        ],
    }
}

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
pub fn distort_password(password: &Password) -> String {
    "X".repeat(password.chars())
}

/// How a finAPI user's password is hashed: the salt is derived from the user's key.
pub fn hash_password(plain: &str, key: &str) -> Password {
    Password::hash(plain, &password_context(key))
}

fn password_context(key: &str) -> String {
    format!("finapi user {key}")
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn previous_month(d: NaiveDate) -> NaiveDate {
    month_start(month_start(d) - Duration::days(1))
}

impl State {
    pub(in crate::vendors::finapi) fn empty() -> Self {
        Self {
            users: Table::new("user"),
            deleted: Table::new("deleted user"),
            deleted_seq: AtomicU64::new(0),
            clients: FastMap::default(),
            tokens: FastMap::default(),
            refresh_tokens: FastMap::default(),
            current: FastMap::default(),
            password_changes: FastMap::default(),
            fixture_users: Vec::new(),
            listing: FactOrder::new(),
        }
    }

    /// Runs `f` on a user's row; a change of what the listing keeps is made under the row's
    /// lock, so concurrent writes of one user cannot leave the listing behind.
    pub(super) fn update_row<R>(
        &self,
        key: &str,
        f: impl FnOnce(&mut UserRecord) -> R,
    ) -> std::result::Result<R, StoreError> {
        self.users.update(key, |u| {
            let before = user_facts(u);
            let r = f(u);
            let after = user_facts(u);
            if after != before {
                self.listing.set(key, after);
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
        state.users = Table::with_capacity("user", people.len());
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
        let named: HashMap<&str, &UserFixture> = fixtures
            .users
            .iter()
            .rev()
            .map(|u| (u.person.as_str(), u))
            .collect();
        for person in people {
            // The first fixture naming the person (the map keeps the first of repeated names).
            let fixture = named.get(person.username.as_str());
            let registered_on = person.registered_at.date_naive();
            let record = match fixture {
                Some(f) => UserRecord {
                    id: person.username.clone(),
                    password: hash_password(&person.password, &user_key(&person.username)),
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
                    let h = stable_hash(person.username.as_bytes());
                    let bank_connections =
                        (h % u64::from(fixtures.fake_users.max_bank_connections + 1)) as u32;
                    let since_registration = (today - registered_on).num_days().max(0);
                    let last_active_on = (!h.is_multiple_of(7)).then(|| {
                        today - Duration::days((h >> 8) as i64 % (since_registration + 1))
                    });
                    UserRecord {
                        id: person.username.clone(),
                        // A generated person's password is known to no one (docs/fidelity.md).
                        password: Password::unusable(person.password.chars().count()),
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
            // One copy of the key, shared by the table and the listing.
            let key: Arc<str> = user_key(&person.username).into();
            state.listing.insert(key.clone(), user_facts(&record));
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
        state.settle();
        Ok(state)
    }

    /// Orders the keys the seed or import inserted, once, before the state serves a listing.
    fn settle(&self) {
        self.users.settle();
        self.deleted.settle();
        self.listing.settle();
    }

    fn insert_deleted(&self, deleted: DeletedUser) {
        let seq = self.deleted_seq.fetch_add(1, Ordering::AcqRel);
        let key: Arc<str> = format!("{}\u{0}{seq:020}", deleted.distorted_id.to_lowercase()).into();
        self.listing.set(key.clone(), deleted_facts(&deleted));
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
}

/// The serialized form of the whole finAPI state (`GET /__admin/state`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Snapshot {
    #[serde(with = "keyed")]
    users: Vec<(String, UserRecord)>,
    #[serde(with = "keyed")]
    deleted: Vec<(String, DeletedUser)>,
    deleted_seq: u64,
    clients: Vec<ClientRecord>,
    #[serde(with = "keyed")]
    tokens: Vec<(String, TokenRecord)>,
    #[serde(with = "keyed")]
    refresh_tokens: Vec<(String, RefreshRecord)>,
    #[serde(with = "keyed")]
    current: Vec<(String, String)>,
    #[serde(with = "keyed")]
    password_changes: Vec<(String, String)>,
    fixture_users: Vec<String>,
}

/// A [`Snapshot`] written straight from the tables: the same members in the same order (so
/// the same bytes), each table's rows read (and cloned) one at a time as they are written.
struct Export<'a> {
    state: &'a State,
    secrets: Secrets,
}

impl Serialize for Export<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (state, keep) = (self.state, self.secrets == Secrets::Include);
        // Issued credentials are rows of these maps, keyed by the token itself.
        fn issued<V: Clone + Serialize>(
            keep: bool,
            map: &FastMap<String, V>,
        ) -> MapOf<impl Iterator<Item = (String, V)> + '_> {
            MapOf::new(keep.then(|| rows::sorted(map)).into_iter().flatten())
        }
        let mut out = serializer.serialize_struct("Snapshot", 9)?;
        out.serialize_field("users", &MapOf::new(state.users.ordered(false)))?;
        out.serialize_field("deleted", &MapOf::new(state.deleted.ordered(false)))?;
        out.serialize_field("deletedSeq", &state.deleted_seq.load(Ordering::Acquire))?;
        out.serialize_field("clients", &state.clients())?;
        out.serialize_field("tokens", &issued(keep, &state.tokens))?;
        out.serialize_field("refreshTokens", &issued(keep, &state.refresh_tokens))?;
        out.serialize_field("current", &issued(keep, &state.current))?;
        out.serialize_field("passwordChanges", &issued(keep, &state.password_changes))?;
        out.serialize_field("fixtureUsers", &state.fixture_users)?;
        out.end()
    }
}

/// The members of [`Snapshot`] that `user-sandbox-state/1` wrote as `[key, record]` pairs.
pub const KEYED_TABLES: &[&str] = &[
    "users",
    "deleted",
    "tokens",
    "refreshTokens",
    "current",
    "passwordChanges",
];

/// The JSON Schema of [`Snapshot`] (the `finapi` member of an exported state).
pub fn state_schema() -> serde_json::Value {
    use crate::store::state_schema::{
        array, boolean, date, date_time, i64, keyed, nullable, password, record, string, u32, u64,
    };
    let user = record(
        vec![
            ("id", string()),
            ("password", password()),
            ("email", nullable(string())),
            ("phone", nullable(string())),
            ("auto_update", boolean()),
            ("verified", boolean()),
            ("registered_on", date()),
            ("last_active_on", nullable(date())),
            ("failed_logins", u32()),
            ("locked", boolean()),
            ("busy", boolean()),
            ("bank_connections", u32()),
            ("latest_import_on", nullable(date())),
        ],
        &["email", "phone", "last_active_on", "latest_import_on"],
        false,
    );
    let deleted = record(
        vec![
            ("distorted_id", string()),
            ("registered_on", date()),
            ("deleted_on", date()),
            ("last_active_on", nullable(date())),
            ("bank_connections_before", u32()),
            ("latest_import_on", nullable(date())),
        ],
        &["last_active_on", "latest_import_on"],
        false,
    );
    let client = record(
        vec![
            ("clientId", string()),
            ("clientSecret", string()),
            ("isMandatorAdmin", boolean()),
            ("isUserAutoVerificationEnabled", boolean()),
            ("isAutomaticBatchUpdateEnabled", boolean()),
            ("clientAccessTokensValidityPeriod", i64()),
            ("userAccessTokensValidityPeriod", i64()),
            ("refreshTokensValidityPeriod", i64()),
            ("maxUserLoginAttempts", u32()),
        ],
        &[],
        true,
    );
    let token = record(
        vec![
            ("client_id", string()),
            ("user", nullable(string())),
            ("expires_at", nullable(date_time())),
            ("refresh_token", nullable(string())),
        ],
        &["user", "expires_at", "refresh_token"],
        false,
    );
    let refresh = record(
        vec![
            ("client_id", string()),
            ("user", string()),
            ("expires_at", nullable(date_time())),
        ],
        &["expires_at"],
        false,
    );
    let mut schema = record(
        vec![
            ("users", keyed(user)),
            ("deleted", keyed(deleted)),
            ("deletedSeq", u64()),
            ("clients", array(client)),
            ("tokens", keyed(token)),
            ("refreshTokens", keyed(refresh)),
            ("current", keyed(string())),
            ("passwordChanges", keyed(string())),
            ("fixtureUsers", array(string())),
        ],
        &[],
        true,
    );
    schema["description"] = serde_json::json!(
        "finAPI's tables: users and deleted users by key (the lower-case id; for a deleted user followed by NUL and its 20-digit deletion number), clients, issued tokens and refresh tokens by token, each user's current token by user and password change tokens by token (these four empty without secrets)."
    );
    schema
}

impl State {
    /// Writes the whole state as JSON (a [`Snapshot`]); `import` restores it losslessly.
    /// Without secrets, the issued access, refresh and password change tokens are left out
    /// (clients and users stay). Rows go from the tables to `out` one at a time.
    pub fn export(&self, secrets: Secrets, out: &mut dyn std::io::Write) -> serde_json::Result<()> {
        serde_json::to_writer(
            out,
            &Export {
                state: self,
                secrets,
            },
        )
    }

    /// The export as the JSON value it was built as before it was written straight from the
    /// tables: the reference the written bytes are checked against.
    #[cfg(test)]
    fn export_value(&self, secrets: Secrets) -> serde_json::Value {
        // Issued credentials are rows of these maps, keyed by the token itself.
        fn issued<V: Clone>(secrets: Secrets, map: &FastMap<String, V>) -> Vec<(String, V)> {
            match secrets {
                Secrets::Include => crate::store::table::sorted_entries(map),
                Secrets::Omit => Vec::new(),
            }
        }
        let snapshot = Snapshot {
            users: self.users.to_vec(),
            deleted: self.deleted.to_vec(),
            deleted_seq: self.deleted_seq.load(Ordering::Acquire),
            clients: self.clients(),
            tokens: issued(secrets, &self.tokens),
            refresh_tokens: issued(secrets, &self.refresh_tokens),
            current: issued(secrets, &self.current),
            password_changes: issued(secrets, &self.password_changes),
            fixture_users: self.fixture_users.clone(),
        };
        serde_json::to_value(snapshot).unwrap_or_default()
    }

    /// Restores a state written by `export`.
    pub fn import(value: serde_json::Value) -> Result<Self, String> {
        Self::restore(serde_json::from_value(value).map_err(|e| format!("finapi: {e}"))?)
    }

    /// Restores a state from the JSON text `export` wrote, read straight into records (no
    /// JSON value of the whole part is built).
    pub fn import_text(json: &str) -> Result<Self, String> {
        Self::restore(serde_json::from_str(json).map_err(|e| format!("finapi: {e}"))?)
    }

    fn restore(s: Snapshot) -> Result<Self, String> {
        let collect = |rows: Vec<(String, String)>| rows.into_iter().collect::<FastMap<_, _>>();
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
            listing: FactOrder::new(),
        };
        for key in state.users.keys_shared(false) {
            if let Some(facts) = state.users.with(&key, user_facts) {
                state.listing.insert(key, facts);
            }
        }
        for key in state.deleted.keys_shared(false) {
            if let Some(facts) = state.deleted.with(&key, deleted_facts) {
                state.listing.insert(key, facts);
            }
        }
        state.settle();
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
        let exported = state.export_value(Secrets::Include);
        let restored = State::import(exported.clone()).unwrap();
        assert_eq!(restored.export_value(Secrets::Include), exported);
        crate::store::world::assert_written_export_is_its_value(
            |secrets, out| state.export(secrets, out),
            |secrets| state.export_value(secrets),
        );
        assert!(!state.tokens.is_empty() && !state.password_changes.is_empty());
        assert!(!state.deleted.is_empty());
        assert!(
            restored
                .authenticate(&restored.tokens.iter().next().unwrap().key().clone(), now)
                .is_ok()
        );
    }
}
