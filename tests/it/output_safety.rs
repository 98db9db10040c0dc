//! What vpcgen guarantees about the output directory, through the real binary, on directories
//! prepared the way mistakes, other programs, concurrent runs and kills leave them: it never
//! writes, reads or removes through a link inside the tree, never opens what is not a regular
//! file, never reads without bound, never deletes what it did not write nor overwrites its
//! input, holds a lock while it writes, completes a run that was killed, and clears what killed
//! runs left. Paths are recorded one way however they were typed.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::*;

/// An existing VPC: main.tf, outputs.tf, variables.tf, versions.tf.
const EXISTING: &str = "name: shop
region: eu-west-1
vpc:
  id: vpc-0a1b2c3d4e5f60718
  cidr: 10.8.0.0/16
  subnets:
    - { id: subnet-0a1b2c3d4e5f60718, az: eu-west-1a }
    - { id: subnet-0b1b2c3d4e5f60718, az: eu-west-1b }
  route_tables: [rtb-0a1b2c3d4e5f60718]
endpoints:
  - s3
  - logs
  - kms
";

/// The same name with a new VPC: main.tf, outputs.tf, versions.tf, vpc.tf (which declares a VPC).
const CREATED: &str = "name: shop
region: eu-west-1
vpc:
  create: true
  cidr: 10.8.0.0/16
  azs: 2
endpoints: [s3, logs]
";

fn write(path: impl AsRef<Path>, text: &str) {
    let path = path.as_ref();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// `vpcgen generate spec.yaml --target terraform --out out` in `dir`, with `extra`.
fn generate(dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "generate",
        "spec.yaml",
        "--target",
        "terraform",
        "--out",
        "out",
    ];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

/// A directory with `spec.yaml` (the existing VPC) already generated into `out`.
fn generated() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path().join("spec.yaml"), EXISTING);
    let (code, _, err) = generate(tmp.path(), &[]);
    assert_eq!(code, 0, "{err}");
    tmp
}

/// `run_in`, failing the test instead of hanging when the binary is not done within `limit`.
fn run_within(dir: &Path, args: &[&str], limit: Duration) -> (i32, String) {
    let mut child = bin()
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            return (
                status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            );
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`vpcgen {}` was still running after {limit:?}",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

fn sha256(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn append(path: impl AsRef<Path>, text: &str) {
    let mut old = read(&path);
    old.push_str(text);
    write(path, &old);
}

/// A manifest entry through a link inside the output tree is never followed: the file behind
/// it stays, whether its hash matches (without `--force`) or not (with it).
#[cfg(unix)]
#[test]
fn a_manifest_entry_through_a_link_never_deletes_outside_the_tree() {
    for (contents, listed, force) in [
        ("precious\n", "precious\n", false),
        ("precious\n", "something else\n", true),
    ] {
        let tmp = generated();
        let d = tmp.path();
        write(d.join("victim/p.txt"), contents);
        symlink(d.join("victim"), d.join("out/link"));
        append(
            d.join("out/.vpcgen-manifest"),
            &format!("{}  link/p.txt\n", sha256(listed)),
        );
        let extra: &[&str] = if force { &["--force"] } else { &[] };
        let (code, _, err) = generate(d, extra);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("`out/link` is a symbolic link inside the output directory `out`"),
            "{err}"
        );
        assert!(
            err.contains("help: replace the link with a directory"),
            "{err}"
        );
        assert_eq!(read(d.join("victim/p.txt")), contents);
    }
}

/// A run needs to write into a directory that is a link to somewhere else: it refuses, and
/// nothing appears at the link's target.
#[cfg(unix)]
#[test]
fn files_are_never_written_through_a_linked_subdirectory() {
    let tmp = generated();
    let d = tmp.path();
    write(
        d.join("house/terraform/files/sub/planted.txt.tera"),
        "x {{ spec.name }}\n",
    );
    std::fs::create_dir(d.join("elsewhere")).unwrap();
    symlink(d.join("elsewhere"), d.join("out/sub"));
    let (code, _, err) = generate(d, &["--templates", "house", "--force"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`out/sub` is a symbolic link"), "{err}");
    assert!(listing(&d.join("elsewhere")).is_empty());

    // The output directory itself may be a link: that is where the user asked for the files.
    symlink(d.join("out"), d.join("linked-out"));
    let (code, _, err) = run_in(
        d,
        &[
            "generate",
            "spec.yaml",
            "--target",
            "terraform",
            "--out",
            "linked-out/",
        ],
    );
    assert_eq!(code, 0, "{err}");
    // A batch's own directories inside the tree may not be links either.
    std::fs::create_dir(d.join("batch")).unwrap();
    std::fs::create_dir(d.join("specs")).unwrap();
    write(d.join("specs/a.yaml"), EXISTING);
    write(
        d.join("specs/b.yaml"),
        &EXISTING.replace("name: shop", "name: till"),
    );
    symlink(d.join("elsewhere"), d.join("batch/till"));
    let (code, _, err) = run_in(
        d,
        &[
            "generate",
            "specs",
            "--target",
            "terraform",
            "--out",
            "batch",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`batch/till` is a symbolic link"), "{err}");
    assert!(listing(&d.join("elsewhere")).is_empty());
}

/// A FIFO where vpcgen expects its manifest or a generated file is refused at once, in every
/// mode, instead of waiting forever for a writer.
#[cfg(unix)]
#[test]
fn a_fifo_in_the_output_directory_is_refused_not_waited_on() {
    for name in [".vpcgen-manifest", "main.tf"] {
        let tmp = generated();
        let d = tmp.path();
        std::fs::remove_file(d.join("out").join(name)).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(d.join("out").join(name))
            .status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("skipped: mkfifo is not available");
            return;
        }
        let args = [
            "generate",
            "spec.yaml",
            "--target",
            "terraform",
            "--out",
            "out",
        ];
        for extra in [&[][..], &["--check"], &["--force"]] {
            let args: Vec<&str> = args.iter().chain(extra).copied().collect();
            let (code, err) = run_within(d, &args, Duration::from_secs(10));
            assert_eq!(code, 2, "{name} {extra:?}: {err}");
            assert!(
                err.contains(&format!("`out/{name}` is a FIFO, not a regular file")),
                "{err}"
            );
        }
    }
}

/// A generated file that never ends (a link to `/dev/zero`) or is far larger than anything
/// vpcgen writes is refused without being read into memory.
#[cfg(unix)]
#[test]
fn reads_in_the_output_directory_are_bounded() {
    let tmp = generated();
    let d = tmp.path();
    std::fs::remove_file(d.join("out/main.tf")).unwrap();
    symlink("/dev/zero", d.join("out/main.tf"));
    for extra in [&[][..], &["--check"]] {
        let args: Vec<&str> = [
            "generate",
            "spec.yaml",
            "--target",
            "terraform",
            "--out",
            "out",
        ]
        .iter()
        .chain(extra)
        .copied()
        .collect();
        let (code, err) = run_within(d, &args, Duration::from_secs(10));
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("`out/main.tf` is a device, not a regular file"),
            "{err}"
        );
    }
    // A sparse file one byte over the limit costs no disk.
    std::fs::remove_file(d.join("out/main.tf")).unwrap();
    let big = std::fs::File::create(d.join("out/main.tf")).unwrap();
    big.set_len(vpcgen::output::READ_LIMIT + 1).unwrap();
    let (code, err) = run_within(
        d,
        &[
            "generate",
            "spec.yaml",
            "--target",
            "terraform",
            "--out",
            "out",
        ],
        Duration::from_secs(10),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`out/main.tf` is larger than 64 MiB"), "{err}");
}

/// `..` inside a file name is an ordinary name: the run that wrote it is not the last that can.
#[test]
fn a_generated_name_with_two_dots_regenerates() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d.join("spec.yaml"), EXISTING);
    write(d.join("house/terraform/files/notes..txt.tera"), "notes\n");
    for extra in [&[][..], &[], &["--check"], &["--force"]] {
        let args: Vec<&str> = ["--templates", "house"]
            .iter()
            .chain(extra)
            .copied()
            .collect();
        let (code, _, err) = generate(d, &args);
        assert_eq!(code, 0, "{extra:?}: {err}");
    }
    assert_eq!(read(d.join("out/notes..txt")), "notes\n");
}

/// A manifest that lists one of vpcgen's own names is refused, `--force` or not: the run would
/// remove the manifest it had just written.
#[test]
fn a_manifest_listing_itself_is_refused() {
    let tmp = generated();
    let d = tmp.path();
    let manifest = d.join("out/.vpcgen-manifest");
    append(&manifest, &format!("{}  .vpcgen-manifest\n", sha256("x")));
    let before = read(&manifest);
    let (code, _, err) = generate(d, &["--force"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("lists `.vpcgen-manifest`, a name vpcgen keeps for its own files"),
        "{err}"
    );
    assert!(
        err.contains("help: delete that line from the manifest"),
        "{err}"
    );
    assert_eq!(read(&manifest), before);
}

/// `--force` replaces what is in the way, but a file the spec no longer produces is removed only
/// when it still holds what vpcgen wrote: a foreign one (a tampered or merged manifest) is kept,
/// said so, and forgotten.
#[test]
fn force_never_deletes_a_file_vpcgen_did_not_write() {
    let tmp = generated();
    let d = tmp.path();
    write(d.join("out/notes.md"), "my notes\n");
    append(
        d.join("out/.vpcgen-manifest"),
        &format!("{}  notes.md\n", sha256("what vpcgen wrote\n")),
    );
    let (code, _, err) = generate(d, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`out/notes.md` is no longer generated"),
        "{err}"
    );
    let (code, _, err) = generate(d, &["--force"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("1 kept (notes.md: no longer generated"),
        "{err}"
    );
    assert_eq!(read(d.join("out/notes.md")), "my notes\n");
    assert!(!read(d.join("out/.vpcgen-manifest")).contains("notes.md"));
    // Forgotten: the next run neither refuses it nor mentions it.
    let (code, _, err) = generate(d, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 written, 4 unchanged\n"), "{err}");
}

/// A spec inside the output directory under a generated name is the run's input: never
/// replaced, `--force` or not, however its path is spelled.
#[test]
fn a_spec_is_never_overwritten_by_its_own_output() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d.join("selfdir/template.yaml"), EXISTING);
    let abs = d.join("selfdir/template.yaml");
    for spec in [
        "selfdir/template.yaml",
        "./selfdir//template.yaml",
        abs.to_str().unwrap(),
    ] {
        for extra in [&[][..], &["--force"]] {
            let args: Vec<&str> = [
                "generate",
                spec,
                "--target",
                "cloudformation",
                "--out",
                "selfdir",
            ]
            .iter()
            .chain(extra)
            .copied()
            .collect();
            let (code, _, err) = run_in(d, &args);
            assert_eq!(code, 2, "{spec} {extra:?}: {err}");
            assert!(
                err.contains("`selfdir/template.yaml` is a spec this run reads"),
                "{err}"
            );
            assert_eq!(read(&abs), EXISTING);
        }
    }
}

/// The root of the file system (what an unset variable makes of `--out "$DIR/"`) and a path
/// ending in `..` are refused before anything is read or made.
#[test]
fn the_root_and_paths_ending_in_dot_dot_are_not_output_directories() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d.join("spec.yaml"), EXISTING);
    // `--check`, so that the test itself can never write into `/`.
    for out in ["/", "//", "/."] {
        let (code, _, err) = run_in(
            d,
            &[
                "generate",
                "spec.yaml",
                "--target",
                "terraform",
                "--out",
                out,
                "--check",
            ],
        );
        assert_eq!(code, 2, "{out}: {err}");
        assert!(err.contains("is the root of the file system"), "{err}");
        assert!(err.contains("help: choose a directory for them"), "{err}");
    }
    for out in ["missing/..", ".."] {
        let (code, _, err) = run_in(
            d,
            &[
                "generate",
                "spec.yaml",
                "--target",
                "terraform",
                "--out",
                out,
            ],
        );
        assert_eq!(code, 2, "{out}: {err}");
        assert!(
            err.contains(&format!("`--out {out}` ends in `..`")),
            "{err}"
        );
    }
    assert_eq!(listing(d), ["spec.yaml"]);
}

/// How a path was typed changes nothing: the headers, and so `--check` in CI, are the same for
/// `./specs/x.yaml`, `specs//x.yaml`, the absolute path, `out/` and `./out`.
#[test]
fn the_regenerate_command_does_not_depend_on_how_paths_are_spelled() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d.join("specs/x.yaml"), EXISTING);
    let check = |spec: &str, out: &str, check: bool| {
        let mut args = vec!["generate", spec, "--target", "terraform", "--out", out];
        if check {
            args.push("--check");
        }
        run_in(d, &args)
    };
    assert_eq!(check("specs/x.yaml", "o", false).0, 0);
    let header = "# Regenerate: vpcgen generate specs/x.yaml --target terraform --out o\n";
    assert!(read(d.join("o/main.tf")).contains(header));
    let abs_spec = d.join("specs/x.yaml");
    let abs_out = d.join("o");
    let spellings = [
        ("./specs/x.yaml", "o"),
        ("specs//x.yaml", "o/"),
        (abs_spec.to_str().unwrap(), "./o"),
        ("specs/./x.yaml", abs_out.to_str().unwrap()),
    ];
    for (spec, out) in spellings {
        let (code, stdout, err) = check(spec, out, true);
        assert_eq!(code, 0, "{spec} {out}: {stdout}{err}");
    }
    // Writing with another spelling changes nothing either.
    let (code, _, err) = check("./specs//x.yaml", "./o/", false);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 written, 4 unchanged"), "{err}");
}

/// A path with spaces or quotes is one shell word in the recorded command, which run as it
/// stands reproduces the files; plain paths stay as they were.
#[cfg(unix)]
#[test]
fn the_regenerate_command_is_shell_quoted_and_runs_as_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d.join("my specs/it's.yaml"), EXISTING);
    let (code, _, err) = run_in(
        d,
        &[
            "generate",
            "my specs/it's.yaml",
            "--target",
            "terraform",
            "--out",
            "out dir",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let main = read(d.join("out dir/main.tf"));
    let command = main
        .lines()
        .find_map(|l| l.strip_prefix("# Regenerate: "))
        .unwrap();
    assert_eq!(
        command,
        "vpcgen generate \"my specs/it's.yaml\" --target terraform --out 'out dir'"
    );
    let args = shlex::split(command).unwrap();
    assert_eq!(args[2], "my specs/it's.yaml");
    let mut check: Vec<&str> = args[1..].iter().map(String::as_str).collect();
    check.push("--check");
    let (code, out, err) = run_in(d, &check);
    assert_eq!(code, 0, "{out}{err}");
}

/// Long paths make the CloudFormation `Description` long; it stays within CloudFormation's
/// 1,024 bytes, and the whole command is still in `Metadata`.
#[test]
fn the_cloudformation_description_fits_with_long_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let deep: String = (0..10).map(|i| format!("{}{i}/", "d".repeat(50))).collect();
    write(d.join(&deep).join("spec.yaml"), EXISTING);
    let spec = format!("{deep}spec.yaml");
    let out = format!("{deep}out");
    let (code, _, err) = run_in(
        d,
        &[
            "generate",
            &spec,
            "--target",
            "cloudformation",
            "--out",
            &out,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let template: serde_json::Value =
        serde_yaml::from_str(&read(d.join(&out).join("template.yaml"))).unwrap();
    let description = template["Description"].as_str().unwrap();
    assert!(description.len() <= 1024, "{}", description.len());
    assert!(description.ends_with('…'), "{description}");
    assert!(description.starts_with("VPC endpoints of shop in eu-west-1."));
    let regenerate = template["Metadata"]["vpcgen"]["regenerate"]
        .as_str()
        .unwrap();
    assert_eq!(
        regenerate,
        format!("vpcgen generate {spec} --target cloudformation --out {out}")
    );
}

/// Hold the lock of `dir` as a running vpcgen would, with this process's id in it.
fn hold_lock(dir: &Path) -> std::fs::File {
    use std::io::Write as _;
    let mut file = std::fs::File::create(dir.join(".vpcgen-lock")).unwrap();
    fs4::FileExt::try_lock(&file).unwrap();
    writeln!(file, "{}", std::process::id()).unwrap();
    file
}

/// While another run holds the lock of the output directory, a run (or `--check`) stops at once
/// naming that run's process, and writes nothing; so does a run whose `--out` is inside it.
#[test]
fn a_run_in_progress_is_named_not_raced() {
    let tmp = generated();
    let d = tmp.path();
    write(d.join("spec.yaml"), &EXISTING.replace("  - kms\n", ""));
    let held = hold_lock(&d.join("out"));
    let before = files_below(&d.join("out"));
    let pid = std::process::id();
    for extra in [&[][..], &["--check"], &["--force"]] {
        let (code, _, err) = generate(d, extra);
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(
            err.contains(&format!("`out` is being written by vpcgen (pid {pid})")),
            "{err}"
        );
        assert!(err.contains("help: wait for it to finish"), "{err}");
        assert_eq!(files_below(&d.join("out")), before);
    }
    let (code, _, err) = run_in(
        d,
        &[
            "generate",
            "spec.yaml",
            "--target",
            "terraform",
            "--out",
            "out/inner",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("(pid {pid})")), "{err}");
    assert!(!d.join("out/inner").exists());
    drop(held);
    // Released (and its file left behind, as by a killed run): the next run takes it over and
    // leaves no lock file.
    let (code, _, err) = generate(d, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(!d.join("out/.vpcgen-lock").exists());
}

/// A batch finds that another run, whose `--out` is one of the batch's directories, holds that
/// directory's lock: it stops, naming it, and writes nothing anywhere.
#[test]
fn a_batch_stops_at_a_directory_another_run_is_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d.join("specs/a.yaml"), EXISTING);
    write(
        d.join("specs/b.yaml"),
        &EXISTING.replace("name: shop", "name: till"),
    );
    let batch = ["generate", "specs", "--target", "all", "--out", "out"];
    assert_eq!(run_in(d, &batch).0, 0);
    write(d.join("specs/a.yaml"), &EXISTING.replace("  - kms\n", ""));
    let held = hold_lock(&d.join("out/till/cloudformation"));
    let before = files_below(&d.join("out"));
    let (code, _, err) = run_in(d, &batch);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!(
            "`out/till/cloudformation` is being written by vpcgen (pid {})",
            std::process::id()
        )),
        "{err}"
    );
    assert_eq!(files_below(&d.join("out")), before);
    drop(held);
    // Its file left behind, as by a killed run: the batch takes it over and removes it.
    let (code, _, err) = run_in(d, &batch);
    assert_eq!(code, 0, "{err}");
    assert!(!d.join("out/till/cloudformation/.vpcgen-lock").exists());
}

/// What killed runs leave is cleared by the next run: temporary files in the output directory,
/// and hidden staging directories beside it whose lock no one holds. A live run's staging
/// directory and names vpcgen does not make stay.
#[test]
fn leftovers_of_killed_runs_are_cleared() {
    let tmp = generated();
    let d = tmp.path();
    write(d.join("out/.vpcgen-Ab12Cd.tmp"), "half a file");
    write(d.join(".vpcgen-Ef34Gh.tmp/.vpcgen-lock"), "999999\n");
    write(d.join(".vpcgen-Ef34Gh.tmp/terraform/main.tf"), "partial\n");
    write(d.join(".vpcgen-Ij56Kl.tmp/.vpcgen-lock"), "");
    let live = hold_lock(&d.join(".vpcgen-Ij56Kl.tmp"));
    write(d.join("out/.vpcgen-notes"), "mine\n");
    write(d.join(".vpcgen-Mn78Op.tmp.bak"), "mine\n");
    let (code, _, err) = generate(d, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(!d.join("out/.vpcgen-Ab12Cd.tmp").exists());
    assert!(!d.join(".vpcgen-Ef34Gh.tmp").exists());
    assert!(d.join(".vpcgen-Ij56Kl.tmp/.vpcgen-lock").exists());
    assert!(d.join("out/.vpcgen-notes").exists());
    assert!(d.join(".vpcgen-Mn78Op.tmp.bak").exists());
    drop(live);
}

/// The two outputs of the kill-window tests: `CREATED`'s, `EXISTING`'s, each with its
/// manifest, by file name.
fn outputs() -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let tmp = tempfile::tempdir().unwrap();
    let mut made = Vec::new();
    for (spec, side) in [(CREATED, "a"), (EXISTING, "b")] {
        // Each in a directory of its own, so that both record `--out out` as the tests do.
        let d = tmp.path().join(side);
        write(d.join("spec.yaml"), spec);
        let (code, _, err) = generate(&d, &[]);
        assert_eq!(code, 0, "{err}");
        made.push(files_below(&d.join("out")));
    }
    let b = made.pop().unwrap();
    (made.pop().unwrap(), b)
}

/// The manifest an update from `from` to `to` leaves when killed after putting its intent in
/// place: every file with both hashes, the old one listed first (a reader that kept only the
/// last line would expect the new content everywhere).
fn intent(from: &BTreeMap<String, String>, to: &BTreeMap<String, String>) -> String {
    let mut text = String::from("# an update was under way\n");
    let names: std::collections::BTreeSet<&String> = from.keys().chain(to.keys()).collect();
    for name in names.into_iter().filter(|n| *n != ".vpcgen-manifest") {
        for side in [from, to] {
            if let Some(contents) = side.get(name) {
                text.push_str(&format!("{}  {name}\n", sha256(contents)));
            }
        }
    }
    text
}

/// Killed part-way through an update from the new VPC to the existing one: main.tf is already
/// new, outputs.tf still old, vpc.tf not yet removed, variables.tf not yet there, and a staged
/// file is left. `--check` says it is not current, and running again completes it: with the
/// new spec, every file as a clean run makes them and vpc.tf gone; with the old spec (a revert),
/// every file back as it was.
#[test]
fn running_again_completes_a_killed_update_with_either_spec() {
    let (created, existing) = outputs();
    for (spec, expected) in [(EXISTING, &existing), (CREATED, &created)] {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        let out = d.join("out");
        write(out.join("main.tf"), &existing["main.tf"]);
        write(out.join("outputs.tf"), &created["outputs.tf"]);
        write(out.join("versions.tf"), &created["versions.tf"]);
        write(out.join("vpc.tf"), &created["vpc.tf"]);
        write(out.join(".vpcgen-Qr90St.tmp"), &existing["outputs.tf"]);
        let (from, to) = if spec == EXISTING {
            (&created, &existing)
        } else {
            (&existing, &created)
        };
        write(out.join(".vpcgen-manifest"), &intent(from, to));
        write(d.join("spec.yaml"), spec);
        let (code, stdout, _) = generate(d, &["--check"]);
        assert_eq!(code, 1, "{stdout}");
        let (code, _, err) = generate(d, &[]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(&files_below(&out), expected);
        let (code, stdout, err) = generate(d, &["--check"]);
        assert_eq!(code, 0, "{stdout}{err}");
    }
}

/// A file no longer produced cannot be removed (immutable): the run fails and takes back what
/// it did, so nothing claims to be current while the stale file stays; once it can be removed,
/// the next run removes it. Needs root and a file system with immutable files.
#[cfg(unix)]
#[test]
fn a_failed_removal_leaves_the_previous_output_and_the_next_run_completes() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d.join("spec.yaml"), CREATED);
    assert_eq!(generate(d, &[]).0, 0);
    let before = files_below(&d.join("out"));
    let chattr = |flag: &str| {
        std::process::Command::new("chattr")
            .arg(flag)
            .arg(d.join("out/vpc.tf"))
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !chattr("+i") {
        eprintln!("skipped: cannot make a file immutable here (chattr, root)");
        return;
    }
    write(d.join("spec.yaml"), EXISTING);
    let (code, _, err) = generate(d, &[]);
    chattr("-i");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot remove `out/vpc.tf`"), "{err}");
    assert_eq!(files_below(&d.join("out")), before);
    assert_eq!(generate(d, &["--check"]).0, 1);
    let (code, _, err) = generate(d, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("removed (vpc.tf)"), "{err}");
    assert_eq!(generate(d, &["--check"]).0, 0);
}

/// Kills spread over a batch update: whatever the moment, running again (with the new specs,
/// or the old) gives exactly the output of a clean run, with nothing left over.
#[test]
fn a_batch_killed_at_any_moment_is_completed_by_running_again() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let specs = |spec: &str| {
        for i in 0..8 {
            write(
                d.join(format!("specs/s{i}.yaml")),
                &spec.replace("name: shop", &format!("name: shop-{i}")),
            );
        }
    };
    let batch = ["generate", "specs", "--target", "terraform", "--out", "out"];
    let fresh = |spec: &str| {
        specs(spec);
        let _ = std::fs::remove_dir_all(d.join("out"));
        assert_eq!(run_in(d, &batch).0, 0);
        files_below(&d.join("out"))
    };
    let new = fresh(EXISTING);
    let old = fresh(CREATED);
    // How long an update takes here, to spread the kills over it.
    specs(EXISTING);
    let started = Instant::now();
    assert_eq!(run_in(d, &batch).0, 0);
    let update = started.elapsed();
    const ROUNDS: u32 = 4;
    for round in 0..ROUNDS {
        // Back to the old output, as a clean run left it.
        std::fs::remove_dir_all(d.join("out")).unwrap();
        for (path, text) in &old {
            write(d.join("out").join(path), text);
        }
        specs(EXISTING);
        let mut child = bin()
            .current_dir(d)
            .args(batch)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(update * (round + 1) / ROUNDS);
        let _ = child.kill();
        let _ = child.wait();
        // Half the rounds go on to the new specs, half revert to the old.
        let (spec, expected) = if round % 2 == 0 {
            (EXISTING, &new)
        } else {
            (CREATED, &old)
        };
        specs(spec);
        let (code, _, err) = run_in(d, &batch);
        assert_eq!(code, 0, "round {round}: {err}");
        assert!(&files_below(&d.join("out")) == expected, "round {round}");
        let mut check = batch.to_vec();
        check.push("--check");
        assert_eq!(run_in(d, &check).0, 0, "round {round}");
        assert_eq!(listing(d), ["out", "specs"], "round {round}");
    }
}

/// A closed standard output is a place output goes unread, like `/dev/null` (the Rust runtime
/// opens it there before vpcgen runs): the exit code and standard error still tell what
/// happened, and nothing meant for standard output lands in a file vpcgen opens.
#[cfg(unix)]
#[test]
fn a_closed_standard_output_changes_no_file_and_no_outcome() {
    let tmp = generated();
    let d = tmp.path();
    let args = [
        "generate",
        "spec.yaml",
        "--target",
        "terraform",
        "--out",
        "out",
    ];
    write(d.join("spec.yaml"), &EXISTING.replace("  - kms\n", ""));
    let before = files_below(&d.join("out"));
    let mut check = args.to_vec();
    check.push("--check");
    let (code, _, err) = run_in_shell(d, "exec >&-", &check);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("out of date"), "{err}");
    assert_eq!(files_below(&d.join("out")), before);
    let (code, _, err) = run_in_shell(d, "exec >&-", &args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(run_in(d, &check).0, 0);
}
