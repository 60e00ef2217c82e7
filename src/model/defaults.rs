//! What Istio does where a route says nothing: its default retries and timeout.
//!
//! One place for these facts, read from Istio's source (istio/istio at
//! 86c9f01f, August 2026); `meshc route`, the checker's warnings and the
//! editor's hints all ask here.
//!
//! - `pilot/pkg/networking/core/route/route.go`, `applyHTTPRouteDestination`:
//!   a route without `retries` takes the mesh's `defaultHttpRetryPolicy`,
//!   which is unset unless the operator sets it, and then
//!   `retry.ConvertPolicy(nil, …)` returns the default policy.
//! - `pilot/pkg/networking/core/route/retry/retry.go`: the default policy is
//!   2 retries (`defaultNumRetries`) on
//!   `connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes`
//!   (`defaultRetryOn`), with no per-try timeout, and retries avoid hosts
//!   already tried (`RetryPreviousHosts`) unless the destination uses
//!   consistent hashing.  `attempts: 0` turns retries off; a policy that
//!   sets `attempts` but not `retryOn` keeps the default conditions.
//! - `route.go`, `setTimeout`: without `timeout` the route's timeout is
//!   `Notimeout` (0s), which Envoy reads as no timeout at all.

use super::istio::Retries;

/// Retries Istio makes when a route sets none (`retry.go`, `defaultNumRetries`).
pub const DEFAULT_RETRY_ATTEMPTS: i64 = 2;

/// The conditions Istio retries on when a route names none (`retry.go`, `defaultRetryOn`).
pub const DEFAULT_RETRY_ON: &str = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";

/// The route timeout Istio sets when a route sets none: none at all
/// (`route.go`, `setTimeout`: `Notimeout`, a zero duration, which Envoy
/// reads as disabled).
pub const DEFAULT_TIMEOUT: Option<&str> = None;

/// The retry policy that applies to a route, with Istio's defaults filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EffectiveRetries {
    /// How many retries after the first attempt (0: retries are off).
    pub attempts: i64,
    /// The conditions that trigger a retry (empty when retries are off).
    pub retry_on: String,
    /// The timeout of each attempt, if any.
    pub per_try_timeout: Option<String>,
    /// Whether a retry avoids the hosts already tried.
    pub ignore_previous_hosts: bool,
    /// Whether every value came from Istio's defaults (the route set no `retries`).
    pub defaulted: bool,
}

/// The retries Envoy is told to make for a route whose `retries` is `set`
/// (`retry.go`, `ConvertPolicy`); `consistent_hash` says whether the
/// destination balances by consistent hashing, where Istio does not steer
/// retries away from hosts already tried.
pub fn effective_retries(set: Option<&Retries>, consistent_hash: bool) -> EffectiveRetries {
    let Some(set) = set else {
        return EffectiveRetries {
            attempts: DEFAULT_RETRY_ATTEMPTS,
            retry_on: DEFAULT_RETRY_ON.to_string(),
            per_try_timeout: None,
            ignore_previous_hosts: !consistent_hash,
            defaulted: true,
        };
    };
    if set.attempts <= 0 {
        return EffectiveRetries {
            attempts: 0,
            retry_on: String::new(),
            per_try_timeout: None,
            ignore_previous_hosts: false,
            defaulted: false,
        };
    }
    EffectiveRetries {
        attempts: set.attempts,
        retry_on: set.retry_on.clone().unwrap_or_else(|| DEFAULT_RETRY_ON.to_string()),
        per_try_timeout: set.per_try_timeout.clone(),
        ignore_previous_hosts: set.retry_ignore_previous_hosts.unwrap_or(!consistent_hash),
        defaulted: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(attempts: i64, retry_on: Option<&str>) -> Retries {
        Retries {
            attempts,
            per_try_timeout: None,
            retry_on: retry_on.map(str::to_string),
            retry_remote_localities: None,
            retry_ignore_previous_hosts: None,
            backoff: None,
        }
    }

    /// retry.go `ConvertPolicy(nil, false)` is `cachedDefaultPolicy`.
    #[test]
    fn a_route_without_retries_gets_two_on_connection_failures() {
        let r = effective_retries(None, false);
        assert_eq!((r.attempts, r.retry_on.as_str()), (2, DEFAULT_RETRY_ON));
        assert!(r.defaulted && r.ignore_previous_hosts && r.per_try_timeout.is_none());
        // `cachedDefaultConsistentHashPolicy` has no previous-hosts predicate.
        assert!(!effective_retries(None, true).ignore_previous_hosts);
    }

    /// retry.go: `if in.Attempts <= 0 { return nil }`.
    #[test]
    fn zero_attempts_turn_retries_off() {
        let r = effective_retries(Some(&set(0, Some("5xx"))), false);
        assert_eq!((r.attempts, r.retry_on.as_str(), r.defaulted), (0, "", false));
    }

    /// retry.go: `newRetryPolicy` starts from `defaultRetryOn`, and only a
    /// non-empty `RetryOn` replaces it.
    #[test]
    fn attempts_without_conditions_keep_the_default_conditions() {
        let r = effective_retries(Some(&set(5, None)), false);
        assert_eq!((r.attempts, r.retry_on.as_str()), (5, DEFAULT_RETRY_ON));
        let r = effective_retries(Some(&set(3, Some("5xx,reset"))), false);
        assert_eq!(r.retry_on, "5xx,reset");
    }
}
