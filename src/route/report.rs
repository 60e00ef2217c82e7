//! The outcome of routing, for people and as one JSON object.
//!
//! The JSON object is a stable interface (documented in `docs/route.md`):
//! `matched`, `service`, `virtual_service`, `route`, `action`, `effective`,
//! `reason`, and when nothing matched, `closest`.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::action::{Action, Target};
use super::{Outcome, Protocol, RouteAt};
use crate::model::defaults::EffectiveRetries;
use crate::span::{Sources, Span};

/// `file` and 1-based `line` of a span.
fn place(sources: &Sources, span: Option<Span>) -> (Value, Value) {
    let Some(span) = span else {
        return (Value::Null, Value::Null);
    };
    match sources.get(span.file) {
        Some(file) => (json!(file.name), json!(file.lines.line_of(span.start as usize) + 1)),
        None => (Value::Null, Value::Null),
    }
}

fn kind_word(kind: Protocol) -> &'static str {
    match kind {
        Protocol::Http => "http",
        Protocol::Tcp => "tcp",
        Protocol::Tls => "tls",
    }
}

fn route_json(sources: &Sources, at: &RouteAt) -> Value {
    let (file, line) = place(sources, at.span);
    json!({
        "kind": kind_word(at.kind),
        "index": at.index,
        "name": at.name,
        "file": file,
        "line": line,
    })
}

fn retries_json(r: &EffectiveRetries) -> Value {
    json!({
        "attempts": r.attempts,
        "retryOn": r.retry_on,
        "perTryTimeout": r.per_try_timeout,
        "retryIgnorePreviousHosts": r.ignore_previous_hosts,
        "default": r.defaulted,
    })
}

fn target_json(t: &Target) -> Value {
    let labels: serde_json::Map<String, Value> = t.labels.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    json!({
        "host": t.host,
        "service": t.service,
        "subset": t.subset,
        "port": t.port,
        "weight": t.weight,
        "labels": labels,
        "trafficPolicy": t.policy.as_ref().map(|p| serde_json::to_value(p).unwrap_or_default()),
    })
}

/// The outcome as one JSON object.
pub fn to_json(sources: &Sources, outcome: &Outcome) -> Value {
    let Some(hit) = &outcome.hit else {
        let closest = outcome.closest.as_ref().map(|near| {
            let (file, line) = place(sources, near.condition_span.or(near.at.span));
            json!({
                "route": route_json(sources, &near.at),
                "condition": {"file": file, "line": line, "why": near.miss.why},
            })
        });
        return json!({
            "matched": false,
            "service": null,
            "virtual_service": null,
            "route": null,
            "action": null,
            "effective": null,
            "reason": outcome.reason,
            "closest": closest,
        });
    };
    let e = &hit.effective;
    let mut effective = json!({
        "timeout": e.timeout,
        "retries": e.retries.as_ref().map(retries_json),
        "destinations": e.destinations.iter().map(target_json).collect::<Vec<_>>(),
    });
    if let Some(object) = effective.as_object_mut() {
        if !e.mirrors.is_empty() {
            let mirrors: Vec<Value> = e
                .mirrors
                .iter()
                .map(|(t, share)| json!({"destination": target_json(t), "percentage": share}))
                .collect();
            object.insert("mirrors".into(), json!(mirrors));
        }
        if let Some(path) = &e.path {
            object.insert("path".into(), json!(path));
        }
        if let Some(authority) = &e.authority {
            object.insert("authority".into(), json!(authority));
        }
        if let Some((location, status)) = &e.redirect {
            object.insert("redirect".into(), json!({"location": location, "status": status}));
        }
    }
    let mut out = json!({
        "matched": true,
        "service": hit.at.service,
        "virtual_service": {"name": hit.at.vs_name, "namespace": hit.at.vs_namespace},
        "route": route_json(sources, &hit.at),
        "action": hit.action.to_json(),
        "effective": effective,
        "reason": outcome.reason,
    });
    if let (Some(object), Some(child)) = (out.as_object_mut(), &hit.delegated) {
        let mut route = route_json(sources, child);
        if let Some(r) = route.as_object_mut() {
            r.insert(
                "virtual_service".into(),
                json!({"name": child.vs_name, "namespace": child.vs_namespace}),
            );
        }
        object.insert("delegate".into(), route);
    }
    out
}

/// The outcome for people.
pub fn to_human(sources: &Sources, outcome: &Outcome) -> String {
    let mut out = String::new();
    let at_line = |span: Option<Span>| match place(sources, span) {
        (Value::String(file), Value::Number(line)) => format!(" ({file}:{line})"),
        _ => String::new(),
    };
    let _ = writeln!(out, "{}", outcome.request.describe());
    let Some(hit) = &outcome.hit else {
        // The reason already says why the closest route refused; the
        // line after it says where that route is.
        let _ = writeln!(out, "  no route matched: {}", outcome.reason);
        if let Some(near) = &outcome.closest {
            let _ = writeln!(
                out,
                "  closest: {}{}",
                super::describe(&near.at),
                at_line(near.condition_span.or(near.at.span))
            );
        }
        return out;
    };
    let vs = match &hit.at.vs_namespace {
        Some(ns) => format!("{}.{ns}", hit.at.vs_name),
        None => hit.at.vs_name.clone(),
    };
    let _ = writeln!(out, "  service     {} (VirtualService {vs})", hit.at.service);
    let _ = writeln!(
        out,
        "  route       {}{}",
        super::describe(&hit.at),
        at_line(hit.at.span)
    );
    if let Some(child) = &hit.delegated {
        let _ = writeln!(
            out,
            "  delegate    {} of VirtualService {}{}",
            super::describe(child),
            child.vs_name,
            at_line(child.span)
        );
    }
    let e = &hit.effective;
    if let Action::Http(route) = &hit.action {
        if let Some(response) = &route.direct_response {
            let body = response
                .body
                .as_ref()
                .and_then(|b| b.string.clone().or(b.bytes.as_ref().map(|b| format!("(base64) {b}"))));
            let _ = writeln!(
                out,
                "  respond     {}{}",
                response.status,
                body.map_or(String::new(), |b| format!(" {b:?}"))
            );
        }
        if let Some((location, status)) = &e.redirect {
            let _ = writeln!(out, "  redirect    {status} to {location}");
        }
    }
    for t in &e.destinations {
        let _ = writeln!(
            out,
            "  to          {} {}%{}",
            target_words(t),
            t.weight,
            labels_words(t)
        );
        if let Some(policy) = &t.policy {
            let _ = writeln!(
                out,
                "                policy {}",
                serde_json::to_string(policy).unwrap_or_default()
            );
        }
    }
    for (t, share) in &e.mirrors {
        let _ = writeln!(out, "  mirror      {} {share}%", target_words(t));
    }
    if let Some(path) = &e.path {
        let _ = writeln!(out, "  path        {path} (rewritten)");
    }
    if let Some(authority) = &e.authority {
        let _ = writeln!(out, "  authority   {authority} (rewritten)");
    }
    if let Action::Http(route) = &hit.action {
        if let Some(fault) = &route.fault {
            let _ = writeln!(
                out,
                "  fault       {}",
                serde_json::to_string(fault).unwrap_or_default()
            );
        }
        if let Some(headers) = &route.headers {
            let _ = writeln!(
                out,
                "  headers     {}",
                serde_json::to_string(headers).unwrap_or_default()
            );
        }
        for d in route.route.iter().filter(|d| d.headers.is_some()) {
            let _ = writeln!(
                out,
                "  headers     {} for {}",
                serde_json::to_string(&d.headers).unwrap_or_default(),
                d.destination.host
            );
        }
        if route.cors_policy.is_some() {
            let _ = writeln!(
                out,
                "  cors        {}",
                serde_json::to_string(&route.cors_policy).unwrap_or_default()
            );
        }
    }
    if e.retries.is_some() || e.timeout.is_some() {
        let timeout = match (&e.timeout, e.timeout_defaulted) {
            (Some(t), false) => t.clone(),
            (Some(t), true) => format!("{t} (Istio's default)"),
            (None, _) => "none (Istio's default: no route timeout)".to_string(),
        };
        let _ = writeln!(out, "  timeout     {timeout}");
    } else if e.timeout_defaulted {
        let _ = writeln!(out, "  timeout     none (Istio's default: no route timeout)");
    }
    if let Some(r) = &e.retries {
        let words = if r.attempts == 0 {
            "off".to_string()
        } else {
            let per_try = r
                .per_try_timeout
                .as_ref()
                .map_or(String::new(), |t| format!(", {t} per try"));
            format!("{} on {}{per_try}", r.attempts, r.retry_on)
        };
        let default = if r.defaulted { " (Istio's default)" } else { "" };
        let _ = writeln!(out, "  retries     {words}{default}");
    }
    out
}

fn target_words(t: &Target) -> String {
    let name = t.service.clone().unwrap_or_else(|| t.host.clone());
    let port = t.port.map_or(String::new(), |p| format!(":{p}"));
    match &t.subset {
        Some(subset) => format!("{name}{port}/{subset}"),
        None => format!("{name}{port}"),
    }
}

fn labels_words(t: &Target) -> String {
    if t.labels.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = t.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("  (pods {})", pairs.join(", "))
}
