//! The request `meshc route` and routing tests ask about: an HTTP request
//! read from a URL, method and headers, or a TCP/TLS connection read from
//! `HOST:PORT` and an SNI name, and who sends it (a sidecar in the mesh or
//! a gateway, with the caller's namespace and labels).

use std::fmt;

/// What kind of traffic the request is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// An HTTP request, routed by the `http` routes.
    Http,
    /// A TCP connection, routed by the `tcp` routes.
    Tcp,
    /// A TLS connection (SNI known), routed by the `tls` routes.
    Tls,
}

/// One request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// HTTP, TCP or TLS.
    pub protocol: Protocol,
    /// `GET`, `POST`… (HTTP).
    pub method: String,
    /// `http` or `https` (HTTP).
    pub scheme: String,
    /// The `:authority` header as the client sends it: the URL's host, and
    /// its port when the URL names one.
    pub authority: String,
    /// The host, lower-cased, without port.
    pub host: String,
    /// The destination port: the URL's, or the scheme's default.
    pub port: u32,
    /// The path, without query or fragment.
    pub path: String,
    /// Query parameters, percent-decoded, in order.
    pub query: Vec<(String, String)>,
    /// Headers, names lower-cased, in order (a name may repeat).
    pub headers: Vec<(String, String)>,
    /// The TLS server name (TLS).
    pub sni: Option<String>,
    /// The gateway the request arrives at; `mesh` for a sidecar.
    pub gateway: String,
    /// The namespace of the calling workload.
    pub source_namespace: Option<String>,
    /// The labels of the calling workload.
    pub source_labels: Vec<(String, String)>,
}

/// Why a request could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadRequest(pub String);

impl fmt::Display for BadRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Request {
    /// An HTTP request for `url` (`scheme://authority[:port]/path?query`)
    /// with `method`, from a sidecar in the mesh.
    pub fn http(method: &str, url: &str) -> Result<Request, BadRequest> {
        let (scheme, rest) = url.split_once("://").ok_or_else(|| {
            BadRequest(format!(
                "`{url}` is not a URL: write `http://HOST[:PORT]/PATH`, such as `http://reviews:9080/reviews/1`"
            ))
        })?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => {
                return Err(BadRequest(format!(
                    "`{scheme}` is not an HTTP scheme: the URL starts with `http://` or `https://`"
                )));
            }
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, target) = rest.split_at(end);
        let (host, port) = split_host_port(authority, default_port)?;
        // Envoy routes on the path without query and fragment
        // (`Http::PathUtil::removeQueryAndFragment`).
        let target = target.split('#').next().unwrap_or_default();
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let path = if path.is_empty() { "/" } else { path };
        if method.is_empty()
            || !method
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(BadRequest(format!(
                "`{method}` is not an HTTP method, such as GET or POST"
            )));
        }
        Ok(Request {
            protocol: Protocol::Http,
            method: method.to_string(),
            scheme,
            authority: authority.to_string(),
            host,
            port,
            path: path.to_string(),
            query: parse_query(query),
            headers: Vec::new(),
            sni: None,
            gateway: "mesh".to_string(),
            source_namespace: None,
            source_labels: Vec::new(),
        })
    }

    /// A TCP connection to `HOST:PORT`; with `sni`, a TLS connection.
    pub fn tcp(address: &str, sni: Option<&str>) -> Result<Request, BadRequest> {
        let (host, port) = split_host_port(address, 0)?;
        if port == 0 {
            return Err(BadRequest(format!(
                "`{address}` has no port: write `HOST:PORT`, such as `mongo:27017`"
            )));
        }
        Ok(Request {
            protocol: if sni.is_some() { Protocol::Tls } else { Protocol::Tcp },
            method: String::new(),
            scheme: String::new(),
            authority: address.to_string(),
            host,
            port,
            path: String::new(),
            query: Vec::new(),
            headers: Vec::new(),
            sni: sni.map(str::to_ascii_lowercase),
            gateway: "mesh".to_string(),
            source_namespace: None,
            source_labels: Vec::new(),
        })
    }

    /// Adds a header from `NAME: VALUE`.
    pub fn header_line(&mut self, line: &str) -> Result<(), BadRequest> {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| BadRequest(format!("`{line}` is not a header: write `NAME: VALUE`")))?;
        self.header(name.trim(), value.trim())
    }

    /// Adds a header. Names are case-insensitive (Envoy keeps them
    /// lower-cased, `Http::LowerCaseString`); values are kept as given.
    pub fn header(&mut self, name: &str, value: &str) -> Result<(), BadRequest> {
        if name.is_empty() || name.bytes().any(|b| b <= b' ' || b == b':' || b >= 0x7f) {
            return Err(BadRequest(format!("`{name}` is not a header name")));
        }
        self.headers.push((name.to_ascii_lowercase(), value.to_string()));
        Ok(())
    }

    /// Adds a label of the calling workload from `KEY=VALUE`.
    pub fn source_label_line(&mut self, pair: &str) -> Result<(), BadRequest> {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| BadRequest(format!("`{pair}` is not a label: write `KEY=VALUE`")))?;
        self.source_labels.push((key.to_string(), value.to_string()));
        Ok(())
    }

    /// The value of header `name` as Envoy's header matchers see it: every
    /// value of the header joined with `,`
    /// (`Http::HeaderUtility::getAllOfHeaderAsString`), or `None` when absent.
    /// `:method`, `:scheme` and `:authority` are the pseudo-headers.
    pub fn header_value(&self, name: &str) -> Option<String> {
        let name = name.to_ascii_lowercase();
        match name.as_str() {
            ":method" => return Some(self.method.clone()),
            ":scheme" => return Some(self.scheme.clone()),
            ":authority" | "host" => return Some(self.authority.clone()),
            ":path" => return Some(self.path.clone()),
            _ => {}
        }
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(","))
    }

    /// The first value of query parameter `name`, as Envoy's
    /// `QueryParameterMatcher` reads it.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// A short description: `GET http://reviews:9080/reviews/1`, `tcp mongo:27017`.
    pub fn describe(&self) -> String {
        match self.protocol {
            Protocol::Http => {
                let query = if self.query.is_empty() {
                    String::new()
                } else {
                    let parts: Vec<String> = self.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    format!("?{}", parts.join("&"))
                };
                format!(
                    "{} {}://{}{}{}",
                    self.method, self.scheme, self.authority, self.path, query
                )
            }
            Protocol::Tcp => format!("tcp {}", self.authority),
            Protocol::Tls => format!("tls {} (sni {})", self.authority, self.sni.as_deref().unwrap_or("")),
        }
    }
}

/// `host[:port]` with `default` when no port is written; IPv6 addresses
/// are written in brackets.
fn split_host_port(authority: &str, default: u32) -> Result<(String, u32), BadRequest> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| BadRequest(format!("`{authority}` opens `[` without closing it")))?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(BadRequest(format!("`{authority}` names no host")));
    }
    let port = match port {
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|p| (1..=65535).contains(p))
            .ok_or_else(|| BadRequest(format!("`{text}` is not a port (1 to 65535)")))?,
        None => default,
    };
    Ok((host.to_ascii_lowercase(), port))
}

/// `a=1&b=x%20y` to pairs, percent-decoded as Envoy's
/// `Http::Utility::QueryParamsMulti::parseAndDecodeQueryString` does.
fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_authority_path_and_query() {
        let r = Request::http("GET", "http://Reviews:9080/reviews/1?a=1&b=x%20y#top").unwrap();
        assert_eq!(
            (r.host.as_str(), r.port, r.authority.as_str()),
            ("reviews", 9080, "Reviews:9080")
        );
        assert_eq!(r.path, "/reviews/1");
        assert_eq!(r.query, vec![("a".into(), "1".into()), ("b".into(), "x y".into())]);
        let r = Request::http("GET", "https://bookinfo.example.com").unwrap();
        assert_eq!((r.port, r.path.as_str()), (443, "/"));
        assert!(Request::http("GET", "reviews/1").is_err());
        assert!(Request::http("GET", "ftp://x/").is_err());
        assert!(Request::http("GET", "http://x:99999/").is_err());
        assert!(Request::tcp("mongo", None).is_err());
        assert_eq!(Request::tcp("[::1]:27017", None).unwrap().host, "::1");
    }

    /// Envoy joins repeated headers with `,` before matching
    /// (`header_utility.cc`, `getAllOfHeaderAsString`), and header names are
    /// lower-cased (`Http::LowerCaseString`).
    #[test]
    fn repeated_headers_join_and_names_ignore_case() {
        let mut r = Request::http("GET", "http://a/").unwrap();
        r.header_line("X-A: 1").unwrap();
        r.header_line("x-a: 2").unwrap();
        assert_eq!(r.header_value("X-a").as_deref(), Some("1,2"));
        assert_eq!(r.header_value(":authority").as_deref(), Some("a"));
        assert!(r.header_line("no colon").is_err());
    }
}
