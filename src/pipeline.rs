//! A batch of specs through every stage: read and validate each spec, load each template set
//! once, then plan and render each spec for every target. Independent work runs on all cores;
//! results come back in input order, so a parallel run gives exactly the bytes a serial one would.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::error::{Diagnostic, Error, shown};
use crate::model::{self, Vpc};
use crate::plan;
use crate::render::{self, OutputFile, RenderOptions, Target};
use crate::spec::SpecFile;
use crate::templates::Templates;

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
pub struct Validated {
    pub file: SpecFile,
    pub vpc: Vpc,
}

impl Validated {
    pub fn warnings(&self) -> Option<Error> {
        (!self.vpc.warnings.is_empty()).then(|| Error::spec(&self.file, self.vpc.warnings.clone()))
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

/// Let go of a batch's validated specs without freeing them: the process ends right after, and
/// the kernel takes back its memory at once, while freeing hundreds of models allocation by
/// allocation was a serial tail at the end of every batch run. Only the command line calls this,
/// on its way out.
pub fn forget_at_exit(specs: Vec<Validated>) {
    std::mem::forget(specs);
}

/// Read and validate every spec, in parallel; results in input order.
pub fn validate_all(paths: &[PathBuf]) -> Vec<Result<Validated, Failure>> {
    map_ordered(paths, |path| {
        let fail = |e| (shown(path), e);
        let file = SpecFile::read(path).map_err(fail)?;
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
            errors.push((p.file.display_path(), Error::spec(&p.file, vec![d])));
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
                errors.push((p.file.display_path(), Error::spec(&p.file, vec![diag])));
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
