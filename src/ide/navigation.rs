//! Go to definition, find references and rename, for services and subsets,
//! across all files of the program.

use crate::Analysis;
use crate::check::{ServiceId, is_dns1123_label};
use crate::span::{FileId, Span};

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
        for subset in &service.subsets {
            if subset.name_span.file == file && subset.name_span.contains(offset) {
                return Some((Target::Subset(id, subset.name.to_string()), subset.name_span));
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
        Target::Subset(id, name) => services.get(*id).and_then(|s| s.subset(name)).map(|s| s.name_span),
    }
}

/// Where the name under the cursor is defined.
pub fn definition(analysis: &Analysis, file: FileId, offset: usize) -> Option<Span> {
    let (target, _) = target_at(analysis, file, offset)?;
    definition_of(analysis, &target)
}

/// Every place the name under the cursor is written, its definition first.
pub fn references(analysis: &Analysis, file: FileId, offset: usize) -> Vec<Span> {
    let Some((target, _)) = target_at(analysis, file, offset) else {
        return Vec::new();
    };
    let mut spans: Vec<Span> = definition_of(analysis, &target).into_iter().collect();
    spans.extend(analysis.checked.symbols.references.iter().filter_map(|r| {
        let same = match (&target, &r.subset) {
            (Target::Service(id), None) => *id == r.service,
            (Target::Subset(id, name), Some(subset)) => *id == r.service && name == subset,
            _ => false,
        };
        same.then_some(r.span)
    }));
    spans
}

/// The edits that rename the name under the cursor to `new_name`, or why
/// it cannot be renamed.
pub fn rename(analysis: &Analysis, file: FileId, offset: usize, new_name: &str) -> Result<Vec<Edit>, String> {
    let (target, _) = target_at(analysis, file, offset).ok_or("there is no service or subset name here")?;
    if !is_dns1123_label(new_name) {
        return Err(format!(
            "`{new_name}` is not a valid name: use lower-case letters, digits and `-` (at most 63)"
        ));
    }
    let services = &analysis.checked.symbols.services;
    let taken = match &target {
        Target::Service(_) => services.iter().any(|s| s.name == new_name),
        Target::Subset(id, _) => services.get(*id).is_some_and(|s| s.has_subset(new_name)),
    };
    if taken {
        return Err(format!("`{new_name}` already exists"));
    }
    Ok(references(analysis, file, offset)
        .into_iter()
        .map(|span| Edit {
            span,
            text: new_name.to_string(),
        })
        .collect())
}
