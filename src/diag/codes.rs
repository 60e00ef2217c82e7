//! The catalogue of diagnostic codes.
//!
//! Codes are grouped by phase: `E01xx` syntax, `E02xx` names, `E03xx` values
//! and types, `E04xx` routing rules, `E05xx` workloads (`--workloads`),
//! `E06xx` import (`meshc import`), `E07xx` routing tests (`meshc test`), `W0xxx` warnings, `N0xxx` notes.  Each code has an
//! explanation in `codes/CODE.md` (what went wrong, a failing example, the
//! fix), printed by `meshc explain`.  A test keeps this table, the
//! explanations, the UI tests and the uses in the compiler consistent.

macro_rules! codes {
    ($($code:ident: $title:literal,)*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(
                #[doc = $title]
                $code,
            )*
        }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$code,)*];

            /// The code as written (`E0201`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$code => stringify!($code),)*
                }
            }

            /// The code's title and explanation.
            pub fn info(self) -> CodeInfo {
                match self {
                    $(Code::$code => CodeInfo {
                        code: stringify!($code),
                        title: $title,
                        explanation: include_str!(concat!("codes/", stringify!($code), ".md")),
                    },)*
                }
            }
        }
    };
}

/// What `meshc explain` prints about a code.
#[derive(Clone, Copy, Debug)]
pub struct CodeInfo {
    /// The code (`E0201`).
    pub code: &'static str,
    /// A few words.
    pub title: &'static str,
    /// Markdown: what went wrong, a failing example and the fix.
    pub explanation: &'static str,
}

impl Code {
    /// Looks a code up by its spelling, case-insensitively.
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

codes! {
    E0101: "syntax error",
    E0102: "unmatched closing brace",
    E0103: "unclosed block",
    E0104: "unknown statement",
    E0105: "invalid string escape",
    E0201: "unknown subset",
    E0202: "unknown service",
    E0203: "duplicate service",
    E0204: "duplicate subset",
    E0205: "duplicate route name",
    E0206: "host defined twice",
    E0207: "unknown field",
    E0208: "field set twice",
    E0209: "duplicate label",
    E0210: "namespace declared twice",
    E0211: "statement repeated",
    E0212: "resource name used twice",
    E0213: "host without a namespace",
    E0214: "unknown delegate",
    E0216: "delegate not exported",
    E0301: "wrong type of value",
    E0302: "unknown enum value",
    E0303: "value out of range",
    E0304: "invalid duration",
    E0305: "invalid label",
    E0306: "invalid name",
    E0307: "invalid regular expression",
    E0308: "invalid header name",
    E0309: "invalid header value",
    E0310: "invalid locality",
    E0401: "weights do not sum to 100",
    E0402: "missing weight",
    E0403: "mutually exclusive settings",
    E0404: "route without action",
    E0405: "invalid fault injection",
    E0406: "invalid redirect",
    E0407: "mutual TLS without certificates",
    E0408: "statement not allowed in this route",
    E0409: "invalid host",
    E0410: "empty block",
    E0411: "missing required field",
    E0412: "not a destination of the route",
    E0413: "not allowed in a delegate",
    E0414: "delegation deeper than one level",
    E0415: "delegate match outside the delegating route",
    E0501: "service not in the workloads",
    E0502: "subset selects no pod",
    E0503: "port not exposed",
    E0601: "malformed YAML",
    E0602: "duplicate YAML key",
    E0701: "test request that cannot be sent",
    E0702: "test without expectation",
    E0703: "unknown route in a test",
    E0704: "failing routing test",
    E0705: "duplicate test name",

    W0001: "unreachable route",
    W0002: "ignored weight",
    W0003: "duplicate or covered match",
    W0004: "deprecated field or value",
    W0005: "manifest field without a .mesh spelling",
    W0006: "fault that Istio never injects",
    W0007: "YAML that Kubernetes reads by YAML 1.1 rules",
    W0008: "retries that can send a request twice",
    W0009: "timeout that cuts retries short",
    W0010: "consistent hashing across a weighted split",
    W0011: "locality failover without outlier detection",
    W0012: "outlier detection that turns on locality failover",
    W0017: "unreadable allow comment",
    W0018: "allow comment without effect",
    N0001: "document skipped by import",
    N0002: "subset no route uses",
    N0003: "route no test reaches",
}
