//! `user-sandbox health`: a health probe for container HEALTHCHECKs, where there is no curl. A
//! plain HTTP/1.1 `GET /__admin/health` over a TCP socket, nothing more.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Why the probe failed.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("'{0}' is not an http://host[:port] URL")]
    BadUrl(String),
    #[error("cannot reach {address}: {source}")]
    Unreachable {
        address: String,
        source: std::io::Error,
    },
    #[error("{0} answered: {1}")]
    Unhealthy(String, String),
}

/// The host, port and path prefix of an `http://` base URL.
fn split_url(url: &str) -> Option<(String, u16, String)> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
        None => (rest, ""),
    };
    let (host, port) = match authority.strip_prefix('[') {
        // An IPv6 literal: `[::1]` or `[::1]:8080`.
        Some(v6) => {
            let (host, after) = v6.split_once(']')?;
            match after.strip_prefix(':') {
                Some(port) => (host, port.parse().ok()?),
                None if after.is_empty() => (host, 80),
                None => return None,
            }
        }
        None => match authority.split_once(':') {
            Some((host, port)) => (host, port.parse().ok()?),
            None => (authority, 80),
        },
    };
    (!host.is_empty()).then(|| (host.to_string(), port, path.to_string()))
}

/// `GET <url>/__admin/health`; `Ok` with the body when the sandbox answers 200.
pub fn check(
    url: &str,
    admin_token: Option<&str>,
    timeout: Duration,
) -> Result<String, ProbeError> {
    let (host, port, prefix) = split_url(url).ok_or_else(|| ProbeError::BadUrl(url.into()))?;
    let address = format!("{host}:{port}");
    let unreachable = |source| ProbeError::Unreachable {
        address: address.clone(),
        source,
    };
    let target = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(unreachable)?
        .next()
        .ok_or_else(|| unreachable(std::io::ErrorKind::NotFound.into()))?;
    let mut stream = TcpStream::connect_timeout(&target, timeout).map_err(unreachable)?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(unreachable)?;
    stream
        .set_write_timeout(Some(timeout))
        .map_err(unreachable)?;
    let authorization = admin_token
        .filter(|t| !t.is_empty())
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "GET {prefix}/__admin/health HTTP/1.1\r\nHost: {address}\r\nAccept: application/json\r\n\
         {authorization}Connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).map_err(unreachable)?;
    let mut answer = Vec::new();
    // At most 64 KiB: a health answer is tiny, and a wrong server must not keep us reading.
    stream
        .take(64 * 1024)
        .read_to_end(&mut answer)
        .map_err(unreachable)?;
    let answer = String::from_utf8_lossy(&answer);
    let status_line = answer.lines().next().unwrap_or_default().to_string();
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.trim().to_string())
        .unwrap_or_default();
    if status_line.split_whitespace().nth(1) == Some("200") {
        Ok(body)
    } else {
        Err(ProbeError::Unhealthy(url.into(), status_line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_split_into_host_port_and_prefix() {
        assert_eq!(
            split_url("http://127.0.0.1:8080"),
            Some(("127.0.0.1".into(), 8080, String::new()))
        );
        assert_eq!(
            split_url("http://localhost/sandboxes/ci/"),
            Some(("localhost".into(), 80, "/sandboxes/ci".into()))
        );
        assert_eq!(
            split_url("http://[::1]:9000"),
            Some(("::1".into(), 9000, String::new()))
        );
        assert_eq!(
            split_url("http://[::1]"),
            Some(("::1".into(), 80, String::new()))
        );
        assert_eq!(split_url("https://example.com"), None);
        assert_eq!(split_url("http://:80"), None);
        assert_eq!(split_url("http://host:notaport"), None);
    }
}
