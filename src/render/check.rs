//! What a user's templates produced must parse before anything is written: Terraform through a
//! real HCL parser, YAML as CloudFormation's YAML 1.1 reader takes it (a plain `yes:` or `Null:`
//! key would become a boolean or null), JSON as JSON. The built-in templates are held to the
//! same by the tests, so only template sets with a user's files are checked at run time.

use saphyr_parser::{Event, Parser, ScalarStyle};

use super::filters::yaml_reads_as_non_text;
use crate::error::Error;
use crate::output::OutputFile;

/// Check one rendered file by its kind (its extension); other files pass.
pub(super) fn check(file: &OutputFile) -> Result<(), Error> {
    let problem = if file.path.ends_with(".tf") {
        hcl::parse(&file.contents).err().map(|e| e.to_string())
    } else if file.path.ends_with(".yaml") || file.path.ends_with(".yml") {
        yaml_problem(&file.contents)
    } else if file.path.ends_with(".json") {
        serde_json::from_str::<serde_json::Value>(&file.contents)
            .err()
            .map(|e| e.to_string())
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(p) => Err(Error::template_with_help(
            format!(
                "the templates produced a `{}` that does not parse: {p}",
                file.path
            ),
            "fix the template that writes it (`vpcgen templates list` shows which); nothing was written",
        )),
    }
}

/// Whether `text` is YAML a YAML 1.1 reader takes with text keys only: a syntax error, or the
/// first plain mapping key such a reader would take for a boolean or null.
fn yaml_problem(text: &str) -> Option<String> {
    // For each open collection: whether it is a mapping, and whether its next scalar is a key.
    let mut open: Vec<(bool, bool)> = Vec::new();
    for event in Parser::new_from_str(text) {
        let (event, span) = match event {
            Ok(e) => e,
            Err(e) => return Some(e.to_string()),
        };
        let key_now = open.last().is_some_and(|(map, key)| *map && *key);
        if let Some((true, key)) = open.last_mut() {
            if matches!(
                event,
                Event::Scalar(..)
                    | Event::Alias(..)
                    | Event::MappingStart(..)
                    | Event::SequenceStart(..)
            ) {
                *key = !*key;
            }
        }
        match event {
            Event::Scalar(value, ScalarStyle::Plain, ..)
                if key_now && yaml_reads_as_non_text(&value) =>
            {
                return Some(format!(
                    "the key `{value}` on line {} is a boolean or null to a YAML 1.1 reader such as CloudFormation's; quote it",
                    span.start.line()
                ));
            }
            Event::MappingStart(..) => open.push((true, true)),
            Event::SequenceStart(..) => open.push((false, false)),
            Event::MappingEnd | Event::SequenceEnd => {
                open.pop();
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            contents: contents.into(),
        }
    }

    #[test]
    fn output_that_does_not_parse_is_refused_by_kind() {
        assert!(check(&file("main.tf", "this is { not hcl")).is_err());
        assert!(check(&file("main.tf", "a = 1\n")).is_ok());
        assert!(check(&file("template.yaml", "X: [unclosed\n")).is_err());
        assert!(check(&file("x.json", "{")).is_err());
        assert!(check(&file("notes.txt", "{ anything")).is_ok());
    }

    #[test]
    fn yaml_keys_a_yaml_1_1_reader_takes_for_booleans_are_refused_and_values_are_not() {
        let err = yaml_problem("Resources:\n  A:\n    Condition:\n      Null: {x: 'false'}\n");
        assert!(err.is_some_and(|e| e.contains("`Null` on line 4")));
        assert!(
            yaml_problem("Resources:\n  A:\n    \"Null\": 1\n    B: true\n    C: [yes, no]\n")
                .is_none()
        );
        assert!(yaml_problem("- yes: 1\n").is_some());
    }
}
