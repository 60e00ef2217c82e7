//! The `LanguageServer` implementation: protocol glue around `meshc::ide`.
//!
//! Invariants: document state changes under one lock with no `.await` while
//! it is held; analyses are scheduled and published by `schedule.rs`, on
//! the program's analysis thread (`worker.rs`), never for a text edited
//! since.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use meshc::ide::{self, CompletionKind, SymbolKind, TokenKind};
use meshc::span::{Encoding, FileId, Span};
use tower_lsp::jsonrpc::{Error, Result};
use tower_lsp::ls_types::*;
use tower_lsp::{Client, LanguageServer};

use crate::answers::{self, ClientFeatures, CompletionRange};
use crate::convert;
use crate::documents::{Document, Program, program_key};
use crate::schedule::State;

/// The semantic token types, in the order of [`TokenKind`] as sent.
const TOKEN_TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::COMMENT,
    SemanticTokenType::OPERATOR,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::CLASS,
    SemanticTokenType::VARIABLE,
];

fn token_type(kind: TokenKind) -> u32 {
    match kind {
        TokenKind::Keyword => 0,
        TokenKind::String => 1,
        TokenKind::Number => 2,
        TokenKind::Comment => 3,
        TokenKind::Operator => 4,
        TokenKind::Property => 5,
        TokenKind::EnumMember => 6,
        TokenKind::Service => 7,
        TokenKind::Subset => 8,
    }
}

/// The server.
pub struct Backend {
    state: Arc<State>,
    /// Set by `shutdown`: the exit status depends on it.
    shut_down: Arc<AtomicBool>,
    /// Whether the editor reports changes of `.mesh` files on disk.
    watching: AtomicBool,
    /// What the client supports, of what shapes the answers.
    features: std::sync::OnceLock<ClientFeatures>,
}

/// How many symbols a workspace search answers at most.
const MAX_SYMBOLS: usize = 500;

/// The registration of file watching, by its id.
const WATCH_ID: &str = "meshc-watch-mesh-files";

impl Backend {
    /// A server that talks to `client` and sets `shut_down` on `shutdown`.
    pub fn new(client: Client, shut_down: Arc<AtomicBool>) -> Backend {
        Backend {
            state: Arc::new(State::new(client)),
            shut_down,
            watching: AtomicBool::new(false),
            features: std::sync::OnceLock::new(),
        }
    }

    fn encoding(&self) -> Encoding {
        self.state.encoding()
    }

    /// Asks for a new analysis of the program of `uri`.
    fn refresh(&self, uri: &Uri) {
        self.state.schedule(program_key(uri));
    }

    /// The last analysis of the program of `uri` of the document's current
    /// text, and the file's id in it.
    async fn program(&self, uri: &Uri) -> Option<(Arc<Program>, FileId)> {
        self.state.program(uri, true).await
    }

    /// The program of a request's document, the file's id in it, and the
    /// byte offset of the request's position.
    async fn at(&self, params: &TextDocumentPositionParams) -> Option<(Arc<Program>, FileId, usize)> {
        let (program, id) = self.program(&params.text_document.uri).await?;
        let offset = self.offset(&program, id, params.position)?;
        Some((program, id, offset))
    }

    fn offset(&self, program: &Program, id: FileId, position: Position) -> Option<usize> {
        let file = program.sources.get(id)?;
        Some(convert::offset(file, position, self.encoding()))
    }

    fn location(&self, program: &Program, span: Span) -> Option<Location> {
        let (uri, _) = program.files.get(span.file as usize)?;
        let file = program.sources.get(span.file)?;
        Some(Location::new(uri.clone(), convert::range(file, span, self.encoding())))
    }

    /// Edits as the protocol groups them, each written with the line
    /// endings of the file it changes.
    fn edits_by_uri(&self, program: &Program, edits: &[ide::Edit]) -> HashMap<Uri, Vec<TextEdit>> {
        let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
        for edit in edits {
            let (Some(location), Some(file)) = (self.location(program, edit.span), program.sources.get(edit.span.file))
            else {
                continue;
            };
            changes.entry(location.uri).or_default().push(TextEdit::new(
                location.range,
                convert::line_endings_of(&file.text, &edit.text),
            ));
        }
        changes
    }

    /// Asks the editor to report changes of `.mesh` files on disk, when it
    /// can register for them.
    async fn watch_files(&self) {
        let registration = Registration {
            id: WATCH_ID.into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers: vec![FileSystemWatcher {
                    glob_pattern: GlobPattern::String("**/*.mesh".into()),
                    kind: None,
                }],
            })
            .ok(),
        };
        let registered = self.state.client.register_capability(vec![registration]).await.is_ok();
        self.watching.store(registered, Ordering::SeqCst);
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let offered = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref());
        let encoding = convert::negotiate(offered);
        if let Ok(mut e) = self.state.encoding.lock() {
            *e = encoding;
        }
        let watch = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration);
        // Registered once initialized (the protocol allows no request
        // before); remembered here as wished for.
        self.watching.store(watch == Some(true), Ordering::SeqCst);
        let _ = self.features.set(ClientFeatures::of(&params.capabilities));
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(convert::encoding_kind(encoding)),
                // Edits arrive as ranges, not as the whole text at every keystroke.
                text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..TextDocumentSyncOptions::default()
                })),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![".".into(), "/".into(), " ".into(), "=".into()]),
                    ..CompletionOptions::default()
                }),
                signature_help_provider: Some(SignatureHelpOptions {
                    trigger_characters: Some(vec![" ".into()]),
                    ..SignatureHelpOptions::default()
                }),
                inlay_hint_provider: Some(OneOf::Left(true)),
                code_lens_provider: Some(CodeLensOptions { resolve_provider: None }),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![ide::SHOW_YAML.into()],
                    ..ExecuteCommandOptions::default()
                }),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                })),
                document_symbol_provider: Some(OneOf::Left(true)),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                document_formatting_provider: Some(OneOf::Left(true)),
                code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
                semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
                    SemanticTokensOptions {
                        legend: SemanticTokensLegend {
                            token_types: TOKEN_TYPES.to_vec(),
                            token_modifiers: vec![SemanticTokenModifier::DECLARATION],
                        },
                        full: Some(SemanticTokensFullOptions::Bool(true)),
                        range: None,
                        work_done_progress_options: WorkDoneProgressOptions::default(),
                    },
                )),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "meshc-lsp".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if self.watching.load(Ordering::SeqCst) {
            self.watch_files().await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.shut_down.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let mut store = self.state.store();
        if !self.watching.load(Ordering::SeqCst) {
            // Without file watching, opening a file is when the others are
            // read again.
            store.disk.remove(&program_key(&doc.uri));
        }
        store.open.insert(doc.uri.clone(), Document::new(doc.version, doc.text));
        drop(store);
        self.refresh(&doc.uri);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let encoding = self.encoding();
        {
            let mut store = self.state.store();
            let Some(doc) = store.open.get(&uri) else { return };
            if doc.version >= version {
                return;
            }
            let edited = doc.edited(version, params.content_changes, encoding);
            store.open.insert(uri.clone(), edited);
        }
        self.refresh(&uri);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.state.store().open.remove(&uri);
        self.state.clear(&uri).await;
        if let Some(path) = uri.to_file_path() {
            // What the editor held may never have been saved.
            self.state.store().reread(&path);
            self.refresh(&uri);
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        if !self.watching.load(Ordering::SeqCst) {
            self.state.store().disk.remove(&program_key(&uri));
        }
        self.refresh(&uri);
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let mut programs = Vec::new();
        for change in params.changes {
            let Some(path) = change.uri.to_file_path() else {
                continue;
            };
            let (program, open) = {
                let mut store = self.state.store();
                (store.reread(&path), store.open.contains_key(&change.uri))
            };
            // A deleted file that is not open has no diagnostics any more
            // (one still open keeps the editor's text and its diagnostics).
            if change.typ == FileChangeType::DELETED && !open {
                self.state.clear(&change.uri).await;
            }
            // Only programs read before are analysed again: the others
            // are read when a file of theirs is opened.
            if let Some(key) = program
                && !programs.contains(&key)
            {
                programs.push(key);
            }
        }
        for key in programs {
            self.state.schedule(key);
        }
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let uri = params.text_document_position.text_document.uri;
        let position = params.text_document_position.position;
        // The context comes from the newest text, the names from the last
        // analysis, however old: completion never waits for an analysis.
        let Some((program, _)) = self.state.program(&uri, false).await else {
            return Ok(None);
        };
        let Some(doc) = self.state.store().open.get(&uri).cloned() else {
            return Ok(None);
        };
        let encoding = self.encoding();
        let offset = convert::offset_in(&doc.text, &doc.lines, position, encoding);
        let (items, replace_from, replace_to) = ide::completions(&program.analysis, &doc.text, offset);
        let position = |at: usize| convert::position_in(&doc.text, &doc.lines, at, encoding);
        let range = CompletionRange {
            insert: Range::new(position(replace_from), position(offset.max(replace_from))),
            replace: Range::new(position(replace_from), position(replace_to)),
        };
        // A capped list tells the editor to ask again as the user types.
        let incomplete = items.iter().filter(|i| i.kind == CompletionKind::Service).count() >= ide::MAX_SERVICES;
        let features = self.features.get().copied().unwrap_or_default();
        let items: Vec<CompletionItem> = items
            .into_iter()
            .map(|item| answers::completion_item(item, &range, features))
            .collect();
        Ok(Some(CompletionResponse::List(CompletionList {
            is_incomplete: incomplete,
            items,
        })))
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let position = &params.text_document_position_params;
        // From the newest text, as completion: the form being typed.
        let Some(doc) = self.state.store().open.get(&position.text_document.uri).cloned() else {
            return Ok(None);
        };
        let offset = convert::offset_in(&doc.text, &doc.lines, position.position, self.encoding());
        Ok(ide::signature_help(&doc.text, offset).map(answers::signature_help))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let Some((program, id)) = self.program(&params.text_document.uri).await else {
            return Ok(None);
        };
        let Some(file) = program.sources.get(id) else {
            return Ok(None);
        };
        let encoding = self.encoding();
        let (Some(start), Some(end)) = (
            self.offset(&program, id, params.range.start),
            self.offset(&program, id, params.range.end),
        ) else {
            return Ok(None);
        };
        let hints = ide::inlay_hints(&program.analysis, &file.text, id)
            .into_iter()
            .filter(|h| (start..=end).contains(&h.offset))
            .map(|h| answers::inlay_hint(h, &file.text, &file.lines, encoding))
            .collect();
        Ok(Some(hints))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri;
        let Some((program, id)) = self.program(&uri).await else {
            return Ok(None);
        };
        let lenses = ide::code_lenses(&program.analysis, id)
            .into_iter()
            .filter_map(|lens| {
                let range = self.location(&program, lens.span)?.range;
                Some(answers::code_lens(lens, range, &uri))
            })
            .collect();
        Ok(Some(lenses))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        if params.command != ide::SHOW_YAML {
            return Err(Error::invalid_params(format!("unknown command `{}`", params.command)));
        }
        let [serde_json::Value::String(uri), serde_json::Value::String(service)] = params.arguments.as_slice() else {
            return Err(Error::invalid_params(
                "meshc.showYaml takes a document URI and a service name",
            ));
        };
        let uri: Uri = uri.parse().map_err(|_| Error::invalid_params("not a URI"))?;
        let Some((program, id)) = self.program(&uri).await else {
            return Err(Error::invalid_params("the document is not open"));
        };
        // The YAML is the command's result; an editor shows it (VS Code in
        // a new document), or why there is none.
        ide::service_yaml(&program.analysis, &program.sources, id, service)
            .map(|yaml| Some(serde_json::Value::String(yaml)))
            .map_err(Error::invalid_params)
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        // Every program the server knows: open documents and the
        // directories around them.
        let programs: Vec<Arc<Program>> = self.state.store().programs.values().cloned().collect();
        let mut symbols = Vec::new();
        for program in programs {
            for symbol in ide::workspace_symbols(&program.analysis, &params.query, MAX_SYMBOLS) {
                let Some(location) = self.location(&program, symbol.span) else {
                    continue;
                };
                #[allow(deprecated)]
                symbols.push(SymbolInformation {
                    name: symbol.name,
                    kind: match symbol.kind {
                        SymbolKind::Subset => tower_lsp::ls_types::SymbolKind::ENUM_MEMBER,
                        _ => tower_lsp::ls_types::SymbolKind::CLASS,
                    },
                    tags: None,
                    deprecated: None,
                    location,
                    container_name: symbol.container,
                });
            }
        }
        symbols.sort_by(|a, b| (a.location.uri.as_str(), &a.name).cmp(&(b.location.uri.as_str(), &b.name)));
        symbols.dedup_by(|a, b| a.location == b.location);
        symbols.truncate(MAX_SYMBOLS);
        Ok(Some(WorkspaceSymbolResponse::Flat(symbols)))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let Some((program, id, offset)) = self.at(&params.text_document_position_params).await else {
            return Ok(None);
        };
        Ok(ide::hover(&program.analysis, id, offset).map(|(markdown, span)| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: markdown,
            }),
            range: self.location(&program, span).map(|l| l.range),
        }))
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let Some((program, id, offset)) = self.at(&params.text_document_position_params).await else {
            return Ok(None);
        };
        Ok(ide::definition(&program.analysis, id, offset)
            .and_then(|span| self.location(&program, span))
            .map(GotoDefinitionResponse::Scalar))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let Some((program, id, offset)) = self.at(&params.text_document_position).await else {
            return Ok(None);
        };
        let spans = ide::references(&program.analysis, id, offset, params.context.include_declaration);
        Ok(Some(
            spans.into_iter().filter_map(|s| self.location(&program, s)).collect(),
        ))
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        let Some((program, id, offset)) = self.at(&params).await else {
            return Ok(None);
        };
        match ide::target_at(&program.analysis, id, offset) {
            Some((_, span)) => Ok(self
                .location(&program, span)
                .map(|l| PrepareRenameResponse::Range(l.range))),
            None => Err(Error::invalid_params("only services and subsets can be renamed")),
        }
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let Some((program, id, offset)) = self.at(&params.text_document_position).await else {
            return Ok(None);
        };
        let edits = ide::rename(&program.analysis, &program.sources, id, offset, &params.new_name)
            .map_err(Error::invalid_params)?;
        Ok(Some(WorkspaceEdit::new(self.edits_by_uri(&program, &edits))))
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let Some((program, id)) = self.program(&params.text_document.uri).await else {
            return Ok(None);
        };
        let encoding = self.encoding();
        let Some(file) = program.sources.get(id) else {
            return Ok(None);
        };
        #[allow(deprecated)]
        fn convert_symbol(
            s: ide::DocumentSymbol,
            file: &meshc::span::SourceFile,
            encoding: Encoding,
        ) -> DocumentSymbol {
            DocumentSymbol {
                name: s.name,
                detail: Some(s.detail),
                kind: match s.kind {
                    SymbolKind::Service => tower_lsp::ls_types::SymbolKind::CLASS,
                    SymbolKind::Subset => tower_lsp::ls_types::SymbolKind::ENUM_MEMBER,
                    SymbolKind::Policy => tower_lsp::ls_types::SymbolKind::OBJECT,
                    SymbolKind::Route => tower_lsp::ls_types::SymbolKind::FUNCTION,
                },
                tags: None,
                deprecated: None,
                range: convert::range(file, s.span, encoding),
                selection_range: convert::range(file, s.selection, encoding),
                children: Some(
                    s.children
                        .into_iter()
                        .map(|c| convert_symbol(c, file, encoding))
                        .collect(),
                ),
            }
        }
        let symbols = ide::document_symbols(&program.analysis, id)
            .into_iter()
            .map(|s| convert_symbol(s, file, encoding))
            .collect();
        Ok(Some(DocumentSymbolResponse::Nested(symbols)))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let Some((program, id)) = self.program(&params.text_document.uri).await else {
            return Ok(None);
        };
        let Some(file) = program.sources.get(id) else {
            return Ok(None);
        };
        let ranges = ide::folding_ranges(&program.analysis, id)
            .into_iter()
            .filter_map(|span| {
                let range = convert::range(file, span, self.encoding());
                (range.end.line > range.start.line).then(|| FoldingRange {
                    start_line: range.start.line,
                    end_line: range.end.line,
                    kind: Some(FoldingRangeKind::Region),
                    ..FoldingRange::default()
                })
            })
            .collect();
        Ok(Some(ranges))
    }

    async fn semantic_tokens_full(&self, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
        let Some((program, id)) = self.program(&params.text_document.uri).await else {
            return Ok(None);
        };
        let Some(file) = program.sources.get(id) else {
            return Ok(None);
        };
        let encoding = self.encoding();
        let mut data = Vec::new();
        let (mut line, mut col) = (0, 0);
        for (span, kind, definition) in ide::semantic_tokens(&program.analysis, &file.text, id) {
            let range = convert::range(file, span, encoding);
            if range.end.line != range.start.line {
                continue;
            }
            let delta_line = range.start.line - line;
            let delta_start = if delta_line == 0 {
                range.start.character - col
            } else {
                range.start.character
            };
            data.push(SemanticToken {
                delta_line,
                delta_start,
                length: range.end.character - range.start.character,
                token_type: token_type(kind),
                token_modifiers_bitset: u32::from(definition),
            });
            (line, col) = (range.start.line, range.start.character);
        }
        Ok(Some(SemanticTokensResult::Tokens(SemanticTokens {
            result_id: None,
            data,
        })))
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let Some((program, id)) = self.program(&params.text_document.uri).await else {
            return Ok(None);
        };
        let Some(file) = program.sources.get(id) else {
            return Ok(None);
        };
        let Some(formatted) = ide::format(&program.analysis, &program.sources, id) else {
            return Ok(None);
        };
        if *formatted == *file.text {
            return Ok(Some(Vec::new()));
        }
        let whole = Span::new(id, 0, file.text.len());
        Ok(Some(vec![TextEdit::new(
            convert::range(file, whole, self.encoding()),
            formatted,
        )]))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let Some((program, id)) = self.program(&params.text_document.uri).await else {
            return Ok(None);
        };
        let (Some(start), Some(end)) = (
            self.offset(&program, id, params.range.start),
            self.offset(&program, id, params.range.end),
        ) else {
            return Ok(None);
        };
        let encoding = self.encoding();
        let Some(file) = program.sources.get(id) else {
            return Ok(None);
        };
        let actions = ide::code_actions(&program.analysis, id, start, end)
            .into_iter()
            .map(|action| {
                let diagnostic = convert::diagnostic(&action.diagnostic, file, encoding, |_| None);
                CodeActionOrCommand::CodeAction(CodeAction {
                    title: action.title,
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic]),
                    edit: Some(WorkspaceEdit::new(self.edits_by_uri(&program, &action.edits))),
                    is_preferred: Some(true),
                    ..CodeAction::default()
                })
            })
            .collect();
        Ok(Some(actions))
    }
}
