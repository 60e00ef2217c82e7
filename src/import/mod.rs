//! `meshc import`: existing DestinationRule and VirtualService manifests to
//! `.mesh` source.
//!
//! The importer reads manifests with positions ([`yaml`]), groups the
//! resources of one host into one service (`plan`), writes each service
//! in the canonical layout (`write`), and then checks what it wrote with
//! the compiler itself: whatever Istio accepted but meshc refuses (a route
//! to an undefined subset, weights that do not add up, an unreachable
//! route) is written as it was, so `meshc build` shows it too, and reported
//! here at the line of the manifest it came from.

mod layout;
mod literals;
mod plan;
mod write;
pub mod yaml;

use crate::diag::{Code, Diagnostic, Label};
use crate::span::{Sources, Span};

/// One `.mesh` file written by the importer: the services of one namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedFile {
    /// The namespace of its resources, if they have one.
    pub namespace: Option<String>,
    /// The name it is reported under (`NAMESPACE.mesh`, or the name chosen
    /// by the caller).
    pub name: String,
    /// The source text, formatted as `meshc fmt` would.
    pub text: String,
}

/// The result of an import.
#[derive(Clone, Debug, Default)]
pub struct Imported {
    /// The files, one per namespace; none when the YAML is malformed.
    pub files: Vec<ImportedFile>,
    /// Problems and notes, located in the YAML files.
    pub diagnostics: Vec<Diagnostic>,
}

impl Imported {
    /// Whether nothing may be written: some YAML could not be read, or an
    /// imported resource gives a key twice.
    pub fn is_unreadable(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| matches!(d.code, Code::E0601 | Code::E0602))
    }
}

/// The default name of the file for `namespace`.
pub fn file_name(namespace: Option<&str>) -> String {
    format!("{}.mesh", namespace.unwrap_or("traffic"))
}

/// What a run of the importer is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    /// `meshc import`: the program is written.
    Import,
    /// `meshc check` on manifests: only the diagnostics count.
    Check,
}

/// Imports the YAML files of `sources`.  `name_of` names the written file
/// of each namespace (used in notes that point into it).
pub fn import(sources: &Sources, name_of: &dyn Fn(Option<&str>) -> String) -> Imported {
    run(sources, name_of, Purpose::Import, &|_| ())
}

/// `meshc check` on Istio manifests, without converting anything on disk:
/// the manifests are imported in memory, and every check of the compiler
/// (and `also`, such as the workload checks, on the analysis) runs on the
/// program they make; each diagnostic points at the YAML that produced the
/// construct.  Documents of other kinds are passed over without a note,
/// and a field meshc cannot read is reported as not checked.
pub fn check(sources: &Sources, also: &dyn Fn(&mut crate::Analysis)) -> Vec<Diagnostic> {
    let imported = run(sources, &|ns| file_name(ns), Purpose::Check, also);
    imported
        .diagnostics
        .into_iter()
        .filter(|d| d.code != Code::N0001)
        .map(|mut d| {
            if d.code == Code::W0005 {
                d.message = d.message.replace(" is not imported: ", " is not checked: ");
                d.notes = vec!["meshc checks the rest of the resource without it".to_string()];
                d.help =
                    Some("if it is a misspelt field, correct it; otherwise this is a field meshc cannot check".into());
            }
            d
        })
        .collect()
}

/// The importer, for `purpose`.
fn run(
    sources: &Sources,
    name_of: &dyn Fn(Option<&str>) -> String,
    purpose: Purpose,
    also: &dyn Fn(&mut crate::Analysis),
) -> Imported {
    let mut documents = Vec::new();
    let mut diagnostics = Vec::new();
    let mut findings = Vec::new();
    for (id, file) in sources.iter() {
        match yaml::documents(id, &file.text) {
            Ok(stream) => {
                documents.extend(stream.documents);
                findings.extend(stream.findings);
            }
            Err(diag) => diagnostics.push(*diag),
        }
    }
    if !diagnostics.is_empty() {
        return Imported {
            files: Vec::new(),
            diagnostics,
        };
    }
    let plan = plan::plan(&documents, &mut diagnostics);
    // What the YAML reader found is reported in the resources imported;
    // a ConfigMap beside them is kubectl's business (and kubectl, too,
    // keeps the last of two keys).
    let imported: Vec<Span> = plan
        .services
        .iter()
        .flat_map(|s| s.rule.iter().chain(s.routes.iter()))
        .map(|r| r.doc.span)
        .collect();
    findings.retain(|f| {
        let at = f.primary.span;
        imported
            .iter()
            .any(|doc| doc.file == at.file && doc.start <= at.start && at.end <= doc.end)
    });
    // Nothing is written past a duplicate key, so only errors are told.
    if findings.iter().any(Diagnostic::is_error) {
        diagnostics.retain(Diagnostic::is_error);
        diagnostics.extend(findings.into_iter().filter(Diagnostic::is_error));
        crate::diag::sort(&mut diagnostics);
        return Imported {
            files: Vec::new(),
            diagnostics,
        };
    }
    diagnostics.extend(findings);
    let mut written = write::write(&plan, &mut diagnostics);
    let mut taken = std::collections::HashSet::new();
    for file in &mut written {
        // `traffic.mesh` (no namespace) and a namespace `traffic` would
        // share a name.
        let name = name_of(file.namespace.as_deref());
        let mut unique = name.clone();
        let mut n = 2;
        while !taken.insert(unique.clone()) {
            unique = match name.strip_suffix(".mesh") {
                Some(stem) => format!("{stem}-{n}.mesh"),
                None => format!("{name}-{n}"),
            };
            n += 1;
        }
        file.name = unique;
    }
    diagnostics.extend(recheck(&written, purpose, also));
    crate::diag::sort(&mut diagnostics);
    Imported {
        files: written.into_iter().map(|w| w.file).collect(),
        diagnostics,
    }
}

/// A written file with the origin of its pieces: `(range in the text,
/// place in the YAML)`.
struct Written {
    file: ImportedFile,
    origins: Vec<(std::ops::Range<usize>, Span)>,
}

impl std::ops::Deref for Written {
    type Target = ImportedFile;
    fn deref(&self) -> &ImportedFile {
        &self.file
    }
}

impl std::ops::DerefMut for Written {
    fn deref_mut(&mut self) -> &mut ImportedFile {
        &mut self.file
    }
}

/// Checks the written program and reports its diagnostics at the YAML they
/// came from.
fn recheck(written: &[Written], purpose: Purpose, also: &dyn Fn(&mut crate::Analysis)) -> Vec<Diagnostic> {
    let mut mesh = Sources::default();
    for file in written {
        mesh.add(file.name.clone(), file.text.clone());
    }
    let mut analysis = crate::analyze(&mesh);
    also(&mut analysis);
    analysis
        .diagnostics
        .into_iter()
        .filter_map(|diag| {
            let file = written.get(diag.primary.span.file as usize)?;
            // Every line has an origin; the first one stands in should a
            // diagnostic fall between them.
            let at = origin(file, diag.primary.span).or_else(|| file.origins.first().map(|(_, at)| *at))?;
            let source = mesh.get(diag.primary.span.file)?;
            let line = source.lines.line_of(diag.primary.span.start as usize);
            let text = source.text.lines().nth(line).unwrap_or("").trim();
            let mut notes = diag.notes;
            notes.push(match purpose {
                Purpose::Import => format!("written to {}:{} as `{text}`", file.name, line + 1),
                // The diagnostic's words are the language's: say what it
                // calls this YAML.
                Purpose::Check => format!("in .mesh, this YAML reads `{text}`"),
            });
            let secondary = diag
                .secondary
                .into_iter()
                .filter(|l| l.span.file == diag.primary.span.file)
                .filter_map(|l| {
                    Some(Label {
                        span: origin(file, l.span)?,
                        message: l.message,
                    })
                })
                .collect();
            Some(Diagnostic {
                primary: Label {
                    span: at,
                    message: diag.primary.message,
                },
                secondary,
                notes,
                fixes: Vec::new(),
                ..diag
            })
        })
        .collect()
}

/// The YAML place of the smallest written piece that holds `span`.
fn origin(file: &Written, span: Span) -> Option<Span> {
    let at = span.start as usize;
    file.origins
        .iter()
        .filter(|(range, _)| range.start <= at && at < range.end.max(range.start + 1))
        .min_by_key(|(range, _)| range.len())
        .map(|(_, yaml)| *yaml)
}

/// A note that a document was left out.
fn skipped(span: Span, what: &str) -> Diagnostic {
    Diagnostic::note(
        Code::N0001,
        span,
        format!("skipped {what}: not a DestinationRule or VirtualService"),
    )
}
