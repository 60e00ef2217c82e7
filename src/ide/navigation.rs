//! Go to definition, find references and rename, for services and subsets,
//! across all files of the program.

use crate::check::{ServiceId, is_dns1123_label};
use crate::span::{FileId, Span};
use crate::{Analysis, Sources};

use super::Edit;

/// A service or one of its subsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A service.
    Service(ServiceId),
    /// A subset of a service.
    Subset(ServiceId, String),
}

/// The name under byte `offset` of `file`: a definition or a use.
pub fn target_at(analysis: &Analysis, file: FileId, offset: usize) -> Option<(Target, Span)> {
    let symbols = &analysis.checked.symbols;
    for (id, service) in symbols.services.iter().enumerate() {
        if service.name_span.file == file && service.name_span.contains(offset) {
            return Some((Target::Service(id), service.name_span));
        }
        let subsets = service.subsets.iter().map(|s| (&s.name, s.name_span));
        let external = service.external_subsets.iter().map(|s| (&s.name, s.name_span));
        for (name, span) in subsets.chain(external) {
            if span.file == file && span.contains(offset) {
                return Some((Target::Subset(id, name.to_string()), span));
            }
        }
    }
    symbols
        .references
        .iter()
        .find(|r| r.span.file == file && r.span.contains(offset))
        .map(|r| {
            let target = match &r.subset {
                Some(name) => Target::Subset(r.service, name.to_string()),
                None => Target::Service(r.service),
            };
            (target, r.span)
        })
}

fn definition_of(analysis: &Analysis, target: &Target) -> Option<Span> {
    let services = &analysis.checked.symbols.services;
    match target {
        Target::Service(id) => services.get(*id).map(|s| s.name_span),
        Target::Subset(id, name) => services.get(*id).and_then(|s| {
            s.subset(name)
                .map(|s| s.name_span)
                .or_else(|| s.external_subset(name).map(|s| s.name_span))
        }),
    }
}

/// Where the name under the cursor is defined.
pub fn definition(analysis: &Analysis, file: FileId, offset: usize) -> Option<Span> {
    let (target, _) = target_at(analysis, file, offset)?;
    definition_of(analysis, &target)
}

/// Every place the name under the cursor is written: its definition first
/// when `include_declaration`, then its uses.
pub fn references(analysis: &Analysis, file: FileId, offset: usize, include_declaration: bool) -> Vec<Span> {
    let Some((target, _)) = target_at(analysis, file, offset) else {
        return Vec::new();
    };
    let mut spans: Vec<Span> = definition_of(analysis, &target)
        .filter(|_| include_declaration)
        .into_iter()
        .collect();
    spans.extend(uses(analysis, &target));
    spans
}

/// Where `target` is used.
fn uses<'a>(analysis: &'a Analysis, target: &'a Target) -> impl Iterator<Item = Span> + 'a {
    analysis.checked.symbols.references.iter().filter_map(move |r| {
        let same = match (target, &r.subset) {
            (Target::Service(id), None) => *id == r.service,
            (Target::Subset(id, name), Some(subset)) => *id == r.service && name == subset,
            _ => false,
        };
        same.then_some(r.span)
    })
}

/// The edits that rename the name under the cursor to `new_name`, or why
/// it cannot be renamed.  A rename never changes what the program means:
/// it is refused when any name would then resolve to something else (a
/// service renamed to the name of a subset that a bare `to NAME` would
/// then reach first, say).  The checker judges that, on the renamed
/// program.
pub fn rename(
    analysis: &Analysis,
    sources: &Sources,
    file: FileId,
    offset: usize,
    new_name: &str,
) -> Result<Vec<Edit>, String> {
    let (target, _) = target_at(analysis, file, offset).ok_or("there is no service or subset name here")?;
    let services = &analysis.checked.symbols.services;
    let old_name = match &target {
        Target::Service(id) => services.get(*id).map(|s| s.name.to_string()),
        Target::Subset(_, name) => Some(name.clone()),
    }
    .unwrap_or_default();
    if new_name == old_name {
        return Ok(Vec::new());
    }
    if !is_dns1123_label(new_name) {
        return Err(format!(
            "`{new_name}` is not a valid name: use lower-case letters, digits and `-` (at most 63)"
        ));
    }
    let taken = match &target {
        Target::Service(_) => services.iter().any(|s| s.name == new_name),
        Target::Subset(id, _) => services.get(*id).is_some_and(|s| s.has_subset(new_name)),
    };
    if taken {
        return Err(format!("`{new_name}` already exists"));
    }
    let edits: Vec<Edit> = references(analysis, file, offset, true)
        .into_iter()
        .map(|span| Edit {
            span,
            text: new_name.to_string(),
        })
        .collect();
    same_meaning_after(analysis, sources, &edits, &target, new_name)?;
    Ok(edits)
}

/// Checks the program with `edits` applied and compares what every name
/// resolves to, in order, with what it resolved to before, the renamed
/// symbol read under its new name.
fn same_meaning_after(
    analysis: &Analysis,
    sources: &Sources,
    edits: &[Edit],
    target: &Target,
    new_name: &str,
) -> Result<(), String> {
    let mut renamed = Sources::default();
    for (id, file) in sources.iter() {
        let mut text = file.text.to_string();
        let mut here: Vec<&Edit> = edits.iter().filter(|e| e.span.file == id).collect();
        // From the back, so earlier offsets stay valid.
        here.sort_by_key(|e| std::cmp::Reverse(e.span.start));
        for edit in here {
            if text.get(edit.span.range()).is_none() {
                return Err("the program changed; try again".into());
            }
            text.replace_range(edit.span.range(), &edit.text);
        }
        renamed.add(file.name.clone(), text);
    }
    let after = crate::analyze(&renamed);
    let meaning = |analysis: &Analysis, rename: Option<(&Target, &str)>| -> Vec<(Span, String)> {
        let services = &analysis.checked.symbols.services;
        let mut resolved: Vec<(Span, String)> = analysis
            .checked
            .symbols
            .references
            .iter()
            .map(|r| {
                let mut service = services.get(r.service).map(|s| s.name.to_string()).unwrap_or_default();
                let mut subset = r.subset.as_ref().map(|s| s.to_string());
                match rename {
                    Some((Target::Service(id), new)) if *id == r.service => service = new.to_string(),
                    Some((Target::Subset(id, old), new)) if *id == r.service && subset.as_deref() == Some(old) => {
                        subset = Some(new.to_string());
                    }
                    _ => {}
                }
                let meaning = match subset {
                    Some(subset) => format!("subset `{subset}` of service `{service}`"),
                    None => format!("service `{service}`"),
                };
                (r.span, meaning)
            })
            .collect();
        resolved.sort_by_key(|(span, _)| (span.file, span.start));
        resolved
    };
    let before = meaning(analysis, Some((target, new_name)));
    let before_as_written = meaning(analysis, None);
    let after_meaning = meaning(&after, None);
    for (((span, expected), (_, was)), (_, now)) in before.iter().zip(&before_as_written).zip(&after_meaning) {
        if expected != now {
            let position = sources
                .get(span.file)
                .map(|f| {
                    let at = f
                        .lines
                        .position(&f.text, span.start as usize, crate::span::Encoding::Utf32);
                    format!("{}:{}:{}", f.name, at.line + 1, at.col + 1)
                })
                .unwrap_or_default();
            return Err(format!(
                "renaming to `{new_name}` would change what the program means: `{}` at {position} would name {now} instead of {was}",
                sources.slice(*span),
            ));
        }
    }
    let errors = |a: &Analysis| a.diagnostics.iter().filter(|d| d.is_error()).count();
    if before.len() != after_meaning.len() || errors(&after) > errors(analysis) {
        return Err(format!(
            "renaming to `{new_name}` would change what the program means: some names would no longer resolve"
        ));
    }
    Ok(())
}
