//! The model: the typed Istio resources a program stands for.
//!
//! [`check`](crate::check) builds it from the syntax trees, and
//! [`emit`](crate::emit) writes it as YAML; neither depends on the other.

pub mod defaults;
pub mod delegation;
pub mod istio;

use istio::{DestinationRuleSpec, Metadata, VirtualServiceSpec};

/// The checked program: the resources to emit, in emission order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Program {
    /// DestinationRules, in source order.
    pub destination_rules: Vec<(Metadata, DestinationRuleSpec)>,
    /// VirtualServices, in source order.
    pub virtual_services: Vec<(Metadata, VirtualServiceSpec)>,
    /// Where each VirtualService was written, index for index with
    /// `virtual_services`: the span of its service block (`meshc route`
    /// reads its routes' positions from there; emit ignores it).
    pub virtual_service_sites: Vec<crate::span::Span>,
}
