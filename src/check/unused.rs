//! Hints about what the program defines but never uses: a subset that no
//! route of the program sends traffic to.  Its pods still get the
//! subset's policy, so it is no error; editors show it faintly (N0002).

use foldhash::HashSet;

use super::{Reference, ServiceInfo};
use crate::diag::{Code, Diagnostic};

/// An N0002 hint for each subset defined here that no reference names.
pub(super) fn unused_subsets(services: &[ServiceInfo], references: &[Reference]) -> Vec<Diagnostic> {
    // foldhash, as the checker's other maps: the language server builds
    // this set at every keystroke.
    let used: HashSet<(usize, &str)> = references
        .iter()
        .filter_map(|r| r.subset.as_deref().map(|s| (r.service, s)))
        .collect();
    let mut hints = Vec::new();
    for (id, service) in services.iter().enumerate() {
        for subset in service.subsets.iter() {
            if !used.contains(&(id, subset.name.as_str())) {
                hints.push(
                    Diagnostic::hint(
                        Code::N0002,
                        subset.name_span,
                        format!("subset `{}` is not used by any route of this program", subset.name),
                    )
                    .with_label("no route sends traffic here")
                    .with_help(format!(
                        "route to it (`to {}/{}`), or remove it if no DestinationRule outside needs it",
                        service.name, subset.name
                    )),
                );
            }
        }
    }
    hints
}
