//! The Kubernetes workloads of a repository (Services, Deployments,
//! StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs, Argo Rollouts,
//! Pods), read from manifests for `meshc check --workloads`.  What the
//! program is checked for against them is in `check::workloads`.

use serde::Deserialize;
use serde_yaml::Value;

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
