//! OBP's tables in one world, and the rules that change them: users (soft-deleted by scrambling),
//! DirectLogin tokens, entitlements, the bad-login counter and admin locks, personal attributes,
//! auth contexts and their OTP-confirmed update requests, banks and customers, and the outbox of
//! every message the sandbox "sent".

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, Utc};
use dashmap::DashMap;
use dashmap::mapref::entry::Entry;
use foldhash::fast::RandomState;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::seed::Person;
use crate::seed::fixtures::{FixtureError, Fixtures as AllFixtures};
use crate::store::ids::{FNV_OFFSET, fnv1a};
use crate::store::index::OrderedIndex;
use crate::store::secret::OMITTED;
use crate::store::state_schema::keyed;
use crate::store::state_schema::rows::{self, MapOf, SeqOf};
use crate::store::world::Secrets;
use crate::store::{Clock, FastMap, Ids, Password, Purpose, Table};

use super::errors::{Error, Result};
use super::models::{AgreementJson, OutboxMessage, ViewJson};

mod auth_context;
mod entitlements;
mod login;
mod users;
pub use login::LockCheck;

// ---- fixtures (`fixtures/obp.json`) -------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    /// OBP's `hostname` prop: the base of logout and password-reset links.
    pub hostname: String,
    /// OBP's `local_identity_provider` prop: the `provider` of local users. Every local user's
    /// record shares this one copy (a million users held a million copies).
    pub local_identity_provider: Arc<str>,
    /// A user is locked once the bad-login counter is greater than this.
    pub max_bad_login_attempts: u32,
    pub token_expiration_weeks: i64,
    /// `userAuthContextUpdateRequest.challenge.ttl.seconds`.
    pub challenge_ttl_seconds: i64,
    /// OBP's `user_account_validated` prop: whether `createUser` users can log in at once.
    pub new_users_validated: bool,
    /// OBP's `ResetPasswordUrlEnabled` prop.
    pub reset_password_url_enabled: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fixtures {
    pub config: Config,
    pub consumers: Vec<ConsumerRecord>,
    pub banks: Vec<BankRecord>,
    /// OBP-only accounts (the super admin), before the people.
    pub accounts: Vec<AccountFixture>,
    /// Extra OBP data of people from `people.json`.
    pub users: Vec<UserFixture>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountFixture {
    pub username: String,
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(flatten)]
    pub extras: UserExtras,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserFixture {
    /// The `username` of a person in `people.json`.
    pub person: String,
    #[serde(flatten)]
    pub extras: UserExtras,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserExtras {
    pub user_id: Option<String>,
    /// In OBP's `super_admin_user_ids`: may grant any entitlement.
    #[serde(default)]
    pub super_admin: bool,
    #[serde(default = "yes")]
    pub validated: bool,
    #[serde(default)]
    pub entitlements: Vec<EntitlementFixture>,
    #[serde(default)]
    pub views: Vec<ViewJson>,
    #[serde(default)]
    pub agreements: Vec<AgreementJson>,
    #[serde(default)]
    pub attributes: Vec<AttributeFixture>,
    #[serde(default)]
    pub auth_contexts: Vec<AuthContextFixture>,
    #[serde(default)]
    pub customers: Vec<CustomerFixture>,
    #[serde(default)]
    pub bad_login_attempts: u32,
    #[serde(default)]
    pub admin_lock: bool,
    /// Why the fixture exists, shown with the credentials.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EntitlementFixture {
    pub entitlement_id: Option<String>,
    pub role_name: String,
    #[serde(default)]
    pub bank_id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttributeFixture {
    pub user_attribute_id: Option<String>,
    pub name: String,
    pub r#type: String,
    pub value: String,
    #[serde(default = "yes")]
    pub personal: bool,
    pub insert_date: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthContextFixture {
    pub user_auth_context_id: Option<String>,
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerFixture {
    pub customer_id: Option<String>,
    pub bank_id: String,
    pub customer_number: String,
}

// ---- records ----------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsumerRecord {
    pub consumer_key: String,
    pub app_name: String,
    pub enabled: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BankRecord {
    pub bank_id: String,
    pub short_name: String,
    pub full_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CustomerRecord {
    pub customer_id: String,
    pub bank_id: String,
    pub customer_number: String,
    pub legal_name: String,
    pub email: String,
    pub mobile_phone_number: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UserRecord {
    /// Shared with `user_keys`' key: one copy of the id.
    pub user_id: Arc<str>,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password: Password,
    pub provider: Arc<str>,
    pub provider_id: String,
    /// Unvalidated users cannot log in.
    pub validated: bool,
    pub is_deleted: bool,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub agreements: Vec<AgreementJson>,
    /// Position in creation order (the listing order of `getUsers`).
    pub seq: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EntitlementRecord {
    pub entitlement_id: String,
    pub role_name: String,
    pub bank_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AttributeRecord {
    pub user_attribute_id: String,
    pub user_id: String,
    pub name: String,
    pub r#type: String,
    pub value: String,
    pub insert_date: DateTime<Utc>,
    pub is_personal: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AuthContextRecord {
    pub user_auth_context_id: String,
    pub user_id: String,
    pub key: String,
    pub value: String,
    pub time_stamp: DateTime<Utc>,
    pub consumer_key: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AuthContextUpdateRecord {
    pub user_auth_context_update_id: String,
    pub user_id: String,
    pub bank_id: String,
    pub key: String,
    pub value: String,
    /// `INITIATED`, `ACCEPTED` or `REJECTED`.
    pub status: String,
    pub challenge: String,
    pub created_at: DateTime<Utc>,
    pub consumer_key: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BadLoginRecord {
    pub attempts: u32,
    pub last_failure_date: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UserLockRecord {
    pub type_of_lock: String,
    pub last_lock_date: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TokenRecord {
    pub user_id: String,
    pub consumer_key: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CustomerLinkRecord {
    pub user_customer_link_id: String,
    pub user_id: String,
    pub customer_id: String,
    pub date_inserted: DateTime<Utc>,
}

/// What `getUsers` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockedStatus {
    Any,
    Active,
    Locked,
}

// ---- the state --------------------------------------------------------------------------------

#[derive(Debug)]
pub struct State {
    config: Config,
    consumers: Vec<ConsumerRecord>,
    banks: Vec<BankRecord>,
    customers: Vec<CustomerRecord>,
    /// Keyed by the zero-padded creation sequence, so listings come in creation order.
    users: Table<UserRecord>,
    /// The keys of live and of deleted users, kept in step with `users`: `getUsers` pages
    /// either one by position, without walking the users before its window.
    live_users: OrderedIndex,
    deleted_users: OrderedIndex,
    next_seq: AtomicU64,
    /// user_id → creation sequence (the users key is its `seq_key`). The maps of every user are
    /// hashed with foldhash like `Table`s: SipHash was the largest user-space cost of seeding a
    /// million people.
    ///
    /// Their keys are `Arc`/boxed `str`s (two words, not a `String`'s three, in each of the
    /// slots a hash map keeps, filled or not; `user_keys` shares the record's id), and an email's
    /// sequences are kept inline while there is one (nearly every email): no allocation of its own.
    user_keys: DashMap<Arc<str>, u64, RandomState>,
    /// username (local provider) → creation sequence.
    usernames: DashMap<Box<str>, u64, RandomState>,
    /// email → creation sequences of its users, ascending.
    emails: DashMap<Box<str>, SmallVec<[u64; 1]>, RandomState>,
    super_admins: Vec<String>,
    entitlements: FastMap<String, Vec<EntitlementRecord>>,
    views: FastMap<String, Vec<ViewJson>>,
    attributes: FastMap<String, Vec<AttributeRecord>>,
    auth_contexts: FastMap<String, Vec<AuthContextRecord>>,
    /// user_auth_context_id → user_id.
    auth_context_owners: FastMap<String, String>,
    auth_context_updates: FastMap<String, AuthContextUpdateRecord>,
    customer_links: FastMap<String, CustomerLinkRecord>,
    /// Keyed by username: OBP counts bad logins per (provider, username), even unknown ones.
    bad_logins: FastMap<String, BadLoginRecord>,
    /// Admin locks by user_id.
    locks: FastMap<String, UserLockRecord>,
    tokens: FastMap<String, TokenRecord>,
    /// Keyed by the zero-padded send sequence.
    outbox: Table<OutboxMessage>,
    outbox_seq: AtomicU64,
    /// Usernames of the documented accounts, in fixture order, with a note each.
    fixture_accounts: Vec<(String, Option<String>)>,
}

/// A version-4 UUID derived from a name, so seeded records get the same ids in every world.
pub fn derived_uuid(name: &str) -> String {
    derived_uuid_of(&[name])
}

/// [`derived_uuid`] of the name made of `parts` one after the other, without writing it out.
fn derived_uuid_of(parts: &[&str]) -> String {
    let seed = parts
        .iter()
        .fold(FNV_OFFSET, |h, part| fnv1a(h, part.as_bytes()));
    let mut bytes = [0u8; 16];
    ChaCha8Rng::seed_from_u64(seed).fill_bytes(&mut bytes);
    let uuid = uuid::Builder::from_random_bytes(bytes).into_uuid();
    uuid.hyphenated()
        .encode_lower(&mut uuid::Uuid::encode_buffer())
        .to_owned()
}

/// The zero-padded sequence number, 20 digits (every `u64` fits), as `format!("{seq:020}")`
/// writes it, without the formatting machinery: a seed writes a million.
fn seq_key(seq: u64) -> String {
    SeqKey::new(seq).as_str().to_string()
}

/// A [`seq_key`] on the stack, for lookups: no allocation and no formatting machinery.
struct SeqKey([u8; 20]);

impl SeqKey {
    fn new(mut seq: u64) -> Self {
        let mut digits = [b'0'; 20];
        for digit in digits.iter_mut().rev() {
            *digit = b'0' + (seq % 10) as u8;
            seq /= 10;
        }
        SeqKey(digits)
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits are written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// The roles the sandbox knows; `true` = a bank role (needs a `bank_id`).
pub const ROLES: &[(&str, bool)] = &[
    ("CanCreateEntitlementAtAnyBank", false),
    ("CanCreateEntitlementAtOneBank", true),
    ("CanCreateResetPasswordUrl", false),
    ("CanCreateUserAuthContext", false),
    ("CanCreateUserAuthContextUpdate", true),
    ("CanDeleteEntitlementAtAnyBank", false),
    ("CanDeleteUser", false),
    ("CanDeleteUserAuthContext", false),
    ("CanGetAnyUser", false),
    ("CanGetEntitlementsForAnyUserAtAnyBank", false),
    ("CanGetUserAuthContext", false),
    ("CanGetUsersWithAttributes", false),
    ("CanLockUser", false),
    ("CanQueryOtherUser", false),
    ("CanReadDynamicResourceDocsAtOneBank", true),
    ("CanReadUserLockedStatus", false),
    ("CanRefreshUser", false),
    ("CanUnlockUser", false),
];

/// How an OBP user's password is hashed: the salt is derived from the username.
pub fn password_context(username: &str) -> String {
    format!("obp user {username}")
}

impl State {
    fn empty(config: Config) -> Self {
        Self {
            config,
            consumers: Vec::new(),
            banks: Vec::new(),
            customers: Vec::new(),
            users: Table::new("user"),
            live_users: OrderedIndex::new(),
            deleted_users: OrderedIndex::new(),
            next_seq: AtomicU64::new(0),
            user_keys: DashMap::with_hasher(RandomState::default()),
            usernames: DashMap::with_hasher(RandomState::default()),
            emails: DashMap::with_hasher(RandomState::default()),
            super_admins: Vec::new(),
            entitlements: FastMap::default(),
            views: FastMap::default(),
            attributes: FastMap::default(),
            auth_contexts: FastMap::default(),
            auth_context_owners: FastMap::default(),
            auth_context_updates: FastMap::default(),
            customer_links: FastMap::default(),
            bad_logins: FastMap::default(),
            locks: FastMap::default(),
            tokens: FastMap::default(),
            outbox: Table::new("message"),
            outbox_seq: AtomicU64::new(0),
            fixture_accounts: Vec::new(),
        }
    }

    pub fn seed(
        fixtures: &AllFixtures,
        people: &[Person],
        clock: &Clock,
    ) -> Result<Self, FixtureError> {
        let fixtures: Fixtures = fixtures.vendor("obp")?;
        let now = clock.now();
        let mut state = Self::empty(fixtures.config.clone());
        // Room for every user up front: the maps never rehash on the way.
        let users = fixtures.accounts.len() + people.len();
        state.users = Table::with_capacity("user", users);
        state.user_keys = DashMap::with_capacity_and_hasher(users, RandomState::default());
        state.usernames = DashMap::with_capacity_and_hasher(users, RandomState::default());
        state.emails = DashMap::with_capacity_and_hasher(users, RandomState::default());
        state.consumers = fixtures.consumers.clone();
        state.banks = fixtures.banks.clone();
        for account in &fixtures.accounts {
            let person = Person {
                username: account.username.clone(),
                first_name: account.first_name.clone(),
                last_name: account.last_name.clone(),
                email: account.email.clone(),
                phone: String::new(),
                password: account.password.clone(),
                birth_date: chrono::NaiveDate::default(),
                country: String::new(),
                registered_at: now - Duration::days(1000),
                fixture: true,
            };
            let password = Password::hash(&account.password, &password_context(&person.username));
            state.seed_user(&person, password, &account.extras, now)?;
        }
        // The first fixture naming a person (the map keeps the first of repeated names), found
        // by name: a scan of the fixtures for each of a million people was a string comparison
        // per fixture per person.
        let named: std::collections::HashMap<&str, &UserExtras> = fixtures
            .users
            .iter()
            .rev()
            .map(|u| (u.person.as_str(), &u.extras))
            .collect();
        for person in people {
            let extras = named.get(person.username.as_str()).map(|&e| e.clone());
            if person.fixture && extras.is_none() {
                continue;
            }
            // A generated person's password is known to no one (docs/fidelity.md).
            let password = if person.fixture {
                Password::hash(&person.password, &password_context(&person.username))
            } else {
                Password::unusable(person.password.chars().count())
            };
            state.seed_user(
                person,
                password,
                &extras.unwrap_or_else(|| UserExtras {
                    validated: true,
                    ..Default::default()
                }),
                now,
            )?;
        }
        for f in &fixtures.users {
            if !state.usernames.contains_key(f.person.as_str()) {
                return Err(FixtureError::Inconsistent(format!(
                    "obp.json names user '{}', who is not in people.json",
                    f.person
                )));
            }
        }
        state.settle();
        Ok(state)
    }

    /// Orders the keys the seed or import inserted, once, before the state serves a listing.
    fn settle(&self) {
        self.users.settle();
        self.live_users.settle();
        self.deleted_users.settle();
        self.outbox.settle();
    }

    fn seed_user(
        &mut self,
        person: &Person,
        password: Password,
        extras: &UserExtras,
        now: DateTime<Utc>,
    ) -> Result<(), FixtureError> {
        let user_id = extras
            .user_id
            .clone()
            .unwrap_or_else(|| derived_uuid_of(&["obp user ", &person.username]));
        let record = UserRecord {
            user_id: user_id.as_str().into(),
            username: person.username.clone(),
            email: person.email.clone(),
            first_name: person.first_name.clone(),
            last_name: person.last_name.clone(),
            password,
            provider: self.config.local_identity_provider.clone(),
            provider_id: person.username.clone(),
            validated: extras.validated,
            is_deleted: false,
            created_at: person.registered_at,
            agreements: extras.agreements.clone(),
            seq: 0,
        };
        self.insert_user(record).map_err(|_| {
            FixtureError::Inconsistent(format!("OBP username '{}' is used twice", person.username))
        })?;
        let derived =
            |what: &str, n: usize| derived_uuid(&format!("obp {what} {} {n}", person.username));
        if extras.super_admin {
            self.super_admins.push(user_id.clone());
        }
        if person.fixture {
            self.fixture_accounts
                .push((person.username.clone(), extras.note.clone()));
        }
        let entitlements: Vec<EntitlementRecord> = extras
            .entitlements
            .iter()
            .enumerate()
            .map(|(n, e)| EntitlementRecord {
                entitlement_id: e
                    .entitlement_id
                    .clone()
                    .unwrap_or_else(|| derived("entitlement", n)),
                role_name: e.role_name.clone(),
                bank_id: e.bank_id.clone(),
            })
            .collect();
        if !entitlements.is_empty() {
            self.entitlements.insert(user_id.clone(), entitlements);
        }
        if !extras.views.is_empty() {
            self.views.insert(user_id.clone(), extras.views.clone());
        }
        let attributes: Vec<AttributeRecord> = extras
            .attributes
            .iter()
            .enumerate()
            .map(|(n, a)| AttributeRecord {
                user_attribute_id: a
                    .user_attribute_id
                    .clone()
                    .unwrap_or_else(|| derived("attribute", n)),
                user_id: user_id.clone(),
                name: a.name.clone(),
                r#type: a.r#type.clone(),
                value: a.value.clone(),
                insert_date: a.insert_date.unwrap_or(person.registered_at),
                is_personal: a.personal,
            })
            .collect();
        if !attributes.is_empty() {
            self.attributes.insert(user_id.clone(), attributes);
        }
        for (n, c) in extras.auth_contexts.iter().enumerate() {
            self.add_auth_context(AuthContextRecord {
                user_auth_context_id: c
                    .user_auth_context_id
                    .clone()
                    .unwrap_or_else(|| derived("auth context", n)),
                user_id: user_id.clone(),
                key: c.key.clone(),
                value: c.value.clone(),
                time_stamp: person.registered_at,
                consumer_key: String::new(),
            });
        }
        for (n, c) in extras.customers.iter().enumerate() {
            if !self.banks.iter().any(|b| b.bank_id == c.bank_id) {
                return Err(FixtureError::Inconsistent(format!(
                    "obp.json gives {} a customer at unknown bank '{}'",
                    person.username, c.bank_id
                )));
            }
            let customer = CustomerRecord {
                customer_id: c
                    .customer_id
                    .clone()
                    .unwrap_or_else(|| derived("customer", n)),
                bank_id: c.bank_id.clone(),
                customer_number: c.customer_number.clone(),
                legal_name: format!("{} {}", person.first_name, person.last_name),
                email: person.email.clone(),
                mobile_phone_number: person.phone.clone(),
            };
            self.customers.push(customer);
        }
        if extras.bad_login_attempts > 0 {
            self.bad_logins.insert(
                person.username.clone(),
                BadLoginRecord {
                    attempts: extras.bad_login_attempts,
                    last_failure_date: now - Duration::hours(1),
                },
            );
        }
        if extras.admin_lock {
            self.locks.insert(
                user_id,
                UserLockRecord {
                    type_of_lock: "lock_via_api".into(),
                    last_lock_date: now - Duration::days(2),
                },
            );
        }
        Ok(())
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn consumers(&self) -> &[ConsumerRecord] {
        &self.consumers
    }

    pub fn banks(&self) -> &[BankRecord] {
        &self.banks
    }

    pub fn customers(&self) -> &[CustomerRecord] {
        &self.customers
    }

    /// The documented accounts as they are now, with their notes.
    pub fn fixture_accounts(&self) -> Vec<(UserRecord, Option<String>)> {
        self.fixture_accounts
            .iter()
            .filter_map(|(name, note)| self.user_by_username(name).map(|u| (u, note.clone())))
            .collect()
    }

    // ---- outbox -------------------------------------------------------------------------------

    /// Records a message the sandbox "sent".
    pub fn send(&self, message: OutboxMessage) {
        let seq = self.outbox_seq.fetch_add(1, Ordering::AcqRel);
        self.outbox.put(seq_key(seq), message);
    }

    /// Every message sent, newest first.
    pub fn outbox(&self) -> Vec<OutboxMessage> {
        self.outbox.ordered(true).map(|(_, m)| m).collect()
    }
}

// ---- export / import --------------------------------------------------------------------------

/// Every table as plain rows, in a stable order.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Snapshot {
    config: Config,
    consumers: Vec<ConsumerRecord>,
    banks: Vec<BankRecord>,
    customers: Vec<CustomerRecord>,
    users: Vec<UserRecord>,
    next_seq: u64,
    super_admins: Vec<String>,
    #[serde(with = "keyed")]
    entitlements: Vec<(String, Vec<EntitlementRecord>)>,
    #[serde(with = "keyed")]
    views: Vec<(String, Vec<ViewJson>)>,
    #[serde(with = "keyed")]
    attributes: Vec<(String, Vec<AttributeRecord>)>,
    #[serde(with = "keyed")]
    auth_contexts: Vec<(String, Vec<AuthContextRecord>)>,
    auth_context_updates: Vec<AuthContextUpdateRecord>,
    customer_links: Vec<CustomerLinkRecord>,
    #[serde(with = "keyed")]
    bad_logins: Vec<(String, BadLoginRecord)>,
    #[serde(with = "keyed")]
    locks: Vec<(String, UserLockRecord)>,
    #[serde(with = "keyed")]
    tokens: Vec<(String, TokenRecord)>,
    #[serde(with = "keyed")]
    outbox: Vec<(String, OutboxMessage)>,
    outbox_seq: u64,
    fixture_accounts: Vec<FixtureAccount>,
}

/// A [`Snapshot`] written straight from the tables: the same members in the same order (so
/// the same bytes), each table's rows read (and cloned) one at a time as they are written.
struct Export<'a> {
    state: &'a State,
    secrets: Secrets,
}

impl Serialize for Export<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (state, keep) = (self.state, self.secrets == Secrets::Include);
        let mut out = serializer.serialize_struct("Snapshot", 19)?;
        out.serialize_field("config", &state.config)?;
        out.serialize_field("consumers", &state.consumers)?;
        out.serialize_field("banks", &state.banks)?;
        out.serialize_field("customers", &state.customers)?;
        let users = state.users.ordered(false).map(|(_, user)| user);
        out.serialize_field("users", &SeqOf::new(users))?;
        out.serialize_field("next_seq", &state.next_seq.load(Ordering::Acquire))?;
        out.serialize_field("super_admins", &state.super_admins)?;
        out.serialize_field(
            "entitlements",
            &MapOf::new(rows::sorted(&state.entitlements)),
        )?;
        out.serialize_field("views", &MapOf::new(rows::sorted(&state.views)))?;
        out.serialize_field("attributes", &MapOf::new(rows::sorted(&state.attributes)))?;
        out.serialize_field(
            "auth_contexts",
            &MapOf::new(rows::sorted(&state.auth_contexts)),
        )?;
        out.serialize_field("auth_context_updates", &state.auth_context_updates(keep))?;
        out.serialize_field("customer_links", &state.customer_links())?;
        out.serialize_field("bad_logins", &MapOf::new(rows::sorted(&state.bad_logins)))?;
        out.serialize_field("locks", &MapOf::new(rows::sorted(&state.locks)))?;
        let tokens = keep.then(|| rows::sorted(&state.tokens));
        out.serialize_field("tokens", &MapOf::new(tokens.into_iter().flatten()))?;
        out.serialize_field("outbox", &MapOf::new(state.outbox_rows(keep)))?;
        out.serialize_field("outbox_seq", &state.outbox_seq.load(Ordering::Acquire))?;
        let accounts = state
            .fixture_accounts
            .iter()
            .map(|(username, note)| FixtureAccount {
                username: username.clone(),
                note: note.clone(),
            });
        out.serialize_field("fixture_accounts", &SeqOf::new(accounts))?;
        out.end()
    }
}

/// A documented account in [`Snapshot`]: its username and its note.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureAccount {
    username: String,
    note: Option<String>,
}

/// The members of [`Snapshot`] that `user-sandbox-state/1` wrote as `[key, record]` pairs.
pub const KEYED_TABLES: &[&str] = &[
    "entitlements",
    "views",
    "attributes",
    "auth_contexts",
    "bad_logins",
    "locks",
    "tokens",
    "outbox",
];

/// Rewrites an OBP part written as `user-sandbox-state/1`: its keyed tables were pairs, and
/// its documented accounts `[username, note]` pairs (an order, so they become a list of
/// `{"username", "note"}` objects).
pub fn upgrade_from_1(part: &mut serde_json::Value) {
    crate::store::state_schema::upgrade_pairs(part, KEYED_TABLES);
    if let Some(accounts) = part
        .get_mut("fixture_accounts")
        .and_then(|a| a.as_array_mut())
    {
        for account in accounts {
            if let Some([username, note]) = account.as_array().map(Vec::as_slice) {
                *account = serde_json::json!({"username": username, "note": note});
            }
        }
    }
}

/// The JSON Schema of [`Snapshot`] (the `obp` member of an exported state).
pub fn state_schema() -> serde_json::Value {
    use crate::store::state_schema::{
        array, boolean, date_time, i64, keyed, nullable, password, record, string, u32, u64,
    };
    let s = string;
    let config = record(
        vec![
            ("hostname", s()),
            ("localIdentityProvider", s()),
            ("maxBadLoginAttempts", u32()),
            ("tokenExpirationWeeks", i64()),
            ("challengeTtlSeconds", i64()),
            ("newUsersValidated", boolean()),
            ("resetPasswordUrlEnabled", boolean()),
        ],
        &[],
        true,
    );
    let consumer = record(
        vec![
            ("consumerKey", s()),
            ("appName", s()),
            ("enabled", boolean()),
        ],
        &[],
        true,
    );
    let bank = record(
        vec![("bankId", s()), ("shortName", s()), ("fullName", s())],
        &[],
        true,
    );
    let customer = record(
        vec![
            ("customer_id", s()),
            ("bank_id", s()),
            ("customer_number", s()),
            ("legal_name", s()),
            ("email", s()),
            ("mobile_phone_number", s()),
        ],
        &[],
        false,
    );
    let agreement = record(vec![("type", s()), ("text", s())], &[], false);
    let user = record(
        vec![
            ("user_id", s()),
            ("username", s()),
            ("email", s()),
            ("first_name", s()),
            ("last_name", s()),
            ("password", password()),
            ("provider", s()),
            ("provider_id", s()),
            ("validated", boolean()),
            ("is_deleted", boolean()),
            ("created_at", date_time()),
            ("agreements", array(agreement)),
            ("seq", u64()),
        ],
        &["agreements"],
        false,
    );
    let entitlement = record(
        vec![
            ("entitlement_id", s()),
            ("role_name", s()),
            ("bank_id", s()),
        ],
        &[],
        false,
    );
    let view = record(
        vec![("bank_id", s()), ("account_id", s()), ("view_id", s())],
        &[],
        false,
    );
    let attribute = record(
        vec![
            ("user_attribute_id", s()),
            ("user_id", s()),
            ("name", s()),
            ("type", s()),
            ("value", s()),
            ("insert_date", date_time()),
            ("is_personal", boolean()),
        ],
        &[],
        false,
    );
    let auth_context = record(
        vec![
            ("user_auth_context_id", s()),
            ("user_id", s()),
            ("key", s()),
            ("value", s()),
            ("time_stamp", date_time()),
            ("consumer_key", s()),
        ],
        &[],
        false,
    );
    let update = record(
        vec![
            ("user_auth_context_update_id", s()),
            ("user_id", s()),
            ("bank_id", s()),
            ("key", s()),
            ("value", s()),
            ("status", s()),
            ("challenge", s()),
            ("created_at", date_time()),
            ("consumer_key", s()),
        ],
        &[],
        false,
    );
    let link = record(
        vec![
            ("user_customer_link_id", s()),
            ("user_id", s()),
            ("customer_id", s()),
            ("date_inserted", date_time()),
        ],
        &[],
        false,
    );
    let bad_login = record(
        vec![("attempts", u32()), ("last_failure_date", date_time())],
        &[],
        false,
    );
    let lock = record(
        vec![("type_of_lock", s()), ("last_lock_date", date_time())],
        &[],
        false,
    );
    let token = record(
        vec![
            ("user_id", s()),
            ("consumer_key", s()),
            ("expires_at", date_time()),
        ],
        &[],
        false,
    );
    let message = record(
        vec![
            ("message_id", s()),
            ("channel", s()),
            ("from", s()),
            ("to", s()),
            ("subject", s()),
            ("body", s()),
            ("sent_at", s()),
        ],
        &[],
        false,
    );
    let mut schema = record(
        vec![
            ("config", config),
            ("consumers", array(consumer)),
            ("banks", array(bank)),
            ("customers", array(customer)),
            ("users", array(user)),
            ("next_seq", u64()),
            ("super_admins", array(s())),
            ("entitlements", keyed(array(entitlement))),
            ("views", keyed(array(view))),
            ("attributes", keyed(array(attribute))),
            ("auth_contexts", keyed(array(auth_context))),
            ("auth_context_updates", array(update)),
            ("customer_links", array(link)),
            ("bad_logins", keyed(bad_login)),
            ("locks", keyed(lock)),
            ("tokens", keyed(token)),
            ("outbox", keyed(message)),
            ("outbox_seq", u64()),
            (
                "fixture_accounts",
                array(record(
                    vec![("username", s()), ("note", nullable(s()))],
                    &["note"],
                    true,
                )),
            ),
        ],
        &[],
        true,
    );
    schema["description"] = serde_json::json!(
        "OBP's tables: configuration, consumers, banks, customers, users, and per-user lists by user id (entitlements, views, attributes, auth contexts), bad logins by username, locks by user id, DirectLogin tokens by token (empty without secrets), the outbox by send sequence and the documented accounts in order. A user id that appears twice keeps its first record."
    );
    schema
}

impl State {
    /// Writes the whole state as JSON (a [`Snapshot`]), for `GET /__admin/state`; `import`
    /// must restore it losslessly. Without secrets, DirectLogin tokens are left out and
    /// one-time passwords (challenges and the outbox messages carrying them or a reset link)
    /// are replaced by [`OMITTED`]. Rows go from the tables to `out` one at a time.
    pub fn export(&self, secrets: Secrets, out: &mut dyn std::io::Write) -> serde_json::Result<()> {
        serde_json::to_writer(
            out,
            &Export {
                state: self,
                secrets,
            },
        )
    }

    /// The challenges of auth context updates in id order, the OTPs left out without secrets.
    fn auth_context_updates(&self, keep: bool) -> Vec<AuthContextUpdateRecord> {
        let mut updates: Vec<AuthContextUpdateRecord> = self
            .auth_context_updates
            .iter()
            .map(|r| r.value().clone())
            .map(|mut u| {
                if !keep {
                    u.challenge = OMITTED.into();
                }
                u
            })
            .collect();
        updates.sort_by(|a, b| {
            a.user_auth_context_update_id
                .cmp(&b.user_auth_context_update_id)
        });
        updates
    }

    fn customer_links(&self) -> Vec<CustomerLinkRecord> {
        let mut links: Vec<CustomerLinkRecord> = self
            .customer_links
            .iter()
            .map(|r| r.value().clone())
            .collect();
        links.sort_by(|a, b| a.user_customer_link_id.cmp(&b.user_customer_link_id));
        links
    }

    /// The outbox by send sequence, a message's body left out without secrets.
    fn outbox_rows(&self, keep: bool) -> impl Iterator<Item = (String, OutboxMessage)> + '_ {
        self.outbox.ordered(false).map(move |(key, mut message)| {
            if !keep {
                message.body = OMITTED.into();
            }
            (key, message)
        })
    }

    /// The export as the JSON value it was built as before it was written straight from the
    /// tables: the reference the written bytes are checked against.
    #[cfg(test)]
    fn export_value(&self, secrets: Secrets) -> serde_json::Value {
        use crate::store::table::sorted_entries;
        let keep = secrets == Secrets::Include;
        let snapshot = Snapshot {
            config: self.config.clone(),
            consumers: self.consumers.clone(),
            banks: self.banks.clone(),
            customers: self.customers.clone(),
            users: self.users.to_vec().into_iter().map(|(_, u)| u).collect(),
            next_seq: self.next_seq.load(Ordering::Acquire),
            super_admins: self.super_admins.clone(),
            entitlements: sorted_entries(&self.entitlements),
            views: sorted_entries(&self.views),
            attributes: sorted_entries(&self.attributes),
            auth_contexts: sorted_entries(&self.auth_contexts),
            auth_context_updates: self.auth_context_updates(keep),
            customer_links: self.customer_links(),
            bad_logins: sorted_entries(&self.bad_logins),
            locks: sorted_entries(&self.locks),
            tokens: if keep {
                sorted_entries(&self.tokens)
            } else {
                Vec::new()
            },
            outbox: self.outbox_rows(keep).collect(),
            outbox_seq: self.outbox_seq.load(Ordering::Acquire),
            fixture_accounts: self
                .fixture_accounts
                .iter()
                .map(|(username, note)| FixtureAccount {
                    username: username.clone(),
                    note: note.clone(),
                })
                .collect(),
        };
        serde_json::to_value(snapshot).unwrap_or_default()
    }

    /// Restores a state written by `export`.
    pub fn import(value: serde_json::Value) -> Result<Self, String> {
        Self::restore(serde_json::from_value(value).map_err(|e| format!("not an OBP state: {e}"))?)
    }

    /// Restores a state from the JSON text `export` wrote, read straight into records (no
    /// JSON value of the whole part is built).
    pub fn import_text(json: &str) -> Result<Self, String> {
        Self::restore(serde_json::from_str(json).map_err(|e| format!("not an OBP state: {e}"))?)
    }

    fn restore(s: Snapshot) -> Result<Self, String> {
        let mut state = Self::empty(s.config);
        state.consumers = s.consumers;
        state.banks = s.banks;
        state.customers = s.customers;
        for mut user in s.users {
            let key = seq_key(user.seq);
            // Local users share the config's copy of their provider, as seeded ones do.
            if user.provider == state.config.local_identity_provider {
                user.provider = state.config.local_identity_provider.clone();
            }
            // A user id or a position that appears twice keeps its first record: the later
            // one would shadow it in the tables and indexes.
            if state.user_keys.contains_key(&*user.user_id) || state.users.contains(&key) {
                continue;
            }
            state.user_keys.insert(user.user_id.clone(), user.seq);
            state
                .usernames
                .insert(user.username.as_str().into(), user.seq);
            state.index_email(&user.email, user.seq);
            state.index_listed(&key, user.is_deleted);
            state.users.put(key, user);
        }
        state.next_seq = AtomicU64::new(s.next_seq);
        state.super_admins = s.super_admins;
        state.entitlements = s.entitlements.into_iter().collect();
        state.views = s.views.into_iter().collect();
        state.attributes = s.attributes.into_iter().collect();
        for (user_id, list) in s.auth_contexts {
            for context in &list {
                state
                    .auth_context_owners
                    .insert(context.user_auth_context_id.clone(), user_id.clone());
            }
            state.auth_contexts.insert(user_id, list);
        }
        state.auth_context_updates = s
            .auth_context_updates
            .into_iter()
            .map(|u| (u.user_auth_context_update_id.clone(), u))
            .collect();
        state.customer_links = s
            .customer_links
            .into_iter()
            .map(|l| (l.user_customer_link_id.clone(), l))
            .collect();
        state.bad_logins = s.bad_logins.into_iter().collect();
        state.locks = s.locks.into_iter().collect();
        state.tokens = s.tokens.into_iter().collect();
        state.outbox = Table::from_vec("message", s.outbox);
        state.outbox_seq = AtomicU64::new(s.outbox_seq);
        state.fixture_accounts = s
            .fixture_accounts
            .into_iter()
            .map(|a| (a.username, a.note))
            .collect();
        state.settle();
        Ok(state)
    }
}

/// Test support: the state seeded from the embedded fixtures and `people` fake people (seed 42,
/// the clock fixed at 2026-01-15T10:00:00Z), with its clock.
#[cfg(test)]
pub(crate) fn seeded_with(people: usize) -> (State, Clock) {
    let plan = crate::seed::SeedPlan::embedded(
        42,
        people,
        "fixed:2026-01-15T10:00:00Z".parse().unwrap(),
        crate::vendors::kinds(),
    )
    .unwrap();
    let clock = Clock::new(plan.clock);
    let people = crate::seed::population(&plan, clock.now());
    (State::seed(&plan.fixtures, &people, &clock).unwrap(), clock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seq_keys_are_twenty_zero_padded_digits() {
        for seq in [0, 1, 9, 10, 123_456_789, u64::MAX / 3, u64::MAX] {
            assert_eq!(SeqKey::new(seq).as_str(), format!("{seq:020}"));
        }
    }

    fn seeded() -> (State, Clock, Ids) {
        let (state, clock) = seeded_with(5);
        (state, clock, Ids::new(42))
    }

    #[test]
    fn export_and_import_round_trip_every_table() {
        let (state, clock, ids) = seeded();
        let now = clock.now();
        let felix = state.user_by_username("felixsmith").unwrap();
        state.issue_token(
            "tok".into(),
            TokenRecord {
                user_id: felix.user_id.to_string(),
                consumer_key: "k".into(),
                expires_at: now,
            },
        );
        state.lock(&felix.user_id, now);
        let _ = state.direct_login("nobody", "x", "sandbox-consumer-key", now);
        state.delete_user(
            &ids,
            &state.user_by_username("grace.hopper").unwrap().user_id,
        );
        state.add_auth_context_update(AuthContextUpdateRecord {
            user_auth_context_update_id: "u1".into(),
            user_id: felix.user_id.to_string(),
            bank_id: "gh.29.uk".into(),
            key: "CUSTOMER_NUMBER".into(),
            value: "78987432".into(),
            status: "INITIATED".into(),
            challenge: "123".into(),
            created_at: now,
            consumer_key: "k".into(),
        });
        state.link_customer(&felix.user_id, "c1", || "l1".into(), now);
        state.send(OutboxMessage {
            message_id: "m1".into(),
            channel: "EMAIL".into(),
            from: "a".into(),
            to: "b".into(),
            subject: "s".into(),
            body: "b".into(),
            sent_at: "t".into(),
        });
        let exported = state.export_value(Secrets::Include);
        let imported = State::import(exported.clone()).unwrap();
        assert_eq!(imported.export_value(Secrets::Include), exported);
        // Without secrets, OTPs and the outbox body are replaced in both.
        crate::store::world::assert_written_export_is_its_value(
            |secrets, out| state.export(secrets, out),
            |secrets| state.export_value(secrets),
        );
        assert!(imported.user_by_username("felixsmith").is_some());
        assert!(imported.is_locked(&felix));
        assert_eq!(imported.outbox().len(), 1);
        assert!(State::import(serde_json::json!({"users": 1})).is_err());
    }

    #[test]
    fn derived_ids_are_stable_uuids() {
        assert_eq!(derived_uuid("a"), derived_uuid("a"));
        assert_ne!(derived_uuid("a"), derived_uuid("b"));
        assert_eq!(derived_uuid("a").len(), 36);
    }
}
