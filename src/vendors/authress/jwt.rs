//! Ed25519 keys and EdDSA JWTs exactly as the Authress SDKs make them: an access key is
//! `clientId.keyId.accountId.<base64 PKCS#8 DER of an Ed25519 key>`, and the SDK signs its own
//! bearer JWT with it (`alg=EdDSA`, `kid=keyId`).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::store::ids::stable_hash;

/// Every unencrypted PKCS#8 DER of an Ed25519 key starts with these 16 bytes; 32 key bytes follow.
const PKCS8_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// A signing key derived from the sandbox seed and a label (`sc_key_001.k001`): the same seed
/// always gives the same fixture keys, and no private key is ever stored in the repository.
pub fn seeded_key(seed: u64, label: &str) -> SigningKey {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Streams 0..=5 belong to `store::Ids`; labels hash far away from them.
    rng.set_stream(stable_hash(label.as_bytes()) | 1 << 63);
    let mut secret = [0u8; 32];
    rng.fill_bytes(&mut secret);
    SigningKey::from_bytes(&secret)
}

/// A signing key from a random draw (`store::Ids`), for minted service clients.
pub fn drawn_key(rng: &mut ChaCha8Rng) -> SigningKey {
    let mut secret = [0u8; 32];
    rng.fill_bytes(&mut secret);
    SigningKey::from_bytes(&secret)
}

/// The service-client access key the SDKs take: `clientId.keyId.accountId.<PKCS#8 base64>`.
pub fn access_key(client_id: &str, key_id: &str, account_id: &str, key: &SigningKey) -> String {
    let mut der = PKCS8_ED25519_PREFIX.to_vec();
    der.extend_from_slice(&key.to_bytes());
    format!("{client_id}.{key_id}.{account_id}.{}", STANDARD.encode(der))
}

/// What the SDKs leave unencoded in a path segment (`quote(v, safe='')`, `encodeURIComponent`).
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The issuer of a service client's tokens, as the SDKs build it from their base URL.
pub fn client_issuer(base: &str, client_id: &str) -> String {
    format!(
        "{base}/v1/clients/{}",
        utf8_percent_encode(client_id, PATH_SEGMENT)
    )
}

/// The audience of every token of an account, as the SDKs set it.
pub fn audience(account_id: &str) -> String {
    format!("{account_id}.accounts.authress.io")
}

/// The public key as URL-safe base64, the `x` of its JWK.
pub fn public_key_text(key: &VerifyingKey) -> String {
    URL_SAFE_NO_PAD.encode(key.to_bytes())
}

pub fn parse_public_key(text: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = URL_SAFE_NO_PAD.decode(text).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

/// The key as a JSON Web Key, as served by the JWKS endpoints.
pub fn jwk(key_id: &str, key: &VerifyingKey) -> Value {
    json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "x": public_key_text(key),
        "kid": key_id,
        "alg": "EdDSA",
        "use": "sig",
    })
}

/// Signs `claims` as a compact EdDSA JWT.
pub fn sign(key_id: &str, typ: &str, claims: &Value, key: &SigningKey) -> String {
    let header = json!({ "alg": "EdDSA", "kid": key_id, "typ": typ });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = key.sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

/// The protected header fields the sandbox reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Header {
    pub alg: String,
    pub kid: Option<String>,
}

/// `aud` is a string or a list of strings.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    pub fn contains(&self, audience: &str) -> bool {
        match self {
            Audience::One(a) => a == audience,
            Audience::Many(all) => all.iter().any(|a| a == audience),
        }
    }
}

/// The registered claims the sandbox checks.
#[derive(Debug, Clone, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: Audience,
    pub exp: f64,
    pub nbf: Option<f64>,
}

/// A JWT split and decoded, its signature not yet checked.
#[derive(Debug, Clone)]
pub struct Unverified {
    pub header: Header,
    pub claims: Claims,
    signing_input: String,
    signature: Signature,
}

/// Why a token could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the token is not a JWT")]
    Malformed,
    #[error("the token's header or claims are missing or of the wrong type")]
    BadClaims,
    #[error("the token must be signed with EdDSA and name its key in `kid`")]
    UnsupportedAlgorithm,
}

impl Unverified {
    pub fn decode(token: &str) -> Result<Self, DecodeError> {
        let mut parts = token.split('.');
        let (Some(header), Some(claims), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(DecodeError::Malformed);
        };
        let decode = |part: &str| {
            URL_SAFE_NO_PAD
                .decode(part)
                .map_err(|_| DecodeError::Malformed)
        };
        let header: Header =
            serde_json::from_slice(&decode(header)?).map_err(|_| DecodeError::Malformed)?;
        if header.alg != "EdDSA" || header.kid.as_deref().is_none_or(str::is_empty) {
            return Err(DecodeError::UnsupportedAlgorithm);
        }
        let claims_json: Value =
            serde_json::from_slice(&decode(claims)?).map_err(|_| DecodeError::Malformed)?;
        let claims: Claims =
            serde_json::from_value(claims_json).map_err(|_| DecodeError::BadClaims)?;
        let signature =
            Signature::from_slice(&decode(signature)?).map_err(|_| DecodeError::Malformed)?;
        let signing_input = token[..token.rfind('.').unwrap_or(0)].to_string();
        Ok(Self {
            header,
            claims,
            signing_input,
            signature,
        })
    }

    pub fn key_id(&self) -> &str {
        self.header.kid.as_deref().unwrap_or_default()
    }

    pub fn signed_by(&self, key: &VerifyingKey) -> bool {
        key.verify_strict(self.signing_input.as_bytes(), &self.signature)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_keys_are_stable_per_seed_and_label() {
        let a = seeded_key(42, "sc_key_001.k001");
        assert_eq!(a.to_bytes(), seeded_key(42, "sc_key_001.k001").to_bytes());
        assert_ne!(a.to_bytes(), seeded_key(43, "sc_key_001.k001").to_bytes());
        assert_ne!(a.to_bytes(), seeded_key(42, "sc_key_002.k001").to_bytes());
    }

    #[test]
    fn access_keys_carry_a_pkcs8_ed25519_key() {
        let key = seeded_key(1, "x");
        let access_key = access_key("sc_a", "k1", "acc_b", &key);
        let parts: Vec<&str> = access_key.split('.').collect();
        assert_eq!(parts[..3], ["sc_a", "k1", "acc_b"]);
        assert!(parts[3].starts_with("MC4CAQAwBQYDK2VwBCIEI"));
        assert_eq!(STANDARD.decode(parts[3]).unwrap()[16..], key.to_bytes());
    }

    #[test]
    fn a_signed_token_verifies_only_with_its_key() {
        let key = seeded_key(1, "x");
        let claims = json!({ "iss": "http://h/v1/clients/sc_a", "sub": "sc_a", "aud": "acc.accounts.authress.io", "exp": 10 });
        let token = sign("k1", "JWT", &claims, &key);
        let decoded = Unverified::decode(&token).unwrap();
        assert_eq!(decoded.key_id(), "k1");
        assert!(decoded.signed_by(&key.verifying_key()));
        assert!(!decoded.signed_by(&seeded_key(2, "x").verifying_key()));
        assert_eq!(
            Unverified::decode("a.b").unwrap_err(),
            DecodeError::Malformed
        );
    }

    fn token_with_header(header: &Value, claims: &Value, key: &SigningKey) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = key.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }

    fn claims() -> Value {
        json!({ "iss": "http://h/v1/clients/sc_a", "sub": "sc_a", "aud": "acc.accounts.authress.io", "exp": 10 })
    }

    proptest::proptest! {
        #[test]
        fn any_text_decodes_or_is_refused(token in "\\PC{0,400}") {
            let _ = Unverified::decode(&token);
        }

        // Every strict prefix of a signed token is refused or fails its signature.
        #[test]
        fn a_truncated_token_never_verifies(cut in 0usize..200) {
            let key = seeded_key(1, "x");
            let token = sign("k1", "JWT", &claims(), &key);
            let cut = cut.min(token.len() - 1);
            if let Ok(decoded) = Unverified::decode(&token[..cut]) {
                proptest::prop_assert!(!decoded.signed_by(&key.verifying_key()));
            }
        }

        // The same claims re-signed with any other key decode but never verify.
        #[test]
        fn a_token_re_signed_with_another_key_never_verifies(secret in proptest::array::uniform32(0u8..)) {
            let key = seeded_key(1, "x");
            let other = SigningKey::from_bytes(&secret);
            proptest::prop_assume!(other.to_bytes() != key.to_bytes());
            let forged = sign("k1", "JWT", &claims(), &other);
            let decoded = Unverified::decode(&forged).unwrap();
            proptest::prop_assert!(!decoded.signed_by(&key.verifying_key()));
        }

        // Any `alg` but EdDSA (`none`, `HS256`, `RS256`, case variants) is refused before the
        // signature is looked at, even with an empty signature.
        #[test]
        fn any_other_alg_is_refused(alg in "(none|None|NONE|HS256|RS256|ES256|eddsa|EdDSA |[A-Za-z0-9]{0,8})") {
            proptest::prop_assume!(alg != "EdDSA");
            let key = seeded_key(1, "x");
            let token = token_with_header(&json!({ "alg": alg, "kid": "k1", "typ": "JWT" }), &claims(), &key);
            proptest::prop_assert_eq!(Unverified::decode(&token).unwrap_err(), DecodeError::UnsupportedAlgorithm);
            let unsigned = format!("{}.", &token[..token.rfind('.').unwrap()]);
            proptest::prop_assert!(Unverified::decode(&unsigned).is_err());
        }

        // Flipping any byte of a signed token breaks it.
        #[test]
        fn any_flipped_byte_breaks_the_token(at in 0usize..300, bit in 0u8..7) {
            let key = seeded_key(1, "x");
            let token = sign("k1", "JWT", &claims(), &key);
            let at = at % token.len();
            let mut bytes = token.into_bytes();
            bytes[at] ^= 1 << bit;
            if let Ok(text) = String::from_utf8(bytes)
                && let Ok(decoded) = Unverified::decode(&text)
            {
                proptest::prop_assert!(!decoded.signed_by(&key.verifying_key()));
            }
        }
    }

    #[test]
    fn a_huge_token_is_decoded_without_trouble() {
        let key = seeded_key(1, "x");
        let mut big = claims();
        big["padding"] = json!("x".repeat(4 * 1024 * 1024));
        let token = sign("k1", "JWT", &big, &key);
        assert!(
            Unverified::decode(&token)
                .unwrap()
                .signed_by(&key.verifying_key())
        );
        assert_eq!(
            Unverified::decode(&"a.".repeat(1 << 20)).unwrap_err(),
            DecodeError::Malformed
        );
    }
}
