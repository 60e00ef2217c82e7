//! `meshc route` on the real binary: which route takes a request, what it
//! does, the JSON format, exit statuses (0 matched, 1 no match, 2 usage).

use serde_json::Value;

use crate::cli::{meshc, text};

fn json(args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec!["route", "--message-format", "json"];
    all.extend_from_slice(args);
    let out = meshc(&all);
    let value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stderr)));
    (out.status.code(), value)
}

/// `meshc import` of `yamls` into `out` under `dir`, which must succeed;
/// the path of what it wrote.
fn imported(dir: &std::path::Path, yamls: &[&str], out: &str) -> String {
    let out = dir.join(out);
    let out = out.to_str().unwrap();
    let mut args = vec!["import"];
    args.extend_from_slice(yamls);
    args.extend(["-o", out]);
    let done = meshc(&args);
    assert_eq!(done.status.code(), Some(0), "{}", text(&done.stderr));
    out.to_string()
}

/// The keys of a JSON object, in order.
fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// The Bookinfo contract: jason sees reviews v2, everyone else v1 and v3
/// half each; Istio's default retries and no timeout apply.
#[test]
fn bookinfo_reviews_by_user() {
    let (code, jason) = json(&[
        "examples/bookinfo.mesh",
        "http://reviews:9080/reviews/1",
        "-H",
        "end-user: jason",
    ]);
    assert_eq!(code, Some(0));
    assert_eq!(jason["matched"], true);
    assert_eq!(jason["service"], "reviews");
    assert_eq!(jason["virtual_service"]["name"], "reviews");
    assert_eq!(jason["route"]["name"], "jason");
    assert_eq!(jason["route"]["kind"], "http");
    assert_eq!(jason["route"]["index"], 0);
    assert_eq!(jason["route"]["file"], "examples/bookinfo.mesh");
    assert_eq!(jason["route"]["line"], 15);
    assert_eq!(
        jason["action"],
        serde_json::json!({"route": [{"destination": {"host": "reviews", "subset": "v2"}}]})
    );
    assert_eq!(jason["effective"]["timeout"], Value::Null);
    assert_eq!(jason["effective"]["retries"]["attempts"], 2);
    assert_eq!(jason["effective"]["retries"]["default"], true);
    assert_eq!(jason["effective"]["destinations"][0]["labels"]["version"], "v2");

    let (_, others) = json(&["examples/bookinfo.mesh", "http://reviews:9080/reviews/1"]);
    let shares: Vec<(String, i64)> = others["effective"]["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["subset"].as_str().unwrap().to_string(), d["weight"].as_i64().unwrap()))
        .collect();
    assert_eq!(shares, vec![("v1".to_string(), 50), ("v3".to_string(), 50)]);
    assert_eq!(others["route"]["name"], Value::Null);
    assert_eq!(others["route"]["index"], 1);
    // The keys come in the documented order (docs/route.md), as `matched`
    // first is what a reader of the output looks for.
    assert_eq!(
        keys(&others),
        [
            "matched",
            "service",
            "virtual_service",
            "route",
            "action",
            "effective",
            "reason"
        ]
    );
    let (_, missed) = json(&["examples/tcp-tls.mesh", "--tcp", "mongo:27018"]);
    assert_eq!(
        keys(&missed),
        [
            "matched",
            "service",
            "virtual_service",
            "route",
            "action",
            "effective",
            "reason",
            "closest"
        ]
    );
}

#[test]
fn faults_rewrites_redirects_and_responses() {
    let (_, fault) = json(&[
        "examples/bookinfo.mesh",
        "http://ratings:9080/ratings/0",
        "-H",
        "end-user: jason",
    ]);
    assert_eq!(fault["action"]["fault"]["delay"]["fixedDelay"], "7s");

    let (_, rewrite) = json(&["examples/header-routing.mesh", "http://api/search/books?preview=true"]);
    assert_eq!(rewrite["route"]["name"], "search-preview");
    assert_eq!(rewrite["effective"]["path"], "/books?preview=true");
    assert_eq!(rewrite["effective"]["destinations"][0]["service"], "search");

    // `ignore_uri_case` on a prefix.
    let (_, moved) = json(&["examples/header-routing.mesh", "http://api/CATALOG/1"]);
    assert_eq!(moved["route"]["name"], "legacy");
    assert_eq!(moved["effective"]["redirect"]["location"], "http://api/products");
    assert_eq!(moved["effective"]["redirect"]["status"], 301);
    assert_eq!(moved["effective"]["retries"], Value::Null);

    let (_, respond) = json(&["examples/header-routing.mesh", "DELETE", "http://api/admin/users"]);
    assert_eq!(respond["route"]["name"], "maintenance");
    assert_eq!(respond["action"]["directResponse"]["status"], 503);

    let (_, edits) = json(&["examples/header-routing.mesh", "http://api/users/42"]);
    assert_eq!(edits["route"]["name"], "user-read");
    assert_eq!(
        edits["action"]["headers"]["request"]["set"]["x-request-source"],
        "storefront"
    );
    // The regex is a full match: /users/42/edit is not a user read.
    let (_, longer) = json(&["examples/header-routing.mesh", "http://api/users/42/edit"]);
    assert_eq!(longer["route"]["name"], Value::Null);
}

#[test]
fn mirrors_and_canary_shares() {
    let (_, mirrored) = json(&["examples/mirroring.mesh", "http://search.shop/get"]);
    assert!(
        mirrored["effective"]["mirrors"]
            .as_array()
            .is_some_and(|m| !m.is_empty()),
        "{mirrored}"
    );
    let (_, canary) = json(&["examples/canary.mesh", "http://checkout/cart"]);
    assert_eq!(canary["virtual_service"]["namespace"], "shop");
    assert_eq!(canary["effective"]["timeout"], "10s");
    let weights: Vec<i64> = canary["effective"]["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["weight"].as_i64().unwrap())
        .collect();
    assert_eq!(weights, vec![90, 10]);
}

#[test]
fn tcp_tls_and_gateways() {
    let (code, mongo) = json(&["examples/tcp-tls.mesh", "--tcp", "mongo:27017"]);
    assert_eq!(code, Some(0));
    assert_eq!(mongo["route"]["kind"], "tcp");
    assert_eq!(mongo["action"]["route"][0]["destination"]["subset"], "v1");
    let (code, other_port) = json(&["examples/tcp-tls.mesh", "--tcp", "mongo:27018"]);
    assert_eq!(code, Some(1));
    assert!(
        other_port["reason"].as_str().unwrap().contains("port 27017"),
        "{other_port}"
    );

    let (_, tls) = json(&[
        "examples/tcp-tls.mesh",
        "--tcp",
        "secure.example.com:443",
        "--sni",
        "secure.example.com",
    ]);
    assert_eq!(tls["route"]["kind"], "tls");

    // `gateway "bookinfo-gateway"` conditions: only at that gateway.
    let (_, login) = json(&[
        "examples/tcp-tls.mesh",
        "http://bookinfo.example.com/login",
        "--gateway",
        "bookinfo-gateway",
    ]);
    assert_eq!(login["route"]["name"], "login");
    let (_, in_mesh) = json(&["examples/tcp-tls.mesh", "http://bookinfo.example.com/login"]);
    assert_eq!(in_mesh["route"]["index"], 1);
}

#[test]
fn no_match_says_which_condition_failed() {
    let out = meshc(&["route", "examples/tcp-tls.mesh", "--tcp", "mongo:27018"]);
    assert_eq!(out.status.code(), Some(1));
    let shown = text(&out.stdout);
    assert!(shown.contains("no route matched"), "{shown}");
    assert!(
        shown.contains("closest: TCP route 1 of `mongo` (examples/tcp-tls.mesh:10)"),
        "{shown}"
    );
    // The condition that refused is said once.
    assert_eq!(shown.matches("the match is for port 27017").count(), 1, "{shown}");

    let (code, unknown) = json(&["examples/bookinfo.mesh", "http://nowhere/"]);
    assert_eq!(code, Some(1));
    assert_eq!(unknown["matched"], false);
    assert_eq!(unknown["route"], Value::Null);
    assert!(unknown["reason"].as_str().unwrap().contains("`nowhere`"));

    // Bound to gateways only: the mesh is told where it is served.
    let (_, mesh) = json(&[
        "examples/header-routing.mesh",
        "http://api/",
        "--gateway",
        "some-gateway",
    ]);
    assert!(mesh["reason"].as_str().unwrap().contains("on the mesh"), "{mesh}");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["route", "examples/bookinfo.mesh"],
        vec!["route", "examples/bookinfo.mesh", "ftp://reviews/"],
        vec!["route", "examples/bookinfo.mesh", "http://reviews/", "-H", "no colon"],
        vec!["route", "http://reviews/"],
        vec!["route", "examples/bookinfo.mesh", "--tcp", "mongo"],
        vec!["route", "tests/ui/E0401-weights-sum.mesh", "http://a/"],
    ] {
        let out = meshc(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
        assert!(out.stdout.is_empty());
        assert!(text(&out.stderr).contains("meshc:"), "{args:?}");
    }
}

/// Delegation is followed as istiod merges it (`mergeHTTPRoute`): the
/// delegate's route decides the destination, the root's timeout applies
/// where the delegate sets none, and the names are joined.
#[test]
fn delegation_is_followed() {
    let program = "tests/data/route/delegation.mesh";
    let (code, jason) = json(&[program, "http://reviews/reviews/1", "-H", "end-user: jason"]);
    assert_eq!(code, Some(0));
    assert_eq!(jason["route"]["index"], 0);
    assert_eq!(jason["delegate"]["name"], "jason");
    assert_eq!(jason["delegate"]["virtual_service"]["name"], "reviews-routes");
    assert_eq!(jason["delegate"]["line"], 17);
    assert_eq!(jason["action"]["route"][0]["destination"]["subset"], "v2");
    assert_eq!(jason["action"]["timeout"], "5s");
    assert_eq!(jason["effective"]["timeout"], "5s");
    assert!(jason["action"].get("delegate").is_none());

    let (_, others) = json(&[program, "http://reviews/reviews/1"]);
    assert_eq!(others["delegate"]["index"], 1);
    assert_eq!(others["action"]["route"][0]["destination"]["subset"], "v1");
    // Outside /reviews the root's second route takes the request.
    let (_, outside) = json(&[program, "http://reviews/health"]);
    assert_eq!(outside["route"]["index"], 1);
    assert!(outside.get("delegate").is_none());
}

/// Istio's own Bookinfo manifests (tests/data/istio, from istio/istio
/// samples/bookinfo/networking), imported as a new user would, route as
/// Istio's documentation says: the "Request Routing" task's
/// virtual-service-reviews-jason-v2-v3.yaml sends jason to reviews v2 and
/// everyone else to v3, and the "Fault Injection" task's
/// virtual-service-ratings-test-delay.yaml delays jason's ratings by 7s.
#[test]
fn imported_istio_samples_route_as_istio_documents() {
    let dir = crate::cli::scratch("route-imported");
    let program = &imported(
        &dir,
        &[
            "tests/data/istio/bookinfo__destination-rule-all.yaml",
            "tests/data/istio/bookinfo__virtual-service-reviews-jason-v2-v3.yaml",
            "tests/data/istio/bookinfo__virtual-service-ratings-test-delay.yaml",
        ],
        "bookinfo.mesh",
    );
    let (_, jason) = json(&[program, "http://reviews:9080/reviews/0", "-H", "end-user: jason"]);
    assert_eq!(jason["effective"]["destinations"][0]["subset"], "v2");
    let (_, others) = json(&[program, "http://reviews:9080/reviews/0"]);
    assert_eq!(others["effective"]["destinations"][0]["subset"], "v3");
    let (_, delayed) = json(&[program, "http://ratings:9080/ratings/0", "-H", "end-user: jason"]);
    assert_eq!(delayed["action"]["fault"]["delay"]["fixedDelay"], "7s");
    assert_eq!(delayed["effective"]["destinations"][0]["subset"], "v1");
}

/// Istio's own examples with the outcome their documentation or tests
/// state, imported and routed: a prefix rewrite and a catalogue rewrite
/// (istio/api virtual_service.proto, the examples at L1245 and L67), header
/// changes on a weighted split (L584), a redirect that derives its port
/// (istio/istio tests/integration/pilot/common/routing.go, "redirect
/// request port": `Host: b` gives `http://b/foo`, `Host: b:80` gives
/// `http://b:80/foo`), and the API reference's delegation example.
#[test]
fn istio_examples_route_as_their_documentation_says() {
    let dir = crate::cli::scratch("route-istio-examples");
    let import = |yaml: &str, out: &str| imported(&dir, &[yaml], out);
    let corpus = "tests/data/corpus/valid/";
    let ratings = import(
        &format!("{corpus}api-doc-example__virtual_service__L1245.yaml"),
        "ratings.mesh",
    );
    let (_, r) = json(&[&ratings, "http://ratings.prod.svc.cluster.local/ratings/3"]);
    assert_eq!(r["effective"]["path"], "/v1/bookRatings/3");
    assert_eq!(r["effective"]["destinations"][0]["subset"], "v1");

    let catalog = import(
        &format!("{corpus}api-doc-example__virtual_service__L67.yaml"),
        "catalog.mesh",
    );
    let (_, r) = json(&[&catalog, "http://reviews.prod.svc.cluster.local/consumercatalog/x"]);
    assert_eq!(r["effective"]["path"], "/newcatalog/x");
    assert_eq!(r["effective"]["destinations"][0]["subset"], "v2");
    let (_, r) = json(&[&catalog, "http://reviews.prod.svc.cluster.local/other"]);
    assert_eq!(r["effective"]["destinations"][0]["subset"], "v1");

    let headers = import(
        &format!("{corpus}api-doc-example__virtual_service__L584.yaml"),
        "headers.mesh",
    );
    let (_, r) = json(&[&headers, "http://reviews.prod.svc.cluster.local/"]);
    assert_eq!(r["action"]["headers"]["request"]["set"]["test"], "true");
    assert_eq!(r["action"]["route"][1]["headers"]["response"]["remove"][0], "foo");
    let shares: Vec<_> = (0..2)
        .map(|i| r["effective"]["destinations"][i]["weight"].clone())
        .collect();
    assert_eq!(shares, [25, 75]);

    let redirect = import(
        &format!("{corpus}go-inline__routing__common__L532.yaml"),
        "redirect.mesh",
    );
    for (url, location) in [("http://b/foo", "http://b/foo"), ("http://b:80/foo", "http://b:80/foo")] {
        let (_, r) = json(&[&redirect, url]);
        assert_eq!(r["effective"]["redirect"]["location"], location, "{url}");
        assert_eq!(r["effective"]["redirect"]["status"], 301);
    }

    let delegation = &import("tests/data/delegation/istio-api-delegation-example.yaml", "delegation/");
    for (path, host) in [
        ("/productpage/v1/x", "productpage-v1.nsa.svc.cluster.local"),
        ("/productpage", "productpage.nsa.svc.cluster.local"),
        ("/reviews/1", "reviews.nsb.svc.cluster.local"),
    ] {
        let url = format!("http://bookinfo.com{path}");
        let (code, r) = json(&[delegation, "--gateway", "mygateway", &url]);
        assert_eq!(code, Some(0), "{path}");
        assert_eq!(r["effective"]["destinations"][0]["host"], host, "{path}");
    }
    let (code, _) = json(&[delegation, "--gateway", "mygateway", "http://bookinfo.com/other"]);
    assert_eq!(code, Some(1));
}
