//! What is generated from the command line's clap definition, so it never
//! disagrees with it: shell completions (`meshc completions SHELL`) and
//! manual pages in roff (`meshc man [COMMAND]`).

use clap::Command;

/// The completion script of `shell` for `command`.
pub fn completions(shell: clap_complete::Shell, command: &mut Command) -> Vec<u8> {
    let mut out = Vec::new();
    let name = command.get_name().to_string();
    clap_complete::generate(shell, command, name, &mut out);
    out
}

/// The manual page (roff) of `command`, or of its subcommand `sub`
/// (`meshc-build(1)`); `None` when there is no such subcommand.
pub fn man_page(command: Command, sub: Option<&str>) -> Option<Vec<u8>> {
    let man = match sub {
        None => clap_mangen::Man::new(command),
        Some(name) => {
            let found = command.find_subcommand(name)?.clone();
            // The page is `meshc-build(1)`, its synopsis `meshc build`.
            let title = format!("{}-{}", command.get_name(), found.get_name());
            let usage = format!("{} {}", command.get_name(), found.get_name());
            let version = command.get_version().unwrap_or_default().to_string();
            clap_mangen::Man::new(found.name(title).bin_name(usage).version(version))
        }
    };
    let mut out = Vec::new();
    man.render(&mut out).ok()?;
    Some(out)
}
