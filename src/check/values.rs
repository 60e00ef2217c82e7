//! Typing of single values: durations, percentages, integers, strings,
//! booleans, enum constants, and the string syntaxes Kubernetes and Istio
//! impose (names, hosts, labels, header names, regexes).

use super::Checker;
use crate::diag::{Code, Diagnostic};
use crate::suggest::closest;
use crate::syntax::ast::{Value, ValueKind, exact_decimal};
use crate::syntax::inexact_number;

impl Checker<'_> {
    /// Reports `value` as not being of the `expected` type.
    pub(super) fn type_error(&mut self, value: &Value, expected: &str, example: &str) {
        self.diagnostics.push(
            Diagnostic::error(
                Code::E0301,
                value.span,
                format!("expected {expected}, found {}", value.kind.describe()),
            )
            .with_label(format!("expected {expected}"))
            .with_help(format!("write {example}")),
        );
    }

    /// A string literal.
    pub(super) fn string(&mut self, value: &Value) -> Option<String> {
        match &value.kind {
            ValueKind::String(s) => Some(s.to_string()),
            ValueKind::Ident(word) => {
                let quoted = format!("\"{word}\"");
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::E0301,
                        value.span,
                        format!("expected a string, found the bare word `{word}`"),
                    )
                    .with_label("strings are quoted")
                    .with_help(format!("write {quoted}"))
                    .with_fix(format!("Write {quoted}"), value.span, quoted),
                );
                None
            }
            _ => {
                self.type_error(value, "a string", "a quoted string such as \"text\"");
                None
            }
        }
    }

    /// A string that is not empty, where Istio reads an empty one as unset
    /// (V.go `validateHTTPRewrite`: a rewrite must set something).
    pub(super) fn non_empty_string(&mut self, value: &Value, example: &str) -> Option<String> {
        let text = self.string(value)?;
        if text.is_empty() {
            self.empty_string(value, example);
            return None;
        }
        Some(text)
    }

    /// Reports an empty string where Istio needs some text.
    pub(super) fn empty_string(&mut self, value: &Value, example: &str) {
        self.diagnostics.push(
            Diagnostic::error(Code::E0301, value.span, "expected a non-empty string, found `\"\"`")
                .with_label("empty")
                .with_note("Istio reads an empty string here as unset, and refuses it")
                .with_help(format!("write {example}")),
        );
    }

    /// A string, or a bare name taken as one (for names of other objects).
    pub(super) fn name_or_string(&mut self, value: &Value) -> Option<String> {
        match &value.kind {
            ValueKind::String(s) | ValueKind::Ident(s) => Some(s.to_string()),
            _ => {
                self.type_error(value, "a name", "a name such as \"reviews\"");
                None
            }
        }
    }

    /// `true` or `false`.
    pub(super) fn boolean(&mut self, value: &Value) -> Option<bool> {
        match &value.kind {
            ValueKind::Ident(s) if s == "true" => Some(true),
            ValueKind::Ident(s) if s == "false" => Some(false),
            _ => {
                self.type_error(value, "a boolean", "`true` or `false`");
                None
            }
        }
    }

    /// A whole number in `min..=max`.
    pub(super) fn integer(&mut self, value: &Value, min: i64, max: i64) -> Option<i64> {
        let number = match &value.kind {
            ValueKind::Number(text) if !text.contains('.') => text.parse::<i64>().ok(),
            _ => {
                let example = if min >= 0 {
                    format!("a whole number such as {}", min.max(1))
                } else {
                    "a whole number".into()
                };
                self.type_error(value, "a whole number", &example);
                return None;
            }
        };
        match number {
            Some(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.out_of_range(value, &format!("{min}..{max}"));
                None
            }
        }
    }

    /// A port number, 1 to 65535.
    pub(super) fn port(&mut self, value: &Value) -> Option<u32> {
        self.integer(value, 1, 65535).and_then(|p| u32::try_from(p).ok())
    }

    /// A decimal number in `min..=max` (either bound optional).
    pub(super) fn number(&mut self, value: &Value, min: Option<f64>, max: Option<f64>) -> Option<f64> {
        let ValueKind::Number(text) = &value.kind else {
            self.type_error(value, "a number", "a number such as 1.5");
            return None;
        };
        let Some(number) = exact_decimal(text) else {
            self.diagnostics.push(inexact_number(text, value.span));
            return None;
        };
        if min.is_some_and(|m| number < m) || max.is_some_and(|m| number > m) {
            let range = format!(
                "{}..{}",
                min.map_or("".into(), |m| m.to_string()),
                max.map_or("".into(), |m| m.to_string())
            );
            self.out_of_range(value, &range);
            return None;
        }
        Some(number)
    }

    /// A percentage `P%` with 0 ≤ P ≤ 100.
    pub(super) fn percent(&mut self, value: &Value, code: Code) -> Option<f64> {
        match value.kind {
            // A percentage no float keeps, reported when lowering.
            ValueKind::Percent(p) if p.is_nan() => None,
            ValueKind::Percent(p) if (0.0..=100.0).contains(&p) => Some(p),
            ValueKind::Percent(_) => {
                self.diagnostics.push(
                    Diagnostic::error(code, value.span, "a percentage must be between 0% and 100%")
                        .with_label("out of range")
                        .with_help("use a value from 0% to 100%"),
                );
                None
            }
            _ => {
                self.type_error(value, "a percentage", "a percentage such as 50% or 0.5%");
                None
            }
        }
    }

    pub(super) fn out_of_range(&mut self, value: &Value, range: &str) {
        self.diagnostics.push(
            Diagnostic::error(
                Code::E0303,
                value.span,
                format!("value out of range: allowed is {range}"),
            )
            .with_label("out of range")
            .with_help(format!("use a value in {range}")),
        );
    }

    /// A Go duration; `at_least_1ms` where Istio refuses shorter ones (and
    /// then only whole milliseconds).  Returns the text as written.
    pub(super) fn duration(&mut self, value: &Value, at_least_1ms: bool) -> Option<String> {
        let ValueKind::Duration(text) = &value.kind else {
            if let ValueKind::Ident(word) | ValueKind::String(word) = &value.kind
                && let Some(fixed) = spelled_duration(word)
            {
                self.diagnostics.push(
                    Diagnostic::error(Code::E0304, value.span, format!("`{word}` is not a duration"))
                        .with_label(format!("did you mean `{fixed}`?"))
                        .with_note("a duration is a number with a unit: h, m, s, ms, us or ns, such as 1m30s")
                        .with_help(format!("write `{fixed}`"))
                        .with_fix(format!("Replace with `{fixed}`"), value.span, fixed),
                );
                return None;
            }
            self.type_error(
                value,
                "a duration",
                "a number with a unit (h, m, s, ms, us or ns), such as 10s, 250ms or 1m30s",
            );
            return None;
        };
        let Some(nanos) = duration_nanos(text) else {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0304,
                    value.span,
                    format!("`{text}` is longer than Istio can read"),
                )
                .with_label("too long")
                .with_note("Istio reads durations as Go does, in 64-bit nanoseconds: at most 2562047h47m16.854775807s")
                .with_help("write a shorter duration"),
            );
            return None;
        };
        if at_least_1ms && nanos < 1_000_000 {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0304,
                    value.span,
                    format!("the duration `{text}` is shorter than 1ms"),
                )
                .with_label("too short")
                .with_help("Istio needs at least 1ms here; write 1ms or more"),
            );
            return None;
        }
        if at_least_1ms && nanos % 1_000_000 != 0 {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0304,
                    value.span,
                    format!("the duration `{text}` is not a whole number of milliseconds"),
                )
                .with_label("finer than 1ms")
                .with_help("Istio keeps millisecond precision only; round to whole milliseconds"),
            );
            return None;
        }
        Some(text.to_string())
    }

    /// A duration of whole seconds (V.go `validateCORSPolicy`: `maxAge`
    /// with a nanoseconds part is refused).
    pub(super) fn whole_seconds(&mut self, text: &str, value: &Value) -> bool {
        if duration_nanos(text).is_some_and(|n| n % 1_000_000_000 == 0) {
            return true;
        }
        self.diagnostics.push(
            Diagnostic::error(
                Code::E0304,
                value.span,
                format!("the duration `{text}` is not a whole number of seconds"),
            )
            .with_label("finer than 1s")
            .with_help("Istio keeps whole seconds here; round to seconds, such as 2s"),
        );
        false
    }

    /// An enum constant from `allowed`.
    pub(super) fn enumeration(&mut self, value: &Value, allowed: &[String], what: &str) -> Option<String> {
        let (ValueKind::Ident(text) | ValueKind::String(text)) = &value.kind else {
            self.type_error(
                value,
                &format!("one of the {what} constants"),
                &format!("one of {}", list(allowed)),
            );
            return None;
        };
        if allowed.iter().any(|a| a == text) {
            return Some(text.to_string());
        }
        self.unknown_constant(value, text, allowed, what);
        None
    }

    /// Reports `text` as not among the constants `allowed`, suggesting the
    /// closest one.
    pub(super) fn unknown_constant<S: AsRef<str>>(&mut self, value: &Value, text: &str, allowed: &[S], what: &str) {
        let mut diag = Diagnostic::error(Code::E0302, value.span, format!("unknown {what} `{text}`"))
            .with_note(format!("allowed values: {}", list(allowed)));
        match closest(text, allowed.iter().map(AsRef::as_ref)) {
            Some(best) => {
                diag = diag
                    .with_label(format!("did you mean `{best}`?"))
                    .with_help(format!("replace `{text}` with `{best}`"))
                    .with_fix(format!("Replace with `{best}`"), value.span, best);
            }
            None => diag = diag.with_label("not an allowed value"),
        }
        self.diagnostics.push(diag);
    }

    /// An RE2 regex as Envoy runs it.
    pub(super) fn regex(&mut self, value: &Value, pattern: &str) -> bool {
        // Istio's `validateStringMatchRegexp` refuses an empty pattern.
        let problem = if pattern.is_empty() {
            Err(super::re2::RegexError {
                offset: 0,
                message: "the pattern is empty; write one, such as \".*\"".into(),
            })
        } else {
            super::re2::check(pattern)
        };
        let Err(problem) = problem else {
            return true;
        };
        // Point into the string when it is written without escapes.
        let offset = u32::try_from(problem.offset)
            .ok()
            .and_then(|o| value.span.start.checked_add(1 + o));
        let span = match offset {
            Some(start) if value.span.range().len() == pattern.len() + 2 && start + 1 < value.span.end => {
                crate::span::Span {
                    start,
                    end: start + 1,
                    ..value.span
                }
            }
            _ => value.span,
        };
        self.diagnostics.push(
            Diagnostic::error(Code::E0307, span, format!("invalid regular expression: {}", problem.message))
                .with_label("not accepted by Istio and Envoy")
                .with_note("Istio's webhook compiles regexes with Go's regexp and Envoy with RE2; both must accept it")
                .with_help("Envoy matches the whole string with RE2 syntax; lookaround, backreferences, possessive and doubled repetitions are not available"),
        );
        false
    }

    /// A Kubernetes object name (DNS-1123 subdomain).
    pub(super) fn resource_name(&mut self, name: &str, value: &Value) -> bool {
        let valid = !name.is_empty() && name.len() <= 253 && name.split('.').all(is_dns1123_label);
        if !valid {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0306,
                    value.span,
                    format!("`{name}` is not a valid resource name"),
                )
                .with_label("not a DNS-1123 subdomain")
                .with_help("use lower-case letters, digits, `-` and `.`, such as \"reviews-dr\""),
            );
        }
        valid
    }

    /// Base64 text (the standard alphabet, padded).
    pub(super) fn base64(&mut self, text: &str, value: &Value) -> bool {
        let body = text.trim_end_matches('=');
        let valid = text.len().is_multiple_of(4)
            && text.len() - body.len() <= 2
            && body
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
        if !valid {
            self.type_error(value, "base64 text", "the body encoded in base64, such as \"aGVsbG8=\"");
        }
        valid
    }

    /// A Kubernetes name (DNS-1123 label) for services and subsets.
    pub(super) fn dns_label(&mut self, name: &str, span: crate::span::Span, what: &str) -> bool {
        if is_dns1123_label(name) {
            return true;
        }
        let fixed = name.to_ascii_lowercase().replace('_', "-");
        let mut diag = Diagnostic::error(Code::E0306, span, format!("`{name}` is not a valid {what} name"))
            .with_label("not a DNS-1123 label")
            .with_note("names are at most 63 characters of lower-case letters, digits and `-`, starting and ending with a letter or digit");
        if is_dns1123_label(&fixed) {
            diag =
                diag.with_help(format!("use `{fixed}`"))
                    .with_fix(format!("Rename to `{fixed}`"), span, fixed.clone());
        }
        self.diagnostics.push(diag);
        false
    }

    /// A host name, optionally with a leading wildcard (`*.example.com`).
    pub(super) fn host(&mut self, host: &str, value: &Value) -> bool {
        if is_wildcard_host(host) && !has_numeric_tld(host) {
            return true;
        }
        if is_wildcard_host(host) {
            // A.go `ValidateDNS1123Labels`: "top level domain ... cannot be
            // all-numeric"; an IP address is one, and Istio refuses it as a
            // DestinationRule host and as a destination.
            let what = if host.parse::<std::net::IpAddr>().is_ok() {
                "an IP address is not a host Istio accepts here"
            } else {
                "its last label is all digits"
            };
            self.diagnostics.push(
                Diagnostic::error(Code::E0409, value.span, format!("`{host}` is not a valid host: {what}"))
                    .with_label("numeric top-level domain")
                    .with_note("Istio refuses hosts whose last label is a number, which includes IPv4 addresses")
                    .with_help("name the host by its DNS name, such as \"db.example.com\""),
            );
            return false;
        }
        self.diagnostics.push(
            Diagnostic::error(Code::E0409, value.span, format!("`{host}` is not a valid host"))
                .with_label("not a DNS name")
                .with_help(
                    "a host is a DNS name such as `reviews`, `reviews.shop.svc.cluster.local` or `*.example.com`",
                ),
        );
        false
    }

    /// A host without wildcard: a destination or a tunnel's target.
    pub(super) fn exact_host(&mut self, host: &str, value: &Value, what: &str) -> bool {
        if !host.contains('*') {
            return self.host(host, value);
        }
        self.diagnostics.push(
            Diagnostic::error(Code::E0409, value.span, format!("{what} cannot be a wildcard host"))
                .with_label("wildcard")
                .with_help("name one host, such as \"api.example.com\""),
        );
        false
    }

    /// An HTTP header name (an RFC 7230 token, or an HTTP/2 pseudo-header).
    pub(super) fn header_name(&mut self, name: &str, value: &Value) -> bool {
        if is_header_name(name) {
            return true;
        }
        self.diagnostics.push(
            Diagnostic::error(Code::E0308, value.span, format!("`{name}` is not a valid header name"))
                .with_label("not an HTTP header name")
                .with_help("header names are non-empty and use letters, digits and !#$%&'*+-.^_`|~ only"),
        );
        false
    }

    /// A gateway name: `mesh`, `NAMESPACE/NAME`, or a bare gateway name
    /// (V.go `validateGatewayNames`: a bare name is `ValidateFQDN`, both
    /// parts of `ns/name` are DNS-1123 labels).  meshc asks for lower case,
    /// as Kubernetes names are.
    pub(super) fn gateway_name(&mut self, name: &str, value: &Value) -> bool {
        let valid = match name.split_once('/') {
            Some((namespace, gateway)) => is_dns1123_label(namespace) && is_dns1123_label(gateway),
            None => {
                !name.is_empty() && name.len() <= 253 && name.split('.').all(is_dns1123_label) && !has_numeric_tld(name)
            }
        };
        if !valid {
            self.diagnostics.push(
                Diagnostic::error(Code::E0306, value.span, format!("`{name}` is not a valid gateway name"))
                    .with_label("not a gateway name")
                    .with_note("a gateway is named `NAME` (in the namespace of the VirtualService) or `NAMESPACE/NAME`, both DNS-1123 labels; `mesh` means the sidecars")
                    .with_help("write a name such as \"istio-system/ingress\" or \"mesh\""),
            );
        }
        valid
    }

    /// A header value Envoy can read: no control characters but tab, and
    /// `%` only as `%%` or around a `%VARIABLE%` (V.go
    /// `ValidateHTTPHeaderValue`, header_value_validator.go
    /// `validateHeaderValue`).
    pub(super) fn header_value(&mut self, text: &str, value: &Value) -> bool {
        let problem = if let Some(c) = text.chars().find(|c| c.is_ascii_control() && *c != '\t') {
            Some(format!("it contains the control character {c:?}"))
        } else {
            envoy_format_problem(text).map(str::to_string)
        };
        let Some(problem) = problem else { return true };
        self.diagnostics.push(
            Diagnostic::error(Code::E0309, value.span, format!("invalid header value: {problem}"))
                .with_label("Istio refuses this value")
                .with_note("Envoy reads `%` as the start of a variable such as `%HOSTNAME%` or `%REQ(x-id)%`")
                .with_help("write a literal `%` as `%%`, close every `%VARIABLE%`, and leave out line breaks and control characters"),
        );
        false
    }

    /// A CORS header name: `*` or an RFC 7230 token (V.go
    /// `ValidateCORSHTTPHeaderName`); no pseudo-headers.
    pub(super) fn cors_header_name(&mut self, name: &str, value: &Value) -> bool {
        if name == "*" || is_token(name) {
            return true;
        }
        self.diagnostics.push(
            Diagnostic::error(Code::E0308, value.span, format!("`{name}` is not a valid header name"))
                .with_label("not an HTTP header name")
                .with_help(
                    "write `*` or a header name of letters, digits and !#$%&'*+-.^_`|~, such as \"x-request-id\"",
                ),
        );
        false
    }

    /// A locality (`region[/zone[/subzone]]`), where `wildcard` allows a
    /// last segment `*`, or a region alone.  Istio (A.go
    /// `validateLocalities`, `ValidateLocalityLbSetting`) checks only for
    /// empty segments and stray `*`; meshc also asks for label characters.
    pub(super) fn locality(&mut self, text: &str, span: crate::span::Span, region_only: bool) -> bool {
        let valid = if region_only {
            is_dns_label_any_case(text)
        } else {
            is_locality(text)
        };
        if !valid {
            let (what, help) = if region_only {
                ("region", "name one region, such as \"us-east1\", without `/` or `*`")
            } else {
                (
                    "locality",
                    "write `REGION`, `REGION/ZONE` or `REGION/ZONE/SUBZONE`, where the last part may be `*`, such as \"us-east1/*\"",
                )
            };
            self.diagnostics.push(
                Diagnostic::error(Code::E0310, span, format!("`{text}` is not a valid {what}"))
                    .with_label(format!("not a {what}"))
                    .with_help(help),
            );
        }
        valid
    }

    /// A label key and value as Kubernetes accepts them.
    pub(super) fn label(&mut self, key: &str, key_span: crate::span::Span, value: &Value) -> Option<String> {
        let text = self.string(value)?;
        if let Err(problem) = check_label_key(key) {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0305,
                    key_span,
                    format!("`{key}` is not a valid label key: {problem}"),
                )
                .with_label("invalid label key")
                .with_help(
                    "a label key is an optional DNS prefix and `/`, then up to 63 letters, digits, `-`, `_` or `.`",
                ),
            );
            return None;
        }
        if !is_label_value(&text) {
            self.diagnostics.push(
                Diagnostic::error(Code::E0305, value.span, format!("`{text}` is not a valid label value"))
                    .with_label("invalid label value")
                    .with_help("a label value is empty or up to 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit"),
            );
            return None;
        }
        Some(text)
    }
}

fn list<S: AsRef<str>>(values: &[S]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("`{}`", v.as_ref())).collect();
    quoted.join(", ")
}

/// The longest duration Go's `time.Duration` (an int64 of nanoseconds)
/// holds, and so the longest that Istio reads: 2562047h47m16.854775807s.
pub(crate) const MAX_DURATION_NANOS: u64 = i64::MAX as u64;

/// The duration meant by a number with a unit spelled out (`5sec`,
/// `2 minutes`, `"10secs"`), in Go's units (`5s`), if the word is one.
fn spelled_duration(word: &str) -> Option<String> {
    let word = word.trim();
    let digits = word
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(word.len());
    let (number, unit) = word.split_at(digits);
    if number.is_empty() || number.parse::<f64>().is_err() {
        return None;
    }
    let unit = match unit.trim().to_ascii_lowercase().as_str() {
        "sec" | "secs" | "second" | "seconds" => "s",
        "min" | "mins" | "minute" | "minutes" => "m",
        "hr" | "hrs" | "hour" | "hours" => "h",
        "msec" | "msecs" | "millis" | "millisecond" | "milliseconds" => "ms",
        "usec" | "usecs" | "micros" | "microsecond" | "microseconds" => "us",
        "nsec" | "nsecs" | "nanos" | "nanosecond" | "nanoseconds" => "ns",
        "d" | "day" | "days" => {
            let days: f64 = number.parse().ok()?;
            return Some(format!("{}h", days * 24.0));
        }
        _ => return None,
    };
    Some(format!("{number}{unit}"))
}

/// Nanoseconds in a duration literal the grammar accepted, as Go's
/// `time.ParseDuration` reads it (`src/time/format.go`): each part is
/// `INTEGER[.FRACTION]UNIT`, a fraction is truncated to whole nanoseconds,
/// and a total past `MAX_DURATION_NANOS` is refused (`None`).  Integer
/// arithmetic throughout, so `1.001s` is exactly 1001ms.
pub(crate) fn duration_nanos(text: &str) -> Option<u64> {
    let mut total: u128 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(digits);
        let (unit_nanos, unit_len): (u128, usize) = match after.as_bytes() {
            [b'm', b's', ..] => (1_000_000, 2),
            [b'u', b's', ..] => (1_000, 2),
            [b'n', b's', ..] => (1, 2),
            [b'h', ..] => (3_600_000_000_000, 1),
            [b'm', ..] => (60_000_000_000, 1),
            [b's', ..] => (1_000_000_000, 1),
            _ if after.starts_with("µs") => (1_000, "µs".len()),
            _ => return None,
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() && fraction.is_empty() {
            return None;
        }
        // More digits than a u128 holds are past the maximum anyway.
        let whole: u128 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
        total = total.checked_add(whole.checked_mul(unit_nanos)?)?;
        // Digits past the 30th cannot add a whole nanosecond.
        let fraction = fraction.get(..fraction.len().min(30)).unwrap_or(fraction);
        if !fraction.is_empty() {
            let scale = 10u128.checked_pow(u32::try_from(fraction.len()).ok()?)?;
            let part: u128 = fraction.parse().ok()?;
            total = total.checked_add(part.checked_mul(unit_nanos)? / scale)?;
        }
        if total > u128::from(MAX_DURATION_NANOS) {
            return None;
        }
        rest = after.get(unit_len..)?;
    }
    u64::try_from(total).ok()
}

/// Whether `n` is a prime number.
pub(crate) fn is_prime(n: i64) -> bool {
    n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| n % d != 0)
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
pub(crate) fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b.first().is_some_and(|c| *c != b'-')
        && b.last().is_some_and(|c| *c != b'-')
}

pub(crate) fn is_wildcard_host(host: &str) -> bool {
    if host.is_empty() || host.len() > 255 {
        return false;
    }
    let host = host.strip_suffix('.').unwrap_or(host);
    host.split('.').enumerate().all(|(i, label)| {
        if i == 0 && label.starts_with('*') {
            let rest = label.trim_start_matches('*').trim_start_matches('-');
            return label.matches('*').count() == 1 && (rest.is_empty() || is_dns_label_any_case(rest));
        }
        is_dns_label_any_case(label)
    })
}

fn is_dns_label_any_case(label: &str) -> bool {
    is_dns1123_label(&label.to_ascii_lowercase())
}

/// Whether the last label of `host` is a number: Istio's
/// `ValidateDNS1123Labels` (A.go) refuses an all-numeric top-level domain.
/// Stricter than Istio, a trailing dot does not hide it and a single label
/// counts too.
pub(crate) fn has_numeric_tld(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    host.rsplit('.')
        .next()
        .is_some_and(|last| !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()))
}

/// An RFC 7230 token (V.go's `validHeaderNameRegexp`).
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// `region[/zone[/subzone]]` of labels, where the last segment may be `*`
/// (`*` alone means every locality).
pub(crate) fn is_locality(text: &str) -> bool {
    let segments: Vec<&str> = text.split('/').collect();
    let Some((last, init)) = segments.split_last() else {
        return false;
    };
    segments.len() <= 3
        && init.iter().all(|s| is_dns_label_any_case(s))
        && (*last == "*" || is_dns_label_any_case(last))
}

/// Whether two localities overlap: one names the other or a part of it
/// (`us-east1` and `us-east1/a`, `*` and anything).  Istio refuses such
/// pairs in one `distribute` list or one `to` map (A.go `validateLocalities`).
pub(crate) fn localities_overlap(a: &str, b: &str) -> bool {
    let covers = |wide: &str, narrow: &str| {
        let prefix = wide.strip_suffix('*').map_or(format!("{wide}/"), str::to_string);
        wide == narrow || narrow.starts_with(&prefix)
    };
    covers(a, b) || covers(b, a)
}

/// Where Envoy's header-value grammar fails, as Istio's port of it does
/// (header_value_validator.go `validateHeaderValue`): `%%` is a literal
/// `%`, any other `%` opens a variable closed by `%`, with optional
/// arguments in parentheses (a bare string or a JSON array of strings).
fn envoy_format_problem(value: &str) -> Option<&'static str> {
    #[derive(PartialEq)]
    enum State {
        Literal,
        Variable,
        ExpectArray,
        ExpectString,
        String,
        ArrayDelimiter,
        ArgsEnd,
        VariableEnd,
    }
    let mut state = State::Literal;
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        state = match state {
            State::Literal if c == '%' => match chars.peek() {
                None => return Some("a `%` at the end opens no variable; write `%%` for a literal `%`"),
                Some('%') => {
                    chars.next();
                    State::Literal
                }
                Some(_) => State::Variable,
            },
            State::Literal => State::Literal,
            State::Variable if c == '%' => State::Literal,
            State::Variable if c == '(' => State::ExpectArray,
            State::Variable => State::Variable,
            State::ExpectArray if c == '[' => State::ExpectString,
            State::ExpectArray if c == ' ' => State::ExpectArray,
            State::ExpectArray => State::String,
            State::ExpectString if c == '"' => State::String,
            State::ExpectString if c == ' ' => State::ExpectString,
            State::ExpectString => return Some("expected `\"` in the argument list of a variable"),
            State::String if c == '\\' => {
                if chars.next().is_none() {
                    return Some("a `\\` ends the value inside a variable's argument");
                }
                State::String
            }
            State::String if c == ')' => State::VariableEnd,
            State::String if c == '"' => State::ArrayDelimiter,
            State::String => State::String,
            State::ArrayDelimiter if c == ',' => State::ExpectString,
            State::ArrayDelimiter if c == ']' => State::ArgsEnd,
            State::ArrayDelimiter if c == ' ' => State::ArrayDelimiter,
            State::ArrayDelimiter => return Some("expected `,` or `]` in the argument list of a variable"),
            State::ArgsEnd if c == ')' => State::VariableEnd,
            State::ArgsEnd if c == ' ' => State::ArgsEnd,
            State::ArgsEnd => return Some("expected `)` after the argument list of a variable"),
            State::VariableEnd if c == '%' => State::Literal,
            State::VariableEnd if c == ' ' => State::VariableEnd,
            State::VariableEnd => return Some("expected `%` to close the variable"),
        };
    }
    (state != State::Literal).then_some("a `%` opens a variable that is never closed; write `%%` for a literal `%`")
}

fn is_header_name(name: &str) -> bool {
    const PSEUDO: &[&str] = &[":method", ":scheme", ":authority", ":path", ":status"];
    PSEUDO.contains(&name) || is_token(name)
}

fn is_label_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
}

fn is_label_value(s: &str) -> bool {
    s.is_empty() || is_label_name(s)
}

pub(super) fn check_label_key(key: &str) -> Result<(), &'static str> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        let ok = !prefix.is_empty() && prefix.len() <= 253 && prefix.split('.').all(is_dns1123_label);
        if !ok {
            return Err("the prefix before `/` must be a lower-case DNS name");
        }
    }
    if !is_label_name(name) {
        return Err(
            "the name must be 1 to 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_nanoseconds() {
        assert_eq!(duration_nanos("1m30s"), Some(90_000_000_000));
        assert_eq!(duration_nanos("250ms"), Some(250_000_000));
        assert_eq!(duration_nanos("1.5h"), Some(5_400_000_000_000));
        assert_eq!(duration_nanos("500us"), Some(500_000));
        assert_eq!(duration_nanos("0s"), Some(0));
        // Exact where floating point is not (1.001 * 1e9 is 1000999999.99...).
        assert_eq!(duration_nanos("1.001s"), Some(1_001_000_000));
        assert_eq!(duration_nanos("1.015s"), Some(1_015_000_000));
        assert_eq!(duration_nanos("0.000000001s"), Some(1));
        assert_eq!(duration_nanos("1.0000000009s"), Some(1_000_000_000));
        // Go's bounds: an int64 of nanoseconds.
        assert_eq!(duration_nanos("2562047h47m16.854775807s"), Some(i64::MAX as u64));
        assert_eq!(duration_nanos("2562047h47m16.854775808s"), None);
        assert_eq!(duration_nanos("2562048h"), None);
        assert_eq!(duration_nanos(&format!("{}s", "9".repeat(400))), None);
        for ms in 0..20_000u64 {
            let text = format!("{}.{:03}s", ms / 1000, ms % 1000);
            assert_eq!(duration_nanos(&text), Some(ms * 1_000_000), "{text}");
        }
    }

    #[test]
    fn name_syntaxes() {
        assert!(is_dns1123_label("v2-mysql"));
        assert!(!is_dns1123_label("V1"));
        assert!(!is_dns1123_label("my_svc"));
        assert!(is_wildcard_host("*.example.com"));
        assert!(is_wildcard_host("reviews.bookinfo.svc.cluster.local"));
        assert!(!is_wildcard_host("bad_host!"));
        assert!(check_label_key("app.kubernetes.io/version").is_ok());
        assert!(check_label_key("bad key").is_err());
        assert!(is_header_name("end-user") && is_header_name(":authority") && !is_header_name("bad header"));
    }

    #[test]
    fn webhook_predicates() {
        // header_value_validator.go: examples from its tests.
        for ok in [
            "",
            "100%%",
            "%HOSTNAME%",
            "%REQ(x-a)%",
            "%START_TIME([\"%s\"])%",
            "a\tb",
            "é",
        ] {
            assert_eq!(envoy_format_problem(ok), None, "{ok}");
        }
        for bad in ["100%", "%REQ(x", "%A([\"x\" y])%", "%A(x) y%", "%A([x])%"] {
            assert!(envoy_format_problem(bad).is_some(), "{bad}");
        }
        assert!(has_numeric_tld("1.2.3.4") && has_numeric_tld("foo.123") && has_numeric_tld("foo.123."));
        assert!(!has_numeric_tld("foo.bar") && !has_numeric_tld("v1.api"));
        assert!(is_locality("us-east1/zone-a/*") && is_locality("*") && is_locality("a/b/c"));
        assert!(!is_locality("a//b") && !is_locality("us-*") && !is_locality("*/x") && !is_locality("a/b/c/d"));
        assert!(localities_overlap("*", "a") && localities_overlap("a", "a/b") && localities_overlap("a/*", "a/b"));
        assert!(!localities_overlap("a/b", "a/c") && !localities_overlap("ab", "a/b"));
        assert!(is_prime(2) && is_prime(65537) && is_prime(4_999_999) && !is_prime(1) && !is_prime(65536));
    }
}
