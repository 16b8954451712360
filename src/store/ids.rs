//! Deterministic, lock-free randomness for ids, tokens and secrets.
//!
//! Every draw is `ChaCha8Rng(seed)` positioned at `(purpose stream, n-th draw)`, where `n` comes from
//! an atomic counter per purpose. The same seed and the same sequence of requests therefore yield
//! the same ids, and purposes never shift each other's sequences (a request id drawn for a 404
//! does not change the next token).

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
    counters: [AtomicU64; PURPOSES],
}

const URL_SAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

impl Ids {
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            counters: Default::default(),
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
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
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(purpose as u64);
        rng.set_word_pos(u128::from(n) * WORDS_PER_DRAW);
        rng
    }

    /// A version-4 UUID in lower case, e.g. `45a611d8-8a19-4a02-8726-a24b6a691ce9`.
    pub fn uuid(&self, purpose: Purpose) -> String {
        let mut bytes = [0u8; 16];
        self.rng(purpose).fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .to_string()
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn successive_draws_differ() {
        let ids = Ids::new(1);
        assert_ne!(ids.uuid(Purpose::Token), ids.uuid(Purpose::Token));
    }
}
