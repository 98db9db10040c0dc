//! What vpcgen says about its own command line, generated from the clap definition in `args.rs`
//! so that it cannot drift from what the parser accepts: shell completion scripts
//! (`vpcgen completions`) and the man page (`vpcgen man`).

use clap::CommandFactory as _;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};

use super::Cli;

/// The completion script for `shell`. Rendered into memory first: clap_complete panics on a
/// failed write, and a reader that closes the pipe early is not an error.
pub(super) fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "vpcgen", &mut script);
    script
}

/// A part of a page as clap_mangen renders it, with its heading.
type Section = fn(&Man, &mut dyn std::io::Write) -> std::io::Result<()>;

/// One page for the whole command line, `vpcgen(1)`: the top command, then a COMMANDS section
/// with every subcommand's synopsis and options. clap_mangen's own layout is a page per
/// subcommand, which a single `vpcgen man > vpcgen.1` could not install.
pub(super) fn man_page() -> Vec<u8> {
    let top = Cli::command()
        .disable_help_subcommand(true)
        .subcommand_value_name("command");
    let man = Man::new(top.clone());
    let mut page = Vec::new();
    let sections: [Section; 5] = [
        Man::render_title,
        Man::render_name_section,
        Man::render_synopsis_section,
        Man::render_description_section,
        Man::render_options_section,
    ];
    for section in sections {
        section(&man, &mut page).expect("writing to memory");
    }
    let mut roff = Roff::new();
    roff.control("SH", ["COMMANDS"]).text([
        roman("Every command also takes "),
        bold("-h"),
        roman(" and "),
        bold("--help"),
        roman("."),
    ]);
    roff.to_writer(&mut page).expect("writing to memory");
    commands(&top, "vpcgen", &mut page);
    let mut tail = Roff::new();
    tail.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in [
        ("0", "Success."),
        (
            "1",
            "generate --check found the output out of date; a unified diff is printed.",
        ),
        (
            "2",
            "Bad input: a spec, a template or the arguments. Bad input writes nothing.",
        ),
    ] {
        tail.control("TP", [])
            .text([bold(code)])
            .text([roman(meaning)]);
    }
    tail.control("SH", ["ENVIRONMENT"])
        .control("TP", [])
        .text([bold("NO_COLOR")])
        .text([roman(
            "When set and not empty, diagnostics are not coloured. They are coloured only on a terminal.",
        )]);
    tail.control("SH", ["SEE ALSO"]).text([roman(
        "README.md and docs/ in the vpcgen repository: the spec, templates, and CI recipes.",
    )]);
    tail.to_writer(&mut page).expect("writing to memory");
    Man::render_version_section(&man, &mut page).expect("writing to memory");
    tidy(&String::from_utf8(page).expect("roff is UTF-8")).into_bytes()
}

/// The page with roff's apostrophe definition once, after the title line: every fragment above
/// starts with it, and a page that opens with `.TH` is what `man` and `whatis` indexers expect.
fn tidy(page: &str) -> String {
    const APOSTROPHES: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";
    let body = page.replace(APOSTROPHES, "");
    let (title, rest) = body.split_at(body.find('\n').map_or(body.len(), |at| at + 1));
    format!("{title}{APOSTROPHES}{rest}")
}

/// A subsection per subcommand of `cmd` (whose full name is `name`), depth first: its
/// description, synopsis and options, without the section headings clap_mangen gives a page of
/// its own.
fn commands(cmd: &clap::Command, name: &str, page: &mut Vec<u8>) {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let full = format!("{name} {}", sub.get_name());
        // `-h` is said once for all commands, above.
        let alone = sub
            .clone()
            .bin_name(&full)
            .disable_help_flag(true)
            .disable_help_subcommand(true)
            .subcommand_value_name("command");
        let has_options = alone.get_arguments().any(|a| !a.is_hide_set());
        let man = Man::new(alone);
        let mut roff = Roff::new();
        roff.control("SS", [full.as_str()]);
        roff.to_writer(page).expect("writing to memory");
        let mut body = Vec::new();
        Man::render_description_section(&man, &mut body).expect("writing to memory");
        body.extend_from_slice(b".PP\n");
        Man::render_synopsis_section(&man, &mut body).expect("writing to memory");
        if has_options {
            body.extend_from_slice(b".PP\n");
            Man::render_options_section(&man, &mut body).expect("writing to memory");
        }
        let body = String::from_utf8(body).expect("roff is UTF-8");
        for line in body.lines().filter(|l| !l.starts_with(".SH")) {
            page.extend_from_slice(line.as_bytes());
            page.push(b'\n');
        }
        commands(sub, &full, page);
    }
}
