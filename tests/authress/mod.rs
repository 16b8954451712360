//! Authress endpoints. Tests sign their own EdDSA JWTs, exactly as the SDKs do, from the fixture
//! access keys (`GET /__admin/credentials`) or from keys generated at test time.

mod auth;
mod headers;
mod openid;
mod paging;
mod sandbox;
mod tenants;
mod users;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ed25519_dalek::{Signer, SigningKey};
use insta::internals::{Content, Redaction};
use serde_json::{Value, json};

use crate::support::{TEST_NOW, TestApp};

/// The full-access fixture client.
pub const FULL: &str = "sc_key_001";
/// The read-only fixture client.
pub const READ_ONLY: &str = "sc_reporting";
/// The fixture client without any access.
pub const NO_ACCESS: &str = "sc_unconfigured";

/// An access key, `clientId.keyId.accountId.<PKCS#8 DER>`, split as the SDKs split it.
#[derive(Debug, Clone)]
pub struct AccessKey {
    pub client_id: String,
    pub key_id: String,
    pub account_id: String,
    pub key: SigningKey,
}

impl AccessKey {
    pub fn parse(access_key: &str) -> Self {
        let parts: Vec<&str> = access_key.split('.').collect();
        assert_eq!(parts.len(), 4, "not an access key: {access_key}");
        let der = STANDARD.decode(parts[3]).expect("base64 DER");
        assert_eq!(der.len(), 48, "an Ed25519 PKCS#8 key");
        let secret: [u8; 32] = der[16..].try_into().unwrap();
        Self {
            client_id: parts[0].into(),
            key_id: parts[1].into(),
            account_id: parts[2].into(),
            key: SigningKey::from_bytes(&secret),
        }
    }

    /// The claims the Python SDK signs, at the sandbox's fixed clock, for a sandbox at `base`.
    pub fn claims(&self, base: &str) -> Value {
        let iat = now();
        json!({
            "iss": format!("{base}/v1/clients/{}", self.client_id),
            "aud": format!("{}.accounts.authress.io", self.account_id),
            "iat": iat,
            "exp": iat + 86_400,
            "sub": self.client_id,
            "client_id": self.client_id,
            "scopes": "openId",
        })
    }

    pub fn sign(&self, claims: &Value) -> String {
        sign(&self.key_id, claims, &self.key)
    }

    /// A token exactly as the SDK makes it.
    pub fn token(&self, app: &TestApp) -> String {
        self.sign(&self.claims(&app.address))
    }
}

/// A compact EdDSA JWT with the header PyJWT writes.
pub fn sign(key_id: &str, claims: &Value, key: &SigningKey) -> String {
    let header = json!({ "alg": "EdDSA", "kid": key_id, "typ": "JWT" });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = key.sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

/// A key nobody registered, generated now.
pub fn random_key() -> SigningKey {
    SigningKey::from_bytes(&rand::random::<[u8; 32]>())
}

/// The sandbox clock, in seconds.
pub fn now() -> i64 {
    chrono::DateTime::parse_from_rfc3339(TEST_NOW)
        .unwrap()
        .timestamp()
}

/// The authress part of `GET /__admin/credentials`.
pub async fn credentials(app: &TestApp) -> Value {
    credentials_at(app, "/__admin/credentials").await
}

/// The authress part of `GET /__admin/credentials?sandbox=…`: each sandbox has its own keys.
pub async fn credentials_in(app: &TestApp, sandbox: &str) -> Value {
    credentials_at(app, &format!("/__admin/credentials?sandbox={sandbox}")).await
}

async fn credentials_at(app: &TestApp, path: &str) -> Value {
    let body: Value = app.get(path).send().await.unwrap().json().await.unwrap();
    body["authress"].clone()
}

/// A fixture client's access key, as the credentials list it.
pub async fn fixture_key(app: &TestApp, client_id: &str) -> AccessKey {
    key_of(&credentials(app).await, client_id)
}

/// A fixture client's access key in a sandbox.
pub async fn fixture_key_in(app: &TestApp, sandbox: &str, client_id: &str) -> AccessKey {
    key_of(&credentials_in(app, sandbox).await, client_id)
}

fn key_of(credentials: &Value, client_id: &str) -> AccessKey {
    let client = credentials["serviceClients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clientId"] == client_id)
        .unwrap_or_else(|| panic!("{client_id} is not a fixture client"));
    AccessKey::parse(client["accessKey"].as_str().unwrap())
}

/// A valid token of a fixture client.
pub async fn token(app: &TestApp, client_id: &str) -> String {
    fixture_key(app, client_id).await.token(app)
}

/// Replaces the test server's address (a random port) in an absolute URL.
pub fn href(app: &TestApp) -> Redaction {
    let address = app.address.clone();
    insta::dynamic_redaction(move |value, _path| {
        let href = value.as_str().expect("a string href");
        assert!(
            href.starts_with(&address),
            "not an absolute URL of the sandbox: {href}"
        );
        Content::from(href.replacen(&address, "http://[sandbox]", 1))
    })
}
