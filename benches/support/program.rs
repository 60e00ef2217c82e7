//! The generated programs the benchmarks measure: `services` services with
//! 3 subsets, a traffic policy and 2 routes each (about 27 lines, 590
//! bytes per service), the last route splitting traffic three ways.

/// A program of `services` services.
pub fn program(services: usize) -> String {
    let mut text = String::with_capacity(services * 700);
    text.push_str("namespace bench\n\n");
    for i in 0..services {
        let next = (i + 1) % services;
        text.push_str(&format!(
            r#"service svc-{i} {{
  subset v1 {{ version = "v1" }}
  subset v2 {{ version = "v2" }}
  subset v3 {{ version = "v3" track = "canary" }}

  policy {{
    loadBalancer.simple = LEAST_REQUEST
    connectionPool {{ tcp.maxConnections = 100 http.http1MaxPendingRequests = 10 }}
    outlierDetection {{ consecutive5xxErrors = 5 interval = 10s baseEjectionTime = 30s }}
    tls.mode = ISTIO_MUTUAL
  }}

  route canary {{
    match header "x-canary" exact "yes" and uri prefix "/api"
    timeout 5s
    to v3
  }}
  route {{
    retries 3 per_try 2s on "5xx,reset"
    to v1 80%, v2 10%, svc-{next}/v1 10%
  }}
}}

"#
        ));
    }
    text
}
