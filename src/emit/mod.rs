//! Emitting: the checked program to Kubernetes YAML.
//!
//! All DestinationRules come first, in source order, then all
//! VirtualServices: applied as one stream, subsets exist before the routes
//! that use them.  Output is a pure function of the program, so the same
//! input always gives byte-identical YAML.

pub mod istio;
mod yaml;

pub use yaml::is_yaml11_ambiguous;

use crate::check::Program;
use istio::{Resource, Spec};

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
pub fn resources(program: &Program, api: ApiVersion) -> Vec<Resource> {
    let rules = program.destination_rules.iter().map(|(metadata, spec)| Resource {
        api_version: api.as_str().to_string(),
        kind: "DestinationRule",
        metadata: metadata.clone(),
        spec: Spec::DestinationRule(spec.clone()),
    });
    let services = program.virtual_services.iter().map(|(metadata, spec)| Resource {
        api_version: api.as_str().to_string(),
        kind: "VirtualService",
        metadata: metadata.clone(),
        spec: Spec::VirtualService(spec.clone()),
    });
    rules.chain(services).collect()
}

/// One resource as a YAML document (no `---`).
pub fn document(resource: &Resource) -> Result<String, String> {
    yaml::to_yaml(resource)
}

/// All resources as one multi-document YAML stream.
pub fn stream(resources: &[Resource]) -> Result<String, String> {
    let mut out = String::new();
    for resource in resources {
        out.push_str("---\n");
        out.push_str(&document(resource)?);
    }
    Ok(out)
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
