//! Hostile input over raw sockets: bodies over `--max-body`, deep nesting, invalid UTF-8,
//! duplicate keys, huge query strings and headers, and half-sent (slowloris) requests. Every
//! one gets a clear 4xx in the vendor's error shape (never a 5xx), and the server keeps serving
//! everyone else.

mod body_limit;
mod malformed;
mod slow;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

/// A response read off a raw socket.
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub body: String,
}

impl Raw {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }
}

/// Opens a connection to the test server.
pub fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("the server accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
}

/// Reads one response (`Content-Length` or chunked body) from a stream.
pub fn read_response(stream: &mut TcpStream) -> Raw {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).expect("a response");
        assert!(n > 0, "the server closed the connection without answering");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {head}"));
    let lower = head.to_ascii_lowercase();
    let length = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let mut body = buf[head_end..].to_vec();
    if let Some(length) = length {
        while body.len() < length {
            let n = stream.read(&mut chunk).expect("the body");
            assert!(n > 0, "the body was cut");
            body.extend_from_slice(&chunk[..n]);
        }
        body.truncate(length);
    } else if lower.contains("transfer-encoding: chunked") {
        while find(&body, b"0\r\n\r\n").is_none() {
            let n = stream.read(&mut chunk).expect("the body");
            assert!(n > 0, "the body was cut");
            body.extend_from_slice(&chunk[..n]);
        }
        body = dechunk(&body);
    }
    Raw {
        status,
        body: String::from_utf8_lossy(&body).to_string(),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line) = find(data, b"\r\n") {
        let size = usize::from_str_radix(std::str::from_utf8(&data[..line]).unwrap().trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[line + 2..line + 2 + size]);
        data = &data[line + 2 + size + 2..];
    }
    out
}

/// Sends raw bytes on a fresh connection and reads the answer (on a blocking thread, so the
/// test runtime stays free).
pub async fn send(port: u16, request: Vec<u8>) -> Raw {
    tokio::task::spawn_blocking(move || {
        let mut stream = connect(port);
        // A server may answer (and close) before a large request is fully written.
        let _ = stream.write_all(&request);
        read_response(&mut stream)
    })
    .await
    .unwrap()
}

/// A request with the given head lines and body, `Connection: close`.
pub fn request(method: &str, target: &str, headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// Asserts the answer is a 4xx in the vendor's error shape.
pub fn assert_vendor_error(vendor: &str, raw: &Raw) {
    assert!(
        (400..500).contains(&raw.status),
        "{vendor}: expected a 4xx, got {} {}",
        raw.status,
        raw.body
    );
    let body = raw.json();
    match vendor {
        "finapi" => {
            let code = &body["errors"][0]["code"];
            let oauth = &body["error"];
            assert!(
                code.is_string() || oauth.is_string(),
                "not a finAPI error: {body}"
            );
        }
        "obp" => {
            assert_eq!(body["code"], raw.status, "{body}");
            assert!(
                body["message"].as_str().unwrap().starts_with("OBP-"),
                "{body}"
            );
        }
        "authress" => {
            assert!(
                body["errorCode"].is_string(),
                "not an Authress error: {body}"
            );
            assert!(body["title"].is_string(), "{body}");
        }
        "admin" => assert_eq!(body["status"], raw.status, "{body}"),
        other => panic!("no vendor {other}"),
    }
}

/// The server still answers an ordinary request, quickly.
pub async fn assert_still_serving(port: u16) {
    let started = std::time::Instant::now();
    let raw = send(port, request("GET", "/__admin/sandboxes", &[], b"")).await;
    assert_eq!(raw.status, 200, "{}", raw.body);
    // Well under the 5 s head timeout: a server blocked by slow clients would answer only
    // after they are cut (the bound leaves room for a loaded 2-core CI machine).
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the server took {:?} to answer",
        started.elapsed()
    );
}

/// Auth headers: `(name, value)`.
pub type Auth = Vec<(&'static str, String)>;
/// `(vendor, method, path, auth headers)`.
pub type Endpoint = (&'static str, &'static str, &'static str, Auth);

/// Bearer tokens for one JSON endpoint per vendor: finAPI client token, OBP super admin
/// DirectLogin token, Authress full-access service client.
pub struct Tokens {
    pub finapi: String,
    pub obp: String,
    pub authress: String,
}

impl Tokens {
    pub async fn of(app: &crate::support::TestApp) -> Self {
        Self {
            finapi: crate::finapi::client_token(app, crate::finapi::CLIENT).await,
            obp: crate::obp::login(app, crate::obp::ADMIN).await,
            authress: crate::authress::token(app, crate::authress::FULL).await,
        }
    }

    /// One JSON-body endpoint per vendor: `(vendor, method, path, Authorization header name,
    /// value)`.
    pub fn json_endpoints(&self) -> Vec<Endpoint> {
        vec![
            (
                "finapi",
                "POST",
                "/api/v1/users",
                vec![("Authorization", format!("Bearer {}", self.finapi))],
            ),
            (
                "obp",
                "POST",
                "/obp/v4.0.0/users",
                vec![("DirectLogin", format!("token={}", self.obp))],
            ),
            (
                "authress",
                "PATCH",
                "/v1/tenants/tenant-1/users",
                vec![("Authorization", format!("Bearer {}", self.authress))],
            ),
        ]
    }
}

/// A JSON request with arbitrary auth headers.
pub fn authed(method: &str, path: &str, auth: &[(&'static str, String)], body: &[u8]) -> Vec<u8> {
    let mut headers = vec![("Content-Type", "application/json".to_string())];
    headers.extend(auth.iter().cloned());
    request(method, path, &headers, body)
}
