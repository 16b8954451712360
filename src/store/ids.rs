//! Deterministic, lock-free randomness for ids, tokens and secrets.
//!
//! Every draw is `ChaCha8Rng(seed)` positioned at `(purpose stream, n-th draw)`, where `n` comes from
//! an atomic counter per purpose. The same seed and the same sequence of requests therefore yield
//! the same ids, and purposes never shift each other's sequences (a request id drawn for a 404
//! does not change the next token).
//!
//! The secret purposes (tokens, secrets, OTPs) of a named sandbox draw from a key that mixes the
//! sandbox name into the seed, so two same-seed sandboxes never issue each other's tokens; the
//! default sandbox draws them from the seed alone, as every other purpose does.

use std::sync::atomic::{AtomicU64, Ordering};

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What a random value is for; each purpose has its own stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Purpose {
    RequestId = 0,
    Token = 1,
    UserId = 2,
    Secret = 3,
    Otp = 4,
    Misc = 5,
    /// Fault injection rolls (control plane).
    Fault = 6,
}

const PURPOSES: usize = 7;
/// ChaCha words (4 bytes each) reserved for one draw: 16 KiB, far more than any id or token uses.
const WORDS_PER_DRAW: u128 = 4096;

#[derive(Debug)]
pub struct Ids {
    seed: u64,
    /// The key of the secret purposes in a named sandbox; `None` in the default sandbox.
    sandbox_key: Option<[u8; 32]>,
    /// The seed of the sandbox's long-lived keys ([`Ids::key_seed`]).
    key_seed: u64,
    counters: [AtomicU64; PURPOSES],
}

impl Purpose {
    /// Whether what this purpose draws is a credential (drawn per sandbox).
    fn is_secret(self) -> bool {
        matches!(self, Purpose::Token | Purpose::Secret | Purpose::Otp)
    }
}

const URL_SAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// SHA-256 of a purpose label, the seed, a sandbox name and, past the first, a generation: the
/// one way a sandbox's own keys are mixed from the seed.
fn mix(label: &[u8], seed: u64, name: &str, generation: u64) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(label);
    h.update(seed.to_le_bytes());
    h.update(name.as_bytes());
    if generation > 0 {
        h.update(b"\0generation");
        h.update(generation.to_le_bytes());
    }
    h.finalize().into()
}

/// See [`Ids::key_seed`].
fn key_seed(seed: u64, sandbox: Option<&str>) -> u64 {
    match sandbox.filter(|n| *n != super::sandbox::DEFAULT) {
        None => seed,
        Some(name) => {
            let digest = mix(b"user-sandbox key seed\0", seed, name, 0);
            u64::from_le_bytes(digest[..8].try_into().unwrap_or_default())
        }
    }
}

/// The key of the secret draws of a sandbox's world: the seed alone for the default sandbox's
/// first world (the documented example tokens), else the seed mixed with the sandbox name and,
/// past the first, the world's generation.
fn secret_key(seed: u64, sandbox: Option<&str>, generation: u64) -> Option<[u8; 32]> {
    let name = sandbox.unwrap_or(super::sandbox::DEFAULT);
    (name != super::sandbox::DEFAULT || generation > 0)
        .then(|| mix(b"user-sandbox secret draws\0", seed, name, generation))
}

impl Ids {
    /// The generator of the default sandbox.
    pub fn new(seed: u64) -> Self {
        Self::for_sandbox(seed, None)
    }

    /// The generator of a sandbox: `None` (or `default`) is the default sandbox.
    pub fn for_sandbox(seed: u64, sandbox: Option<&str>) -> Self {
        Self {
            seed,
            sandbox_key: secret_key(seed, sandbox, 0),
            key_seed: key_seed(seed, sandbox),
            counters: Default::default(),
        }
    }

    /// Moves the secret purposes to the draws of a sandbox's `generation`-th world. A sandbox
    /// starts a new generation whenever its world is replaced (reset, reseed, import, restore),
    /// so a credential issued by a replaced world is never drawn again, for anyone.
    pub fn rekey(&mut self, sandbox: Option<&str>, generation: u64) {
        self.sandbox_key = secret_key(self.seed, sandbox, generation);
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The seed a sandbox's long-lived keys are derived from (Authress's fixture access keys and
    /// login key): the seed itself in the default sandbox (the documented keys), the seed mixed
    /// with the name in a named one, so no other same-seed sandbox accepts what they sign. It
    /// stays the same across generations: a reset keeps a sandbox's fixture keys.
    pub fn key_seed(&self) -> u64 {
        self.key_seed
    }

    /// The draw counters, for snapshots of a world.
    pub fn counters(&self) -> Vec<u64> {
        self.counters
            .iter()
            .map(|c| c.load(Ordering::Acquire))
            .collect()
    }

    pub fn restore_counters(&self, values: &[u64]) {
        for (counter, value) in self.counters.iter().zip(values) {
            counter.store(*value, Ordering::Release);
        }
    }

    /// A generator positioned at the next unused draw of `purpose`.
    pub fn rng(&self, purpose: Purpose) -> ChaCha8Rng {
        let n = self.counters[purpose as usize].fetch_add(1, Ordering::AcqRel);
        let mut rng = match self.sandbox_key {
            Some(key) if purpose.is_secret() => ChaCha8Rng::from_seed(key),
            _ => ChaCha8Rng::seed_from_u64(self.seed),
        };
        rng.set_stream(purpose as u64);
        rng.set_word_pos(u128::from(n) * WORDS_PER_DRAW);
        rng
    }

    /// A version-4 UUID in lower case, e.g. `45a611d8-8a19-4a02-8726-a24b6a691ce9`.
    pub fn uuid(&self, purpose: Purpose) -> String {
        self.prefixed_uuid("", purpose)
    }

    /// `prefix` followed by a [`uuid`](Self::uuid), written into one string.
    pub fn prefixed_uuid(&self, prefix: &str, purpose: Purpose) -> String {
        let mut bytes = [0u8; 16];
        self.rng(purpose).fill_bytes(&mut bytes);
        let uuid = uuid::Builder::from_random_bytes(bytes).into_uuid();
        let mut text = String::with_capacity(prefix.len() + uuid::fmt::Hyphenated::LENGTH);
        text.push_str(prefix);
        text.push_str(
            uuid.hyphenated()
                .encode_lower(&mut uuid::Uuid::encode_buffer()),
        );
        text
    }

    /// `len` characters of `[A-Za-z0-9_-]`, the alphabet of finAPI's and OBP's tokens.
    pub fn url_safe(&self, purpose: Purpose, len: usize) -> String {
        Self::pick(&mut self.rng(purpose), URL_SAFE, len)
    }

    /// `len` characters of `[A-Za-z0-9]`.
    pub fn alphanumeric(&self, purpose: Purpose, len: usize) -> String {
        Self::pick(&mut self.rng(purpose), ALPHANUMERIC, len)
    }

    /// `len` decimal digits, e.g. a one-time password.
    pub fn digits(&self, purpose: Purpose, len: usize) -> String {
        Self::pick(&mut self.rng(purpose), b"0123456789", len)
    }

    fn pick(rng: &mut ChaCha8Rng, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
            .collect()
    }
}

/// FNV-1a's offset basis: the hash of no bytes.
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// One byte of FNV-1a.
pub fn fnv_step(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
}

/// FNV-1a of `bytes`, continued from `h`.
pub fn fnv1a(h: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(h, |h, &b| fnv_step(h, b))
}

/// FNV-1a of `bytes`: a derived value that never changes between Rust versions or runs, for
/// seeded data (`std`'s and foldhash's hashers are free to change theirs).
pub fn stable_hash(bytes: &[u8]) -> u64 {
    fnv1a(FNV_OFFSET, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_hash_is_fnv1a() {
        // The published FNV-1a 64-bit test vectors: seeded data must never change with them.
        assert_eq!(stable_hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(stable_hash(b"foobar"), 0x8594_4171_f739_67e8);
        assert_eq!(fnv1a(stable_hash(b"foo"), b"bar"), stable_hash(b"foobar"));
    }

    #[test]
    fn the_same_seed_draws_the_same_values() {
        let (a, b) = (Ids::new(42), Ids::new(42));
        assert_eq!(a.uuid(Purpose::UserId), b.uuid(Purpose::UserId));
        assert_eq!(
            a.url_safe(Purpose::Token, 128),
            b.url_safe(Purpose::Token, 128)
        );
        assert_ne!(a.uuid(Purpose::UserId), Ids::new(43).uuid(Purpose::UserId));
    }

    #[test]
    fn purposes_do_not_shift_each_other() {
        let (a, b) = (Ids::new(7), Ids::new(7));
        a.uuid(Purpose::RequestId);
        assert_eq!(
            a.url_safe(Purpose::Token, 32),
            b.url_safe(Purpose::Token, 32)
        );
    }

    #[test]
    fn named_sandboxes_draw_their_own_secrets_and_share_the_rest() {
        let default = Ids::new(42);
        let (a, b) = (
            Ids::for_sandbox(42, Some("alpha")),
            Ids::for_sandbox(42, Some("beta")),
        );
        let tokens: Vec<String> = [&default, &a, &b]
            .iter()
            .map(|ids| ids.url_safe(Purpose::Token, 43))
            .collect();
        assert_ne!(tokens[0], tokens[1]);
        assert_ne!(tokens[1], tokens[2]);
        assert_ne!(tokens[0], tokens[2]);
        for purpose in [Purpose::Secret, Purpose::Otp] {
            assert_ne!(a.digits(purpose, 12), b.digits(purpose, 12));
        }
        // The same sandbox name and seed draw the same tokens again; the default sandbox's
        // strings are those of the seed alone.
        assert_eq!(
            Ids::for_sandbox(42, Some("alpha")).url_safe(Purpose::Token, 43),
            tokens[1]
        );
        assert_eq!(
            Ids::for_sandbox(42, Some("default")).url_safe(Purpose::Token, 43),
            tokens[0]
        );
        // Ids that are not credentials stay the same in every same-seed sandbox.
        assert_eq!(a.uuid(Purpose::UserId), b.uuid(Purpose::UserId));
        assert_eq!(a.uuid(Purpose::Misc), default.uuid(Purpose::Misc));
    }

    #[test]
    fn every_generation_of_a_sandbox_draws_other_secrets() {
        let draw = |sandbox: Option<&str>, generation: u64| {
            let mut ids = Ids::for_sandbox(42, sandbox);
            if generation > 0 {
                ids.rekey(sandbox, generation);
            }
            (ids.url_safe(Purpose::Token, 43), ids.uuid(Purpose::UserId))
        };
        for sandbox in [None, Some("alpha")] {
            let first = draw(sandbox, 0);
            let (second, third) = (draw(sandbox, 1), draw(sandbox, 2));
            assert_ne!(first.0, second.0);
            assert_ne!(second.0, third.0);
            assert_ne!(first.0, third.0);
            // Only credentials move; ids stay those of the seed.
            assert_eq!(first.1, second.1);
            // The same generation draws the same again.
            assert_eq!(draw(sandbox, 2), third);
        }
        assert_eq!(draw(None, 0).0, Ids::new(42).url_safe(Purpose::Token, 43));
    }

    #[test]
    fn key_seeds_are_per_sandbox_and_survive_generations() {
        assert_eq!(Ids::new(42).key_seed(), 42);
        assert_eq!(Ids::for_sandbox(42, Some("default")).key_seed(), 42);
        let mut alpha = Ids::for_sandbox(42, Some("alpha"));
        let first = alpha.key_seed();
        assert_ne!(first, 42);
        assert_ne!(first, Ids::for_sandbox(42, Some("beta")).key_seed());
        alpha.rekey(Some("alpha"), 3);
        assert_eq!(alpha.key_seed(), first);
    }

    #[test]
    fn successive_draws_differ() {
        let ids = Ids::new(1);
        assert_ne!(ids.uuid(Purpose::Token), ids.uuid(Purpose::Token));
    }
}
