//! Every string meshc writes reads back as itself, and every number as the
//! same number, under YAML 1.2 and YAML 1.1: `serde_yaml` (libyaml's
//! scanner, the YAML 1.2 core schema) and PyYAML (YAML 1.1, as Kubernetes
//! reads manifests), both its own pure-Python parser and its libyaml one;
//! and meshc's importer, which reads as kubectl does, finds no scalar that
//! the two versions read differently.  Property tests put arbitrary
//! strings (line and paragraph separators, non-characters, controls, YAML
//! indicators, `yes`/`on`/`~`, numbers as strings, keys over 1024
//! characters) into every place of a resource that holds one, and into the
//! annotations and header matches of programs that go through the checker.
//!
//! PyYAML is required, not optional: `python3 -m pip install pyyaml` (as
//! `.ci/run` does).  `MESHC_READBACK_CASES=N` runs N cases per property
//! instead of CI's 128.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use meshc::model::Program;
use meshc::model::istio::{
    DestinationRuleSpec, HttpMatch, HttpRoute, Metadata, Node, Pairs, StringMatch, SubsetSpec, VirtualServiceSpec,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::support::root;

/// A YAML value with the type a reader gave each scalar.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Y {
    Null,
    Bool(bool),
    Int(i128),
    /// The bits of an `f64`.
    Float(u64),
    Str(String),
    Seq(Vec<Y>),
    /// Sorted by key: the readers keep document order, `serde_json` sorts.
    Map(Vec<(Y, Y)>),
}

fn map(mut entries: Vec<(Y, Y)>) -> Y {
    entries.sort();
    Y::Map(entries)
}

/// What the resource is: its serialization through `serde_json`.
fn from_json(value: &serde_json::Value) -> Y {
    use serde_json::Value as J;
    match value {
        J::Null => Y::Null,
        J::Bool(b) => Y::Bool(*b),
        J::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Y::Int(i.into()),
            (_, Some(u), _) => Y::Int(u.into()),
            (_, _, f) => Y::Float(f.unwrap().to_bits()),
        },
        J::String(s) => Y::Str(s.clone()),
        J::Array(items) => Y::Seq(items.iter().map(from_json).collect()),
        J::Object(entries) => map(entries.iter().map(|(k, v)| (Y::Str(k.clone()), from_json(v))).collect()),
    }
}

fn from_serde_yaml(value: &serde_yaml::Value) -> Y {
    use serde_yaml::Value as V;
    match value {
        V::Null => Y::Null,
        V::Bool(b) => Y::Bool(*b),
        V::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Y::Int(i.into()),
            (_, Some(u), _) => Y::Int(u.into()),
            (_, _, f) => Y::Float(f.unwrap().to_bits()),
        },
        V::String(s) => Y::Str(s.clone()),
        V::Sequence(items) => Y::Seq(items.iter().map(from_serde_yaml).collect()),
        V::Mapping(entries) => map(entries
            .iter()
            .map(|(k, v)| (from_serde_yaml(k), from_serde_yaml(v)))
            .collect()),
        V::Tagged(tagged) => Y::Str(format!("<tagged {tagged:?}>")),
    }
}

fn from_python(value: &serde_json::Value) -> Y {
    use serde_json::Value as J;
    let tagged = |tag: &str| value.get(tag).cloned();
    match value {
        J::Null => Y::Null,
        J::Array(items) => Y::Seq(items.iter().map(from_python).collect()),
        J::Object(_) => {
            if let Some(J::Bool(b)) = tagged("b") {
                Y::Bool(b)
            } else if let Some(J::String(i)) = tagged("i") {
                Y::Int(i.parse().unwrap())
            } else if let Some(J::String(f)) = tagged("f") {
                Y::Float(f.parse::<f64>().unwrap().to_bits())
            } else if let Some(J::String(s)) = tagged("s") {
                Y::Str(s)
            } else if let Some(J::Array(entries)) = tagged("m") {
                map(entries
                    .iter()
                    .map(|pair| (from_python(&pair[0]), from_python(&pair[1])))
                    .collect())
            } else {
                Y::Str(format!("<python {value}>"))
            }
        }
        other => Y::Str(format!("<python {other}>")),
    }
}

/// PyYAML in a Python process kept for the whole test (`tests/yaml11/read.py`).
struct PyYaml {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

const NEEDS_PYYAML: &str = "the YAML 1.1 read-back tests need Python 3 with PyYAML: `python3 -m pip install pyyaml`";

impl PyYaml {
    fn start() -> PyYaml {
        let mut child = Command::new("python3")
            .arg(root().join("tests/yaml11/read.py"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{NEEDS_PYYAML} (python3: {e})"));
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        PyYaml { child, stdin, stdout }
    }

    /// The documents of `yaml` as each of PyYAML's parsers reads them.
    fn read(&mut self, yaml: &str) -> Vec<(String, Result<Vec<Y>, String>)> {
        let sent = write!(self.stdin, "{}\n{yaml}", yaml.len()).and_then(|()| self.stdin.flush());
        let mut line = String::new();
        let read = self.stdout.read_line(&mut line);
        if sent.is_err() || read.is_err() || line.is_empty() {
            panic!("{NEEDS_PYYAML} (the reader stopped)");
        }
        let answer: serde_json::Value = serde_json::from_str(&line).unwrap();
        let mut out = Vec::new();
        for (parser, result) in answer.as_object().unwrap() {
            let result = match result.get("ok") {
                Some(docs) => Ok(docs.as_array().unwrap().iter().map(from_python).collect()),
                None => Err(result["error"].to_string()),
            };
            out.push((format!("PyYAML ({parser})"), result));
        }
        out
    }
}

impl Drop for PyYaml {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads `yaml` with every parser and compares each reading with `expected`.
fn check_readback(python: &mut PyYaml, yaml: &str, expected: &[Y]) -> Result<(), String> {
    let mut readings: Vec<(String, Result<Vec<Y>, String>)> = Vec::new();
    let serde = serde_yaml::Deserializer::from_str(yaml)
        .map(|doc| {
            serde::Deserialize::deserialize(doc)
                .map(|v: serde_yaml::Value| from_serde_yaml(&v))
                .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<Y>, String>>();
    readings.push(("serde_yaml".into(), serde));
    // meshc's importer reads as kubectl does (YAML 1.1 scalars, sent on
    // as JSON) and reports any scalar that YAML 1.1 and 1.2 read
    // differently, or a key given twice: meshc's own output has none.
    match meshc::import::yaml::documents(0, yaml) {
        Ok(stream) => {
            if let Some(finding) = stream.findings.first() {
                return Err(format!(
                    "the importer reports {}: {}\nin\n{yaml}",
                    finding.code.as_str(),
                    finding.message
                ));
            }
        }
        Err(e) => return Err(format!("the importer cannot read it: {}\nin\n{yaml}", e.message)),
    }
    readings.extend(python.read(yaml));
    let mut problems = String::new();
    for (parser, reading) in readings {
        match reading {
            Ok(docs) if docs == expected => {}
            Ok(docs) => problems.push_str(&format!("{parser} reads\n{docs:?}\ninstead of\n{expected:?}\n")),
            Err(e) => problems.push_str(&format!("{parser} cannot read it: {e}\n")),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else if let Some(dump) = std::env::var_os("MESHC_READBACK_DUMP") {
        std::fs::write(&dump, yaml).unwrap();
        Err(problems)
    } else {
        Err(format!("{problems}in\n{yaml}"))
    }
}

/// Writes `program` as `meshc build` does and reads it back.
fn check_program(python: &mut PyYaml, program: Program) -> Result<(), String> {
    let expected: Vec<Y> = meshc::emit::resources(program.clone(), meshc::emit::ApiVersion::V1)
        .iter()
        .map(|r| from_json(&serde_json::to_value(r).unwrap()))
        .collect();
    let documents = meshc::emit::join(vec![meshc::emit::documents(program, meshc::emit::ApiVersion::V1)?]);
    let mut yaml = Vec::new();
    meshc::emit::write_documents(&documents, &mut yaml).map_err(|e| e.to_string())?;
    check_readback(python, &String::from_utf8(yaml).map_err(|e| e.to_string())?, &expected)
}

/// Pieces that break naive YAML writers.
const PIECES: &[&str] = &[
    "\u{2028}",
    "\u{2029}",
    "\u{85}",
    "\u{fffe}",
    "\u{ffff}",
    "\u{feff}",
    "\0",
    "\t",
    "\n",
    "\r",
    "\r\n",
    " ",
    "  ",
    "#",
    ":",
    ": ",
    " #",
    "- ",
    "? ",
    "'",
    "\"",
    "\\",
    "!",
    "&",
    "*",
    "%",
    "@",
    "`",
    "{",
    "}",
    "[",
    "]",
    ",",
    "|",
    ">",
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "~",
    "null",
    "NULL",
    "true",
    "False",
    "010",
    "0x1f",
    "0o17",
    "0b101",
    "1e3",
    "1.0e+3",
    "1_000",
    "12:30",
    "190:20:30",
    "2024-01-01",
    "2001-12-14t21:59:43.10-05:00",
    ".inf",
    "-.Inf",
    ".nan",
    "<<",
    "=",
    "-",
    ".5",
    "+1",
    "-0",
    "é",
    "😀",
    "\u{a0}",
    "\u{7f}",
    "\u{9f}",
    "\u{d7ff}",
    "\u{e000}",
    "\u{fffd}",
    "\u{10ffff}",
    "---",
    "...",
    "a",
    "v1",
    "example.com/x",
];

/// Strings made of the pieces above and arbitrary characters, now and then
/// longer than YAML's 1024-character limit on implicit keys.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => proptest::sample::select(PIECES).prop_map(String::from),
        1 => any::<char>().prop_map(String::from),
    ];
    let short = proptest::collection::vec(piece.clone(), 0..8).prop_map(|pieces| pieces.concat());
    let long = (piece, 1015usize..1040).prop_map(|(piece, n)| {
        // Quoting and escapes make the written key longer than the text:
        // lengths on both sides of the limit.
        let mut s = String::new();
        while s.chars().count() < n {
            s.push_str(if piece.is_empty() { "a" } else { &piece });
        }
        s
    });
    prop_oneof![12 => short, 1 => long, 1 => "a{1000,1030}"]
}

fn pairs<T: std::fmt::Debug>(values: impl Strategy<Value = T>) -> impl Strategy<Value = Pairs<T>> {
    proptest::collection::btree_map(text(), values, 0..4).prop_map(|m| Pairs(m.into_iter().collect()))
}

/// Floats the checker lets through: any finite one (the shortest text of
/// each reads back as itself), with the edges of the written forms.
fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("finite", |f| f.is_finite()),
        proptest::sample::select(vec![
            0.0,
            -0.0,
            0.1,
            0.5,
            1.5,
            100.0,
            1e-5,
            9.999e-6,
            1e16,
            9999999999999998.0,
            1e23,
            1.2345678901234568e22,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            -2.5e-7,
        ]),
    ]
}

fn node(depth: u32) -> BoxedStrategy<Node> {
    let leaf = prop_oneof![
        text().prop_map(Node::Str),
        any::<i64>().prop_map(Node::Int),
        float().prop_map(Node::Float),
        any::<bool>().prop_map(Node::Bool),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    prop_oneof![
        2 => leaf,
        1 => proptest::collection::vec(node(depth - 1), 0..3).prop_map(Node::List),
        1 => object(depth - 1),
    ]
    .boxed()
}

fn object(depth: u32) -> BoxedStrategy<Node> {
    proptest::collection::btree_map(text(), node(depth), 0..4)
        .prop_map(|m| Node::Object(m.into_iter().collect()))
        .boxed()
}

fn metadata() -> impl Strategy<Value = Metadata> {
    (text(), proptest::option::of(text()), pairs(text()), pairs(text())).prop_map(
        |(name, namespace, labels, annotations)| Metadata {
            name,
            namespace,
            labels,
            annotations,
        },
    )
}

/// A program of a DestinationRule and a VirtualService with arbitrary
/// strings wherever the model holds one, and arbitrary numbers in a traffic
/// policy.
fn programs() -> impl Strategy<Value = Program> {
    let rule = (
        metadata(),
        text(),
        object(2),
        pairs(text()),
        proptest::collection::vec(text(), 0..3),
    )
        .prop_map(|(metadata, host, policy, labels, export_to)| {
            (
                metadata,
                DestinationRuleSpec {
                    host,
                    traffic_policy: Some(policy),
                    subsets: vec![SubsetSpec {
                        name: "v1".into(),
                        labels,
                        traffic_policy: None,
                    }],
                    export_to,
                    workload_selector: None,
                },
            )
        });
    let exact = text().prop_map(|s| StringMatch {
        exact: Some(s),
        ..StringMatch::default()
    });
    let service = (
        metadata(),
        proptest::collection::vec(text(), 1..3),
        pairs(exact),
        text(),
    )
        .prop_map(|(metadata, hosts, headers, name)| {
            (
                metadata,
                VirtualServiceSpec {
                    hosts,
                    gateways: vec![],
                    http: vec![HttpRoute {
                        name: Some(name),
                        matches: vec![HttpMatch {
                            headers,
                            ..HttpMatch::default()
                        }],
                        ..HttpRoute::default()
                    }],
                    tls: vec![],
                    tcp: vec![],
                    export_to: vec![],
                },
            )
        });
    (rule, service).prop_map(|(rule, service)| Program {
        destination_rules: vec![rule],
        virtual_services: vec![service],
        virtual_service_sites: vec![],
    })
}

fn cases() -> u32 {
    std::env::var("MESHC_READBACK_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(128)
}

fn run<T: std::fmt::Debug>(strategy: impl Strategy<Value = T>, test: impl Fn(&mut PyYaml, T) -> Result<(), String>) {
    // The runner takes an `Fn`; the one Python process is shared by all cases.
    let python = std::cell::RefCell::new(PyYaml::start());
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    };
    let result = TestRunner::new(config).run(&strategy, |value| {
        test(&mut python.borrow_mut(), value).map_err(TestCaseError::fail)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn every_string_and_number_of_a_resource_reads_back_identically() {
    run(programs(), check_program);
}

/// The string as a `.mesh` string literal.
fn mesh_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c if u32::from(c) > 0xffff => out.push(c),
            c => out.push_str(&format!("\\u{:04x}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

/// A program with an annotation and, if given, a header match.
fn program(annotation: &str, header: Option<&str>) -> String {
    let matches = header.map_or(String::new(), |h| {
        format!("    match header \"end-user\" exact {}\n", mesh_string(h))
    });
    format!(
        "service reviews {{\n  annotations {{ \"example.com/note\" = {} }}\n  subset v1 {{ version = \"v1\" }}\n  route {{\n{matches}    to v1\n  }}\n}}\n",
        mesh_string(annotation)
    )
}

#[test]
fn strings_of_programs_that_check_clean_read_back_identically() {
    run((text(), text()), |python, (annotation, header)| {
        let analyze = |text: String| {
            let mut sources = meshc::Sources::default();
            sources.add("readback.mesh", text);
            meshc::analyze(&sources)
        };
        let mut analysis = analyze(program(&annotation, Some(&header)));
        if analysis.has_errors() {
            // The checker refuses some header values (control characters,
            // for one); annotations take any text.
            analysis = analyze(program(&annotation, None));
            assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
        }
        check_program(python, analysis.checked.program)
    });
}

/// The cases of issue 9 (item 8), each read back by every parser.
#[test]
fn pinned_strings_read_back_identically() {
    let mut python = PyYaml::start();
    let long_key = "k".repeat(1023);
    let strings = [
        "\u{fffe}",
        "\u{ffff}",
        "a\u{fffe}b\u{ffff}c",
        "a \u{2028} b",
        " \u{2029} ",
        "x\u{2028}",
        "\u{85}",
        "yes",
        "~",
        "",
        " lead",
        "trail ",
        long_key.as_str(),
    ];
    let mut entries: Vec<(String, Node)> = strings
        .iter()
        .map(|s| (s.to_string(), Node::Str(s.to_string())))
        .collect();
    // Keys as written: 1024 bytes with their quotes is the longest implicit
    // key; longer ones need `? `.
    for n in [1022, 1023, 1024, 1025, 1100, 5000] {
        entries.push((format!("{}\u{2028}", "k".repeat(n)), Node::Str("v".into())));
        entries.push(("é".repeat(n), Node::List(vec![Node::Str("a".into())])));
        entries.push(("x".repeat(n), Node::Object(vec![("y".into(), Node::Int(1))])));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries.dedup_by(|a, b| a.0 == b.0);
    let labels = Pairs(strings.iter().map(|s| (format!("{s}-key"), s.to_string())).collect());
    check_program(&mut python, one_rule(labels, entries)).unwrap();
}

/// Numbers the checker lets through are written as the shortest text that
/// every parser reads back as the same number.
#[test]
fn pinned_numbers_read_back_identically() {
    let mut python = PyYaml::start();
    let floats = [
        0.1,
        100.0,
        1e16,
        1e23,
        1.2345678901234568e22,
        1e-7,
        5e-324,
        f64::MAX,
        -0.0,
        12.5,
    ];
    let mut entries: Vec<(String, Node)> = floats.iter().map(|f| (format!("f{f:e}"), Node::Float(*f))).collect();
    entries.extend([i64::MIN, i64::MAX, 0].map(|i| (format!("i{i}"), Node::Int(i))));
    check_program(&mut python, one_rule(Pairs::default(), entries)).unwrap();
}

/// A program of one DestinationRule `a` with these labels and a traffic
/// policy of these entries.
fn one_rule(labels: Pairs<String>, entries: Vec<(String, Node)>) -> Program {
    let rule = (
        Metadata {
            name: "a".into(),
            namespace: None,
            labels,
            annotations: Pairs::default(),
        },
        DestinationRuleSpec {
            host: "a".into(),
            traffic_policy: Some(Node::Object(entries)),
            subsets: vec![],
            export_to: vec![],
            workload_selector: None,
        },
    );
    Program {
        destination_rules: vec![rule],
        virtual_services: vec![],
        virtual_service_sites: vec![],
    }
}
