//! The OpenID configuration and JWKS that the SDKs' token verification reads.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use insta::assert_json_snapshot;

use super::{FULL, fixture_key, href};
use crate::support::{redactions, spawn_app, status_and_json};

#[tokio::test]
async fn a_service_clients_jwks_holds_the_public_key_of_its_access_key() {
    let app = spawn_app().await;
    let key = fixture_key(&app, FULL).await;

    let (status, config) = status_and_json(
        app.get("/v1/clients/sc_key_001/.well-known/openid-configuration")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let (_, jwks) = status_and_json(
        app.get("/v1/clients/sc_key_001/.well-known/openid-configuration/jwks")
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!(status, 200);
    assert_eq!(
        config["issuer"],
        format!("{}/v1/clients/sc_key_001", app.address)
    );
    let jwk = &jwks["keys"][0];
    assert_eq!(
        (
            jwk["kid"].as_str(),
            jwk["kty"].as_str(),
            jwk["crv"].as_str()
        ),
        (Some("k001"), Some("OKP"), Some("Ed25519"))
    );
    let public = URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap();
    assert_eq!(public, key.key.verifying_key().to_bytes());
}

#[tokio::test]
async fn the_login_issuer_serves_its_configuration_and_signing_key() {
    let app = spawn_app().await;

    let (status, config) = status_and_json(
        app.get("/.well-known/openid-configuration")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let (jwks_status, jwks) = status_and_json(
        app.get("/.well-known/openid-configuration/jwks")
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!((status, jwks_status), (200, 200));
    assert_json_snapshot!("configuration", config, { ".issuer" => href(&app), ".jwks_uri" => href(&app) });
    assert_json_snapshot!("jwks", jwks);
}

#[tokio::test]
async fn an_unknown_service_clients_jwks_returns_404() {
    let app = spawn_app().await;

    let (status, body) = status_and_json(
        app.get("/v1/clients/sc_nobody/.well-known/openid-configuration/jwks")
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!(status, 404);
    assert_json_snapshot!(body, { ".errorId" => redactions::request_id() });
}
