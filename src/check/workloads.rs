//! The checks Istio and Kiali make only against a live cluster, made
//! against the Kubernetes manifests of a repository
//! ([`crate::workloads`]): routes to services that do not exist (E0501),
//! subsets whose labels select no pod (E0502), destination ports a service
//! does not expose (E0503).

use std::collections::HashMap;

use crate::Analysis;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{StatementKind, TargetHost};
use crate::workloads::{KubeService, PodTemplate, Workloads};

fn selects<K: AsRef<str>, V: AsRef<str>>(selector: &[(K, V)], labels: &[(String, String)]) -> bool {
    selector
        .iter()
        .all(|(key, value)| labels.iter().any(|(k, v)| k == key.as_ref() && v == value.as_ref()))
}

/// Adds the problems [`check`] finds to the analysis's diagnostics.
pub fn check_into(analysis: &mut Analysis, workloads: &Workloads) {
    let found = check(analysis, workloads);
    analysis.diagnostics.extend(found);
    crate::diag::sort(&mut analysis.diagnostics);
}

/// Checks the analysed program against the workloads: every referenced
/// service exists, every subset selects a pod of its service, every
/// destination port is one the service exposes.
pub fn check(analysis: &Analysis, workloads: &Workloads) -> Vec<Diagnostic> {
    let symbols = &analysis.checked.symbols;
    let by_key: HashMap<(&str, &str), &KubeService> = workloads
        .services
        .iter()
        .map(|s| ((s.name.as_str(), s.namespace.as_str()), s))
        .collect();
    // Only services whose host is in the cluster are looked up (a service
    // with an explicit outside host is not a Kubernetes Service).
    let in_cluster: Vec<bool> = symbols
        .services
        .iter()
        .map(|s| {
            let namespace = s.namespace.as_deref().unwrap_or("default");
            s.host == s.name || s.host == crate::hosts::qualify(&s.name, Some(namespace))
        })
        .collect();
    // The Kubernetes Service of each mesh service, when there is one.
    let kube: Vec<Option<&KubeService>> = symbols
        .services
        .iter()
        .zip(&in_cluster)
        .map(|(s, &inside)| {
            let namespace = s.namespace.as_deref().unwrap_or("default");
            inside
                .then(|| by_key.get(&(s.name.as_str(), namespace)).copied())
                .flatten()
        })
        .collect();
    let missing = |id: usize| in_cluster.get(id) == Some(&true) && kube.get(id).copied().flatten().is_none();
    let not_found = |service: &crate::check::ServiceInfo, span| {
        Diagnostic::error(
            Code::E0501,
            span,
            format!("service `{}` does not exist in the workloads", service.name),
        )
        .with_label("no Kubernetes Service with this name")
        .with_note(format!(
            "looked for a Service named `{}` in namespace `{}`",
            service.name,
            service.namespace.as_deref().unwrap_or("default")
        ))
        .with_help("add the Service manifest to the workloads directory, or route to a service that exists")
    };
    let mut out = Vec::new();
    // Routes that name a missing service...
    for reference in symbols
        .references
        .iter()
        .filter(|r| r.subset.is_none() && missing(r.service))
    {
        if let Some(service) = symbols.services.get(reference.service) {
            out.push(not_found(service, reference.span));
        }
    }
    // ...and missing services whose subsets are routed to.
    let routed: std::collections::HashSet<usize> = symbols
        .references
        .iter()
        .filter(|r| r.subset.is_some())
        .map(|r| r.service)
        .collect();
    for id in routed.into_iter().filter(|&id| missing(id)) {
        if let Some(service) = symbols.services.get(id) {
            out.push(not_found(service, service.name_span));
        }
    }
    for (id, service) in symbols.services.iter().enumerate() {
        let Some(kube_service) = kube.get(id).copied().flatten() else {
            continue;
        };
        let pods: Vec<&PodTemplate> = workloads
            .pods
            .iter()
            .filter(|p| p.namespace == kube_service.namespace && selects(&kube_service.selector, &p.labels))
            .collect();
        for subset in &service.subsets {
            if !pods.iter().any(|p| selects(&subset.labels, &p.labels)) {
                let labels: Vec<String> = subset.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                out.push(
                    Diagnostic::error(
                        Code::E0502,
                        subset.name_span,
                        format!("subset `{}` selects no pod of service `{}`", subset.name, service.name),
                    )
                    .with_label(format!("no pod has {}", labels.join(", ")))
                    .with_note(format!(
                        "the pods of Service `{}` ({}) are: {}",
                        kube_service.name,
                        kube_service.file,
                        if pods.is_empty() {
                            "none".to_string()
                        } else {
                            pods.iter().map(|p| p.workload.as_str()).collect::<Vec<_>>().join(", ")
                        }
                    ))
                    .with_help("fix the subset's labels, or add the workload that carries them"),
                );
            }
        }
    }
    out.extend(port_problems(analysis, &kube));
    out
}

/// Destination ports (`to svc:9080`) the service does not expose.
fn port_problems(analysis: &Analysis, kube: &[Option<&KubeService>]) -> Vec<Diagnostic> {
    let references = &analysis.checked.symbols.references;
    let mut out = Vec::new();
    for file in &analysis.files {
        for service in &file.services {
            for statement in service.routes.iter().flat_map(|r| &r.statements) {
                let targets: Vec<&crate::syntax::ast::Target> = match &statement.kind {
                    StatementKind::To(destinations) => destinations.iter().map(|d| &d.target).collect(),
                    StatementKind::Mirror { target, .. } => vec![target],
                    _ => continue,
                };
                for target in targets {
                    let Some((port_text, port_span)) = target.port.as_deref() else {
                        continue;
                    };
                    let name_span = match &target.host {
                        TargetHost::Name(name) => name.span,
                        TargetHost::Qualified { service, .. } => service.span,
                        TargetHost::External(..) => continue,
                    };
                    let Some(reference) = references.iter().find(|r| r.span == name_span) else {
                        continue;
                    };
                    let Some(kube_service) = kube.get(reference.service).copied().flatten() else {
                        continue;
                    };
                    let Ok(port) = port_text.parse::<u32>() else { continue };
                    if !kube_service.ports.contains(&port) {
                        let exposed: Vec<String> = kube_service.ports.iter().map(u32::to_string).collect();
                        out.push(
                            Diagnostic::error(
                                Code::E0503,
                                *port_span,
                                format!("Service `{}` does not expose port {port}", kube_service.name),
                            )
                            .with_label("not a port of the Service")
                            .with_note(format!("its ports ({}): {}", kube_service.file, exposed.join(", ")))
                            .with_help("route to one of the Service's ports"),
                        );
                    }
                }
            }
        }
    }
    out
}
