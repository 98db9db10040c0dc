//! A Terraform configuration checker standing in for `terraform validate`, which cannot run in
//! CI (no Terraform binary, no provider download). It checks one module (a directory's `.tf`
//! files) against the AWS provider schema in `tests/data/aws-provider-schema.json` and the
//! Terraform language: known block and resource types, known arguments and nested blocks,
//! required arguments present, and every reference resolving to something declared.
//!
//! It reports every problem it finds, each naming the file and the block, so that one run shows
//! everything a template change broke.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use hcl::expr::{Operation, TemplateExpr, TraversalOperator};
use hcl::template::{Directive, Element};
use hcl::{Block, Body, Expression, ObjectKey, Template};
use serde::Deserialize;

/// The schema file, compiled in so the test never reads anything outside the crate.
const SCHEMA_JSON: &str = include_str!("../../data/aws-provider-schema.json");

#[derive(Deserialize)]
struct Schema {
    meta_arguments: Vec<String>,
    provider: BlockSchema,
    resources: BTreeMap<String, BlockSchema>,
    data_sources: BTreeMap<String, BlockSchema>,
}

#[derive(Deserialize)]
struct Argument {
    required: bool,
}

/// A resource, data source, provider or nested block.
#[derive(Deserialize)]
struct BlockSchema {
    arguments: BTreeMap<String, Argument>,
    #[serde(default)]
    blocks: BTreeMap<String, NestedBlock>,
    /// Exported attributes (arguments included); absent for nested blocks and the provider.
    #[serde(default)]
    attributes: Vec<String>,
}

#[derive(Deserialize)]
struct NestedBlock {
    #[serde(flatten)]
    schema: BlockSchema,
    /// `single` (at most once) or `list` (any number of times).
    nesting: String,
    required: bool,
    /// False for the provider's "attributes as blocks" (`ingress` of `aws_security_group`),
    /// which may also be written as an argument: `ingress = []`.
    true_block: bool,
}

fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| serde_json::from_str(SCHEMA_JSON).expect("the schema file parses"))
}

/// Terraform's built-in functions (1.5 to 1.10), so that a misspelt function is caught too.
const FUNCTIONS: &str = "\
    abs abspath alltrue anytrue base64decode base64encode base64gzip base64sha256 base64sha512 \
    basename bcrypt can ceil chomp chunklist cidrhost cidrnetmask cidrsubnet cidrsubnets \
    coalesce coalescelist compact concat contains csvdecode dirname distinct element endswith \
    ephemeralasnull file filebase64 filebase64sha256 filebase64sha512 fileexists filemd5 fileset \
    filesha1 filesha256 filesha512 flatten floor format formatdate formatlist indent index \
    issensitive join jsondecode jsonencode keys length log lookup lower matchkeys max md5 merge \
    min nonsensitive one parseint pathexpand plantimestamp pow range regex regexall replace \
    reverse rsadecrypt sensitive setintersection setproduct setsubtract setunion sha1 sha256 \
    sha512 signum slice sort split startswith strcontains strrev substr sum templatefile \
    templatestring textdecodebase64 textencodebase64 timeadd timecmp timestamp title tobool \
    tolist tomap tonumber toset tostring transpose trim trimprefix trimspace trimsuffix try type \
    upper urlencode uuid uuidv5 values yamldecode yamlencode zipmap";

fn functions() -> impl Iterator<Item = &'static str> {
    FUNCTIONS.split_whitespace()
}

/// Meta-arguments of `resource` and `data` blocks that are written as blocks; the schema file
/// lists them with the ones written as arguments (`count`, `depends_on`, `for_each`, `provider`).
const META_BLOCKS: &[&str] = &["lifecycle", "provisioner", "connection"];

/// Meta-arguments written as arguments.
fn meta_attributes() -> impl Iterator<Item = &'static str> {
    schema()
        .meta_arguments
        .iter()
        .map(String::as_str)
        .filter(|m| !META_BLOCKS.contains(m))
}

/// What a resource address can be indexed by.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expansion {
    Single,
    Count,
    ForEach,
}

/// Everything the module declares, across its files.
#[derive(Default)]
struct Declarations {
    resources: BTreeMap<(String, String), Expansion>,
    data: BTreeMap<(String, String), Expansion>,
    variables: BTreeSet<String>,
    locals: BTreeSet<String>,
    modules: BTreeSet<String>,
}

/// Names an expression may use where it stands.
#[derive(Clone, Default)]
struct Scope {
    each: bool,
    count: bool,
    this: bool,
    /// Variables bound by `for` expressions, template `for` directives and `dynamic` iterators.
    bound: Vec<String>,
}

struct Checker<'a> {
    decls: &'a Declarations,
    problems: Vec<String>,
}

/// Check one module: `files` are `(file name, contents)` of the `.tf` files of one directory.
/// Returns every problem found; an empty list means the module passes.
pub fn check_module(files: &[(String, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut parsed = Vec::new();
    for (name, text) in files {
        match hcl::parse(text) {
            Ok(body) => parsed.push((name.as_str(), body)),
            Err(e) => problems.push(format!("{name}: does not parse as HCL: {e}")),
        }
    }
    let decls = declarations(&parsed, &mut problems);
    let mut checker = Checker {
        decls: &decls,
        problems,
    };
    for (file, body) in &parsed {
        for attr in body.attributes() {
            checker.problem(
                file,
                "",
                &format!("unexpected top-level argument `{}`", attr.key()),
            );
        }
        for block in body.blocks() {
            checker.top_level(file, block);
        }
    }
    checker.problems
}

fn labels(block: &Block) -> Vec<&str> {
    block.labels().iter().map(|l| l.as_str()).collect()
}

fn describe(block: &Block) -> String {
    let mut text = block.identifier().to_owned();
    for l in labels(block) {
        text.push_str(&format!(" \"{l}\""));
    }
    text
}

fn expansion(body: &Body) -> Expansion {
    if body.attributes().any(|a| a.key() == "for_each") {
        Expansion::ForEach
    } else if body.attributes().any(|a| a.key() == "count") {
        Expansion::Count
    } else {
        Expansion::Single
    }
}

fn declarations(files: &[(&str, Body)], problems: &mut Vec<String>) -> Declarations {
    let mut d = Declarations::default();
    for (file, body) in files {
        for block in body.blocks() {
            let l = labels(block);
            let fresh = match (block.identifier(), l.as_slice()) {
                ("resource", [kind, name]) => d
                    .resources
                    .insert(
                        (kind.to_string(), name.to_string()),
                        expansion(block.body()),
                    )
                    .is_none(),
                ("data", [kind, name]) => d
                    .data
                    .insert(
                        (kind.to_string(), name.to_string()),
                        expansion(block.body()),
                    )
                    .is_none(),
                ("variable", [name]) => d.variables.insert(name.to_string()),
                ("module", [name]) => d.modules.insert(name.to_string()),
                ("locals", []) => {
                    for a in block.body().attributes() {
                        if !d.locals.insert(a.key().to_owned()) {
                            problems.push(format!(
                                "{file}: locals: `local.{}` is defined twice",
                                a.key()
                            ));
                        }
                    }
                    true
                }
                _ => true,
            };
            if !fresh {
                problems.push(format!("{file}: {} is declared twice", describe(block)));
            }
        }
    }
    d
}

/// "did you mean" for a misspelt name.
fn hint<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match vpcgen::error::suggest(name, candidates) {
        Some(best) => format!(" (did you mean `{best}`?)"),
        None => String::new(),
    }
}

fn traversal_root(expr: &Expression) -> Option<&str> {
    match expr {
        Expression::Variable(v) => Some(v.as_str()),
        Expression::Traversal(t) => traversal_root(&t.expr),
        _ => None,
    }
}

impl Checker<'_> {
    fn problem(&mut self, file: &str, at: &str, what: &str) {
        if at.is_empty() {
            self.problems.push(format!("{file}: {what}"));
        } else {
            self.problems.push(format!("{file}: {at}: {what}"));
        }
    }

    fn top_level(&mut self, file: &str, block: &Block) {
        let at = describe(block);
        let l = labels(block);
        let body = block.body();
        let s = schema();
        match (block.identifier(), l.as_slice()) {
            ("resource", [kind, _]) => match s.resources.get(*kind) {
                Some(schema) => self.resource_body(file, &at, body, schema),
                None => {
                    let hint = hint(kind, s.resources.keys().map(String::as_str));
                    self.problem(
                        file,
                        &at,
                        &format!(
                            "unknown resource type `{kind}`{hint}; a type the templates start \
                             using must be added to tests/data/aws-provider-schema.json"
                        ),
                    );
                }
            },
            ("data", [kind, _]) => match s.data_sources.get(*kind) {
                Some(schema) => self.resource_body(file, &at, body, schema),
                None => {
                    let hint = hint(kind, s.data_sources.keys().map(String::as_str));
                    self.problem(
                        file,
                        &at,
                        &format!(
                            "unknown data source `{kind}`{hint}; a data source the templates \
                             start using must be added to tests/data/aws-provider-schema.json"
                        ),
                    );
                }
            },
            ("provider", ["aws"]) => {
                let scope = Scope::default();
                self.body(file, &at, body, &s.provider, &scope, false);
            }
            ("provider", [other]) => {
                self.problem(
                    file,
                    &at,
                    &format!("provider `{other}` is not in the schema"),
                );
            }
            ("variable", [_]) => self.fixed_body(
                file,
                &at,
                body,
                &[
                    "default",
                    "type",
                    "description",
                    "sensitive",
                    "nullable",
                    "ephemeral",
                ],
                &[],
                &["validation"],
                &Scope::default(),
            ),
            ("output", [_]) => self.fixed_body(
                file,
                &at,
                body,
                &[
                    "value",
                    "description",
                    "sensitive",
                    "depends_on",
                    "ephemeral",
                ],
                &["value"],
                &["precondition"],
                &Scope::default(),
            ),
            ("locals", []) => {
                for b in body.blocks() {
                    self.problem(file, &at, &format!("unexpected block `{}`", b.identifier()));
                }
                for a in body.attributes() {
                    self.expr(
                        file,
                        &format!("local.{}", a.key()),
                        a.expr(),
                        &Scope::default(),
                    );
                }
            }
            ("terraform", []) => {
                // Version constraints and backend settings hold no references to check.
                for a in body.attributes() {
                    if !["required_version", "experiments"].contains(&a.key()) {
                        self.problem(file, &at, &format!("unknown argument `{}`", a.key()));
                    }
                }
                for b in body.blocks() {
                    let known = ["required_providers", "backend", "cloud", "provider_meta"];
                    if !known.contains(&b.identifier()) {
                        self.problem(file, &at, &format!("unknown block `{}`", b.identifier()));
                    }
                }
            }
            ("module", [_]) => {
                if !body.attributes().any(|a| a.key() == "source") {
                    self.problem(file, &at, "missing required argument `source`");
                }
                let scope = Scope {
                    each: expansion(body) == Expansion::ForEach,
                    count: expansion(body) == Expansion::Count,
                    ..Scope::default()
                };
                for a in body.attributes() {
                    self.expr(file, &at, a.expr(), &scope);
                }
            }
            // Addresses in these name things that may no longer exist, by design.
            ("moved", []) | ("removed", []) | ("import", []) | ("check", [_]) => {}
            (kind, _) => {
                let known = [
                    "resource",
                    "data",
                    "provider",
                    "variable",
                    "output",
                    "locals",
                    "terraform",
                    "module",
                    "moved",
                    "removed",
                    "import",
                    "check",
                ];
                let what = if known.contains(&kind) {
                    "wrong number of labels".to_owned()
                } else {
                    format!("unknown block type `{kind}`{}", hint(kind, known))
                };
                self.problem(file, &at, &what);
            }
        }
    }

    /// A resource or data block: the provider schema plus Terraform's meta-arguments.
    fn resource_body(&mut self, file: &str, at: &str, body: &Body, schema: &BlockSchema) {
        let expansion = expansion(body);
        let scope = Scope {
            each: expansion == Expansion::ForEach,
            count: expansion == Expansion::Count,
            ..Scope::default()
        };
        if body.attributes().any(|a| a.key() == "count")
            && body.attributes().any(|a| a.key() == "for_each")
        {
            self.problem(file, at, "`count` and `for_each` cannot both be set");
        }
        self.body(file, at, body, schema, &scope, true);
    }

    /// A block body against its schema. `top` allows resource meta-arguments.
    fn body(
        &mut self,
        file: &str,
        at: &str,
        body: &Body,
        schema: &BlockSchema,
        scope: &Scope,
        top: bool,
    ) {
        let mut seen_args = BTreeSet::new();
        let mut seen_blocks: BTreeMap<String, usize> = BTreeMap::new();
        for a in body.attributes() {
            let key = a.key();
            // The parser already rejects an argument set twice.
            seen_args.insert(key.to_owned());
            let known = schema.arguments.contains_key(key)
                || schema.blocks.get(key).is_some_and(|b| !b.true_block)
                || (top && meta_attributes().any(|m| m == key));
            if !known {
                let candidates = schema
                    .arguments
                    .keys()
                    .map(String::as_str)
                    .chain(meta_attributes().filter(|_| top).map(|m| -> &str { m }));
                let hint = hint(key, candidates);
                let what = if schema.blocks.contains_key(key) || (top && META_BLOCKS.contains(&key))
                {
                    format!("`{key}` is a block, not an argument: write `{key} {{ ... }}`")
                } else {
                    format!("unknown argument `{key}`{hint}")
                };
                self.problem(file, at, &what);
            }
            if top && key == "depends_on" {
                self.depends_on(file, at, a.expr());
            } else if top && key == "provider" {
                // `aws.west` names a provider configuration, not a value.
            } else {
                self.expr(file, &format!("{at} > {key}"), a.expr(), scope);
            }
        }
        for b in body.blocks() {
            let name = b.identifier();
            let inner_at = format!("{at} > {}", describe(b));
            *seen_blocks.entry(name.to_owned()).or_default() += 1;
            if top && name == "lifecycle" {
                self.lifecycle(file, &inner_at, b.body(), schema, scope);
                continue;
            }
            if top && (name == "provisioner" || name == "connection") {
                let inner = Scope {
                    this: true,
                    ..scope.clone()
                };
                self.walk_body(file, &inner_at, b.body(), &inner);
                continue;
            }
            if name == "dynamic" {
                self.dynamic(file, &inner_at, b, schema, scope);
                if let Some(label) = b.labels().first() {
                    *seen_blocks.entry(label.as_str().to_owned()).or_default() += 1;
                }
                continue;
            }
            match schema.blocks.get(name) {
                Some(nested) => {
                    if !b.labels().is_empty() {
                        self.problem(file, &inner_at, "this block takes no labels");
                    }
                    self.body(file, &inner_at, b.body(), &nested.schema, scope, false);
                }
                None => {
                    let meta: &[&str] = if top {
                        &["lifecycle", "provisioner", "connection", "dynamic"]
                    } else {
                        &["dynamic"]
                    };
                    let candidates = schema
                        .blocks
                        .keys()
                        .map(String::as_str)
                        .chain(meta.iter().copied());
                    let hint = hint(name, candidates);
                    let what = if schema.arguments.contains_key(name) {
                        format!("`{name}` is an argument, not a block: write `{name} = ...`")
                    } else {
                        format!("unknown block `{name}`{hint}")
                    };
                    self.problem(file, at, &what);
                }
            }
        }
        for (name, count) in &seen_blocks {
            let single = schema
                .blocks
                .get(name)
                .is_some_and(|b| b.nesting == "single")
                || (top && name == "lifecycle");
            if single && *count > 1 {
                self.problem(file, at, &format!("block `{name}` may appear only once"));
            }
        }
        for (name, arg) in &schema.arguments {
            if arg.required && !seen_args.contains(name) {
                self.problem(file, at, &format!("missing required argument `{name}`"));
            }
        }
        for (name, block) in &schema.blocks {
            if block.required && !seen_blocks.contains_key(name) && !seen_args.contains(name) {
                self.problem(file, at, &format!("missing required block `{name}`"));
            }
        }
    }

    /// `dynamic "NAME" { for_each = ..., iterator = ..., content { ... } }`.
    fn dynamic(
        &mut self,
        file: &str,
        at: &str,
        block: &Block,
        parent: &BlockSchema,
        scope: &Scope,
    ) {
        let [label] = labels(block)[..] else {
            self.problem(file, at, "a dynamic block takes exactly one label");
            return;
        };
        let Some(nested) = parent.blocks.get(label) else {
            let hint = hint(label, parent.blocks.keys().map(String::as_str));
            self.problem(file, at, &format!("unknown block `{label}`{hint}"));
            return;
        };
        let body = block.body();
        let mut iterator = label.to_owned();
        let mut has_for_each = false;
        for a in body.attributes() {
            match a.key() {
                "for_each" => {
                    has_for_each = true;
                    self.expr(file, at, a.expr(), scope);
                }
                "iterator" => match a.expr() {
                    Expression::Variable(v) => iterator = v.as_str().to_owned(),
                    _ => self.problem(file, at, "`iterator` must be a bare name"),
                },
                "labels" => self.expr(file, at, a.expr(), scope),
                other => self.problem(file, at, &format!("unknown argument `{other}`")),
            }
        }
        if !has_for_each {
            self.problem(file, at, "missing required argument `for_each`");
        }
        let mut inner = scope.clone();
        inner.bound.push(iterator);
        let contents: Vec<&Block> = body
            .blocks()
            .filter(|b| b.identifier() == "content")
            .collect();
        if contents.len() != 1 {
            self.problem(
                file,
                at,
                "a dynamic block needs exactly one `content` block",
            );
        }
        for b in body.blocks() {
            if b.identifier() != "content" {
                self.problem(file, at, &format!("unknown block `{}`", b.identifier()));
            }
        }
        for c in contents {
            self.body(
                file,
                &format!("{at} > content"),
                c.body(),
                &nested.schema,
                &inner,
                false,
            );
        }
    }

    fn lifecycle(
        &mut self,
        file: &str,
        at: &str,
        body: &Body,
        resource: &BlockSchema,
        scope: &Scope,
    ) {
        for a in body.attributes() {
            match a.key() {
                "create_before_destroy" | "prevent_destroy" => {
                    if !matches!(a.expr(), Expression::Bool(_)) {
                        self.problem(file, at, &format!("`{}` must be a literal bool", a.key()));
                    }
                }
                "ignore_changes" => self.ignore_changes(file, at, a.expr(), resource),
                "replace_triggered_by" => self.expr(file, at, a.expr(), scope),
                other => {
                    let known = [
                        "create_before_destroy",
                        "prevent_destroy",
                        "ignore_changes",
                        "replace_triggered_by",
                    ];
                    let hint = hint(other, known);
                    self.problem(file, at, &format!("unknown argument `{other}`{hint}"));
                }
            }
        }
        for b in body.blocks() {
            let inner_at = format!("{at} > {}", b.identifier());
            match b.identifier() {
                "precondition" | "postcondition" => {
                    let inner = Scope {
                        this: b.identifier() == "postcondition",
                        ..scope.clone()
                    };
                    self.fixed_body(
                        file,
                        &inner_at,
                        b.body(),
                        &["condition", "error_message"],
                        &["condition", "error_message"],
                        &[],
                        &inner,
                    );
                }
                other => self.problem(file, at, &format!("unknown block `{other}`")),
            }
        }
    }

    /// `ignore_changes` names arguments of the resource itself (or is `all`).
    fn ignore_changes(&mut self, file: &str, at: &str, expr: &Expression, resource: &BlockSchema) {
        let items = match expr {
            Expression::Variable(v) if v.as_str() == "all" => return,
            Expression::Array(items) => items,
            _ => {
                self.problem(
                    file,
                    at,
                    "`ignore_changes` must be a list of argument names or `all`",
                );
                return;
            }
        };
        for item in items {
            match traversal_root(item) {
                Some(name)
                    if resource.arguments.contains_key(name)
                        || resource.blocks.contains_key(name) => {}
                Some(name) => {
                    let hint = hint(name, resource.arguments.keys().map(String::as_str));
                    self.problem(
                        file,
                        at,
                        &format!("`ignore_changes` names unknown argument `{name}`{hint}"),
                    );
                }
                None => self.problem(file, at, "`ignore_changes` items must be argument names"),
            }
        }
    }

    /// `depends_on` lists whole resources, data sources or modules, not attributes.
    fn depends_on(&mut self, file: &str, at: &str, expr: &Expression) {
        let Expression::Array(items) = expr else {
            self.problem(file, at, "`depends_on` must be a list");
            return;
        };
        for item in items {
            self.expr(file, &format!("{at} > depends_on"), item, &Scope::default());
        }
    }

    /// A body with a fixed set of arguments and blocks (`variable`, `output`, conditions).
    #[allow(clippy::too_many_arguments)]
    fn fixed_body(
        &mut self,
        file: &str,
        at: &str,
        body: &Body,
        args: &[&str],
        required: &[&str],
        blocks: &[&str],
        scope: &Scope,
    ) {
        for a in body.attributes() {
            if !args.contains(&a.key()) {
                let hint = hint(a.key(), args.iter().copied());
                self.problem(file, at, &format!("unknown argument `{}`{hint}", a.key()));
            }
            // A type constraint is its own little language (`list(string)`), not an expression.
            if a.key() != "type" {
                self.expr(file, &format!("{at} > {}", a.key()), a.expr(), scope);
            }
        }
        for name in required {
            if !body.attributes().any(|a| a.key() == *name) {
                self.problem(file, at, &format!("missing required argument `{name}`"));
            }
        }
        for b in body.blocks() {
            let inner_at = format!("{at} > {}", b.identifier());
            match b.identifier() {
                "validation" if blocks.contains(&"validation") => self.fixed_body(
                    file,
                    &inner_at,
                    b.body(),
                    &["condition", "error_message"],
                    &["condition", "error_message"],
                    &[],
                    scope,
                ),
                "precondition" if blocks.contains(&"precondition") => self.fixed_body(
                    file,
                    &inner_at,
                    b.body(),
                    &["condition", "error_message"],
                    &["condition", "error_message"],
                    &[],
                    scope,
                ),
                other => self.problem(file, at, &format!("unknown block `{other}`")),
            }
        }
    }

    /// References in every expression of a body, without a schema (provisioners).
    fn walk_body(&mut self, file: &str, at: &str, body: &Body, scope: &Scope) {
        for a in body.attributes() {
            self.expr(file, at, a.expr(), scope);
        }
        for b in body.blocks() {
            self.walk_body(file, at, b.body(), scope);
        }
    }

    fn expr(&mut self, file: &str, at: &str, expr: &Expression, scope: &Scope) {
        match expr {
            Expression::Null
            | Expression::Bool(_)
            | Expression::Number(_)
            | Expression::String(_) => {}
            Expression::Array(items) => {
                for i in items {
                    self.expr(file, at, i, scope);
                }
            }
            Expression::Object(map) => {
                for (k, v) in map.iter() {
                    // A bare identifier key is a literal string, not a reference.
                    if let ObjectKey::Expression(k) = k {
                        self.expr(file, at, k, scope);
                    }
                    self.expr(file, at, v, scope);
                }
            }
            Expression::TemplateExpr(t) => self.template_expr(file, at, t, scope),
            Expression::Variable(v) => self.reference(file, at, v.as_str(), &[], scope),
            Expression::Traversal(t) => {
                match &t.expr {
                    Expression::Variable(v) => {
                        self.reference(file, at, v.as_str(), &t.operators, scope)
                    }
                    other => self.expr(file, at, other, scope),
                }
                for op in &t.operators {
                    if let TraversalOperator::Index(i) = op {
                        self.expr(file, at, i, scope);
                    }
                }
            }
            Expression::FuncCall(call) => {
                let name = call.name.name.as_str();
                let provider_function = call
                    .name
                    .namespace
                    .first()
                    .is_some_and(|n| n.as_str() == "provider");
                if !provider_function && !functions().any(|f| f == name) {
                    let hint = hint(name, functions());
                    self.problem(file, at, &format!("unknown function `{}`{hint}", call.name));
                }
                for arg in &call.args {
                    self.expr(file, at, arg, scope);
                }
            }
            Expression::Parenthesis(inner) => self.expr(file, at, inner, scope),
            Expression::Conditional(c) => {
                self.expr(file, at, &c.cond_expr, scope);
                self.expr(file, at, &c.true_expr, scope);
                self.expr(file, at, &c.false_expr, scope);
            }
            Expression::Operation(op) => match op.as_ref() {
                Operation::Unary(u) => self.expr(file, at, &u.expr, scope),
                Operation::Binary(b) => {
                    self.expr(file, at, &b.lhs_expr, scope);
                    self.expr(file, at, &b.rhs_expr, scope);
                }
            },
            Expression::ForExpr(f) => {
                self.expr(file, at, &f.collection_expr, scope);
                let mut inner = scope.clone();
                inner.bound.push(f.value_var.as_str().to_owned());
                if let Some(k) = &f.key_var {
                    inner.bound.push(k.as_str().to_owned());
                }
                if let Some(k) = &f.key_expr {
                    self.expr(file, at, k, &inner);
                }
                self.expr(file, at, &f.value_expr, &inner);
                if let Some(c) = &f.cond_expr {
                    self.expr(file, at, c, &inner);
                }
            }
            // The hcl crate's expression type is open for new variants; a new one must be taught
            // to the checker before it can be trusted.
            other => self.problem(
                file,
                at,
                &format!("expression the checker cannot walk: {other}"),
            ),
        }
    }

    fn template_expr(&mut self, file: &str, at: &str, t: &TemplateExpr, scope: &Scope) {
        match Template::from_expr(t) {
            Ok(template) => self.template(file, at, &template, scope),
            Err(e) => self.problem(file, at, &format!("bad string template: {e}")),
        }
    }

    fn template(&mut self, file: &str, at: &str, template: &Template, scope: &Scope) {
        for element in template.elements() {
            match element {
                Element::Literal(_) => {}
                Element::Interpolation(i) => self.expr(file, at, &i.expr, scope),
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(d) => {
                        self.expr(file, at, &d.cond_expr, scope);
                        self.template(file, at, &d.true_template, scope);
                        if let Some(f) = &d.false_template {
                            self.template(file, at, f, scope);
                        }
                    }
                    Directive::For(d) => {
                        self.expr(file, at, &d.collection_expr, scope);
                        let mut inner = scope.clone();
                        inner.bound.push(d.value_var.as_str().to_owned());
                        if let Some(k) = &d.key_var {
                            inner.bound.push(k.as_str().to_owned());
                        }
                        self.template(file, at, &d.template, &inner);
                    }
                },
            }
        }
    }

    /// A reference `root.op.op...`: it must name something declared and visible here.
    fn reference(
        &mut self,
        file: &str,
        at: &str,
        root: &str,
        ops: &[TraversalOperator],
        scope: &Scope,
    ) {
        if scope.bound.iter().any(|b| b == root) {
            return;
        }
        let first = match ops.first() {
            Some(TraversalOperator::GetAttr(name)) => Some(name.as_str()),
            _ => None,
        };
        let shown = match first {
            Some(f) => format!("{root}.{f}"),
            None => root.to_owned(),
        };
        match (root, first) {
            ("var", Some(name)) => {
                if !self.decls.variables.contains(name) {
                    let declared: Vec<String> =
                        self.decls.variables.iter().map(|v| format!("var.{v}")).collect();
                    let hint = hint(&shown, declared.iter().map(String::as_str));
                    self.problem(file, at, &format!("`var.{name}` is not declared{hint}"));
                }
            }
            ("local", Some(name)) => {
                if !self.decls.locals.contains(name) {
                    let defined: Vec<String> =
                        self.decls.locals.iter().map(|l| format!("local.{l}")).collect();
                    let hint = hint(&shown, defined.iter().map(String::as_str));
                    self.problem(file, at, &format!("`local.{name}` is not defined{hint}"));
                }
            }
            ("each", Some("key" | "value")) if scope.each => {}
            ("each", _) => self.problem(
                file,
                at,
                &format!("`{shown}` outside a block with `for_each` (only each.key and each.value exist)"),
            ),
            ("count", Some("index")) if scope.count => {}
            ("count", _) => self.problem(
                file,
                at,
                &format!("`{shown}` outside a block with `count` (only count.index exists)"),
            ),
            ("self", _) if scope.this => {}
            ("path", Some("module" | "root" | "cwd")) | ("terraform", Some("workspace")) => {}
            ("data", Some(kind)) => {
                let name = match ops.get(1) {
                    Some(TraversalOperator::GetAttr(n)) => n.as_str(),
                    _ => {
                        self.problem(file, at, &format!("`data.{kind}` needs a name"));
                        return;
                    }
                };
                let key = (kind.to_owned(), name.to_owned());
                match self.decls.data.get(&key) {
                    Some(expansion) => {
                        let attrs = schema().data_sources.get(kind).map(|s| &s.attributes);
                        let what = format!("data.{kind}.{name}");
                        self.instance_access(file, at, &what, *expansion, &ops[2..], attrs);
                    }
                    None => self.problem(
                        file,
                        at,
                        &format!("`data.{kind}.{name}` refers to no declared data source"),
                    ),
                }
            }
            ("module", Some(name)) => {
                if !self.decls.modules.contains(name) {
                    self.problem(file, at, &format!("`module.{name}` is not declared"));
                }
            }
            (kind, Some(name)) if !is_reserved_root(kind) => {
                let key = (kind.to_owned(), name.to_owned());
                match self.decls.resources.get(&key) {
                    Some(expansion) => {
                        let attrs = schema().resources.get(kind).map(|s| &s.attributes);
                        self.instance_access(file, at, &shown, *expansion, &ops[1..], attrs);
                    }
                    None => {
                        let declared: Vec<String> = self
                            .decls
                            .resources
                            .keys()
                            .map(|(k, n)| format!("{k}.{n}"))
                            .collect();
                        let hint = hint(&shown, declared.iter().map(String::as_str));
                        self.problem(
                            file,
                            at,
                            &format!("`{shown}` refers to no declared resource{hint}"),
                        );
                    }
                }
            }
            _ => self.problem(
                file,
                at,
                &format!("`{shown}` refers to nothing declared: not a resource, variable, local or bound name"),
            ),
        }
    }

    /// What follows a resource address: an instance key exactly when the resource is expanded
    /// by `count` or `for_each`, then an attribute the resource exports.
    fn instance_access(
        &mut self,
        file: &str,
        at: &str,
        address: &str,
        expansion: Expansion,
        ops: &[TraversalOperator],
        attributes: Option<&Vec<String>>,
    ) {
        let rest = match (expansion, ops.first()) {
            (_, None) => return,
            (Expansion::Single, Some(TraversalOperator::GetAttr(_))) => ops,
            (Expansion::Single, Some(_)) => {
                self.problem(
                    file,
                    at,
                    &format!("`{address}` has no `count` or `for_each`, so it takes no index"),
                );
                return;
            }
            (_, Some(TraversalOperator::GetAttr(a))) => {
                self.problem(
                    file,
                    at,
                    &format!("`{address}.{a}`: `{address}` has `count` or `for_each`; index an instance first"),
                );
                return;
            }
            (_, Some(TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_))) => &ops[1..],
            // Splats project over every instance; what follows is an attribute of each.
            (_, Some(_)) => &ops[1..],
        };
        if let (Some(TraversalOperator::GetAttr(attr)), Some(attributes)) =
            (rest.first(), attributes)
        {
            if !attributes.iter().any(|a| a == attr.as_str()) {
                let hint = hint(attr.as_str(), attributes.iter().map(String::as_str));
                self.problem(
                    file,
                    at,
                    &format!("`{address}` has no attribute `{attr}`{hint}"),
                );
            }
        }
    }
}

/// Roots that are never resource types.
fn is_reserved_root(name: &str) -> bool {
    [
        "var",
        "local",
        "each",
        "count",
        "self",
        "path",
        "terraform",
        "data",
        "module",
    ]
    .contains(&name)
}
