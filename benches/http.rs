//! `make bench`: throughput of the main operations, each as a ratio against a trivial endpoint
//! (`GET /__admin/health`) of the same server in the same run. `BENCH_USERS` (default 100000) fake
//! people; `BENCH_REQUESTS` (default 4000) requests per scenario; 32 concurrent connections.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Client, Method};
use serde_json::Value;
use user_sandbox::settings::Settings;
use user_sandbox::startup::Application;

const CONCURRENCY: usize = 32;

struct Scenario {
    name: &'static str,
    method: Method,
    path: String,
    token: Option<String>,
    body: Option<Value>,
    /// A fresh JSON body per request (writes that must not collide).
    fresh_body: Option<fn(usize) -> Value>,
}

struct Outcome {
    per_second: f64,
    p50: Duration,
    p99: Duration,
    errors: usize,
}

async fn run(client: &Client, base: &str, scenario: &Scenario, requests: usize) -> Outcome {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (client, next) = (client.clone(), next.clone());
            let url = format!("{base}{}", scenario.path);
            let (method, token, body, fresh) = (
                scenario.method.clone(),
                scenario.token.clone(),
                scenario.body.clone(),
                scenario.fresh_body,
            );
            tokio::spawn(async move {
                let (mut latencies, mut errors, mut first_error) = (Vec::new(), 0usize, None);
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= requests {
                        break;
                    }
                    let mut request = client.request(method.clone(), &url);
                    if let Some(token) = &token {
                        request = request.bearer_auth(token);
                    }
                    if let Some(fresh) = fresh {
                        request = request.json(&fresh(n));
                    } else if let Some(body) = &body {
                        request = request.json(body);
                    }
                    let t = Instant::now();
                    match request.send().await {
                        Ok(r) if r.status().is_success() => {
                            let _ = r.bytes().await;
                        }
                        Ok(r) => {
                            errors += 1;
                            let status = r.status();
                            first_error.get_or_insert(format!(
                                "{status}: {}",
                                r.text().await.unwrap_or_default()
                            ));
                        }
                        Err(e) => {
                            errors += 1;
                            first_error.get_or_insert(e.to_string());
                        }
                    }
                    latencies.push(t.elapsed());
                }
                (latencies, errors, first_error)
            })
        })
        .collect();
    let (mut latencies, mut errors) = (Vec::new(), 0);
    for worker in workers {
        let (l, e, first) = worker.await.expect("a worker");
        latencies.extend(l);
        errors += e;
        if let Some(first) = first {
            eprintln!("{}: {first}", scenario.name);
        }
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Outcome {
        per_second: requests as f64 / elapsed.as_secs_f64(),
        p50: at(0.5),
        p99: at(0.99),
        errors,
    }
}

async fn token(client: &Client, base: &str, form: &[(&str, &str)]) -> String {
    let body: Value = client
        .post(format!("{base}/oauth/token"))
        .form(form)
        .send()
        .await
        .expect("a token response")
        .json()
        .await
        .expect("token JSON");
    body["access_token"]
        .as_str()
        .expect("an access token")
        .to_string()
}

fn main() {
    let users: usize = std::env::var("BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let requests: usize = std::env::var("BENCH_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        let built = Instant::now();
        let app = Application::build(Settings { port: 0, users, ..Settings::default() }).expect("the server builds");
        println!("seeded {users} fake people in {:.2?}", built.elapsed());
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        let client = Client::builder().pool_max_idle_per_host(CONCURRENCY).build().expect("a client");

        let client_token = token(&client, &base, &[("grant_type", "client_credentials"), ("client_id", "sandbox-client"), ("client_secret", "sandbox-client-secret")]).await;
        let admin_token = token(&client, &base, &[("grant_type", "client_credentials"), ("client_id", "sandbox-admin"), ("client_secret", "sandbox-admin-secret")]).await;
        let user_token = token(&client, &base, &[("grant_type", "password"), ("client_id", "sandbox-client"), ("client_secret", "sandbox-client-secret"), ("username", "felixsmith"), ("password", "Felix-Sandbox-2026!")]).await;
        let deep_page = (users / 40).max(1);
        let scenarios = vec![
            Scenario { name: "GET /__admin/health (baseline)", method: Method::GET, path: "/__admin/health".into(), token: None, body: None, fresh_body: None },
            Scenario { name: "finAPI POST /oauth/token (client)", method: Method::POST, path: "/oauth/token?grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-client-secret".into(), token: None, body: None, fresh_body: None },
            Scenario { name: "finAPI GET /api/v1/users", method: Method::GET, path: "/api/v1/users".into(), token: Some(user_token), body: None, fresh_body: None },
            Scenario { name: "finAPI GET verificationStatus", method: Method::GET, path: "/api/v1/users/verificationStatus?userId=felixsmith".into(), token: Some(client_token.clone()), body: None, fresh_body: None },
            Scenario { name: "finAPI getUserList page 1 (20)", method: Method::GET, path: "/api/v1/mandatorAdmin/getUserList".into(), token: Some(admin_token.clone()), body: None, fresh_body: None },
            Scenario { name: "finAPI getUserList page 1 desc (20)", method: Method::GET, path: "/api/v1/mandatorAdmin/getUserList?order=userId,desc".into(), token: Some(admin_token.clone()), body: None, fresh_body: None },
            Scenario { name: "finAPI getUserList middle page (20)", method: Method::GET, path: format!("/api/v1/mandatorAdmin/getUserList?page={deep_page}"), token: Some(admin_token.clone()), body: None, fresh_body: None },
            Scenario { name: "finAPI POST /api/v1/users (create)", method: Method::POST, path: "/api/v1/users".into(), token: Some(client_token), body: None, fresh_body: Some(|n| serde_json::json!({"id": format!("bench-{n}"), "password": "secret12"})) },
        ];
        let mut baseline = None;
        println!("\n| operation | req/s | ratio to baseline | p50 | p99 | errors |\n|---|---|---|---|---|---|");
        for scenario in &scenarios {
            // Warm up connections and caches, then measure.
            run(&client, &base, &Scenario { fresh_body: None, body: None, ..clone_scenario(scenario) }, 200.min(requests)).await;
            let outcome = run(&client, &base, scenario, requests).await;
            let base_rate = *baseline.get_or_insert(outcome.per_second);
            println!(
                "| {} | {:.0} | {:.2} | {:.2?} | {:.2?} | {} |",
                scenario.name,
                outcome.per_second,
                outcome.per_second / base_rate,
                outcome.p50,
                outcome.p99,
                outcome.errors
            );
        }
    });
}

fn clone_scenario(s: &Scenario) -> Scenario {
    Scenario {
        name: s.name,
        method: if s.fresh_body.is_some() {
            Method::GET
        } else {
            s.method.clone()
        },
        path: if s.fresh_body.is_some() {
            "/__admin/health".into()
        } else {
            s.path.clone()
        },
        token: s.token.clone(),
        body: s.body.clone(),
        fresh_body: None,
    }
}
