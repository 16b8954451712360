//! Test support: spawn the real server, make requests, redact per-request values.

#![allow(dead_code)]

pub mod redactions;

use reqwest::{Client, Method, RequestBuilder};
use user_sandbox::settings::Settings;
use user_sandbox::startup::Application;

/// The fixed clock of every test world.
pub const TEST_NOW: &str = "2026-01-15T10:00:00Z";

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub client: Client,
}

/// The server with seed 42, 20 fake people and the clock fixed at `TEST_NOW`.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// The server with adjusted settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = Settings {
        port: 0,
        users: 20,
        clock: format!("fixed:{TEST_NOW}").parse().expect("a valid clock"),
        ..Settings::default()
    };
    adjust(&mut settings);
    let app = Application::build(settings).expect("the server builds");
    let port = app.port();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client"),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.request(Method::POST, path)
    }

    pub fn put(&self, path: &str) -> RequestBuilder {
        self.request(Method::PUT, path)
    }

    pub fn patch(&self, path: &str) -> RequestBuilder {
        self.request(Method::PATCH, path)
    }

    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.request(Method::DELETE, path)
    }
}

/// Status and JSON body of a response (`null` for an empty body).
pub async fn status_and_json(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    let json = if text.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    };
    (status, json)
}

/// The status of a `GET` with a bearer token.
pub async fn get_status(app: &TestApp, path: &str, token: &str) -> u16 {
    app.get(path)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}
