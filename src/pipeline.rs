//! `vpcgen generate` through every stage: expand the spec paths, read and validate each spec,
//! load each template set once, then plan and render each spec for every target and compare the
//! result with the output directory or write it there. Independent work runs on all cores;
//! results come back in input order, so a parallel run gives exactly the bytes a serial one would.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::error::{self, Diagnostic, Error};
use crate::model::{self, Vpc};
use crate::output::{self, OutputFile};
use crate::plan;
use crate::render::templates::Templates;
use crate::render::{self, RenderOptions, Target};
use crate::source::SpecFile;
use crate::source::{normalised, shown};

/// Spec files named on the command line, directories expanded to their `*.yaml`/`*.yml` files.
pub fn expand_specs(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<std::ffi::OsString> = std::fs::read_dir(p)
                .map_err(|e| Error::io(p, "cannot read directory", e))?
                .filter_map(Result::ok)
                .filter_map(|e| {
                    let name = e.file_name();
                    let spec = Path::new(&name)
                        .extension()
                        .is_some_and(|x| x == "yaml" || x == "yml")
                        // The entry's own type needs no system call; only a link is followed.
                        && e.file_type().is_ok_and(|t| {
                            t.is_file() || (t.is_symlink() && p.join(&name).is_file())
                        });
                    spec.then_some(name)
                })
                .collect();
            // All in one directory, so by file name: the order of the paths themselves, without
            // splitting every path into components at each comparison of a big batch.
            found.sort_unstable();
            let found: Vec<PathBuf> = found
                .into_iter()
                .map(|name| {
                    let mut path = PathBuf::with_capacity(p.as_os_str().len() + 1 + name.len());
                    path.push(p);
                    path.push(name);
                    path
                })
                .collect();
            if found.is_empty() {
                return Err(Error::usage(format!(
                    "no `*.yaml` specs in directory `{}`",
                    p.display()
                )));
            }
            out.extend(found);
        } else {
            // A file, or the reason it is not one: a FIFO, a device, a path that cannot be
            // searched or loops is each named for what it is.
            match std::fs::metadata(p) {
                Ok(m) if m.is_file() => out.push(p.clone()),
                Ok(m) => {
                    let kind = crate::source::special_kind(&m).unwrap_or("not a regular file");
                    return Err(Error::usage_with_help(
                        format!("spec `{}` is {kind}, not a regular file", shown(p)),
                        "give the path of a spec file, or of a directory of `*.yaml` specs",
                    ));
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(Error::usage(format!("spec `{}` does not exist", shown(p))));
                }
                Err(e) => return Err(Error::io(p, "cannot read the spec", e)),
            }
        }
    }
    Ok(out)
}

/// How a batch is laid out and rendered.
#[derive(Debug, Clone)]
pub struct Settings {
    pub targets: Vec<Target>,
    /// The output directory given on the command line.
    pub out: PathBuf,
    pub cfn_json: bool,
    /// `--templates`, which wins over a spec's own `templates:`.
    pub templates: Option<PathBuf>,
    /// More than one spec was given: each goes to `out/<name>/<target>`.
    pub many: bool,
}

impl Settings {
    /// The template directory a spec renders with (`None`: the built-ins).
    pub fn templates_for(&self, p: &Validated) -> Option<PathBuf> {
        self.templates.clone().or_else(|| p.vpc.templates.clone())
    }
}

/// Everything one spec produces for one target.
#[derive(Debug)]
pub struct Rendered {
    pub dir: PathBuf,
    pub files: Vec<OutputFile>,
}

/// A spec that validated: its file and model, and its warnings. It is planned only when it is
/// rendered, on the same thread and just before, so that a batch never holds every plan at once.
#[derive(Debug)]
pub struct Validated {
    pub file: SpecFile,
    pub vpc: Vpc,
}

impl Validated {
    pub fn warnings(&self) -> Option<Error> {
        (!self.vpc.warnings.is_empty())
            .then(|| crate::spec::error(&self.file, self.vpc.warnings.clone()))
    }
}

/// `f` over `items`, on all cores when there is more than one item. A single spec stays on the
/// calling thread: starting the thread pool costs more than the work. Items are handed out one
/// at a time: left to itself, rayon cuts a batch into a few runs per core and cuts a run again
/// only when another core takes part of it, so a core that starts late or is slowed (as virtual
/// machines' cores often are) can leave the other with nothing to take while it finishes a
/// long run of specs.
pub fn map_ordered<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    if items.len() < 2 {
        items.iter().map(f).collect()
    } else {
        items.par_iter().with_max_len(1).map(f).collect()
    }
}

/// Read and validate every spec, in parallel; results in input order.
pub fn validate_all(paths: &[PathBuf]) -> Vec<Result<Validated, Failure>> {
    map_ordered(paths, |path| {
        let fail = |e| (shown(path), e);
        let file = crate::spec::read(path).map_err(fail)?;
        let vpc = model::load(&file).map_err(fail)?;
        Ok(Validated { file, vpc })
    })
}

/// Where one spec's output for one target goes.
pub fn out_dir(settings: &Settings, name: &str, target: Target) -> PathBuf {
    match (settings.many, settings.targets.len() > 1) {
        (true, _) => settings.out.join(name).join(target.as_str()),
        (false, true) => settings.out.join(target.as_str()),
        (false, false) => settings.out.clone(),
    }
}

/// Render options for one output directory.
pub fn options(settings: &Settings, file: &SpecFile, target: Target, dir: &Path) -> RenderOptions {
    RenderOptions {
        cfn_json: settings.cfn_json,
        regenerate: render::regenerate_command(
            &file.display_path(),
            target,
            &shown(dir),
            settings.cfn_json,
            settings.templates.as_deref().map(shown).as_deref(),
        ),
    }
}

/// Checks across specs: two specs of one batch may not share a name, since their output would
/// land in the same directory.
pub fn check_names(specs: &[&Validated], settings: &Settings) -> Vec<Failure> {
    let mut seen: BTreeMap<&str, &Validated> = BTreeMap::new();
    let mut errors = Vec::new();
    for p in specs {
        if let Some(other) = seen.insert(&p.vpc.name, p) {
            let d = Diagnostic::new(
                "name",
                &format!(
                    "`{}` is also the name of {}",
                    p.vpc.name,
                    other.file.display_path()
                ),
                &format!(
                    "give each spec its own name; their output would collide in `{}`",
                    shown(&settings.out.join(&p.vpc.name))
                ),
            );
            errors.push((p.file.display_path(), crate::spec::error(&p.file, vec![d])));
        }
    }
    errors
}

/// What a target cannot express: CloudFormation has no property for an interface endpoint's
/// fixed addresses (`AWS::EC2::VPCEndpoint` lacks `SubnetConfigurations`), so a spec with
/// `fixed_ips` is refused for it rather than rendered without them.
pub fn check_targets(specs: &[&Validated], settings: &Settings) -> Vec<Failure> {
    if !settings.targets.contains(&Target::CloudFormation) {
        return Vec::new();
    }
    let mut errors = Vec::new();
    for p in specs {
        let mut diags: Vec<Diagnostic> = p
            .vpc
            .endpoints
            .iter()
            .filter(|e| !e.fixed_ips.is_empty())
            .map(|e| {
                Diagnostic::new(
                    &format!("{}.fixed_ips", e.path),
                    &format!(
                        "CloudFormation cannot fix the addresses of `{}`: AWS::EC2::VPCEndpoint has no property for them",
                        e.key
                    ),
                    "generate this spec with `--target terraform` (which writes `subnet_configuration`), or remove `fixed_ips` to let AWS choose the addresses",
                )
                .at_key()
            })
            .collect();
        if let Some(hub) = &p.vpc.hub {
            // AWS::Route53::HostedZone associates only VPCs of the stack's account, and no
            // resource type authorises or makes an association from another account.
            diags.extend(hub.spokes.iter().filter_map(|s| {
                let account = s.account.as_deref()?;
                Some(
                    Diagnostic::new(
                        &format!("{}.account", s.path),
                        &format!(
                            "CloudFormation cannot share the hub with spoke `{}` in account {account}: it has no resource that authorises or makes a cross-account association",
                            s.name
                        ),
                        "generate this spec with `--target terraform`, which writes the hub's authorisation and the association in the spoke's account (spokes.tf)",
                    )
                    .at_key(),
                )
            }));
        }
        if !diags.is_empty() {
            errors.push((p.file.display_path(), crate::spec::error(&p.file, diags)));
        }
    }
    errors
}

/// A failure, with the spec it belongs to (for the count of failed specs).
pub type Failure = (String, Error);

/// Load each template set the batch needs, once; `preloaded` is the `--templates` set when the
/// caller has loaded it already.
pub fn load_templates(
    specs: &[&Validated],
    settings: &Settings,
    preloaded: Option<Arc<Templates>>,
) -> (BTreeMap<Option<PathBuf>, Arc<Templates>>, Vec<Failure>) {
    let mut sets = BTreeMap::new();
    if let Some(t) = preloaded {
        sets.insert(settings.templates.clone(), t);
    }
    let mut errors = Vec::new();
    for p in specs {
        if settings.templates.is_none() {
            if let Some(d) = p.vpc.templates.as_deref().filter(|d| !d.is_dir()) {
                // Point at the spec's `templates:` line: the path is relative to the spec file,
                // which is the usual surprise.
                let d = shown(d);
                let diag = Diagnostic::new(
                    "templates",
                    &format!("template directory `{d}` does not exist"),
                    &format!(
                        "the path is relative to the spec file; create the directory with `vpcgen templates eject {d}`, or fix the path"
                    ),
                );
                errors.push((
                    p.file.display_path(),
                    crate::spec::error(&p.file, vec![diag]),
                ));
                continue;
            }
        }
        let dir = settings.templates_for(p);
        if sets.contains_key(&dir) {
            continue;
        }
        let loaded = match &dir {
            None => Ok(Templates::builtin()),
            Some(d) => Templates::load(Some(d)).map(Arc::new),
        };
        match loaded {
            Ok(t) => {
                sets.insert(dir, t);
            }
            Err(e) => errors.push((p.file.display_path(), e)),
        }
    }
    (sets, errors)
}

/// Plan and render every spec for every target and hand each result to `then` (compare or
/// stage it), in parallel, so that the batch never holds every plan or every rendered file at
/// once; results in input order. A spec's targets are rendered one after the other from one
/// plan, which is dropped as soon as they are done.
pub fn render_each<R: Send>(
    specs: &[&Validated],
    settings: &Settings,
    sets: &BTreeMap<Option<PathBuf>, Arc<Templates>>,
    then: impl Fn(Rendered) -> Result<R, Error> + Sync + Send,
) -> Vec<Result<R, Failure>> {
    let per_spec = map_ordered(specs, |p| {
        let plan = plan::build(&p.vpc);
        let templates = sets
            .get(&settings.templates_for(p))
            .expect("every template set was loaded first");
        settings
            .targets
            .iter()
            .map(|target| {
                let dir = out_dir(settings, &p.vpc.name, *target);
                let files = render::render(
                    &plan,
                    *target,
                    &options(settings, &p.file, *target, &dir),
                    templates,
                )
                .map_err(|e| (p.file.display_path(), e))?;
                then(Rendered { dir, files }).map_err(|e| (p.file.display_path(), e))
            })
            .collect::<Vec<_>>()
    });
    per_spec.into_iter().flatten().collect()
}

/// What `generate` was asked to do besides laying the batch out.
#[derive(Debug, Clone, Default)]
pub struct Mode {
    /// Compare with the output directory instead of writing.
    pub check: bool,
    /// Replace files vpcgen did not write or that were edited by hand; never delete them.
    pub force: bool,
    /// Warnings fail their spec.
    pub deny_warnings: bool,
    /// Print the template contexts instead of rendering.
    pub dump_context: bool,
}

/// What a `generate` run came to.
#[derive(Debug)]
pub enum Outcome {
    /// `--dump-context`: one context, or a list of them.
    Context(serde_json::Value),
    /// `--check`: a report per output directory, in input order.
    Checked(Vec<(PathBuf, output::CheckReport)>),
    /// The output was written: what changed, per output directory.
    Written(Vec<(PathBuf, output::WriteReport)>),
}

/// A `generate` run: the specs' warnings (shown whatever happens next) and what it came to.
/// An error means nothing was written.
#[derive(Debug)]
pub struct Generation {
    pub warnings: Vec<Error>,
    pub outcome: Result<Outcome, Error>,
}

/// What became of one output directory.
enum Done {
    Checked(PathBuf, output::CheckReport),
    Staged(output::Staged),
}

/// Generate `specs` (files or directories of specs) as `settings` lays them out.
pub fn generate(specs: &[PathBuf], settings: &Settings, mode: &Mode) -> Generation {
    let mut warnings = Vec::new();
    let outcome = run(specs, settings, mode, &mut warnings);
    Generation { warnings, outcome }
}

fn run(
    specs: &[PathBuf],
    settings: &Settings,
    mode: &Mode,
    warnings: &mut Vec<Error>,
) -> Result<Outcome, Error> {
    // One spelling of every path, whichever the user typed: the headers record them.
    let specs: Vec<PathBuf> = specs.iter().map(|p| normalised(p)).collect();
    let paths = expand_specs(&specs)?;
    let settings = Settings {
        many: paths.len() > 1,
        out: normalised(&settings.out),
        templates: settings.templates.as_deref().map(normalised),
        ..settings.clone()
    };
    if !mode.dump_context {
        output::check_out(&settings.out)?;
    }
    // A bad --templates directory is reported once, before any spec, and the set is reused for
    // every spec. `--dump-context` renders nothing and so reads no templates.
    let preloaded = match settings.templates.as_ref().filter(|_| !mode.dump_context) {
        Some(d) => Some(Arc::new(Templates::load(Some(d))?)),
        None => None,
    };
    let mut failures: Vec<Failure> = Vec::new();
    let mut valid = Vec::with_capacity(paths.len());
    // Parsing the built-in templates takes longer than validating a spec, so it happens on the
    // other core while the specs are validated: within the pool for a batch, and for one spec
    // on a thread of its own, which nothing waits for when the spec fails or brings its own
    // templates (should the thread not start, the templates are parsed when first used).
    let builtin_used = settings.templates.is_none() && !mode.dump_context;
    let prepare = |targets: &[Target]| {
        let builtin = Templates::builtin();
        for target in targets {
            builtin.prepare(*target);
        }
    };
    let results = if settings.many {
        rayon::join(
            || validate_all(&paths),
            || builtin_used.then(|| prepare(&settings.targets)),
        )
        .0
    } else {
        if builtin_used {
            let targets = settings.targets.clone();
            let _ = std::thread::Builder::new().spawn(move || prepare(&targets));
        }
        validate_all(&paths)
    };
    for result in results {
        match result {
            Ok(p) => {
                if let Some(w) = p.warnings() {
                    warnings.push(w);
                    if mode.deny_warnings {
                        let spec = p.file.display_path();
                        let n = p.vpc.warnings.len();
                        let what = if n == 1 {
                            "1 warning is an error".to_owned()
                        } else {
                            format!("{n} warnings are errors")
                        };
                        let e = Error::usage(format!(
                            "{spec}: {what} with `--deny-warnings`; nothing was written"
                        ));
                        failures.push((spec, e));
                        continue;
                    }
                }
                valid.push(p);
            }
            Err(e) => failures.push(e),
        }
    }
    let ok: Vec<&Validated> = valid.iter().collect();
    if settings.many {
        failures.extend(check_names(&ok, &settings));
    }
    failures.extend(check_targets(&ok, &settings));
    if mode.dump_context && failures.is_empty() {
        let mut contexts = Vec::new();
        for p in &ok {
            let plan = plan::build(&p.vpc);
            for &target in &settings.targets {
                let dir = out_dir(&settings, &p.vpc.name, target);
                let options = options(&settings, &p.file, target, &dir);
                contexts.push(
                    serde_json::to_value(render::context(&plan, target, &options))
                        .expect("context serialises"),
                );
            }
        }
        return Ok(Outcome::Context(if contexts.len() == 1 {
            contexts.pop().expect("one")
        } else {
            serde_json::Value::Array(contexts)
        }));
    }
    let (sets, template_errors) = load_templates(&ok, &settings, preloaded);
    failures.extend(template_errors);
    if !failures.is_empty() {
        return Err(failed(failures, settings.many));
    }
    // Each output directory is rendered and then compared (`--check`) or staged (new files
    // written beside the old ones, or into the hidden directory of a new output tree; nothing
    // replaced yet) in one go. `created` is declared first so it is dropped last: staged files,
    // a new tree's hidden directory and the lock go before the directories the run created.
    let created = output::CreatedDirs::default();
    let mut new_tree = None;
    // Held from before the first file is read until the last is in place.
    let mut lock = None;
    if mode.check {
        output::probe_tree(&settings.out, false)?;
    } else {
        output::clear_leftovers_beside(&settings.out);
        new_tree = output::NewTree::begin(&settings.out, &created)?;
        if new_tree.is_none() {
            lock = output::Lock::take_tree(&settings.out)?;
        }
        output::probe_tree(&settings.out, true)?;
    }
    // A new tree holds no spec to protect.
    let inputs = if mode.check || new_tree.is_some() {
        output::Inputs::default()
    } else {
        output::Inputs::of(&paths)
    };
    let run = output::Run {
        root: &settings.out,
        force: mode.force,
        inputs: &inputs,
        created: &created,
    };
    let mut done = Vec::new();
    let results = render_each(&ok, &settings, &sets, |r| {
        if mode.check {
            output::check(&settings.out, &r.dir, &r.files)
                .map(|report| Done::Checked(r.dir, report))
        } else if let Some(tree) = &new_tree {
            tree.stage(&r.dir, r.files).map(Done::Staged)
        } else {
            output::stage(&run, &r.dir, r.files).map(Done::Staged)
        }
    });
    for r in results {
        match r {
            Ok(d) => done.push(d),
            Err(e) => failures.push(e),
        }
    }
    if !failures.is_empty() {
        return Err(failed(failures, settings.many));
    }
    if mode.check {
        let reports = done
            .into_iter()
            .filter_map(|d| match d {
                Done::Checked(dir, r) => Some((dir, r)),
                Done::Staged(_) => None,
            })
            .collect();
        return Ok(Outcome::Checked(reports));
    }
    let staged = done
        .into_iter()
        .filter_map(|d| match d {
            Done::Staged(s) => Some(s),
            Done::Checked(..) => None,
        })
        .collect();
    let reports = output::commit(staged)?;
    // The tree's lock, now in the output directory, is held until the end like the other.
    if let Some(tree_lock) = new_tree.map(output::NewTree::commit).transpose()? {
        lock = Some(tree_lock);
    }
    created.keep();
    drop(lock);
    Ok(Outcome::Written(reports))
}

/// The error for a batch in which some specs failed: each failure once (one broken template
/// fails every spec and target it renders), and how many specs failed.
fn failed(failures: Vec<Failure>, many: bool) -> Error {
    let failed_specs = failures
        .iter()
        .map(|(spec, _)| spec)
        .collect::<BTreeSet<_>>()
        .len();
    let mut shown_errors = BTreeSet::new();
    let mut errors: Vec<Error> = failures.into_iter().map(|(_, e)| e).collect();
    errors.retain(|e| shown_errors.insert(error::render(e, false)));
    Error::Batch {
        errors,
        summary: (failed_specs > 1 || many)
            .then(|| format!("nothing was written: {failed_specs} spec(s) failed")),
    }
}
