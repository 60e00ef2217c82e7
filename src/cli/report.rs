//! How a command reports diagnostics: the flags (`--allow`, `--warn`,
//! `--deny`, `--message-format`, `--color`), and a [`Reporter`] that
//! applies the levels, prints to standard error and says whether the
//! command failed.

use std::io::{IsTerminal, Write};

use clap::{ArgMatches, Args, ValueEnum};
use meshc::diag::{self, Level, Levels, Printer};
use meshc::{Diagnostic, Sources};

/// The reporting flags every command that checks something takes.
#[derive(Args)]
pub struct Report {
    /// Do not report this warning or note: a code (W0001), or `warnings`
    /// for all warnings. Repeatable; the last flag for a code wins.
    #[arg(short = 'A', long, value_name = "CODE", value_delimiter = ',')]
    allow: Vec<String>,
    /// Report this code (or `warnings`) as a warning.
    #[arg(short = 'W', long, value_name = "CODE", value_delimiter = ',')]
    warn: Vec<String>,
    /// Report this code as an error, which fails the command; `--deny
    /// warnings` denies every warning.
    #[arg(short = 'D', long, value_name = "CODE", value_delimiter = ',')]
    deny: Vec<String>,
    /// The same as `--deny warnings`.
    #[arg(long)]
    deny_warnings: bool,
    /// How to print diagnostics (always on standard error).
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
    /// When to colour diagnostics (`NO_COLOR` turns `auto` off).
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
    /// The levels of `allow`, `warn` and `deny`, in command-line order
    /// (filled by [`Report::read_levels`]).
    #[arg(skip)]
    levels: Levels,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MessageFormat {
    /// Rendered for people.
    Human,
    /// One JSON object per line, then a summary object.
    Json,
    /// GitHub Actions workflow commands (annotations on a pull request).
    Github,
    /// One SARIF 2.1.0 log (code scanning).
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl Report {
    /// Whether `--message-format json` was asked for.
    pub fn is_json(&self) -> bool {
        self.message_format == MessageFormat::Json
    }

    /// Reads the level flags of a subcommand in the order they were given
    /// (clap keeps each flag's values apart, so their order comes from
    /// their indices); an unknown or error code is a usage error.
    pub fn read_levels(&mut self, matches: &ArgMatches) -> Result<(), String> {
        let mut flags: Vec<(usize, Level, &str)> = Vec::new();
        for (id, level, values) in [
            ("allow", Level::Allow, &self.allow),
            ("warn", Level::Warn, &self.warn),
            ("deny", Level::Deny, &self.deny),
        ] {
            if let Some(indices) = matches.indices_of(id) {
                flags.extend(indices.zip(values).map(|(i, v)| (i, level, v.as_str())));
            }
        }
        if self.deny_warnings
            && let Some(i) = matches.indices_of("deny_warnings").and_then(|mut i| i.next())
        {
            flags.push((i, Level::Deny, diag::WARNINGS));
        }
        flags.sort_by_key(|&(i, _, _)| i);
        self.levels = Levels::from_flags(flags.into_iter().map(|(_, level, value)| (level, value)))?;
        Ok(())
    }
}

/// Prints a command's diagnostics at the levels and in the format its
/// flags ask for, on standard error, and counts them.
pub struct Reporter {
    levels: Levels,
    printer: Printer,
}

impl Reporter {
    /// A reporter for the flags of `report`.
    pub fn new(report: &Report) -> Reporter {
        let format = match report.message_format {
            MessageFormat::Json => diag::Format::Json,
            MessageFormat::Github => diag::Format::Github,
            MessageFormat::Sarif => diag::Format::Sarif,
            MessageFormat::Human => diag::Format::Human(match report.color {
                ColorWhen::Always => diag::ColorChoice::Always,
                ColorWhen::Never => diag::ColorChoice::Never,
                ColorWhen::Auto => {
                    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                    if !no_color && std::io::stderr().is_terminal() {
                        diag::ColorChoice::Always
                    } else {
                        diag::ColorChoice::Never
                    }
                }
            }),
        };
        Reporter {
            levels: report.levels.clone(),
            printer: Printer::new(format),
        }
    }

    /// Applies the levels to `diagnostics` of the files of `sources` and
    /// prints what remains; returns whether any of it is an error.
    pub fn report(&mut self, sources: &Sources, diagnostics: Vec<Diagnostic>) -> bool {
        let diagnostics = self.levels.apply(diagnostics);
        let text = self.printer.print(sources, &diagnostics);
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
        diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Whether an error has been reported (the command fails).
    pub fn failed(&self) -> bool {
        self.printer.errors() > 0
    }

    /// Prints the closing part (the count, the JSON summary, the SARIF log).
    pub fn finish(self) {
        let text = self.printer.finish();
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}
