//! Emitting: the checked program to Kubernetes YAML.
//!
//! All DestinationRules come first, in source order, then all
//! VirtualServices: applied as one stream, subsets exist before the routes
//! that use them.  Output is a pure function of the program, so the same
//! input always gives byte-identical YAML.

mod yaml;

pub use yaml::is_yaml11_ambiguous;

use crate::model::Program;
use crate::model::istio::{Resource, Spec};

/// The `networking.istio.io` API version to write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ApiVersion {
    /// `networking.istio.io/v1` (Istio 1.22 and later).
    #[default]
    V1,
    /// `networking.istio.io/v1beta1`.
    V1beta1,
    /// `networking.istio.io/v1alpha3`.
    V1alpha3,
}

impl ApiVersion {
    /// The full `apiVersion` value.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1 => "networking.istio.io/v1",
            ApiVersion::V1beta1 => "networking.istio.io/v1beta1",
            ApiVersion::V1alpha3 => "networking.istio.io/v1alpha3",
        }
    }
}

/// The program's resources in emission order.
pub fn resources(program: Program, api: ApiVersion) -> Vec<Resource> {
    let rules = program.destination_rules.into_iter().map(|(metadata, spec)| Resource {
        api_version: api.as_str(),
        kind: "DestinationRule",
        metadata,
        spec: Spec::DestinationRule(spec),
    });
    let services = program.virtual_services.into_iter().map(|(metadata, spec)| Resource {
        api_version: api.as_str(),
        kind: "VirtualService",
        metadata,
        spec: Spec::VirtualService(spec),
    });
    rules.chain(services).collect()
}

/// One resource as a YAML document (no `---`).
fn document(resource: &Resource) -> Result<String, String> {
    yaml::to_yaml(resource).map_err(|e| e.to_string())
}

/// One resource written as YAML, and the file it goes to with `-o DIR/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// [`file_name`] of the resource.
    pub file_name: String,
    /// The YAML document, without the `---` line.
    pub yaml: String,
}

/// The documents of a part of a program, by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Documents {
    /// DestinationRules, in source order.
    pub rules: Vec<Document>,
    /// VirtualServices, in source order.
    pub services: Vec<Document>,
}

/// Writes the resources of (a part of) a program as YAML documents.
pub fn documents(program: Program, api: ApiVersion) -> Result<Documents, String> {
    let mut out = Documents::default();
    let rule_count = program.destination_rules.len();
    for (i, resource) in resources(program, api).into_iter().enumerate() {
        let mut yaml = document(&resource)?;
        // Kept until the whole program is written: no spare capacity.
        yaml.shrink_to_fit();
        let document = Document {
            file_name: file_name(&resource),
            yaml,
        };
        if i < rule_count {
            out.rules.push(document);
        } else {
            out.services.push(document);
        }
    }
    Ok(out)
}

/// The documents of the parts of a program in emission order: every
/// DestinationRule, then every VirtualService.
pub fn join(parts: Vec<Documents>) -> Vec<Document> {
    let mut services = Vec::new();
    let mut all = Vec::new();
    for part in parts {
        all.extend(part.rules);
        services.extend(part.services);
    }
    all.extend(services);
    all
}

/// Writes documents as one multi-document YAML stream.
pub fn write_documents(documents: &[Document], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    for document in documents {
        out.write_all(b"---\n")?;
        out.write_all(document.yaml.as_bytes())?;
    }
    Ok(())
}

/// The file name of a resource in `-o DIR/` mode:
/// `[NAMESPACE.]KIND-NAME.yaml` with the kind in lower case.
pub fn file_name(resource: &Resource) -> String {
    let kind = resource.kind.to_ascii_lowercase();
    match &resource.metadata.namespace {
        Some(ns) => format!("{ns}.{kind}-{}.yaml", resource.metadata.name),
        None => format!("{kind}-{}.yaml", resource.metadata.name),
    }
}
