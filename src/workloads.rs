//! The Kubernetes workloads of a repository (Services, Deployments,
//! StatefulSets, DaemonSets, ReplicaSets, Jobs, Pods), and the checks Istio
//! and Kiali make only against a live cluster: routes to services that do
//! not exist, subsets whose labels select no pod, destination ports a
//! service does not expose.

use std::collections::HashMap;

use serde::Deserialize;
use serde_yaml::Value;

use crate::Analysis;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{StatementKind, TargetHost};

/// A Kubernetes Service.
#[derive(Clone, Debug, PartialEq)]
pub struct KubeService {
    /// Its name.
    pub name: String,
    /// Its namespace (`default` when the manifest has none).
    pub namespace: String,
    /// The pod labels it selects.
    pub selector: Vec<(String, String)>,
    /// The ports it exposes.
    pub ports: Vec<u32>,
    /// The file it was read from.
    pub file: String,
}

/// The labels of the pods a workload runs.
#[derive(Clone, Debug, PartialEq)]
pub struct PodTemplate {
    /// `Deployment/reviews-v1`.
    pub workload: String,
    /// Its namespace (`default` when the manifest has none).
    pub namespace: String,
    /// The pods' labels.
    pub labels: Vec<(String, String)>,
}

/// Everything read from the manifests.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Workloads {
    /// Services.
    pub services: Vec<KubeService>,
    /// Pod templates of workloads, and pods.
    pub pods: Vec<PodTemplate>,
}

/// Reads the workloads of YAML manifests, given as (file name, text).  A
/// file that is not YAML (a Helm template, say) or has a broken document
/// is skipped from that document on, with a warning (the second result):
/// the manifests of a repository are not all for meshc.
pub fn read(files: &[(String, String)]) -> (Workloads, Vec<String>) {
    let mut workloads = Workloads::default();
    let mut skipped = Vec::new();
    for (name, text) in files {
        for document in serde_yaml::Deserializer::from_str(text) {
            match Value::deserialize(document) {
                Ok(value) => add(&mut workloads, name, &value),
                Err(e) => {
                    skipped.push(match e.location() {
                        Some(at) => format!("{name}:{}:{}: {e}", at.line(), at.column()),
                        None => format!("{name}: {e}"),
                    });
                    break;
                }
            }
        }
    }
    (workloads, skipped)
}

fn string_pairs(value: &Value) -> Vec<(String, String)> {
    value
        .as_mapping()
        .map(|map| {
            map.iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), scalar(v)?)))
                .collect()
        })
        .unwrap_or_default()
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn add(workloads: &mut Workloads, file: &str, doc: &Value) {
    let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
    let metadata = doc.get("metadata");
    let name = metadata
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let namespace = metadata
        .and_then(|m| m.get("namespace"))
        .and_then(Value::as_str)
        .unwrap_or("default")
        .to_string();
    let spec = doc.get("spec");
    match kind {
        "Service" => workloads.services.push(KubeService {
            name,
            namespace,
            selector: spec
                .and_then(|s| s.get("selector"))
                .map(string_pairs)
                .unwrap_or_default(),
            ports: spec
                .and_then(|s| s.get("ports"))
                .and_then(Value::as_sequence)
                .map(|ports| {
                    ports
                        .iter()
                        .filter_map(|p| p.get("port").and_then(Value::as_u64))
                        .filter_map(|p| u32::try_from(p).ok())
                        .collect()
                })
                .unwrap_or_default(),
            file: file.to_string(),
        }),
        // `kind: List` (what `kubectl get -o yaml` writes) holds manifests.
        "List" => {
            for item in doc.get("items").and_then(Value::as_sequence).into_iter().flatten() {
                add(workloads, file, item);
            }
        }
        // Argo Rollouts' `Rollout` has a Deployment's pod template; a
        // CronJob's is one level down, in its Job template.
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "Rollout" | "CronJob" => {
            let spec = if kind == "CronJob" {
                spec.and_then(|s| s.get("jobTemplate")).and_then(|t| t.get("spec"))
            } else {
                spec
            };
            let labels = spec
                .and_then(|s| s.get("template"))
                .and_then(|t| t.get("metadata"))
                .and_then(|m| m.get("labels"))
                .map(string_pairs)
                .unwrap_or_default();
            workloads.pods.push(PodTemplate {
                workload: format!("{kind}/{name}"),
                namespace,
                labels,
            });
        }
        "Pod" => workloads.pods.push(PodTemplate {
            workload: format!("Pod/{name}"),
            namespace,
            labels: metadata
                .and_then(|m| m.get("labels"))
                .map(string_pairs)
                .unwrap_or_default(),
        }),
        _ => {}
    }
}

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
