//! What vpcgen offers the tools around it: shell completions and the man page, `--version` with
//! the catalogue's date, `generate --message-format json`, the pre-commit hook, the commands the
//! documentation shows, and the crate as `cargo package` would publish it. Tests that need a
//! program vpcgen does not ship (zsh, man, cargo) say on stderr when they skip it.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use clap::Parser as _;
use serde_json::Value;
use vpcgen::cli::{Cli, Command as Sub};

use crate::common::*;

const SHELLS: [&str; 5] = ["bash", "zsh", "fish", "powershell", "elvish"];

/// Every subcommand, as the completion scripts and the man page must name them.
const SUBCOMMANDS: [&str; 9] = [
    "generate",
    "init",
    "plan",
    "diagram",
    "services",
    "templates",
    "schema",
    "completions",
    "man",
];

/// Whether `program` can be started (it answers `--version`).
fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

#[test]
fn every_shell_gets_a_completion_script_naming_the_subcommands() {
    let tmp = tempfile::tempdir().unwrap();
    for shell in SHELLS {
        let (code, script, err) = run_in(tmp.path(), &["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(err.is_empty(), "{shell}: {err}");
        assert!(!script.trim().is_empty(), "{shell}: empty script");
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell}: no `{sub}` in\n{script}");
        }
        assert!(script.contains("message-format"), "{shell}");
    }
}

#[test]
fn bash_and_zsh_completion_scripts_parse() {
    let tmp = tempfile::tempdir().unwrap();
    let mut shells = vec!["bash"];
    if installed("zsh") {
        shells.push("zsh");
    } else {
        eprintln!("zsh is not installed: only the bash completion script is checked with `-n`");
    }
    for shell in shells {
        let (code, script, err) = run_in(tmp.path(), &["completions", shell]);
        assert_eq!(code, 0, "{err}");
        let file = tmp.path().join(format!("vpcgen.{shell}"));
        std::fs::write(&file, script).unwrap();
        let out = Command::new(shell).arg("-n").arg(&file).output().unwrap();
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "`{shell} -n` rejects the script: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn completions_refuse_an_unknown_shell() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = run_in(tmp.path(), &["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("bash") && err.contains("zsh"), "{err}");
}

/// The man page rendered for reading, by man-db's `man` or else groff: `None` when neither is
/// installed.
fn render_man(page: &str) -> Option<(bool, String, String)> {
    let mut cmd = if installed("man") {
        let mut c = Command::new("man");
        c.args(["-l", "-"])
            .env("MANPAGER", "cat")
            .env("PAGER", "cat");
        c
    } else if installed("groff") {
        let mut c = Command::new("groff");
        c.args(["-man", "-Tutf8"]);
        c
    } else {
        return None;
    };
    let mut child = cmd
        .env("MANWIDTH", "100")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(page.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Some((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

#[test]
fn the_man_page_covers_every_command_and_renders() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, page, err) = run_in(tmp.path(), &["man"]);
    assert_eq!(code, 0, "{err}");
    assert!(page.starts_with(".TH"), "{page}");
    for sub in SUBCOMMANDS {
        assert!(
            page.contains(&format!(".SS \"vpcgen {sub}\"")),
            "no section for `vpcgen {sub}`:\n{page}"
        );
    }
    for nested in ["vpcgen templates list", "vpcgen templates eject"] {
        assert!(page.contains(&format!(".SS \"{nested}\"")), "{nested}");
    }
    // Each subcommand's options are there, not only its name.
    for option in [
        "message\\-format",
        "deny\\-warnings",
        "create\\-vpc",
        "presets",
    ] {
        assert!(page.contains(option), "no `{option}`");
    }
    // One page: no references to per-subcommand pages that are not installed.
    assert!(!page.contains("vpcgen\\-generate(1)"), "{page}");
    let Some((ok, text, err)) = render_man(&page) else {
        eprintln!(
            "neither man nor groff is installed: the man page is not rendered (Debian: man-db, groff-base)"
        );
        return;
    };
    assert!(
        ok && err.trim().is_empty(),
        "the page does not render: {err}"
    );
    for needle in [
        "vpcgen generate",
        "--message-format",
        "EXIT STATUS",
        "NO_COLOR",
    ] {
        assert!(text.contains(needle), "no `{needle}` in\n{text}");
    }
}

#[test]
fn version_names_the_catalogue() {
    let tmp = tempfile::tempdir().unwrap();
    let services = vpcgen::aws::services().len();
    let expected = format!(
        "vpcgen {} (catalogue {}, {services} services)\n",
        env!("CARGO_PKG_VERSION"),
        vpcgen::aws::CATALOGUE_AS_OF
    );
    for flag in ["--version", "-V"] {
        let (code, out, err) = run_in(tmp.path(), &[flag]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(out, expected, "{flag}");
    }
    // The README quotes the count; it must be this catalogue's.
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("{services} services")),
        "README does not say {services} services"
    );
}

/// The JSON lines of a `--message-format json` run; every line must be one object with the
/// format's version.
fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            assert_eq!(v["message_format_version"], 1, "{l}");
            v
        })
        .collect()
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

/// A directory with one warning-free spec, `spec.yaml`.
fn one_spec() -> tempfile::TempDir {
    let text = std::fs::read_to_string(root().join("specs/s3-dynamodb.yaml")).unwrap();
    tree(&[("spec.yaml", &text)])
}

#[test]
fn json_messages_report_a_write_and_a_rerun_per_directory() {
    let tmp = one_spec();
    let d = tmp.path();
    let args = [
        "generate",
        "spec.yaml",
        "--target",
        "all",
        "--out",
        "out",
        "--message-format",
        "json",
    ];
    let (code, out, err) = run_in(d, &args);
    assert_eq!(code, 0, "{err}");
    // The summary is in the JSON; stderr keeps only diagnostics, and this spec has none.
    assert!(err.is_empty(), "{err}");
    let lines = json_lines(&out);
    let dirs: Vec<&str> = lines.iter().map(|l| l["dir"].as_str().unwrap()).collect();
    assert_eq!(dirs, ["out/terraform", "out/cloudformation"]);
    for line in &lines {
        assert_eq!(line["status"], "written", "{line}");
        let dir = line["dir"].as_str().unwrap();
        let written = strings(&line["written"]);
        assert!(!written.is_empty());
        for path in written {
            // Paths open from where vpcgen ran.
            assert!(path.starts_with(&format!("{dir}/")), "{path}");
            assert!(d.join(path).is_file(), "{path}");
        }
        assert!(strings(&line["unchanged"]).is_empty());
        assert!(strings(&line["removed"]).is_empty());
    }
    assert!(
        lines[0]["written"]
            .to_string()
            .contains("out/terraform/main.tf")
    );

    let (code, out, err) = run_in(d, &args);
    assert_eq!(code, 0, "{err}");
    for line in json_lines(&out) {
        assert_eq!(line["status"], "unchanged", "{line}");
        assert!(strings(&line["written"]).is_empty());
        assert!(!strings(&line["unchanged"]).is_empty());
    }
}

#[test]
fn json_messages_report_a_stale_check_by_path() {
    let tmp = one_spec();
    let d = tmp.path();
    let (code, _, err) = run_in(
        d,
        &["generate", "spec.yaml", "-t", "terraform", "-o", "out"],
    );
    assert_eq!(code, 0, "{err}");
    let check = [
        "generate",
        "spec.yaml",
        "-t",
        "terraform",
        "-o",
        "out",
        "--check",
        "--message-format",
        "json",
    ];
    let (code, out, err) = run_in(d, &check);
    assert_eq!((code, err.as_str()), (0, ""));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["status"], "current");
    assert_eq!(lines[0]["diff"], "");

    let main = d.join("out/main.tf");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, text.replacen("Gateway", "Interface", 1)).unwrap();
    std::fs::remove_file(d.join("out/outputs.tf")).unwrap();
    let before = files_below(&d.join("out"));
    let (code, out, err) = run_in(d, &check);
    assert_eq!(code, 1, "{err}");
    assert!(err.is_empty(), "{err}");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1, "{out}");
    let line = &lines[0];
    assert_eq!(line["dir"], "out");
    assert_eq!(line["status"], "stale");
    assert_eq!(strings(&line["missing"]), ["out/outputs.tf"]);
    assert_eq!(strings(&line["changed"]), ["out/main.tf"]);
    assert!(strings(&line["extra"]).is_empty());
    let diff = line["diff"].as_str().unwrap();
    assert!(diff.contains("--- out/main.tf (on disk)"), "{diff}");
    assert!(diff.contains("-") && diff.contains("Interface"), "{diff}");
    assert_eq!(files_below(&d.join("out")), before, "--check wrote");

    // Without the flag the human report is unchanged: the listing and diff on stdout.
    let (code, human, err) = run_in(d, &check[..7]);
    assert_eq!(code, 1);
    assert!(human.starts_with("missing: out/outputs.tf\n"), "{human}");
    assert!(human.contains(diff), "{human}");
    assert!(err.contains("out of date"), "{err}");
}

#[test]
fn json_messages_end_a_failed_run_with_an_error_line() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = run_in(
        tmp.path(),
        &[
            "generate",
            "missing.yaml",
            "-t",
            "all",
            "-o",
            "out",
            "--message-format",
            "json",
        ],
    );
    assert_eq!(code, 2);
    // stderr as without the flag, and one line for tools that read only stdout.
    assert_eq!(err, "error: spec `missing.yaml` does not exist\n");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1, "{out}");
    assert_eq!(lines[0]["status"], "error");
    assert_eq!(
        lines[0]["message"],
        "error: spec `missing.yaml` does not exist"
    );
    assert!(!tmp.path().join("out").exists());
}

#[derive(Debug, serde::Deserialize)]
struct Hook {
    id: String,
    entry: String,
    language: String,
    pass_filenames: bool,
    #[serde(default)]
    args: Vec<String>,
}

fn hooks() -> Vec<Hook> {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

/// A command line as vpcgen would parse it, with the program name first.
fn parse(words: &[String]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(words)
}

/// The hook's command with `args` after it, as pre-commit runs it (no file names).
fn hook_command(hook: &Hook, args: &[String]) -> Vec<String> {
    hook.entry
        .split_whitespace()
        .map(str::to_owned)
        .chain(args.iter().cloned())
        .collect()
}

#[test]
fn the_pre_commit_hook_runs_generate_check() {
    let hooks = hooks();
    let main = hooks.iter().find(|h| h.id == "vpcgen-check").unwrap();
    assert_eq!(main.language, "rust");
    assert!(hooks.iter().any(|h| h.language == "system"));
    for hook in &hooks {
        assert!(
            !hook.pass_filenames,
            "{}: vpcgen checks whole directories",
            hook.id
        );
        let words = hook_command(hook, &hook.args);
        assert_eq!(words[0], "vpcgen", "{}", hook.id);
        match parse(&words).map(|c| c.command) {
            Ok(Sub::Generate(g)) => assert!(g.check, "{}: no --check", hook.id),
            other => panic!(
                "{}: {words:?} is not `generate --check`: {other:?}",
                hook.id
            ),
        }
    }

    // Run as pre-commit would, in a repository laid out as the default args expect.
    let spec = std::fs::read_to_string(root().join("specs/s3-dynamodb.yaml")).unwrap();
    let repo = tree(&[("specs/s3-dynamodb.yaml", &spec)]);
    let d = repo.path();
    let run_hook = || {
        let words = hook_command(main, &main.args);
        let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        run_in(d, &args)
    };
    assert_eq!(run_hook().0, 1, "nothing generated yet is stale");
    let (code, _, err) = run_in(
        d,
        &["generate", "specs", "--target", "all", "--out", "generated"],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run_hook();
    assert_eq!(code, 0, "{err}");
    let main_tf = d.join("generated/terraform/main.tf");
    let mut text = std::fs::read_to_string(&main_tf).unwrap();
    text.push_str("# edited\n");
    std::fs::write(&main_tf, text).unwrap();
    let (code, out, _) = run_hook();
    assert_eq!(code, 1);
    assert!(
        out.contains("+++ generated/terraform/main.tf (generated)"),
        "{out}"
    );
}

/// Split a shell command into words, as far as the documentation's commands need: quotes, and
/// the first operator (redirection, pipe, `&&`, `;`, a closing `)` or a comment) ends it.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut started = false;
    let mut quote = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                started = true;
            }
            (None, ' ' | '\t') => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            // `#` inside a word is part of it; `2>` redirects, and its `2` is no word.
            (None, '#') if started => word.push(c),
            (None, '>' | '|' | '&' | ';' | ')' | '#') => {
                if c == '>' && word == "2" {
                    started = false;
                }
                break;
            }
            (None, c) => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

/// Every `vpcgen ...` command in the fenced code blocks of a Markdown file: a line that starts
/// with one (after a YAML list dash, `run:` or a prompt), or `$(vpcgen ...)` within a line.
fn documented_commands(markdown: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut fence: Option<String> = None;
    for line in markdown.lines() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("```") {
            fence = match fence {
                Some(_) => None,
                None => Some(rest.to_owned()),
            };
            continue;
        }
        // Untagged blocks are synopses (`SPEC...`, `a|b`), not commands to run.
        if fence.as_deref().is_none_or(str::is_empty) {
            continue;
        }
        let mut text = trimmed;
        for prefix in ["- ", "run: ", "$ "] {
            text = text.strip_prefix(prefix).unwrap_or(text);
        }
        if text.starts_with("vpcgen ") {
            commands.push(shell_words(text));
        }
        for (at, _) in text.match_indices("$(vpcgen ") {
            commands.push(shell_words(&text[at + 2..]));
        }
    }
    commands
}

#[test]
fn the_documented_commands_parse() {
    let mut pages = vec![root().join("README.md")];
    for entry in std::fs::read_dir(root().join("docs")).unwrap() {
        pages.push(entry.unwrap().path());
    }
    let mut failures = Vec::new();
    let mut checks = 0;
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        let name = page.strip_prefix(root()).unwrap().display().to_string();
        let commands = documented_commands(&text);
        if name == "README.md" || name == "docs/ci.md" {
            assert!(!commands.is_empty(), "{name}: no commands found");
        }
        for words in commands {
            match parse(&words) {
                Ok(cli) => {
                    if matches!(cli.command, Sub::Generate(ref g) if g.check) {
                        checks += 1;
                    }
                }
                Err(e) => failures.push(format!("{name}: {}\n{e}", words.join(" "))),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        checks >= 3,
        "docs/ci.md shows `generate --check` in each recipe"
    );
}

#[test]
fn the_documented_hook_args_parse() {
    let hooks = hooks();
    let text = std::fs::read_to_string(root().join("docs/ci.md")).unwrap();
    let mut found = 0;
    let mut hook = None;
    for line in text.lines().map(str::trim) {
        if let Some(id) = line.strip_prefix("- id: ") {
            hook = Some(
                hooks
                    .iter()
                    .find(|h| h.id == id)
                    .expect("a documented hook exists"),
            );
        }
        if let Some(list) = line.strip_prefix("args: ") {
            let args: Vec<String> = serde_yaml::from_str(list).unwrap();
            let words = hook_command(hook.expect("args follow a hook id"), &args);
            let cli = parse(&words).unwrap_or_else(|e| panic!("{}\n{e}", words.join(" ")));
            assert!(matches!(cli.command, Sub::Generate(g) if g.check));
            found += 1;
        }
    }
    assert!(found >= 3, "docs/ci.md shows the hook's `args:`");
}

/// The files `cargo package` would publish, or `None` when cargo cannot be run here.
fn package_list(dir: &Path) -> Option<Vec<String>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = match Command::new(cargo)
        .current_dir(dir)
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            eprintln!("cargo cannot be run ({e}): the package contents are not checked");
            return None;
        }
    };
    assert!(
        out.status.success(),
        "cargo package --list: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect(),
    )
}

#[test]
fn the_package_holds_what_builds_and_nothing_else() {
    let Some(files) = package_list(&root()) else {
        return;
    };
    let has = |f: &str| files.iter().any(|p| p == f);
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "build.rs",
        "README.md",
        "LICENSE",
        "docs/ci.md",
        "src/main.rs",
        "src/aws/data/services.yaml",
        "src/aws/data/regions.yaml",
    ] {
        assert!(has(needed), "the package lacks {needed}: {files:?}");
    }
    // Every built-in template the binary compiles in.
    for (name, _) in vpcgen::render::templates::BUILTINS {
        let path = format!("templates/{name}");
        assert!(has(&path), "the package lacks {path}");
    }
    for file in &files {
        assert!(
            !["examples/", "tests/", "specs/", "benches/", ".ci/"]
                .iter()
                .any(|dir| file.starts_with(dir))
                && !file.ends_with(".snap"),
            "the package holds {file}"
        );
    }
}
