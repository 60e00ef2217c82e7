//! Warnings about what Istio accepts but does not do as it reads: retries
//! that re-send requests the backend may have processed (W0008), timeouts
//! that cut retries short (W0009), consistent hashing across a weighted
//! split (W0010), locality failover without outlier detection (W0011), and
//! outlier detection that turns locality failover on (W0012).
//!
//! Each reads the typed resources a service was checked into, and reports
//! only what follows from them and from Istio's source, cited at each rule.

use super::Checker;
use super::values::duration_nanos;
use crate::diag::{Code, Diagnostic};
use crate::model::defaults;
use crate::model::istio::{HttpRoute, Node, SubsetSpec};
use crate::span::Span;
use crate::syntax::ast::{self, Field, StatementKind, Value, ValueKind};

/// Retry conditions under which Envoy re-sends a request the upstream may
/// already have processed: a response it gave (`5xx`, `gateway-error`: 502,
/// 503, 504) or a reset after the request went out (`reset`), and each also
/// on a per-try timeout (Envoy's router, `x-envoy-retry-on`).  Istio's
/// default conditions (`defaults::DEFAULT_RETRY_ON`) are not among them:
/// `connect-failure` and `refused-stream` fire before the upstream saw the
/// request, `unavailable` and `cancelled` on a gRPC status the server chose,
/// and `retriable-status-codes` without codes never fires.
const REPLAYING: &[&str] = &["5xx", "gateway-error", "reset"];

/// Methods RFC 9110 (9.2.2) calls idempotent: sending one twice has the
/// effect of sending it once.
const IDEMPOTENT: &[&str] = &["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"];

impl Checker<'_> {
    /// W0008 and W0009 for one HTTP route that checked without errors.
    pub(super) fn route_hazards(&mut self, route: &ast::Route, checked: &HttpRoute, consistent_hash: bool) {
        let retries = defaults::effective_retries(checked.retries.as_ref(), consistent_hash);
        let statement = |keyword: &str| {
            route
                .statements
                .iter()
                .find(|s| s.kind.keyword() == keyword)
                .map_or(route.keyword, |s| s.span)
        };
        let replaying: Vec<&str> = retries
            .retry_on
            .split(',')
            .map(str::trim)
            .filter(|c| REPLAYING.contains(c))
            .collect();
        if retries.attempts > 0
            && !retries.defaulted
            && !replaying.is_empty()
            && let Some(method) = methods_taken(&checked.matches).first()
        {
            let carries = format!("matches `{method}`, which is not idempotent");
            self.diagnostics.push(
                    Diagnostic::warning(
                        Code::W0008,
                        statement("retries"),
                        format!("retries on `{}` can send a request twice", replaying.join(",")),
                    )
                    .with_label(format!("the route {carries}"))
                    .with_note(
                        "Envoy retries on these after the backend may have processed the request (it answered 5xx, or the connection broke after the request went out); Istio's default conditions retry only before a request reached the backend",
                    )
                    .with_help(
                        "retry non-idempotent requests only on `connect-failure,refused-stream` (what Istio does when `on` is left out), or match idempotent methods in this route",
                    ),
                );
        }
        self.timeout_hazards(checked, &retries, &statement);
    }

    /// W0009: a route timeout that ends the request before the attempts its
    /// retries allow (retry.go `ConvertPolicy`: `attempts` retries after the
    /// first try, each bounded by `perTryTimeout`; route.go `setTimeout`: the
    /// route timeout bounds them all).
    fn timeout_hazards(
        &mut self,
        checked: &HttpRoute,
        retries: &defaults::EffectiveRetries,
        statement: &dyn Fn(&str) -> Span,
    ) {
        let (Some(timeout), Some(per_try)) = (checked.timeout.as_deref(), retries.per_try_timeout.as_deref()) else {
            return;
        };
        let (Some(total), Some(each)) = (duration_nanos(timeout), duration_nanos(per_try)) else {
            return;
        };
        // A zero timeout is no timeout (Envoy), and a zero per-try too.
        if retries.attempts <= 0 || total == 0 || each == 0 {
            return;
        }
        let tries = u64::try_from(retries.attempts).unwrap_or(u64::MAX).saturating_add(1);
        let span = statement("timeout");
        if each >= total {
            self.diagnostics.push(
                Diagnostic::warning(Code::W0009, span, format!("`per_try {per_try}` never fires within `timeout {timeout}`"))
                    .with_label("the route gives up first")
                    .with_secondary(statement("retries"), "a slow attempt is never retried")
                    .with_note("Envoy ends the whole request at the route's timeout, and a try is only retried for being slow when its own timeout ends it first")
                    .with_help("make `per_try` shorter than `timeout`, or remove `timeout`"),
            );
        } else if each.saturating_mul(tries - 1) > total {
            let fit = total / each;
            let room = match fit {
                0 => "no room for one slow try".to_string(),
                1 => "room for 1 slow try".to_string(),
                n => format!("room for {n} slow tries"),
            };
            let help = if fit >= 2 {
                format!(
                    "make `timeout` at least {tries} × {per_try}, or make `retries` {}",
                    fit - 1
                )
            } else {
                format!("make `timeout` at least {tries} × {per_try}, or make `per_try` shorter")
            };
            self.diagnostics.push(
                Diagnostic::warning(
                    Code::W0009,
                    span,
                    format!("`timeout {timeout}` ends the request before its {tries} tries of `per_try {per_try}`"),
                )
                .with_label(room)
                .with_secondary(statement("retries"), format!("1 try and {} retries", retries.attempts))
                .with_note("when every try runs into its per-try timeout, the route's timeout ends the request before the later retries run")
                .with_help(help),
            );
        }
    }

    /// W0010: consistent hashing on a service whose route splits requests
    /// by weight across its subsets.  Each subset is its own Envoy cluster
    /// with its own hash ring, and the weighted split picks the cluster per
    /// request before any hashing (route.go `applyHTTPRouteDestination`
    /// writes `weighted_clusters`), so one client's requests are spread over
    /// the subsets by weight.
    pub(super) fn sticky_split(
        &mut self,
        service: &ast::Service,
        host: &str,
        top: Option<&Node>,
        subsets: &[SubsetSpec],
        http: &[HttpRoute],
    ) {
        let hashed = |subset: &str| {
            let own = subsets
                .iter()
                .find(|s| s.name == subset)
                .and_then(|s| s.traffic_policy.as_ref())
                .and_then(|p| get(p, "loadBalancer"));
            own.or_else(|| top.and_then(|p| get(p, "loadBalancer")))
                .is_some_and(|lb| get(lb, "consistentHash").is_some())
        };
        for (route, checked) in service
            .routes
            .iter()
            .filter(|r| r.kind == ast::RouteKind::Http)
            .zip(http)
        {
            let own: Vec<&str> = checked
                .route
                .iter()
                .filter(|d| d.destination.host == host)
                .filter_map(|d| d.destination.subset.as_deref())
                .collect();
            let split =
                checked.route.len() > 1 && own.len() > 1 && own.windows(2).any(|pair| pair.first() != pair.last());
            if !split || !own.iter().any(|s| hashed(s)) {
                continue;
            }
            let to = route
                .statements
                .iter()
                .find(|s| matches!(s.kind, StatementKind::To(_)))
                .map_or(route.keyword, |s| s.span);
            let mut diag = Diagnostic::warning(
                Code::W0010,
                to,
                "consistent hashing does not keep a client on one side of a weighted split",
            )
            .with_label("each request picks a subset by weight first")
            .with_note("each subset is a cluster with its own hash ring: stickiness holds within a subset, not across the split")
            .with_help("to keep clients on one version, route by a header or cookie with `match` instead of by weight");
            if let Some(span) = find_key(
                service.policies.first().map_or(&[], |p| p.fields.as_slice()),
                "consistentHash",
            ) {
                diag = diag.with_secondary(span, "hashing set here");
            }
            self.diagnostics.push(diag);
        }
    }

    /// W0011 and W0012 for a policy (`own`) and the service policy it
    /// inherits from (`inherited`, for a subset's): Istio merges a subset's
    /// policy over the service's field by field (`MergeTrafficPolicy`).
    /// `fields` are the policy's own fields as written, for spans.
    pub(super) fn locality_hazards(&mut self, own: Option<&Node>, inherited: Option<&Node>, fields: &[Field]) {
        let Some(own) = own else { return };
        let pick = |name: &str| get(own, name).or_else(|| inherited.and_then(|p| get(p, name)));
        let load_balancer = pick("loadBalancer");
        let outlier = pick("outlierDetection");
        let locality = load_balancer.and_then(|lb| get(lb, "localityLbSetting"));
        let disabled = locality.is_some_and(|l| get(l, "enabled") == Some(&Node::Bool(false)));
        // loadbalancer.go `ApplyToCluster`: "Failover should only be applied
        // with outlier detection, or traffic will never failover"
        // (`enableFailover := l.Force || c.OutlierDetection != nil`);
        // `distribute` is applied without it.
        if let Some(locality) = locality.filter(|_| outlier.is_none() && !disabled) {
            let failover = ["failover", "failoverPriority"]
                .into_iter()
                .find(|name| get(locality, name).is_some());
            if let Some(name) = failover
                && let Some(span) = find_key(fields, name)
            {
                self.diagnostics.push(
                    Diagnostic::warning(Code::W0011, span, format!("`{name}` has no effect without `outlierDetection`"))
                        .with_label("never applied")
                        .with_note("Istio applies locality failover only to clusters with outlier detection: without it, Envoy never finds the local endpoints unhealthy and never fails over")
                        .with_help("add `outlierDetection { consecutive5xxErrors = 5  interval = 10s  baseEjectionTime = 30s }` to this policy"),
                );
            }
        }
        // loadbalancer.go `ApplyToCluster`: "because the default mesh config
        // enables LocalityLbSetting (Enabled:true), enabling outlier
        // detection in a DestinationRule will automatically activate
        // locality LB failover"; `GetEffectiveLbSetting` falls back to the
        // mesh's setting when the rule has none.  That is Istio's design and
        // correct where nothing else is said, so it is reported only where
        // the program said otherwise and lost it: a subset's `loadBalancer`
        // replaces the service's whole (destination_rule.go
        // `MergeTrafficPolicy`), dropping the service's `localityLbSetting`.
        let inherited_locality = inherited
            .and_then(|p| get(p, "loadBalancer"))
            .and_then(|lb| get(lb, "localityLbSetting"));
        if outlier.is_some()
            && locality.is_none()
            && get(own, "loadBalancer").is_some()
            && inherited_locality.is_some()
            && let Some(span) = find_key(fields, "loadBalancer")
        {
            self.diagnostics.push(
                Diagnostic::warning(
                    Code::W0012,
                    span,
                    "this `loadBalancer` drops the service's `localityLbSetting`, and `outlierDetection` turns locality failover on",
                )
                .with_label("replaces the service's `loadBalancer` whole")
                .with_note("Istio merges a subset's policy over the service's field by field, so the service's locality setting does not reach this subset; with outlier detection, the mesh's default locality failover applies instead (requests stay in the caller's region and zone while it has healthy endpoints)")
                .with_help("repeat the service's `localityLbSetting` in this `loadBalancer`"),
            );
        }
    }
}

/// The methods that are not idempotent that the matches of a route name:
/// exactly, or by a prefix of them.  A match that tests no method, or
/// tests it by a regex, may carry any method, but whether its clients send
/// one is not known, so it names none.
fn methods_taken(matches: &[crate::model::istio::HttpMatch]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for method in matches.iter().filter_map(|m| m.method.as_ref()) {
        let named = match (&method.exact, &method.prefix) {
            (Some(exact), _) => (!IDEMPOTENT.contains(&exact.as_str())).then(|| exact.clone()),
            (None, Some(prefix)) => ["POST", "PATCH"]
                .into_iter()
                .find(|m| m.starts_with(prefix.as_str()))
                .map(String::from),
            (None, None) => None,
        };
        out.extend(named.filter(|n| !out.contains(n)));
    }
    out
}

/// The child `name` of an object node.
fn get<'n>(node: &'n Node, name: &str) -> Option<&'n Node> {
    match node {
        Node::Object(fields) => fields.iter().find(|(k, _)| k == name).map(|(_, v)| v),
        _ => None,
    }
}

/// Where a field named `name` is written in `fields`, at any depth and in
/// a dotted path or a nested block.
pub(super) fn find_key(fields: &[Field], name: &str) -> Option<Span> {
    fields.iter().find_map(|field| {
        field
            .key
            .segments()
            .into_iter()
            .find(|s| s.name == name)
            .map(|s| s.span)
            .or_else(|| match &field.value {
                Value {
                    kind: ValueKind::Object(inner),
                    ..
                } => find_key(inner, name),
                _ => None,
            })
    })
}
