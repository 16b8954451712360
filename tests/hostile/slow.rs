//! Slowloris: half-sent heads and bodies hold no one up, and are cut with 408 after the client
//! request timeout (head: 5 s) or the body timeout (10 s).

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use super::{assert_still_serving, connect};
use crate::support::spawn_app;

/// Reads whatever the server sends until it closes: the text, and how long it took.
fn drain(mut stream: std::net::TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    (String::from_utf8_lossy(&out).to_string(), started.elapsed())
}

#[tokio::test]
async fn half_sent_requests_hold_no_one_up_and_are_cut_with_408() {
    let app = spawn_app().await;
    let port = app.port;
    let heads: Vec<_> = (0..50)
        .map(|i| {
            let mut s = connect(port);
            s.write_all(
                format!("GET /v1/users?slow={i} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                    .as_bytes(),
            )
            .unwrap();
            s
        })
        .collect();
    let bodies: Vec<_> = (0..50)
        .map(|_| {
            let mut s = connect(port);
            s.write_all(
                b"POST /obp/v4.0.0/users HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                  Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"user",
            )
            .unwrap();
            s
        })
        .collect();
    // Everyone else is served at once, repeatedly, while the slow clients wait.
    for _ in 0..20 {
        assert_still_serving(port).await;
    }
    let results = tokio::task::spawn_blocking(move || {
        let heads: Vec<_> = heads.into_iter().map(drain).collect();
        let bodies: Vec<_> = bodies.into_iter().map(drain).collect();
        (heads, bodies)
    })
    .await
    .unwrap();
    for (text, waited) in results.0 {
        assert!(text.starts_with("HTTP/1.1 408"), "head: {text:?}");
        assert!(waited < Duration::from_secs(8), "head cut after {waited:?}");
    }
    for (text, waited) in results.1 {
        assert!(text.starts_with("HTTP/1.1 408"), "body: {text:?}");
        assert!(text.contains("did not arrive in time"), "body: {text:?}");
        assert!(
            waited < Duration::from_secs(13),
            "body cut after {waited:?}"
        );
    }
    assert_still_serving(port).await;
}
