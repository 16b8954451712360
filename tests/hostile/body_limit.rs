//! `--max-body`: a body over the limit gets the vendor's "too large" error before any handler
//! runs, whether its length is declared or it is streamed in chunks.

use super::{Tokens, assert_still_serving, assert_vendor_error, authed, read_response, send};
use crate::support::{spawn_app, spawn_app_with};
use std::io::Write;

#[tokio::test]
async fn a_declared_body_over_max_body_gets_each_vendors_error() {
    let app = spawn_app_with(|s| s.max_body = 1024).await;
    let tokens = Tokens::of(&app).await;
    let body = vec![b' '; 1025];
    for (vendor, method, path, auth) in tokens.json_endpoints() {
        let raw = send(app.port, authed(method, path, &auth, &body)).await;
        assert_vendor_error(vendor, &raw);
        assert_eq!(raw.status, 400, "{vendor}: {}", raw.body);
        let text = raw.body.to_ascii_lowercase();
        assert!(
            text.contains("too large") || text.contains("larger than 1024 bytes"),
            "{vendor}: {}",
            raw.body
        );
    }
    // Outside every vendor: the generic 413.
    let raw = send(app.port, authed("POST", "/nowhere", &[], &body)).await;
    assert_eq!(raw.status, 413, "{}", raw.body);
    assert_vendor_error("admin", &raw);
    assert_still_serving(app.port).await;
}

#[tokio::test]
async fn a_body_at_max_body_reaches_the_vendor() {
    let app = spawn_app_with(|s| s.max_body = 1024).await;
    let tokens = Tokens::of(&app).await;
    // 1024 bytes of valid JSON: the handler runs and judges the content, not the size.
    let mut body = br#"{"id":"hostile-at-limit","password":"secret-123"}"#.to_vec();
    body.resize(1024, b' ');
    assert_eq!(body.len(), 1024);
    let (_, method, path, auth) = tokens.json_endpoints().remove(0);
    let raw = send(app.port, authed(method, path, &auth, &body)).await;
    assert_eq!(raw.status, 201, "{}", raw.body);
    assert_eq!(raw.json()["id"], "hostile-at-limit");
}

#[tokio::test]
async fn a_chunked_body_over_max_body_is_cut_off_while_it_streams() {
    let app = spawn_app_with(|s| s.max_body = 4096).await;
    let tokens = Tokens::of(&app).await;
    for (vendor, method, path, auth) in tokens.json_endpoints() {
        let port = app.port;
        let raw = tokio::task::spawn_blocking(move || {
            let mut stream = super::connect(port);
            let mut head = format!(
                "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
                 Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
            );
            for (name, value) in &auth {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            stream.write_all(head.as_bytes()).unwrap();
            // 8 chunks of 1 KiB, no terminating chunk: the server must not wait for the end.
            for _ in 0..8 {
                let _ = stream.write_all(format!("400\r\n{}\r\n", " ".repeat(1024)).as_bytes());
            }
            read_response(&mut stream)
        })
        .await
        .unwrap();
        assert_vendor_error(vendor, &raw);
        assert_eq!(raw.status, 400, "{vendor}: {}", raw.body);
    }
    assert_still_serving(app.port).await;
}

#[tokio::test]
async fn the_default_limit_is_one_mebibyte_and_is_refused_before_the_body_is_sent() {
    let app = spawn_app().await;
    let port = app.port;
    // Declares 1 MiB + 1 and sends nothing more: the answer comes from the head alone.
    let raw = tokio::task::spawn_blocking(move || {
        let mut stream = super::connect(port);
        stream
            .write_all(
                format!(
                    "POST /obp/v4.0.0/users HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
                     Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    1024 * 1024 + 1
                )
                .as_bytes(),
            )
            .unwrap();
        read_response(&mut stream)
    })
    .await
    .unwrap();
    assert_vendor_error("obp", &raw);
    assert!(
        raw.body.contains("larger than 1048576 bytes"),
        "{}",
        raw.body
    );
    // Exactly 1 MiB is not refused for its size (OBP's own 256 KiB body limit answers).
    let body = vec![b' '; 1024 * 1024];
    let raw = send(port, authed("POST", "/obp/v4.0.0/users", &[], &body)).await;
    assert_vendor_error("obp", &raw);
    assert!(!raw.body.contains("1048576"), "{}", raw.body);
}

#[test]
fn max_body_is_read_from_the_flag_and_the_environment() {
    use clap::Parser;
    let cli = user_sandbox::settings::Cli::try_parse_from(["user-sandbox", "--max-body", "64KiB"])
        .unwrap();
    assert_eq!(cli.serve.max_body, 64 * 1024);
    let cli = user_sandbox::settings::Cli::try_parse_from(["user-sandbox"]).unwrap();
    assert_eq!(cli.serve.max_body, 1024 * 1024);
    assert!(
        user_sandbox::settings::Cli::try_parse_from(["user-sandbox", "--max-body", "lots"])
            .is_err()
    );
}
