//! OBP's tables in one world, and the rules that change them: users (soft-deleted by scrambling),
//! DirectLogin tokens, entitlements, the bad-login counter and admin locks, personal attributes,
//! auth contexts and their OTP-confirmed update requests, banks and customers, and the outbox of
//! every message the sandbox "sent".

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, Utc};
use dashmap::DashMap;
use dashmap::mapref::entry::Entry;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::seed::Person;
use crate::seed::fixtures::{FixtureError, Fixtures as AllFixtures};
use crate::store::index::OrderedIndex;
use crate::store::table::sorted_entries;
use crate::store::{Clock, Ids, Purpose, Table};

use super::errors::{Error, Result};
use super::models::{AgreementJson, OutboxMessage, ViewJson};

// ---- fixtures (`fixtures/obp.json`) -------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    /// OBP's `hostname` prop: the base of logout and password-reset links.
    pub hostname: String,
    /// OBP's `local_identity_provider` prop: the `provider` of local users.
    pub local_identity_provider: String,
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
    pub user_id: String,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password: String,
    pub provider: String,
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
    /// user_id → users key.
    user_keys: DashMap<String, String>,
    /// username (local provider) → user_id.
    usernames: DashMap<String, String>,
    /// email → user_ids, in creation order.
    emails: DashMap<String, Vec<String>>,
    super_admins: Vec<String>,
    entitlements: DashMap<String, Vec<EntitlementRecord>>,
    views: DashMap<String, Vec<ViewJson>>,
    attributes: DashMap<String, Vec<AttributeRecord>>,
    auth_contexts: DashMap<String, Vec<AuthContextRecord>>,
    /// user_auth_context_id → user_id.
    auth_context_owners: DashMap<String, String>,
    auth_context_updates: DashMap<String, AuthContextUpdateRecord>,
    customer_links: DashMap<String, CustomerLinkRecord>,
    /// Keyed by username: OBP counts bad logins per (provider, username), even unknown ones.
    bad_logins: DashMap<String, BadLoginRecord>,
    /// Admin locks by user_id.
    locks: DashMap<String, UserLockRecord>,
    tokens: DashMap<String, TokenRecord>,
    /// Keyed by the zero-padded send sequence.
    outbox: Table<OutboxMessage>,
    outbox_seq: AtomicU64,
    /// Usernames of the documented accounts, in fixture order, with a note each.
    fixture_accounts: Vec<(String, Option<String>)>,
}

/// FNV-1a: a derived value that never changes between Rust versions.
pub(crate) fn stable_hash(s: &[u8]) -> u64 {
    s.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A version-4 UUID derived from a name, so seeded records get the same ids in every world.
pub fn derived_uuid(name: &str) -> String {
    let mut bytes = [0u8; 16];
    ChaCha8Rng::seed_from_u64(stable_hash(name.as_bytes())).fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

fn seq_key(seq: u64) -> String {
    format!("{seq:020}")
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
            user_keys: DashMap::new(),
            usernames: DashMap::new(),
            emails: DashMap::new(),
            super_admins: Vec::new(),
            entitlements: DashMap::new(),
            views: DashMap::new(),
            attributes: DashMap::new(),
            auth_contexts: DashMap::new(),
            auth_context_owners: DashMap::new(),
            auth_context_updates: DashMap::new(),
            customer_links: DashMap::new(),
            bad_logins: DashMap::new(),
            locks: DashMap::new(),
            tokens: DashMap::new(),
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
            state.seed_user(&person, &account.extras, now)?;
        }
        for person in people {
            let extras = fixtures
                .users
                .iter()
                .find(|u| u.person == person.username)
                .map(|u| u.extras.clone());
            if person.fixture && extras.is_none() {
                continue;
            }
            state.seed_user(
                person,
                &extras.unwrap_or_else(|| UserExtras {
                    validated: true,
                    ..Default::default()
                }),
                now,
            )?;
        }
        for f in &fixtures.users {
            if !state.usernames.contains_key(&f.person) {
                return Err(FixtureError::Inconsistent(format!(
                    "obp.json names user '{}', who is not in people.json",
                    f.person
                )));
            }
        }
        Ok(state)
    }

    fn seed_user(
        &mut self,
        person: &Person,
        extras: &UserExtras,
        now: DateTime<Utc>,
    ) -> Result<(), FixtureError> {
        let user_id = extras
            .user_id
            .clone()
            .unwrap_or_else(|| derived_uuid(&format!("obp user {}", person.username)));
        let record = UserRecord {
            user_id: user_id.clone(),
            username: person.username.clone(),
            email: person.email.clone(),
            first_name: person.first_name.clone(),
            last_name: person.last_name.clone(),
            password: person.password.clone(),
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

    // ---- users --------------------------------------------------------------------------------

    /// Inserts a user with the next creation sequence; a taken username changes nothing.
    fn insert_user(&self, mut record: UserRecord) -> Result<UserRecord> {
        match self.usernames.entry(record.username.clone()) {
            Entry::Occupied(_) => Err(Error::Internal(actix_web::http::StatusCode::CONFLICT)),
            Entry::Vacant(slot) => {
                record.seq = self.next_seq.fetch_add(1, Ordering::AcqRel);
                let key = seq_key(record.seq);
                slot.insert(record.user_id.clone());
                self.index_email(&record.email, &record.user_id);
                self.user_keys.insert(record.user_id.clone(), key.clone());
                self.index_listed(&key, record.is_deleted);
                self.users.put(key, record.clone());
                Ok(record)
            }
        }
    }

    /// `createUser`: a taken username is OBP's (masked) 409.
    pub fn create_user(&self, record: UserRecord) -> Result<UserRecord> {
        self.insert_user(record)
    }

    pub fn user(&self, user_id: &str) -> Option<UserRecord> {
        let key = self.user_keys.get(user_id)?.value().clone();
        self.users.get(&key).ok()
    }

    pub fn user_by_username(&self, username: &str) -> Option<UserRecord> {
        let user_id = self.usernames.get(username)?.value().clone();
        self.user(&user_id)
    }

    fn index_email(&self, email: &str, user_id: &str) {
        self.emails
            .entry(email.to_string())
            .or_default()
            .push(user_id.to_string());
    }

    fn unindex_email(&self, email: &str, user_id: &str) {
        if let Some(mut ids) = self.emails.get_mut(email) {
            ids.retain(|id| id != user_id);
        }
        self.emails.remove_if(email, |_, ids| ids.is_empty());
    }

    /// Users with exactly this email, in creation order.
    pub fn users_by_email(&self, email: &str) -> Vec<UserRecord> {
        let ids = self
            .emails
            .get(email)
            .map(|ids| ids.value().clone())
            .unwrap_or_default();
        ids.iter().filter_map(|id| self.user(id)).collect()
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
        let listed = if is_deleted {
            &self.deleted_users
        } else {
            &self.live_users
        };
        listed
            .range(offset, limit, false)
            .into_iter()
            .filter_map(|key| self.users.get(&key).ok())
            .filter(|u| u.is_deleted == is_deleted)
            .filter(|u| match locked {
                LockedStatus::Any => true,
                LockedStatus::Locked => self.counter_locked(&u.username),
                LockedStatus::Active => !self.counter_locked(&u.username),
            })
            .collect()
    }

    /// Files a users key under the live or the deleted listing (and out of the other).
    fn index_listed(&self, key: &str, is_deleted: bool) {
        let (to, from) = if is_deleted {
            (&self.deleted_users, &self.live_users)
        } else {
            (&self.live_users, &self.deleted_users)
        };
        from.remove(key);
        to.insert(key.to_string());
    }

    fn update_user<R>(&self, user_id: &str, f: impl FnOnce(&mut UserRecord) -> R) -> Option<R> {
        let key = self.user_keys.get(user_id)?.value().clone();
        self.users.update(&key, f).ok()
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
        let password = ids.alphanumeric(Purpose::Secret, 24);
        self.usernames.remove(&user.username);
        self.usernames.insert(username.clone(), user_id.to_string());
        self.unindex_email(&user.email, user_id);
        self.index_email(&email, user_id);
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
            if let Some(key) = self.user_keys.get(user_id).map(|k| k.value().clone()) {
                self.index_listed(&key, true);
            }
        })
    }

    // ---- entitlements -------------------------------------------------------------------------

    pub fn entitlements(&self, user_id: &str) -> Vec<EntitlementRecord> {
        self.entitlements
            .get(user_id)
            .map(|e| e.value().clone())
            .unwrap_or_default()
    }

    pub fn has_role(&self, user_id: &str, role: &str, bank_id: &str) -> bool {
        self.entitlements.get(user_id).is_some_and(|list| {
            list.iter()
                .any(|e| e.role_name == role && e.bank_id == bank_id)
        })
    }

    pub fn is_super_admin(&self, user_id: &str) -> bool {
        self.super_admins.iter().any(|id| id == user_id)
    }

    /// Grants a role; the same role at the same bank twice is `OBP-30216`.
    pub fn add_entitlement(
        &self,
        user_id: &str,
        record: EntitlementRecord,
    ) -> Result<EntitlementRecord> {
        let mut list = self.entitlements.entry(user_id.to_string()).or_default();
        if list
            .iter()
            .any(|e| e.role_name == record.role_name && e.bank_id == record.bank_id)
        {
            return Err(Error::EntitlementAlreadyExists);
        }
        list.push(record.clone());
        Ok(record)
    }

    /// `deleteEntitlement`: OBP finds the entitlement by its id alone (`OBP-30212` when no user
    /// holds it), and only then checks that `user_id` is its holder (`OBP-30213`).
    pub fn delete_entitlement(&self, user_id: &str, entitlement_id: &str) -> Result<()> {
        if let Some(mut list) = self.entitlements.get_mut(user_id)
            && let Some(i) = list.iter().position(|e| e.entitlement_id == entitlement_id)
        {
            list.remove(i);
            return Ok(());
        }
        // Not the given user's: only the error path looks through every holder.
        let held_elsewhere = self
            .entitlements
            .iter()
            .any(|entry| entry.iter().any(|e| e.entitlement_id == entitlement_id));
        Err(if held_elsewhere {
            Error::UserDoesNotHaveEntitlement
        } else {
            Error::EntitlementNotFound
        })
    }

    /// `getAllEntitlements`: every entitlement of every user, holders in creation order and each
    /// holder's roles in the order they were granted.
    pub fn all_entitlements(&self) -> Vec<EntitlementRecord> {
        let mut holders: Vec<(String, Vec<EntitlementRecord>)> = self
            .entitlements
            .iter()
            .map(|entry| {
                let key = self
                    .user_keys
                    .get(entry.key())
                    .map(|k| k.value().clone())
                    .unwrap_or_default();
                (key, entry.value().clone())
            })
            .collect();
        holders.sort_by(|a, b| a.0.cmp(&b.0));
        holders.into_iter().flat_map(|(_, list)| list).collect()
    }

    pub fn views(&self, user_id: &str) -> Vec<ViewJson> {
        self.views
            .get(user_id)
            .map(|v| v.value().clone())
            .unwrap_or_default()
    }

    // ---- logins, tokens and locks -------------------------------------------------------------

    pub fn consumer(&self, key: &str) -> Option<&ConsumerRecord> {
        self.consumers.iter().find(|c| c.consumer_key == key)
    }

    fn counter_locked(&self, username: &str) -> bool {
        self.bad_logins
            .get(username)
            .is_some_and(|b| b.attempts > self.config.max_bad_login_attempts)
    }

    /// OBP's `userIsLocked`: the bad-login counter is over the limit, or an admin lock exists.
    pub fn is_locked(&self, user: &UserRecord) -> bool {
        self.counter_locked(&user.username) || self.locks.contains_key(&user.user_id)
    }

    fn failed_login(&self, username: &str, now: DateTime<Utc>) {
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
        if !user.validated || user.password != password {
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

    // ---- attributes ---------------------------------------------------------------------------

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

    // ---- auth contexts ------------------------------------------------------------------------

    pub fn auth_contexts(&self, user_id: &str) -> Vec<AuthContextRecord> {
        self.auth_contexts
            .get(user_id)
            .map(|c| c.value().clone())
            .unwrap_or_default()
    }

    pub fn add_auth_context(&self, record: AuthContextRecord) {
        self.auth_context_owners
            .insert(record.user_auth_context_id.clone(), record.user_id.clone());
        self.auth_contexts
            .entry(record.user_id.clone())
            .or_default()
            .push(record);
    }

    /// Deletes a context by its id, whoever owns it (OBP does not check the USER_ID).
    pub fn delete_auth_context(&self, context_id: &str) -> bool {
        let Some((_, owner)) = self.auth_context_owners.remove(context_id) else {
            return false;
        };
        if let Some(mut list) = self.auth_contexts.get_mut(&owner) {
            list.retain(|c| c.user_auth_context_id != context_id);
        }
        true
    }

    pub fn delete_auth_contexts(&self, user_id: &str) {
        if let Some((_, list)) = self.auth_contexts.remove(user_id) {
            for context in list {
                self.auth_context_owners
                    .remove(&context.user_auth_context_id);
            }
        }
    }

    // ---- banks, customers and auth context updates --------------------------------------------

    pub fn bank(&self, bank_id: &str) -> Option<&BankRecord> {
        self.banks.iter().find(|b| b.bank_id == bank_id)
    }

    pub fn customer_by_number(&self, bank_id: &str, number: &str) -> Option<&CustomerRecord> {
        self.customers
            .iter()
            .find(|c| c.bank_id == bank_id && c.customer_number == number)
    }

    /// OBP's challenge: `SecureRandom.nextInt(99999999)`, not zero-padded.
    pub fn new_challenge(ids: &Ids) -> String {
        ids.rng(Purpose::Otp)
            .gen_range(0..99_999_999u32)
            .to_string()
    }

    pub fn add_auth_context_update(&self, record: AuthContextUpdateRecord) {
        self.auth_context_updates
            .insert(record.user_auth_context_update_id.clone(), record);
    }

    /// OBP's `checkAnswer`: unknown or expired requests fail; an `INITIATED` one becomes
    /// `ACCEPTED` or `REJECTED` (one attempt); any other is returned unchanged.
    pub fn answer_auth_context_update(
        &self,
        id: &str,
        answer: &str,
        now: DateTime<Utc>,
    ) -> Result<(AuthContextUpdateRecord, bool)> {
        let mut row = self.auth_context_updates.get_mut(id).ok_or_else(|| {
            Error::connector(
                "OBP-30057: User Auth Context Update not found by AUTH_CONTEXT_UPDATE_ID.",
            )
        })?;
        let ttl = self.config.challenge_ttl_seconds;
        if now > row.created_at + Duration::seconds(ttl) {
            return Err(Error::connector(&format!(
                "OBP-20211: The One Time Password (OTP) has expired.  Current expiration time is {ttl} seconds"
            )));
        }
        let mut accepted_now = false;
        if row.status == "INITIATED" {
            accepted_now = row.challenge == answer;
            row.status = if accepted_now { "ACCEPTED" } else { "REJECTED" }.into();
        }
        Ok((row.value().clone(), accepted_now))
    }

    /// Links a user to a customer, once.
    pub fn link_customer(
        &self,
        user_id: &str,
        customer_id: &str,
        link_id: impl FnOnce() -> String,
        now: DateTime<Utc>,
    ) {
        let exists = self
            .customer_links
            .iter()
            .any(|l| l.user_id == user_id && l.customer_id == customer_id);
        if !exists {
            let id = link_id();
            self.customer_links.insert(
                id.clone(),
                CustomerLinkRecord {
                    user_customer_link_id: id,
                    user_id: user_id.to_string(),
                    customer_id: customer_id.to_string(),
                    date_inserted: now,
                },
            );
        }
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
    entitlements: Vec<(String, Vec<EntitlementRecord>)>,
    views: Vec<(String, Vec<ViewJson>)>,
    attributes: Vec<(String, Vec<AttributeRecord>)>,
    auth_contexts: Vec<(String, Vec<AuthContextRecord>)>,
    auth_context_updates: Vec<AuthContextUpdateRecord>,
    customer_links: Vec<CustomerLinkRecord>,
    bad_logins: Vec<(String, BadLoginRecord)>,
    locks: Vec<(String, UserLockRecord)>,
    tokens: Vec<(String, TokenRecord)>,
    outbox: Vec<(String, OutboxMessage)>,
    outbox_seq: u64,
    fixture_accounts: Vec<(String, Option<String>)>,
}

impl State {
    /// The whole state as JSON, for `GET /__admin/state`; `import` must restore it losslessly.
    pub fn export(&self) -> serde_json::Value {
        let mut updates: Vec<AuthContextUpdateRecord> = self
            .auth_context_updates
            .iter()
            .map(|r| r.value().clone())
            .collect();
        updates.sort_by(|a, b| {
            a.user_auth_context_update_id
                .cmp(&b.user_auth_context_update_id)
        });
        let mut links: Vec<CustomerLinkRecord> = self
            .customer_links
            .iter()
            .map(|r| r.value().clone())
            .collect();
        links.sort_by(|a, b| a.user_customer_link_id.cmp(&b.user_customer_link_id));
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
            auth_context_updates: updates,
            customer_links: links,
            bad_logins: sorted_entries(&self.bad_logins),
            locks: sorted_entries(&self.locks),
            tokens: sorted_entries(&self.tokens),
            outbox: self.outbox.to_vec(),
            outbox_seq: self.outbox_seq.load(Ordering::Acquire),
            fixture_accounts: self.fixture_accounts.clone(),
        };
        serde_json::to_value(snapshot).unwrap_or_default()
    }

    /// Restores a state written by `export`.
    pub fn import(value: serde_json::Value) -> Result<Self, String> {
        let s: Snapshot =
            serde_json::from_value(value).map_err(|e| format!("not an OBP state: {e}"))?;
        let mut state = Self::empty(s.config);
        state.consumers = s.consumers;
        state.banks = s.banks;
        state.customers = s.customers;
        for user in s.users {
            let key = seq_key(user.seq);
            if state
                .user_keys
                .insert(user.user_id.clone(), key.clone())
                .is_some()
            {
                return Err(format!("user {} appears twice", user.user_id));
            }
            state
                .usernames
                .insert(user.username.clone(), user.user_id.clone());
            state.index_email(&user.email, &user.user_id);
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
        state.fixture_accounts = s.fixture_accounts;
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::{SeedPlan, population};

    fn seeded() -> (State, Clock, Ids) {
        let plan = SeedPlan::embedded(
            42,
            5,
            "fixed:2026-01-15T10:00:00Z".parse().unwrap(),
            crate::vendors::kinds(),
        )
        .unwrap();
        let clock = Clock::new(plan.clock);
        let people = population(&plan, clock.now());
        (
            State::seed(&plan.fixtures, &people, &clock).unwrap(),
            clock,
            Ids::new(42),
        )
    }

    #[test]
    fn export_and_import_round_trip_every_table() {
        let (state, clock, ids) = seeded();
        let now = clock.now();
        let felix = state.user_by_username("felixsmith").unwrap();
        state.issue_token(
            "tok".into(),
            TokenRecord {
                user_id: felix.user_id.clone(),
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
            user_id: felix.user_id.clone(),
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
        let exported = state.export();
        let imported = State::import(exported.clone()).unwrap();
        assert_eq!(imported.export(), exported);
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
