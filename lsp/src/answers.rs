//! `meshc::ide` answers as protocol types, shaped by what the client says it
//! supports: completion items without snippets for a client without
//! snippet support (Neovim 0.7's omnifunc inserted a snippet's line breaks
//! as NUL bytes), insert-and-replace ranges where the client takes them,
//! deprecated items tagged; signature help, inlay hints and code lenses.

use meshc::ide::{self, CompletionKind};
use meshc::span::{Encoding, LineIndex};
use tower_lsp::ls_types::*;

/// What the client said it supports, of what changes our answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientFeatures {
    /// Completion items may be snippets (`$1` placeholders).
    pub snippets: bool,
    /// Completion edits may be insert-and-replace pairs.
    pub insert_replace: bool,
    /// Completion items may carry the deprecated tag.
    pub deprecated_tag: bool,
}

impl ClientFeatures {
    /// The features of `capabilities`; absent means unsupported.
    pub fn of(capabilities: &ClientCapabilities) -> ClientFeatures {
        let item = capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref());
        ClientFeatures {
            snippets: item.and_then(|i| i.snippet_support) == Some(true),
            insert_replace: item.and_then(|i| i.insert_replace_support) == Some(true),
            deprecated_tag: item
                .and_then(|i| i.tag_support.as_ref())
                .is_some_and(|t| t.value_set.contains(&CompletionItemTag::DEPRECATED)),
        }
    }
}

/// Where a completion's text goes: the word typed up to the cursor
/// (`insert`) or the whole word around it (`replace`).
pub struct CompletionRange {
    /// From the word's start to the cursor.
    pub insert: Range,
    /// From the word's start to its end.
    pub replace: Range,
}

/// One completion item for a client with `features`.
pub fn completion_item(item: ide::CompletionItem, range: &CompletionRange, features: ClientFeatures) -> CompletionItem {
    // Without snippet support the label is inserted: one line, no
    // placeholders.
    let snippet = item.snippet.clone().filter(|_| features.snippets);
    let insert = snippet.clone().unwrap_or_else(|| item.label.clone());
    let text_edit = if features.insert_replace {
        CompletionTextEdit::InsertAndReplace(InsertReplaceEdit {
            new_text: insert,
            insert: range.insert,
            replace: range.replace,
        })
    } else {
        CompletionTextEdit::Edit(TextEdit::new(range.replace, insert))
    };
    #[allow(deprecated)]
    CompletionItem {
        kind: Some(match item.kind {
            CompletionKind::Keyword => CompletionItemKind::KEYWORD,
            CompletionKind::Snippet => CompletionItemKind::SNIPPET,
            CompletionKind::Subset => CompletionItemKind::ENUM_MEMBER,
            CompletionKind::Service => CompletionItemKind::MODULE,
            CompletionKind::Field => CompletionItemKind::FIELD,
            CompletionKind::Value => CompletionItemKind::VALUE,
        }),
        detail: Some(item.detail.clone()),
        documentation: Some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: item.documentation.clone(),
        })),
        sort_text: Some(format!("{}{}", item.rank, item.label)),
        insert_text_format: Some(if snippet.is_some() {
            InsertTextFormat::SNIPPET
        } else {
            InsertTextFormat::PLAIN_TEXT
        }),
        text_edit: Some(text_edit),
        tags: (item.deprecated && features.deprecated_tag).then(|| vec![CompletionItemTag::DEPRECATED]),
        // The older field, for clients without tag support.
        deprecated: (item.deprecated && !features.deprecated_tag).then_some(true),
        label: item.label,
        ..CompletionItem::default()
    }
}

/// A signature as the protocol writes it (parameters as label offsets).
pub fn signature_help(signature: ide::Signature) -> SignatureHelp {
    let parameters = signature
        .parameters
        .iter()
        .map(|&(from, to)| ParameterInformation {
            // The label is ASCII: byte offsets are UTF-16 offsets.
            label: ParameterLabel::LabelOffsets([from as u32, to as u32]),
            documentation: None,
        })
        .collect();
    SignatureHelp {
        signatures: vec![SignatureInformation {
            label: signature.label,
            documentation: Some(Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: signature.documentation,
            })),
            parameters: Some(parameters),
            active_parameter: Some(signature.active as u32),
        }],
        active_signature: Some(0),
        active_parameter: Some(signature.active as u32),
    }
}

/// An inlay hint at its position in `text`.
pub fn inlay_hint(hint: ide::InlayHint, text: &str, lines: &LineIndex, encoding: Encoding) -> InlayHint {
    InlayHint {
        position: crate::convert::position_in(text, lines, hint.offset, encoding),
        label: InlayHintLabel::String(hint.label),
        kind: None,
        text_edits: None,
        tooltip: Some(InlayHintTooltip::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: hint.tooltip,
        })),
        padding_left: Some(true),
        padding_right: None,
        data: None,
    }
}

/// A code lens over `range`; its command, if any, gets the document's URI
/// and the service's name.
pub fn code_lens(lens: ide::CodeLens, range: Range, uri: &Uri) -> CodeLens {
    CodeLens {
        range,
        command: Some(Command {
            command: lens
                .command
                .as_ref()
                .map_or(String::new(), |(name, _)| name.to_string()),
            arguments: lens.command.as_ref().map(|(_, service)| {
                vec![
                    serde_json::Value::String(uri.as_str().to_string()),
                    serde_json::Value::String(service.clone()),
                ]
            }),
            title: lens.title,
        }),
        data: None,
    }
}
