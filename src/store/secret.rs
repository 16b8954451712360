//! Stored passwords: an argon2id hash (PHC string) plus the number of characters of the plain
//! value, never the plain value. Vendor-neutral; finAPI and OBP store their users' passwords as
//! [`Password`].
//!
//! The cost is deliberately low (m = 8 KiB, t = 1, p = 1): logins, creates and password changes
//! hash on the request path. The salt is derived from a context string (vendor and user key), never from OS
//! randomness, so the same seed still gives the same bytes of every export.

use std::fmt;
use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use dashmap::DashSet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// Memory in KiB, iterations and lanes of every hash (argon2's minimum memory for one lane).
const M_COST: u32 = 8;
const T_COST: u32 = 1;
const P_COST: u32 = 1;

/// The PHC strings the import reads, as a JSON Schema pattern: argon2id v=19 with this server's
/// parameters, a 16-byte salt and a 32-byte hash in canonical unpadded base64 (the last
/// character's unused bits zero), exactly as [`Password::hash`] writes them.
pub const PHC_PATTERN: &str = "^\\$argon2id\\$v=19\\$m=8,t=1,p=1\\$[A-Za-z0-9+/]{21}[AQgw]\\$[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]$";

/// Whether `phc` has the form of [`PHC_PATTERN`].
fn canonical_phc(phc: &str) -> bool {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    /// `n` base64 characters whose last one leaves `zero_bits` low bits zero.
    fn b64(text: &str, n: usize, zero_bits: u32) -> bool {
        let bytes = text.as_bytes();
        bytes.len() == n
            && bytes.iter().all(|b| B64.contains(b))
            && B64
                .iter()
                .position(|b| *b == bytes[n - 1])
                .is_some_and(|v| v % (1 << zero_bits) == 0)
    }
    let Some(rest) = phc.strip_prefix("$argon2id$v=19$m=8,t=1,p=1$") else {
        return false;
    };
    rest.split_once('$')
        .is_some_and(|(salt, hash)| b64(salt, 22, 4) && b64(hash, 43, 2))
}

/// What an export made without `?secrets=true` shows in place of a secret it cannot leave out.
pub const OMITTED: &str = "[secret omitted; export with ?secrets=true to include it]";

fn hasher() -> Argon2<'static> {
    let params = Params::new(M_COST, T_COST, P_COST, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Passwords recently proven right, kept as digests keyed with a per-process random key (never
/// the plain password, never written anywhere): a client that logs in again and again with the
/// same password (an SDK suite, a load test) pays argon2 once. A changed password has a new PHC
/// string, so its old digests no longer match; a wrong password is never cached.
struct Verified {
    key: [u8; 32],
    digests: DashSet<[u8; 32]>,
}

/// Digests kept before the set starts over (32 bytes each, a few MiB at most).
const VERIFIED_MAX: usize = 65_536;

static VERIFIED: LazyLock<Verified> = LazyLock::new(|| Verified {
    key: rand::random(),
    digests: DashSet::new(),
});

impl Verified {
    fn digest(&self, phc: &str, plain: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.key);
        h.update((phc.len() as u64).to_le_bytes());
        h.update(phc.as_bytes());
        h.update(plain.as_bytes());
        h.finalize().into()
    }

    fn remember(&self, digest: [u8; 32]) {
        if self.digests.len() >= VERIFIED_MAX {
            self.digests.clear();
        }
        self.digests.insert(digest);
    }
}

#[cfg(test)]
thread_local! {
    /// argon2 verifications run on this thread (tests check the cache with it).
    static ARGON2_RUNS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// A password as stored: its argon2id hash and its length in characters (finAPI shows one `X` per
/// character).
#[derive(Clone, PartialEq, Eq)]
pub struct Password {
    /// `None` for a password no one knows ([`Password::unusable`]). A boxed `str` (two words,
    /// not a `String`'s three): every user of every vendor holds a `Password`.
    phc: Option<Box<str>>,
    chars: u32,
}

impl Password {
    /// Hashes `plain` with a salt derived from `context` (e.g. `finapi user ada.lovelace`).
    pub fn hash(plain: &str, context: &str) -> Self {
        let digest = Sha256::digest(context.as_bytes());
        let salt = SaltString::encode_b64(&digest[..16]).expect("16 bytes are a valid salt");
        let phc = hasher()
            .hash_password(plain.as_bytes(), &salt)
            .expect("argon2 hashes any input")
            .to_string();
        Self {
            phc: Some(phc.into()),
            chars: u32::try_from(plain.chars().count()).unwrap_or(u32::MAX),
        }
    }

    /// A password no one knows, so nothing verifies against it: a generated (fake) person's.
    /// Only its length is kept (finAPI shows one `X` per character). Hashing a password that
    /// no one knows would only cost time: about 100,000 hashes per vendor at 100,000 people.
    pub fn unusable(chars: usize) -> Self {
        Self {
            phc: None,
            chars: u32::try_from(chars).unwrap_or(u32::MAX),
        }
    }

    /// Whether `plain` is this password.
    pub fn verify(&self, plain: &str) -> bool {
        let Some(phc) = self.phc.as_deref() else {
            return false;
        };
        let digest = VERIFIED.digest(phc, plain);
        if VERIFIED.digests.contains(&digest) {
            return true;
        }
        #[cfg(test)]
        ARGON2_RUNS.with(|runs| runs.set(runs.get() + 1));
        let right = PasswordHash::new(phc)
            .is_ok_and(|parsed| hasher().verify_password(plain.as_bytes(), &parsed).is_ok());
        if right {
            VERIFIED.remember(digest);
        }
        right
    }

    /// The length of the plain password in characters.
    pub fn chars(&self) -> usize {
        self.chars as usize
    }

    /// The PHC string, e.g. `$argon2id$v=19$m=8,t=1,p=1$<salt>$<hash>`; `None` when unusable.
    pub fn phc(&self) -> Option<&str> {
        self.phc.as_deref()
    }

    /// A stored hash from a state file: only argon2id with this server's parameters is read, so
    /// an imported hash can never make a login allocate or spin more than the server's own.
    fn from_phc(phc: String, chars: u32) -> Result<Self, String> {
        if !canonical_phc(&phc) {
            return Err(format!(
                "invalid password hash: this server reads argon2id v=19 m={M_COST},t={T_COST},p={P_COST} hashes with a 16-byte salt and a 32-byte hash"
            ));
        }
        let parsed = PasswordHash::new(&phc).map_err(|e| format!("invalid password hash: {e}"))?;
        let params =
            Params::try_from(&parsed).map_err(|e| format!("invalid password hash: {e}"))?;
        if parsed.algorithm.as_str() != "argon2id"
            || parsed.version != Some(Version::V0x13 as u32)
            || (params.m_cost(), params.t_cost(), params.p_cost()) != (M_COST, T_COST, P_COST)
            || parsed.salt.is_none()
            || parsed
                .hash
                .is_none_or(|h| h.len() != Params::DEFAULT_OUTPUT_LEN)
        {
            return Err(format!(
                "invalid password hash: this server reads argon2id v=19 m={M_COST},t={T_COST},p={P_COST} hashes"
            ));
        }
        Ok(Self {
            phc: Some(phc.into()),
            chars,
        })
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.phc.is_some() {
            "argon2id"
        } else {
            "unusable"
        };
        write!(f, "Password({kind}, {} chars)", self.chars)
    }
}

/// How a password is written in a state: `{"hash": "$argon2id$...", "chars": 14}`, or
/// `{"hash": null, "chars": 14}` for a password no one knows.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    hash: Option<String>,
    chars: u32,
}

/// What a state file may hold: the stored form, or (files written before passwords were
/// hashed) the plain password, which is hashed on import.
#[derive(Deserialize)]
#[serde(untagged)]
enum Saved {
    Stored(Stored),
    Plain(String),
}

impl Serialize for Password {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Stored {
            hash: self.phc.as_deref().map(String::from),
            chars: self.chars,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Password {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Saved::deserialize(deserializer).map_err(|_| {
            serde::de::Error::custom(
                "a password is {\"hash\": \"$argon2id$...\" or null, \"chars\": n} or a plain string",
            )
        })? {
            Saved::Stored(Stored {
                hash: Some(hash),
                chars,
            }) => Password::from_phc(hash, chars).map_err(serde::de::Error::custom),
            Saved::Stored(Stored { hash: None, chars }) => Ok(Password::unusable(chars as usize)),
            // The salt of a hash made on import comes from the plain value itself: the record's
            // key is not known here, and determinism is all a salt needs in a sandbox.
            Saved::Plain(plain) => Ok(Password::hash(&plain, &format!("imported {plain}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let p = Password::hash("Felix-Sandbox-2026!", "finapi user felixsmith");
        assert!(p.verify("Felix-Sandbox-2026!"));
        assert!(!p.verify("Felix-Sandbox-2026"));
        assert!(!p.verify(""));
        assert_eq!(p.chars(), 19);
        let phc = p.phc().unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{phc}");
        assert!(!phc.contains("Felix"));
        assert!(!format!("{p:?}").contains("Felix"));
    }

    #[test]
    fn a_password_proven_right_is_not_hashed_again_and_a_wrong_one_always_is() {
        let runs = || ARGON2_RUNS.with(|r| r.get());
        let p = Password::hash("Cache-Me-2026!", "test verified cache");
        let before = runs();
        assert!(p.verify("Cache-Me-2026!"));
        assert!(p.verify("Cache-Me-2026!"));
        assert!(p.verify("Cache-Me-2026!"));
        assert_eq!(runs() - before, 1, "argon2 ran once for three right logins");
        let before = runs();
        assert!(!p.verify("cache-me-2026!"));
        assert!(!p.verify("cache-me-2026!"));
        assert_eq!(
            runs() - before,
            2,
            "a wrong password is checked by argon2 every time"
        );
        // A changed password: the old one stops working even though it was cached.
        let changed = Password::hash("Changed-2026!", "test verified cache");
        assert!(!changed.verify("Cache-Me-2026!"));
        assert!(changed.verify("Changed-2026!"));
        assert!(!Password::unusable(14).verify("Cache-Me-2026!"));
    }

    #[test]
    fn the_same_password_and_context_give_the_same_hash() {
        let a = Password::hash("pw-1234567", "obp user ada");
        assert_eq!(a, Password::hash("pw-1234567", "obp user ada"));
        assert_ne!(
            a.phc(),
            Password::hash("pw-1234567", "obp user grace").phc()
        );
    }

    #[test]
    fn the_stored_form_round_trips_and_plain_strings_are_hashed_on_import() {
        let p = Password::hash("Ünïcode-pässword", "ctx");
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["chars"], 16);
        assert_eq!(serde_json::from_value::<Password>(json).unwrap(), p);
        let imported: Password = serde_json::from_value(serde_json::json!("old-plain-1")).unwrap();
        assert!(imported.verify("old-plain-1"));
        assert_eq!(imported.chars(), 11);
        let unusable = Password::unusable(14);
        let json = serde_json::to_value(&unusable).unwrap();
        assert_eq!(json, serde_json::json!({ "hash": null, "chars": 14 }));
        assert_eq!(serde_json::from_value::<Password>(json).unwrap(), unusable);
    }

    #[test]
    fn an_unusable_password_verifies_nothing() {
        let p = Password::unusable(14);
        assert!(!p.verify("") && !p.verify("anything-at-all"));
        assert_eq!((p.chars(), p.phc()), (14, None));
    }

    #[test]
    fn foreign_or_costly_hashes_are_refused() {
        let p = Password::hash("pw", "ctx");
        let costly = p.phc().unwrap().replace("m=8,", "m=4194304,");
        for bad in [
            costly.as_str(),
            "$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
            "$2b$04$abcdefghijklmnopqrstuu",
            "not a hash",
            "",
        ] {
            let json = serde_json::json!({ "hash": bad, "chars": 2 });
            assert!(serde_json::from_value::<Password>(json).is_err(), "{bad}");
        }
        for bad in [
            serde_json::json!(7),
            serde_json::json!({ "hash": p.phc() }),
            serde_json::json!({ "hash": p.phc(), "chars": -1 }),
            serde_json::json!({ "hash": p.phc(), "chars": 2, "plain": "pw" }),
        ] {
            assert!(
                serde_json::from_value::<Password>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }
}
