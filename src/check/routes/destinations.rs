//! Destinations and weights: `to` lists (and every other name of a service
//! or subset in a route) resolved to hosts and subsets, with weights that
//! sum to 100.

use crate::check::{Checker, Reference, ServiceId};
use crate::diag::{Code, Diagnostic};
use crate::model::istio::*;
use crate::span::Span;
use crate::suggest::closest;
use crate::syntax::ast::{self, Value, ValueKind};

impl Checker<'_> {
    /// `to` destinations with their weights, checked for the 100% rule.
    pub(super) fn destinations(
        &mut self,
        service: ServiceId,
        list: &[ast::Destination],
        statement: Span,
    ) -> Vec<(Destination, Option<i64>)> {
        let resolved: Vec<Option<Destination>> = list.iter().map(|d| self.destination(service, &d.target)).collect();
        let weights: Vec<Option<i64>> = list
            .iter()
            .map(|d| d.weight.as_ref().and_then(|w| self.weight(w)))
            .collect();
        if let [single] = list {
            if let (Some(weight_value), Some(Some(weight))) = (&single.weight, weights.first())
                && *weight < 100
            {
                self.diagnostics.push(
                    Diagnostic::warning(
                        Code::W0002,
                        weight_value.span,
                        format!("the weight {weight}% is ignored"),
                    )
                    .with_label("ignored")
                    .with_note("a route with one destination sends it all of its traffic")
                    .with_help("remove the weight, or add the destination that should get the rest")
                    .with_fix(
                        "Remove the weight",
                        Span {
                            start: single.target.span.end,
                            ..weight_value.span
                        },
                        "",
                    ),
                );
            }
            return resolved
                .into_iter()
                .flatten()
                .map(|destination| (destination, None))
                .collect();
        }
        let mut complete = true;
        for destination in list {
            if destination.weight.is_none() {
                complete = false;
                self.diagnostics.push(
                    Diagnostic::error(Code::E0402, destination.span, "this destination has no weight")
                        .with_label("needs a weight such as `50%`")
                        .with_secondary(statement, "a split over several destinations")
                        .with_help("give every destination of a split a weight; the weights sum to 100%"),
                );
            }
        }
        if complete && weights.iter().all(Option::is_some) {
            let sum: i64 = weights.iter().flatten().sum();
            if sum != 100 {
                self.weight_sum_error(list, &weights, sum);
            }
        }
        resolved
            .into_iter()
            .zip(weights)
            .filter_map(|(destination, weight)| destination.map(|d| (d, weight)))
            .collect()
    }

    fn weight_sum_error(&mut self, list: &[ast::Destination], weights: &[Option<i64>], sum: i64) {
        let spans: Vec<Span> = list.iter().filter_map(|d| d.weight.as_ref().map(|w| w.span)).collect();
        let (Some(first), Some(last)) = (spans.first(), spans.last()) else {
            return;
        };
        let all = first.to(*last);
        let difference = 100 - sum;
        let mut diag = Diagnostic::error(Code::E0401, all, format!("the weights sum to {sum}%, not 100%"))
            .with_label(format!("these weights sum to {sum}%"))
            .with_note("Istio itself treats weights as relative shares, so this split would silently become something other than what it reads; meshc requires exactly 100%");
        for span in spans.iter().skip(1).take(spans.len().saturating_sub(2)) {
            diag = diag.with_secondary(*span, "");
        }
        // Suggest moving the difference onto the last weight when that stays valid.
        let adjusted = weights.last().copied().flatten().map(|w| w + difference);
        match adjusted {
            Some(new_last) if (0..=100).contains(&new_last) => {
                let verb = if difference > 0 { "add" } else { "remove" };
                diag = diag
                    .with_help(format!(
                        "{verb} {}% so they sum to 100%, e.g. make the last weight {new_last}%",
                        difference.abs()
                    ))
                    .with_fix(
                        format!("Make the last weight {new_last}%"),
                        *last,
                        format!("{new_last}%"),
                    );
            }
            _ => diag = diag.with_help("change the weights so that they sum to 100%"),
        }
        self.diagnostics.push(diag);
    }

    /// A weight: a whole percentage from 0% to 100%.
    fn weight(&mut self, value: &Value) -> Option<i64> {
        match value.kind {
            // A percentage no float keeps, reported when lowering.
            ValueKind::Percent(p) if p.is_nan() => None,
            ValueKind::Percent(p) if p.fract() == 0.0 && (0.0..=100.0).contains(&p) => Some(p as i64),
            ValueKind::Percent(p) if p.fract() != 0.0 => {
                self.diagnostics.push(
                    Diagnostic::error(Code::E0301, value.span, "a weight must be a whole percentage")
                        .with_label("not a whole number")
                        .with_help(format!("Istio weights are integers; use {}%", p.round())),
                );
                None
            }
            ValueKind::Percent(_) => {
                self.out_of_range(value, "0%..100%");
                None
            }
            ValueKind::Number(ref n) => {
                let text = n.clone();
                self.diagnostics.push(
                    Diagnostic::error(Code::E0301, value.span, "a weight needs a `%` sign")
                        .with_label("expected a percentage")
                        .with_help(format!("write `{text}%`"))
                        .with_fix(format!("Write `{text}%`"), value.span, format!("{text}%")),
                );
                None
            }
            _ => {
                self.type_error(value, "a percentage", "a weight such as 50%");
                None
            }
        }
    }

    /// Resolves a destination: a subset of this service, another service,
    /// `service/subset`, or an external host.
    pub(super) fn destination(&mut self, service: ServiceId, target: &ast::Target) -> Option<Destination> {
        let port = match target.port.as_deref() {
            Some((text, span)) => {
                let value = Value {
                    kind: ValueKind::Number(text.clone()),
                    span: *span,
                };
                Some(PortSelector {
                    number: self.port(&value)?,
                })
            }
            None => None,
        };
        let (host, subset) = match &target.host {
            ast::TargetHost::Name(name) => {
                let own = self.table.services.get(service)?;
                if own.has_subset(&name.name) {
                    self.references.push(Reference {
                        span: name.span,
                        service,
                        subset: Some(name.name.clone()),
                    });
                    (own.host.clone(), Some(name.name.to_string()))
                } else if let Some(other) = self.lookup(&name.name) {
                    self.references.push(Reference {
                        span: name.span,
                        service: other,
                        subset: None,
                    });
                    (self.host_from(service, other, name.span)?, None)
                } else {
                    self.unknown_target(service, name);
                    return None;
                }
            }
            ast::TargetHost::Qualified { service: svc, subset } => {
                let Some(other) = self.lookup(&svc.name) else {
                    self.unknown_service(svc);
                    return None;
                };
                self.references.push(Reference {
                    span: svc.span,
                    service: other,
                    subset: None,
                });
                let info = self.table.services.get(other)?;
                if !info.has_subset(&subset.name) {
                    self.unknown_subset(other, subset);
                    return None;
                }
                self.references.push(Reference {
                    span: subset.span,
                    service: other,
                    subset: Some(subset.name.clone()),
                });
                (self.host_from(service, other, svc.span)?, Some(subset.name.to_string()))
            }
            ast::TargetHost::External(host, span) => {
                let value = Value {
                    kind: ValueKind::String(host.clone()),
                    span: *span,
                };
                if !self.exact_host(host, &value, "a destination") {
                    return None;
                }
                (host.to_string(), None)
            }
        };
        // V.go `validateDestination`: "wildcard is not allowed in the
        // destination host"; meshc refuses `*.x` as well.
        if host.contains('*') && !matches!(target.host, ast::TargetHost::External(..)) {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0409,
                    target.span,
                    format!("`{host}` is a wildcard host, not a destination"),
                )
                .with_label("routes to a wildcard host")
                .with_note("Istio cannot send requests to a wildcard host")
                .with_help(
                    "route to a service with a named host, or write the destination host, such as \"api.example.com\"",
                ),
            );
            return None;
        }
        Some(Destination { host, subset, port })
    }

    /// The host that service `from` writes for service `to`, so that Istio
    /// resolves it to `to` in `from`'s namespace (see [`crate::hosts`]).
    fn host_from(&mut self, from: ServiceId, to: ServiceId, span: Span) -> Option<String> {
        let services = &self.table.services;
        let (source, target) = (services.get(from)?, services.get(to)?);
        let written = crate::hosts::reference(&target.host, target.namespace.as_deref(), source.namespace.as_deref());
        if written.is_none() {
            let namespace = source.namespace.as_deref().unwrap_or_default();
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0213,
                    span,
                    format!("the host `{}` of service `{}` has no namespace", target.host, target.name),
                )
                .with_label(format!("Istio would read `{}` here as `{}`", target.host, crate::hosts::qualify(&target.host, Some(namespace))))
                .with_secondary(target.name_span, "defined in a file without a namespace")
                .with_note("a short host names a different service in each namespace; Istio resolves it in the namespace of the VirtualService that uses it")
                .with_help(format!(
                    "add `namespace {namespace}` (or its own namespace) to the file of `{}`, or give it a fully qualified host such as `host \"{}\"`",
                    target.name,
                    crate::hosts::qualify(&target.host, Some(namespace))
                )),
            );
        }
        written
    }

    /// A bare name that is neither a subset of this service nor a service.
    fn unknown_target(&mut self, service: ServiceId, name: &ast::Ident) {
        let has_subsets = self.table.services.get(service).is_some_and(|s| !s.subsets.is_empty());
        if has_subsets {
            self.unknown_subset(service, name);
            return;
        }
        self.unknown_service(name);
        // The usual first step of porting a VirtualService: `to v2` before
        // the service has subsets.  Offer the subset too.
        let Some(info) = self
            .table
            .services
            .get(service)
            .filter(|s| s.kind == ast::ServiceKind::Service)
        else {
            return;
        };
        let fix = info.new_subset(&name.name);
        if let Some(diag) = self.diagnostics.last_mut() {
            diag.notes.push(format!(
                "if `{}` is meant as a subset of `{}`, define it with `subset {} {{ ... }}`, or declare it with `external_subsets {}` when a DestinationRule outside this program defines it",
                name.name, info.name, name.name, name.name
            ));
            if let Some((at, text)) = fix {
                diag.fixes.push(crate::diag::Fix {
                    title: format!("Create subset `{}` in `{}`", name.name, info.name),
                    span: at,
                    text,
                });
            }
        }
    }

    pub(in crate::check) fn unknown_subset(&mut self, service: ServiceId, subset: &ast::Ident) {
        let Some(info) = self.table.services.get(service) else {
            return;
        };
        let names: Vec<&str> = info.subset_names().collect();
        let defined = if names.is_empty() {
            "it defines no subsets".to_string()
        } else {
            // The first few: a note repeated on each unknown name must not
            // grow with the service (3,000 subsets, 3,000 unknown names).
            const SHOWN: usize = 20;
            let mut list = names
                .iter()
                .take(SHOWN)
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            if names.len() > SHOWN {
                list.push_str(&format!(" and {} more", names.len() - SHOWN));
            }
            format!("defined subsets: {list}")
        };
        let mut diag = Diagnostic::error(
            Code::E0201,
            subset.span,
            format!("unknown subset `{}` of service `{}`", subset.name, info.name),
        )
        .with_note(defined)
        .with_secondary(info.name_span, format!("service `{}` is defined here", info.name));
        match closest(&subset.name, names.iter().copied()) {
            Some(best) => {
                diag = diag
                    .with_label(format!("did you mean `{best}`?"))
                    .with_help(format!(
                        "route to `{best}`, or define `subset {} {{ ... }}` in `{}`",
                        subset.name, info.name
                    ))
                    .with_fix(format!("Replace with `{best}`"), subset.span, best);
            }
            None => {
                diag = diag.with_label("no such subset").with_help(format!(
                    "define `subset {} {{ ... }}` in service `{}`",
                    subset.name, info.name
                ));
            }
        }
        if let Some((at, text)) = info.new_subset(&subset.name) {
            diag = diag.with_fix(format!("Create subset `{}` in `{}`", subset.name, info.name), at, text);
        }
        self.diagnostics.push(diag);
    }

    pub(in crate::check) fn unknown_service(&mut self, name: &ast::Ident) {
        let mut diag = Diagnostic::error(Code::E0202, name.span, format!("unknown service `{}`", name.name));
        let best = closest(&name.name, self.all_names()).map(String::from);
        match best {
            Some(best) => {
                diag = diag
                    .with_label(format!("did you mean `{best}`?"))
                    .with_help(format!("replace `{}` with `{best}`", name.name))
                    .with_fix(format!("Replace with `{best}`"), name.span, best);
            }
            None => {
                diag = diag.with_label("not defined in this program").with_help(
                    "define the service, or write a host outside the program in quotes (\"api.example.com\")",
                );
            }
        }
        self.diagnostics.push(diag);
    }
}
