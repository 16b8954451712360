//! Authress's tables in one world: users (keyed by their identity provider's id), tenants and
//! service clients with their access keys, and the rules that change them.

use std::collections::HashMap;
use std::ops::Bound;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use crossbeam_skiplist::SkipSet;
use ed25519_dalek::{SigningKey, VerifyingKey};
use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};

use crate::seed::Person;
use crate::seed::fixtures::{FixtureError, Fixtures};
use crate::store::ids::{FNV_OFFSET, fnv_step, fnv1a, stable_hash};
use crate::store::ngram::{NgramIndex, NgramWriter};
use crate::store::page::cursor_window;
use crate::store::state_schema::rows::SeqOf;
use crate::store::{Clock, FastMap, Table};

use super::errors::{Error, Result};
use super::jwt::{self, Unverified};
use super::models::Access;

/// `fixtures/authress.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FixtureFile {
    /// The account the access keys and token audiences name (`acc_...`).
    pub account_id: String,
    /// The `kid` of the key that signs user tokens minted by the sandbox.
    pub login_key_id: String,
    pub service_clients: Vec<ServiceClientFixture>,
    pub tenants: Vec<TenantFixture>,
    pub users: Vec<UserFixture>,
    pub fake_users: FakeUsers,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceClientFixture {
    pub client_id: String,
    pub name: String,
    /// The access key's id; its private key is derived from the seed at run time.
    pub key_id: String,
    pub access: Vec<Access>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantFixture {
    pub tenant_id: String,
    pub tenant_lookup_identifier: Option<String>,
    pub name: String,
    pub domains: Vec<String>,
    pub connection_id: Option<String>,
    pub created_days_ago: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserFixture {
    /// The `username` of a person in `people.json`.
    pub person: String,
    /// The identity provider's id, e.g. `google-oauth2|1089...`.
    pub user_id: String,
    pub tenant_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FakeUsers {
    /// Identity providers fake users come from: `google-oauth2`, `auth0`, `samlp|<connection>`.
    pub providers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserRecord {
    /// Shared with the users table's key and the search index: one copy of the id.
    pub user_id: Arc<str>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub picture: Option<Picture>,
    /// The one tenant the user is linked to.
    pub tenant_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantRecord {
    pub tenant_id: String,
    pub tenant_lookup_identifier: Option<String>,
    pub name: Option<String>,
    pub domains: Vec<String>,
    pub connection_id: Option<String>,
    pub created_time: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceClientRecord {
    pub client_id: String,
    pub name: String,
    pub access: Vec<Access>,
    pub keys: Vec<KeyRecord>,
    pub created_time: DateTime<Utc>,
}

/// An access key of a service client. Fixture keys are derived from the sandbox seed; minted
/// keys keep only their public half, as Authress does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyRecord {
    pub key_id: String,
    /// URL-safe base64 of the Ed25519 public key; `None` for a key derived from the seed.
    pub public_key: Option<String>,
}

/// Who a valid token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    ServiceClient {
        client_id: String,
        access: Vec<Access>,
    },
    User {
        user_id: String,
    },
}

/// The caller as the control plane's journal shows it.
impl std::fmt::Display for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Principal::ServiceClient { client_id, .. } => {
                write!(f, "authress service client {client_id}")
            }
            Principal::User { user_id } => write!(f, "authress user {user_id}"),
        }
    }
}

/// A token whose signature was checked once; expiry is checked on every use.
#[derive(Debug, Clone)]
struct Verified {
    principal: Arc<Principal>,
    expires_at: f64,
}

/// Verified tokens kept before the cache starts over (the SDKs reuse one token for hours).
const VERIFIED_CACHE: usize = 10_000;

#[derive(Debug)]
pub struct State {
    account_id: String,
    login_key_id: String,
    users: Table<UserRecord>,
    /// Tenant id → ids of its users, in id order: `getUsers?tenantId=` pages without a scan.
    members: FastMap<String, Arc<SkipSet<String>>>,
    /// Trigrams of each user's id, name and email: `getUsers?filter=` reads only the users that
    /// may match instead of every row.
    search: NgramIndex,
    tenants: Table<TenantRecord>,
    clients: Table<ServiceClientRecord>,
    verified: FastMap<String, Verified>,
}

/// The whole state as `export` writes it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Saved {
    account_id: String,
    login_key_id: String,
    users: Vec<UserRecord>,
    tenants: Vec<TenantRecord>,
    service_clients: Vec<ServiceClientRecord>,
}

/// A [`Saved`] written straight from the tables: the same members in the same order (so the
/// same bytes), the users read (and cloned) one at a time as they are written.
struct Export<'a>(&'a State);

impl Serialize for Export<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let state = self.0;
        let mut out = serializer.serialize_struct("Saved", 5)?;
        out.serialize_field("accountId", &state.account_id)?;
        out.serialize_field("loginKeyId", &state.login_key_id)?;
        let users = state.users.ordered(false).map(|(_, user)| user);
        out.serialize_field("users", &SeqOf::new(users))?;
        out.serialize_field("tenants", &state.tenants())?;
        out.serialize_field("serviceClients", &state.service_clients())?;
        out.end()
    }
}

/// A user's picture URL. The seed gives every fake user a Gravatar-style URL that is a pure
/// function of two 64-bit hashes of the email: such a URL is kept as those 16 bytes and written
/// out when it is read (76 bytes of text and an allocation a user fewer at a million users); any
/// other URL is kept as it came. Both are the same text on the wire and in exports: an imported
/// URL of the Gravatar shape (lower-case hex, as the seed writes it) comes back byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Picture {
    Gravatar(u64, u64),
    Url(Box<str>),
}

const GRAVATAR_BASE: &str = "https://www.gravatar.com/avatar/";
const GRAVATAR_QUERY: &str = "?d=identicon";
const GRAVATAR_LEN: usize = GRAVATAR_BASE.len() + 32 + GRAVATAR_QUERY.len();

impl Picture {
    /// The Gravatar-style picture of an email, stable per email.
    pub fn of_email(email: &str) -> Self {
        // The hash of the lower-cased email; ASCII (nearly every email) without a lower-cased copy.
        let h = if email.is_ascii() {
            email
                .bytes()
                .map(|b| b.to_ascii_lowercase())
                .fold(FNV_OFFSET, fnv_step)
        } else {
            stable_hash(email.to_lowercase().as_bytes())
        };
        // The hash of `{email}#`, continued from that of the email.
        Self::Gravatar(h, fnv1a(h, b"#"))
    }

    /// The URL's text: borrowed when it is kept as text, written out when it is derived.
    pub fn as_text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Self::Gravatar(a, b) => gravatar_url(*a, *b).into(),
            Self::Url(url) => std::borrow::Cow::Borrowed(url),
        }
    }

    pub fn into_string(self) -> String {
        match self {
            Self::Gravatar(a, b) => gravatar_url(a, b),
            Self::Url(url) => url.into_string(),
        }
    }
}

impl Picture {
    /// The URL as a JSON string, written into `out` (a page of users writes it per row): a
    /// derived one straight from its hashes, without building its text first.
    #[inline]
    pub fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Self::Gravatar(a, b) => out.extend_from_slice(&gravatar_json(*a, *b)),
            Self::Url(url) => crate::store::page::write_json_str(out, url),
        }
    }
}

/// A derived picture's URL as a JSON string (it needs no escape): the constant text with the
/// two hashes' hex digits filled in, in one buffer copied once into a page.
const GRAVATAR_JSON: &[u8; GRAVATAR_LEN + 2] =
    b"\"https://www.gravatar.com/avatar/00000000000000000000000000000000?d=identicon\"";

/// Two lower-case hex digits of each byte.
const HEX_PAIRS: [[u8; 2]; 256] = {
    let digits = b"0123456789abcdef";
    let mut pairs = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        pairs[b] = [digits[b >> 4], digits[b & 0xf]];
        b += 1;
    }
    pairs
};

fn gravatar_json(a: u64, b: u64) -> [u8; GRAVATAR_LEN + 2] {
    let mut json = *GRAVATAR_JSON;
    let start = 1 + GRAVATAR_BASE.len();
    let bytes = (u128::from(a) << 64 | u128::from(b)).to_be_bytes();
    for (i, byte) in bytes.into_iter().enumerate() {
        json[start + 2 * i..start + 2 * i + 2].copy_from_slice(&HEX_PAIRS[usize::from(byte)]);
    }
    json
}

fn gravatar_url(a: u64, b: u64) -> String {
    let json = gravatar_json(a, b);
    // The JSON string without its quotes: ASCII throughout.
    String::from_utf8_lossy(&json[1..json.len() - 1]).into_owned()
}

impl From<String> for Picture {
    fn from(url: String) -> Self {
        let hash = |hex: &str| {
            let lower_hex = hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            lower_hex
                .then(|| u64::from_str_radix(hex, 16).ok())
                .flatten()
        };
        let derived = url
            .strip_prefix(GRAVATAR_BASE)
            .and_then(|rest| rest.strip_suffix(GRAVATAR_QUERY))
            .filter(|hex| hex.len() == 32)
            .and_then(|hex| Some(Self::Gravatar(hash(&hex[..16])?, hash(&hex[16..])?)));
        derived.unwrap_or_else(|| Self::Url(url.into_boxed_str()))
    }
}

impl From<&str> for Picture {
    fn from(url: &str) -> Self {
        url.to_string().into()
    }
}

impl Serialize for Picture {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.as_text())
    }
}

impl<'de> Deserialize<'de> for Picture {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
}

/// `n` in lower-case hex, zero-padded to `width` digits, as `{n:0width$x}` writes it (a seed
/// writes millions of these; the formatting machinery costs more than the rest of a user).
fn push_hex(out: &mut String, n: u128, width: usize) {
    let digits = (128 - n.leading_zeros()).div_ceil(4).max(1) as usize;
    for shift in (0..digits.max(width)).rev() {
        let nibble = if shift < 32 {
            (n >> (4 * shift)) & 0xf
        } else {
            0
        };
        out.push(char::from(b"0123456789abcdef"[nibble as usize]));
    }
}

/// `n` in decimal, zero-padded to `width` digits, as `{n:0width$}` writes it.
fn push_decimal(out: &mut String, n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let (mut n, mut len) = (n, 0);
    while n > 0 || len == 0 {
        digits[19 - len] = b'0' + (n % 10) as u8;
        n /= 10;
        len += 1;
    }
    (len..width).for_each(|_| out.push('0'));
    digits[20 - len..]
        .iter()
        .for_each(|&d| out.push(char::from(d)));
}

/// A provider-style id for a fake person, e.g. `google-oauth2|1...` or `auth0|64f1...`.
fn fake_user_id(providers: &[String], person: &Person) -> String {
    let h = stable_hash(person.username.as_bytes());
    let provider = providers
        .get((h % providers.len().max(1) as u64) as usize)
        .map(String::as_str)
        .unwrap_or("auth0");
    let mut id = String::with_capacity(provider.len() + 2 + person.email.len().max(24));
    id.push_str(provider);
    id.push('|');
    match provider {
        "google-oauth2" => {
            id.push('1');
            push_decimal(&mut id, h, 20);
        }
        "auth0" => push_hex(
            &mut id,
            u128::from(fnv1a(stable_hash(b"auth0:"), person.username.as_bytes())) << 32
                | u128::from(h as u32),
            24,
        ),
        p if p.starts_with("samlp|") => id.push_str(&person.email),
        _ => push_hex(&mut id, u128::from(h), 1),
    }
    id
}

/// The service client an issuer names: `<origin>[/prefix]/v1/clients/<clientId>`.
pub fn issuer_client(iss: &str) -> Option<String> {
    if !(iss.starts_with("http://") || iss.starts_with("https://")) {
        return None;
    }
    let (before, id) = iss.rsplit_once("/clients/")?;
    let version = before.rsplit('/').next()?;
    let versioned = version.len() > 1
        && version.starts_with('v')
        && version[1..].bytes().all(|b| b.is_ascii_digit());
    if !versioned || id.is_empty() || id.contains('/') {
        return None;
    }
    percent_decode_str(id)
        .decode_utf8()
        .ok()
        .map(|id| id.into_owned())
}

impl State {
    fn empty(account_id: String, login_key_id: String) -> Self {
        Self {
            account_id,
            login_key_id,
            users: Table::new("user"),
            members: FastMap::default(),
            search: NgramIndex::new(),
            tenants: Table::new("tenant"),
            clients: Table::new("service client"),
            verified: FastMap::default(),
        }
    }

    pub fn seed(
        fixtures: &Fixtures,
        people: &[Person],
        clock: &Clock,
    ) -> Result<Self, FixtureError> {
        let file: FixtureFile = fixtures.vendor("authress")?;
        let state = Self::empty(file.account_id.clone(), file.login_key_id.clone());
        let now = clock.now();
        for t in &file.tenants {
            state.tenants.put(
                t.tenant_id.clone(),
                TenantRecord {
                    tenant_id: t.tenant_id.clone(),
                    tenant_lookup_identifier: t.tenant_lookup_identifier.clone(),
                    name: Some(t.name.clone()),
                    domains: t.domains.clone(),
                    connection_id: t.connection_id.clone(),
                    created_time: now - Duration::days(t.created_days_ago),
                },
            );
        }
        for c in &file.service_clients {
            state.clients.put(
                c.client_id.clone(),
                ServiceClientRecord {
                    client_id: c.client_id.clone(),
                    name: c.name.clone(),
                    access: c.access.clone(),
                    keys: vec![KeyRecord {
                        key_id: c.key_id.clone(),
                        public_key: None,
                    }],
                    created_time: now - Duration::days(30),
                },
            );
        }
        let inconsistent =
            |what: String| FixtureError::Inconsistent(format!("authress.json {what}"));
        for u in &file.users {
            if !people.iter().any(|p| p.username == u.person) {
                return Err(inconsistent(format!(
                    "names user '{}', who is not in people.json",
                    u.person
                )));
            }
            if let Some(tenant) = &u.tenant_id
                && !state.tenants.contains(tenant)
            {
                return Err(inconsistent(format!(
                    "links a user to the unknown tenant '{tenant}'"
                )));
            }
        }
        let named: HashMap<&str, &UserFixture> = file
            .users
            .iter()
            .rev()
            .map(|u| (u.person.as_str(), u))
            .collect();
        let users = people.iter().filter_map(|person| {
            // The first fixture naming the person (the map keeps the first of repeated names).
            let (user_id, tenant_id) = match named.get(person.username.as_str()) {
                Some(f) => (f.user_id.as_str().into(), f.tenant_id.clone()),
                None if person.fixture => return None,
                None => (
                    fake_user_id(&file.fake_users.providers, person).into(),
                    None,
                ),
            };
            Some(UserRecord {
                user_id,
                name: Some(person.full_name()),
                email: Some(person.email.clone()),
                picture: Some(Picture::of_email(&person.email)),
                tenant_id,
            })
        });
        state.put_users(users);
        state.settle();
        Ok(state)
    }

    /// Orders the keys the seed or import inserted, once, before the state serves a listing, and
    /// indexes the seed's users for the search (an import's users are indexed as they came, in
    /// the order of its file; out of key order, they are indexed again in key order).
    fn settle(&self) {
        self.users.settle();
        self.tenants.settle();
        self.clients.settle();
        if self.search.entries() == 0 {
            self.index_search(self.search.writer());
        } else {
            self.compact_search();
        }
        self.search.shrink_to_fit();
    }

    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    pub fn login_key_id(&self) -> &str {
        &self.login_key_id
    }

    /// The key that signs the sandbox's user tokens, derived from the seed.
    pub fn login_key(&self, seed: u64) -> SigningKey {
        jwt::seeded_key(
            seed,
            &format!("login:{}.{}", self.account_id, self.login_key_id),
        )
    }

    /// The private key of a fixture access key, derived from the seed.
    pub fn seeded_client_key(&self, seed: u64, client_id: &str, key_id: &str) -> SigningKey {
        jwt::seeded_key(
            seed,
            &format!("client:{}.{client_id}.{key_id}", self.account_id),
        )
    }

    // Users

    pub fn user(&self, user_id: &str) -> Result<UserRecord> {
        Ok(self.users.get(user_id)?)
    }

    /// `f` of a user's record, read in place: [`State::user`] without the copy.
    pub fn read_user<R>(&self, user_id: &str, f: impl FnOnce(&UserRecord) -> R) -> Result<R> {
        Ok(self.users.read(user_id, f)?)
    }

    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    /// Users after the cursor's user id, in id order; `limit` of them and whether more follow.
    /// `filter` is lower case.
    /// A page of users after the cursor `after`, each as `list` makes it of its row (read in
    /// place: nothing is copied out but what `list` makes), and whether more follow.
    pub fn list_users<T>(
        &self,
        after: Option<&str>,
        limit: usize,
        filter: Option<&str>,
        tenant_id: Option<&str>,
        list: impl Fn(&UserRecord) -> T,
    ) -> (Vec<T>, bool) {
        let wanted = |u: &UserRecord| {
            tenant_id.is_none_or(|t| u.tenant_id.as_deref() == Some(t))
                && filter.is_none_or(|f| matches_filter(u, f))
        };
        // Rows are checked in place and only the matches are listed.
        let matching = |id: &str| self.users.with(id, |u| wanted(u).then(|| list(u)));
        let matching = move |id: &str| matching(id).flatten();
        match (tenant_id, filter) {
            (Some(tenant_id), _) => {
                // The set is cloned out of the map so no map guard is held while users are read.
                let Some(members) = self.members.get(tenant_id).map(|m| m.clone()) else {
                    return (Vec::new(), false);
                };
                let after = after.map_or(Bound::Unbounded, Bound::Excluded);
                let rows = members
                    .range::<str, _>((after, Bound::Unbounded))
                    .filter_map(|id| matching(id.value()));
                cursor_window(rows, limit)
            }
            (None, Some(filter)) => self.search_users(after, limit, filter, matching),
            (None, None) => match after {
                Some(after) => cursor_window(
                    self.users
                        .keys_after_shared(after)
                        .filter_map(|id| matching(&id)),
                    limit,
                ),
                None => cursor_window(
                    self.users.keys_shared(false).filter_map(|id| matching(&id)),
                    limit,
                ),
            },
        }
    }

    /// `getUsers?filter=` without a tenant. When the trigram index says many users may match,
    /// the users after the cursor are read in id order, as without a filter, for a bounded number
    /// of rows (the matches are dense, so a page fills quickly); otherwise, or when those rows did
    /// not fill the page, only the index's candidates after the last row read are checked.
    fn search_users<T>(
        &self,
        after: Option<&str>,
        limit: usize,
        filter: &str,
        matching: impl Fn(&str) -> Option<T>,
    ) -> (Vec<T>, bool) {
        let wanted = limit.saturating_add(1);
        let mut found = Vec::new();
        let mut last = after.map(str::to_string);
        if self.search.estimate(filter).saturating_mul(DENSE) > self.users.len() {
            let keys: Box<dyn Iterator<Item = Arc<str>>> = match after {
                Some(after) => Box::new(self.users.keys_after_shared(after)),
                None => Box::new(self.users.keys_shared(false)),
            };
            let mut read = 0;
            let mut last_read = None;
            for key in keys.take(wanted.saturating_mul(DENSE)) {
                read += 1;
                let user = matching(&key);
                last_read = Some(key);
                if let Some(user) = user {
                    found.push(user);
                    if found.len() == wanted {
                        return cursor_window(found.into_iter(), limit);
                    }
                }
            }
            if read < wanted.saturating_mul(DENSE) {
                // Every user after the cursor was read.
                return cursor_window(found.into_iter(), limit);
            }
            if let Some(key) = last_read {
                last = Some(key.to_string());
            }
        }
        // Candidates are read in batches, each larger than the last: most are matches, but a
        // needle's trigrams can also be found apart.
        let mut batch = wanted;
        loop {
            let (candidates, all) = self.search.candidates(filter, last.as_deref(), batch);
            for key in candidates {
                let user = matching(&key);
                last = Some(key);
                if let Some(user) = user {
                    found.push(user);
                    if found.len() == wanted {
                        return cursor_window(found.into_iter(), limit);
                    }
                }
            }
            if all {
                return cursor_window(found.into_iter(), limit);
            }
            batch = batch.saturating_mul(4);
        }
    }

    /// Inserts or replaces a user, keeping the tenant and search indexes in step. The row goes
    /// in before its trigrams: a rebuild of the search index that runs meanwhile either reads the
    /// row or finishes before the trigrams are added, so no user is left out of the index.
    fn put_user(&self, user: UserRecord) {
        if let Some(tenant_id) = &user.tenant_id {
            self.index_member(tenant_id, &user.user_id);
        }
        let texts: Vec<String> = search_texts(&user).map(String::from).collect();
        // The record, the table and the search index share one copy of the key.
        let key = user.user_id.clone();
        self.users.put(key.clone(), user);
        self.search
            .add(key, &texts.iter().map(String::as_str).collect::<Vec<_>>());
    }

    /// Inserts the seed's users and links them to their tenants, leaving the search index to
    /// [`State::settle`]: it indexes them once they are in key order.
    fn put_users(&self, users: impl Iterator<Item = UserRecord>) {
        for user in users {
            if let Some(tenant_id) = &user.tenant_id {
                self.index_member(tenant_id, &user.user_id);
            }
            self.users.put(user.user_id.clone(), user);
        }
    }

    /// Indexes every user for the search, in key order, into an empty index (`writer` of a new
    /// index, or a rebuilder): the users then page from a cursor by binary search (see
    /// [`NgramIndex::candidates`]).
    fn index_search(&self, mut writer: NgramWriter<'_>) {
        for key in self.users.keys_shared(false) {
            self.users
                .with(&key, |u| writer.add(key.clone(), search_texts(u)));
        }
    }

    /// Rebuilds the search index from the live users, in key order, once most of it names
    /// deleted or replaced ones, or a quarter of it was indexed out of key order (every page of a
    /// filter checks those). Writers of the index wait meanwhile; users added meanwhile are
    /// indexed after it.
    fn compact_search(&self) {
        let live = self.users.len();
        if self.search.garbage(live) <= live.max(1024)
            && self.search.unordered() <= (live / 4).max(4096)
        {
            return;
        }
        self.index_search(self.search.rebuilder());
        self.search.shrink_to_fit();
    }

    fn index_member(&self, tenant_id: &str, user_id: &str) {
        let members = self
            .members
            .entry(tenant_id.to_string())
            .or_default()
            .clone();
        members.insert(user_id.to_string());
    }

    fn unindex_member(&self, tenant_id: &str, user_id: &str) {
        if let Some(members) = self.members.get(tenant_id).map(|m| m.clone()) {
            members.remove(user_id);
        }
    }

    /// Removes the user and everything linked to it: its tenant link goes with it.
    pub fn delete_user(&self, user_id: &str) -> Result<UserRecord> {
        let user = self.users.remove(user_id)?;
        if let Some(tenant_id) = &user.tenant_id {
            self.unindex_member(tenant_id, user_id);
        }
        self.compact_search();
        Ok(user)
    }

    /// Links the user to the tenant, replacing any earlier tenant: a user is in one tenant at most.
    pub fn link_tenant_user(&self, tenant_id: &str, user_id: &str) -> Result<()> {
        self.tenants.get(tenant_id)?;
        // Under the user's row lock, so concurrent links of one user cannot leave it in two sets.
        self.users.update(user_id, |u| {
            if let Some(previous) = u.tenant_id.replace(tenant_id.to_string())
                && previous != tenant_id
            {
                self.unindex_member(&previous, user_id);
            }
            self.index_member(tenant_id, user_id);
        })?;
        Ok(())
    }

    // Tenants

    pub fn tenants(&self) -> Vec<TenantRecord> {
        self.tenants.ordered(false).map(|(_, t)| t).collect()
    }

    pub fn tenant(&self, tenant_id: &str) -> Result<TenantRecord> {
        Ok(self.tenants.get(tenant_id)?)
    }

    // Service clients

    pub fn service_clients(&self) -> Vec<ServiceClientRecord> {
        self.clients.ordered(false).map(|(_, c)| c).collect()
    }

    pub fn service_client(&self, client_id: &str) -> Result<ServiceClientRecord> {
        Ok(self.clients.get(client_id)?)
    }

    pub fn add_service_client(&self, client: ServiceClientRecord) -> Result<()> {
        Ok(self.clients.insert(client.client_id.clone(), client)?)
    }

    /// The public half of one of a client's keys.
    pub fn client_public_key(
        &self,
        seed: u64,
        client: &ServiceClientRecord,
        key: &KeyRecord,
    ) -> Option<VerifyingKey> {
        match &key.public_key {
            Some(text) => jwt::parse_public_key(text),
            None => Some(
                self.seeded_client_key(seed, &client.client_id, &key.key_id)
                    .verifying_key(),
            ),
        }
    }

    /// Checks a bearer JWT as Authress does: the SDK-signed service-client token (EdDSA, `kid` of
    /// a registered key, `iss` = `.../v1/clients/{sub}`, the account's audience, not expired), or
    /// a user token signed by the sandbox's login key.
    pub fn authenticate(
        &self,
        token: &str,
        seed: u64,
        now: DateTime<Utc>,
    ) -> Result<Arc<Principal>> {
        let now = now.timestamp_millis() as f64 / 1000.0;
        if let Some(hit) = self.verified.get(token).map(|v| Verified::clone(&v)) {
            if hit.expires_at <= now {
                return Err(Error::Unauthorized("The token has expired.".into()));
            }
            if let Principal::ServiceClient { client_id, .. } = &*hit.principal
                && !self.clients.contains(client_id.as_str())
            {
                return Err(Error::Unauthorized(
                    "The service client no longer exists.".into(),
                ));
            }
            return Ok(hit.principal);
        }
        let unauthorized = |why: &str| Error::Unauthorized(why.to_string());
        let jwt = Unverified::decode(token)
            .map_err(|e| Error::Unauthorized(format!("Invalid token: {e}.")))?;
        let claims = &jwt.claims;
        if claims.exp <= now {
            return Err(unauthorized("The token has expired."));
        }
        if claims.nbf.is_some_and(|nbf| nbf > now) {
            return Err(unauthorized("The token is not valid yet."));
        }
        let audience = jwt::audience(&self.account_id);
        if !claims.aud.contains(&audience) {
            return Err(Error::Unauthorized(format!(
                "The token's audience must be {audience}."
            )));
        }
        let principal = Arc::new(match issuer_client(&claims.iss) {
            Some(client_id) => {
                if client_id != claims.sub {
                    return Err(unauthorized(
                        "The token's sub must be the service client its iss names.",
                    ));
                }
                let client = self
                    .clients
                    .get(&client_id)
                    .map_err(|_| unauthorized("The token's service client does not exist."))?;
                let key = client
                    .keys
                    .iter()
                    .find(|k| k.key_id == jwt.key_id())
                    .ok_or_else(|| {
                        unauthorized("The token's kid is not an access key of its service client.")
                    })?;
                let public = self.client_public_key(seed, &client, key);
                if !public.is_some_and(|k| jwt.signed_by(&k)) {
                    return Err(unauthorized(
                        "The token's signature does not match its access key.",
                    ));
                }
                Principal::ServiceClient {
                    client_id,
                    access: client.access,
                }
            }
            None => {
                if jwt.key_id() != self.login_key_id
                    || !jwt.signed_by(&self.login_key(seed).verifying_key())
                {
                    return Err(unauthorized("The token was not issued by this account."));
                }
                Principal::User {
                    user_id: claims.sub.clone(),
                }
            }
        });
        if self.verified.len() >= VERIFIED_CACHE {
            self.verified.clear();
        }
        self.verified.insert(
            token.to_string(),
            Verified {
                principal: principal.clone(),
                expires_at: claims.exp,
            },
        );
        Ok(principal)
    }
}

/// A filter the search index says may match more than one user in `DENSE` is looked for by
/// reading users in id order, up to `DENSE` users a listed one.
const DENSE: usize = 64;

/// The text fields people search by. Picture URLs are left out: their hashes would match almost
/// any short filter.
fn search_texts(user: &UserRecord) -> impl Iterator<Item = &str> {
    std::iter::once(Some(&*user.user_id))
        .chain([&user.name, &user.email].map(Option::as_deref))
        .flatten()
}

fn matches_filter(user: &UserRecord, filter: &str) -> bool {
    search_texts(user).any(|text| contains_ignoring_case(text, filter))
}

/// `needle` is lower case.
fn contains_ignoring_case(text: &str, needle: &str) -> bool {
    // ASCII (nearly every id, name and email) compares without lower-casing a copy.
    if text.is_ascii() && needle.is_ascii() {
        let (text, needle) = (text.as_bytes(), needle.as_bytes());
        let Some((&first, rest)) = needle.split_first() else {
            return true;
        };
        let Some(last_start) = text.len().checked_sub(needle.len()) else {
            return false;
        };
        // Only where the needle's first letter is (found in either case by memchr) is the rest
        // compared.
        return memchr::memchr2_iter(first, first.to_ascii_uppercase(), &text[..=last_start])
            .any(|at| text[at + 1..at + needle.len()].eq_ignore_ascii_case(rest));
    }
    text.to_lowercase().contains(needle)
}

/// The JSON Schema of [`Saved`] (the `authress` member of an exported state).
pub fn state_schema() -> serde_json::Value {
    use crate::store::state_schema::{array, date_time, nullable, record, string};
    let user = record(
        vec![
            ("userId", string()),
            ("name", nullable(string())),
            ("email", nullable(string())),
            ("picture", nullable(string())),
            ("tenantId", nullable(string())),
        ],
        &["name", "email", "picture", "tenantId"],
        true,
    );
    let tenant = record(
        vec![
            ("tenantId", string()),
            ("tenantLookupIdentifier", nullable(string())),
            ("name", nullable(string())),
            ("domains", array(string())),
            ("connectionId", nullable(string())),
            ("createdTime", date_time()),
        ],
        &["tenantLookupIdentifier", "name", "connectionId"],
        true,
    );
    let access: Vec<serde_json::Value> = Access::ALL
        .iter()
        .map(|a| serde_json::to_value(a).unwrap_or_default())
        .collect();
    let key = record(
        vec![("keyId", string()), ("publicKey", nullable(string()))],
        &["publicKey"],
        true,
    );
    let client = record(
        vec![
            ("clientId", string()),
            ("name", string()),
            (
                "access",
                array(serde_json::json!({"type": "string", "enum": access})),
            ),
            ("keys", array(key)),
            ("createdTime", date_time()),
        ],
        &[],
        true,
    );
    let mut schema = record(
        vec![
            ("accountId", string()),
            ("loginKeyId", string()),
            ("users", array(user)),
            ("tenants", array(tenant)),
            ("serviceClients", array(client)),
        ],
        &[],
        true,
    );
    schema["description"] = serde_json::json!(
        "Authress's tables: users, tenants and service clients with their access keys."
    );
    schema
}

impl State {
    /// Writes the whole state as JSON (a [`Saved`]), for `GET /__admin/state`; `import`
    /// restores it losslessly. Users go from the table to `out` one at a time.
    pub fn export(&self, out: &mut dyn std::io::Write) -> serde_json::Result<()> {
        serde_json::to_writer(out, &Export(self))
    }

    /// The export as the JSON value it was built as before it was written straight from the
    /// tables: the reference the written bytes are checked against.
    #[cfg(test)]
    fn export_value(&self) -> serde_json::Value {
        let saved = Saved {
            account_id: self.account_id.clone(),
            login_key_id: self.login_key_id.clone(),
            users: self.users.to_vec().into_iter().map(|(_, u)| u).collect(),
            tenants: self.tenants(),
            service_clients: self.service_clients(),
        };
        serde_json::to_value(saved).unwrap_or_default()
    }

    /// Restores a state written by `export`.
    pub fn import(value: serde_json::Value) -> Result<Self, String> {
        Self::restore(serde_json::from_value(value).map_err(|e| format!("authress state: {e}"))?)
    }

    /// Restores a state from the JSON text `export` wrote, read straight into records (no
    /// JSON value of the whole part is built).
    pub fn import_text(json: &str) -> Result<Self, String> {
        Self::restore(serde_json::from_str(json).map_err(|e| format!("authress state: {e}"))?)
    }

    fn restore(saved: Saved) -> Result<Self, String> {
        let state = Self::empty(saved.account_id, saved.login_key_id);
        for u in saved.users {
            state.put_user(u);
        }
        for t in saved.tenants {
            state.tenants.put(t.tenant_id.clone(), t);
        }
        for c in saved.service_clients {
            state.clients.put(c.client_id.clone(), c);
        }
        state.settle();
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_and_decimal_digits_read_as_format_writes_them() {
        for n in [0u64, 1, 9, 15, 16, 255, 1 << 32, u64::MAX / 3, u64::MAX] {
            let (mut hex, mut dec) = (String::new(), String::new());
            push_hex(&mut hex, u128::from(n), 16);
            push_decimal(&mut dec, n, 20);
            assert_eq!(hex, format!("{n:016x}"));
            assert_eq!(dec, format!("{n:020}"));
            let (mut bare, mut wide) = (String::new(), String::new());
            push_hex(&mut bare, u128::from(n), 1);
            push_hex(&mut wide, u128::from(n) << 40 | 7, 24);
            assert_eq!(bare, format!("{n:x}"));
            assert_eq!(wide, format!("{:024x}", u128::from(n) << 40 | 7));
        }
    }

    use super::*;
    use crate::seed::{SeedPlan, population};

    fn seeded() -> State {
        let plan = SeedPlan::embedded(
            42,
            10,
            "fixed:2026-01-15T10:00:00Z".parse().unwrap(),
            crate::vendors::kinds(),
        )
        .unwrap();
        let clock = Clock::new(plan.clock);
        State::seed(&plan.fixtures, &population(&plan, clock.now()), &clock).unwrap()
    }

    /// A seeded picture is kept as its two hashes and written out as the URL it always was; an
    /// imported URL comes back byte for byte, of the Gravatar shape or not.
    #[test]
    fn pictures_are_the_same_text_however_they_are_kept() {
        let seeded = Picture::of_email("Ada.Lovelace@example.com");
        let Picture::Gravatar(a, b) = seeded else {
            panic!("a seeded picture is derived: {seeded:?}");
        };
        let url = seeded.as_text().into_owned();
        assert_eq!(
            url,
            format!("https://www.gravatar.com/avatar/{a:016x}{b:016x}?d=identicon")
        );
        assert_eq!(Picture::from(url.clone()), seeded);
        assert_eq!(
            serde_json::to_string(&seeded).unwrap(),
            format!("\"{url}\"")
        );
        for kept in [
            url.to_uppercase(),
            url.replace("avatar/", "avatar/0"),
            url.replace("?d=identicon", ""),
            "https://example.com/p?a=1".to_string(),
            String::new(),
        ] {
            let picture: Picture =
                serde_json::from_str(&serde_json::to_string(&kept).unwrap()).unwrap();
            assert!(matches!(picture, Picture::Url(_)), "{kept}");
            let mut written = Vec::new();
            picture.write_json(&mut written);
            assert_eq!(written, serde_json::to_vec(&kept).unwrap());
            assert_eq!(picture.into_string(), kept);
        }
        // A page writes the derived URL as the JSON string serde_json writes for it.
        let mut written = Vec::new();
        seeded.write_json(&mut written);
        assert_eq!(written, serde_json::to_vec(&url).unwrap());
    }

    /// The derived URL's digits, filled into its constant text two at a time, are the hex
    /// `format!` writes, at either end of each hash and everywhere between.
    #[test]
    fn derived_pictures_are_written_as_format_writes_them() {
        let values = [0u64, 1, 0xf, 0xa0, 0x0123_4567_89ab_cdef, 1 << 63, u64::MAX];
        for a in values {
            for b in values.iter().map(|v| v.rotate_left(12)) {
                let url = format!("https://www.gravatar.com/avatar/{a:016x}{b:016x}?d=identicon");
                let mut written = Vec::new();
                Picture::Gravatar(a, b).write_json(&mut written);
                assert_eq!(written, serde_json::to_vec(&url).unwrap());
                assert_eq!(Picture::Gravatar(a, b).into_string(), url);
                assert_eq!(Picture::from(url), Picture::Gravatar(a, b));
            }
        }
    }

    #[test]
    fn export_and_import_round_trip_every_table() {
        let state = seeded();
        let first = state.users.ordered(false).next().unwrap().0;
        state.link_tenant_user("ten_globex", &first).unwrap();
        state
            .add_service_client(ServiceClientRecord {
                client_id: "sc_minted".into(),
                name: "Minted".into(),
                access: vec![Access::ReadUsers],
                keys: vec![KeyRecord {
                    key_id: "k9".into(),
                    public_key: Some(jwt::public_key_text(
                        &jwt::seeded_key(1, "x").verifying_key(),
                    )),
                }],
                created_time: DateTime::parse_from_rfc3339("2026-01-15T10:00:00Z")
                    .unwrap()
                    .to_utc(),
            })
            .unwrap();
        let exported = state.export_value();
        let restored = State::import(exported.clone()).unwrap();
        assert_eq!(restored.export_value(), exported);
        // Authress keeps no secrets in its part: both exports are the same.
        crate::store::world::assert_written_export_is_its_value(
            |_, out| state.export(out),
            |_| state.export_value(),
        );
        assert_eq!(
            restored.user(&first).unwrap().tenant_id.as_deref(),
            Some("ten_globex")
        );
        assert_eq!(
            restored.service_clients().len(),
            state.service_clients().len()
        );
        assert!(State::import(serde_json::json!({ "users": 1 })).is_err());
    }

    #[test]
    fn fixture_and_fake_people_get_provider_style_ids() {
        let state = seeded();
        assert_eq!(state.user_count(), 16);
        let ids: Vec<String> = state.users.ordered(false).map(|(k, _)| k).collect();
        assert!(ids.iter().all(|id| id.contains('|')), "{ids:?}");
        assert!(ids.iter().any(|id| id.starts_with("google-oauth2|")));
    }

    #[test]
    fn a_cursor_stays_valid_while_users_are_added_and_deleted() {
        let state = seeded();
        let (first, more) = state.list_users(None, 3, None, None, UserRecord::clone);
        assert!(more);
        let cursor = first[2].user_id.clone();
        let (expected, _) = state.list_users(Some(&cursor), 2, None, None, UserRecord::clone);
        // The cursor's own user and one before it go; a user sorting first and one right after
        // the cursor arrive.
        state.delete_user(&cursor).unwrap();
        state.delete_user(&first[0].user_id).unwrap();
        for user_id in ["aaa|before-everyone", &format!("{cursor}0")] {
            state.put_user(UserRecord {
                user_id: user_id.into(),
                name: None,
                email: None,
                picture: None,
                tenant_id: None,
            });
        }
        let (next, _) = state.list_users(Some(&cursor), 2, None, None, UserRecord::clone);
        assert_eq!(*next[0].user_id, format!("{cursor}0"));
        assert_eq!(next[1].user_id, expected[0].user_id);
    }

    #[test]
    fn the_tenant_index_follows_links_moves_and_deletes() {
        let state = seeded();
        let members = |t: &str| -> Vec<String> {
            state
                .list_users(None, 100, None, Some(t), UserRecord::clone)
                .0
                .into_iter()
                .map(|u| u.user_id.to_string())
                .collect()
        };
        let ada = "auth0|64f1c2a9e4b0a7d3c1e2f3a4";
        assert_eq!(members("ten_acme").len(), 2);

        state.link_tenant_user("ten_globex", ada).unwrap();
        state.link_tenant_user("ten_globex", ada).unwrap();
        assert_eq!(members("ten_acme").len(), 1);
        assert_eq!(members("ten_globex"), [ada, "oidc|globex|erika.musterfrau"]);

        state.delete_user(ada).unwrap();
        assert_eq!(members("ten_globex"), ["oidc|globex|erika.musterfrau"]);
        assert!(members("ten_nobody").is_empty());
        let (after, _) = state.list_users(
            Some("oidc"),
            100,
            None,
            Some("ten_globex"),
            UserRecord::clone,
        );
        assert_eq!(&*after[0].user_id, "oidc|globex|erika.musterfrau");
    }

    /// The listing `list_users` gave before the search index: every user in id order, checked.
    fn scanned(state: &State, after: Option<&str>, filter: &str) -> Vec<String> {
        state
            .users
            .keys(false)
            .filter(|id| after.is_none_or(|a| id.as_str() > a))
            .filter(|id| state.users.with(id, |u| matches_filter(u, filter)) == Some(true))
            .collect()
    }

    /// Every page of a filtered listing, followed by its cursors.
    fn paged(state: &State, filter: &str, limit: usize) -> Vec<String> {
        let mut ids = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let (users, more) = state.list_users(
                after.as_deref(),
                limit,
                Some(filter),
                None,
                UserRecord::clone,
            );
            assert!(users.len() <= limit);
            ids.extend(users.iter().map(|u| u.user_id.to_string()));
            if !more {
                return ids;
            }
            after = users.last().map(|u| u.user_id.to_string());
            assert!(after.is_some(), "{filter}: more follow an empty page");
        }
    }

    fn with_users(extra: usize) -> State {
        let plan = SeedPlan::embedded(
            7,
            extra,
            "fixed:2026-01-15T10:00:00Z".parse().unwrap(),
            crate::vendors::kinds(),
        )
        .unwrap();
        let clock = Clock::new(plan.clock);
        State::seed(&plan.fixtures, &population(&plan, clock.now()), &clock).unwrap()
    }

    const NEEDLES: &[&str] = &[
        "a",
        "e",
        "q",
        "z",
        "ov",
        "sm",
        "smith",
        "lovelace",
        "@example.org",
        "google-oauth2|1",
        "auth0|",
        "samlp",
        "novák",
        "nobody-has-this",
        "1",
        "42",
        ".com",
        "é",
        "x y",
    ];

    fn assert_filters_match_the_scan(state: &State) {
        for needle in NEEDLES {
            let expected = scanned(state, None, needle);
            for limit in [7, 100] {
                assert_eq!(paged(state, needle, limit), expected, "{needle} by {limit}");
            }
            // A cursor in the middle of the matches, and one that is not a user at all.
            if let Some(middle) = expected.get(expected.len() / 2) {
                let (page, _) =
                    state.list_users(Some(middle), 5, Some(needle), None, UserRecord::clone);
                let ids: Vec<String> = page.into_iter().map(|u| u.user_id.to_string()).collect();
                let want: Vec<String> = scanned(state, Some(middle), needle)
                    .into_iter()
                    .take(5)
                    .collect();
                assert_eq!(ids, want, "{needle} after {middle}");
            }
            let (page, _) = state.list_users(Some("m"), 3, Some(needle), None, UserRecord::clone);
            let ids: Vec<String> = page.into_iter().map(|u| u.user_id.to_string()).collect();
            let want: Vec<String> = scanned(state, Some("m"), needle)
                .into_iter()
                .take(3)
                .collect();
            assert_eq!(ids, want, "{needle} after m");
        }
    }

    fn fake_user(i: usize, name: &str) -> UserRecord {
        UserRecord {
            user_id: format!("test|{i:05}").into(),
            name: Some(format!("{name} {i}")),
            email: Some(format!(
                "{}{i}@example.net",
                name.to_lowercase().replace(' ', ".")
            )),
            picture: None,
            tenant_id: None,
        }
    }

    #[test]
    fn filtered_listings_are_the_scans_listings_after_creates_replaces_and_deletes() {
        let state = with_users(600);
        assert_filters_match_the_scan(&state);

        // New users, some replacing themselves with other names, and deletes of seeded users.
        let names = ["Quentin Smith", "Zoë Novák", "Ada Lovelace", "Xavier Young"];
        for i in 0..200 {
            state.put_user(fake_user(i, names[i % names.len()]));
        }
        for i in (0..200).step_by(3) {
            state.put_user(fake_user(i, "Renamed Person"));
        }
        let seeded: Vec<String> = state.users.keys(false).step_by(4).collect();
        for id in &seeded {
            state.delete_user(id).unwrap();
        }
        assert_filters_match_the_scan(&state);
    }

    #[test]
    fn the_search_index_is_rebuilt_once_most_of_it_is_stale_and_still_answers_alike() {
        let state = with_users(0);
        for i in 0..3_000 {
            state.put_user(fake_user(
                i,
                if i % 2 == 0 { "Ann Smith" } else { "Bob Jones" },
            ));
        }
        for i in 0..2_900 {
            state.delete_user(&format!("test|{i:05}")).unwrap();
        }
        // Without the rebuild the index would still hold every user ever added.
        let live = state.user_count();
        assert!(
            state.search.entries() <= 2 * live.max(1024) + 1,
            "{}",
            state.search.entries()
        );
        assert_filters_match_the_scan(&state);
        let smiths = paged(&state, "smith", 10);
        assert_eq!(
            smiths.iter().filter(|id| id.starts_with("test|")).count(),
            50
        );
    }

    /// A seed indexes its users in key order, and so does an import whose file lists them in
    /// another order (once there are enough of them to matter): a filter's page is then read
    /// from its cursor on, not from every candidate.
    #[test]
    fn the_seed_and_an_import_index_users_in_key_order() {
        let state = with_users(5_000);
        assert_eq!(state.search.unordered(), 0);
        assert_eq!(state.search.entries(), state.user_count());
        let mut saved = state.export_value();
        saved["users"].as_array_mut().unwrap().reverse();
        let restored = State::import(saved).unwrap();
        assert_eq!(restored.search.unordered(), 0);
        assert_eq!(restored.search.entries(), state.user_count());
        assert_filters_match_the_scan(&restored);
    }

    #[test]
    fn filters_ignore_case_in_ascii_and_beyond() {
        assert!(contains_ignoring_case("Ada Lovelace", "lovelace"));
        assert!(contains_ignoring_case("Jan Novák", "novák"));
        assert!(contains_ignoring_case("JAN NOVÁK", "novák"));
        assert!(!contains_ignoring_case("Ada", "adam"));
        assert!(contains_ignoring_case("ADAM", "adam") && contains_ignoring_case("xAdam", "adam"));
        assert!(contains_ignoring_case("aadaxadam", "adam"));
        assert!(!contains_ignoring_case("aadaxadaM-", "adamx"));
        assert!(contains_ignoring_case("", "") && contains_ignoring_case("Ada", ""));
        assert!(!contains_ignoring_case("", "a") && contains_ignoring_case("a", "a"));
        assert!(contains_ignoring_case("1@Example.COM", "@example.com"));
    }

    #[test]
    fn issuers_name_their_service_client() {
        assert_eq!(
            issuer_client("http://h:1/v1/clients/sc_a").as_deref(),
            Some("sc_a")
        );
        assert_eq!(
            issuer_client("http://h/sandboxes/x/v1/clients/sc%7Ca").as_deref(),
            Some("sc|a")
        );
        assert_eq!(issuer_client("http://h/clients/sc_a"), None);
        assert_eq!(issuer_client("http://h/v1/clients/"), None);
        assert_eq!(issuer_client("sc_a"), None);
    }
}
