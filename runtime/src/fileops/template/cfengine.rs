//! The CFEngine template format (`template_method => "cfengine"`): plain
//! lines, `[%CFEngine class:: %]` guards and `[%CFEngine BEGIN %]` …
//! `[%CFEngine END %]` blocks. cf-agent turns a template into insert_lines
//! promises (every line kept, duplicates too); this module gives those
//! promises, in order, for the files promise to expand and insert.

/// One line, or one block of lines, of the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateLine {
    /// The text (a block's lines joined by newlines), not yet expanded.
    pub text: String,
    /// The class expression guarding it.
    pub context: String,
    /// The template line it ends on.
    pub line: usize,
}

/// Parses `template`. `defined` says whether a class expression holds: a
/// line whose guard does not hold is left out as it is read, as cf-agent
/// does. Errors are cf-agent's syntax errors (missing `%]`, nested blocks).
pub fn parse(template: &str, defined: &dyn Fn(&str) -> bool) -> Result<Vec<TemplateLine>, String> {
    let mut out = Vec::new();
    let mut context = "any".to_string();
    let mut saved_contexts: Vec<String> = Vec::new();
    // cf-agent counts nesting in an unsigned integer: an END without BEGIN
    // wraps around and makes every later line part of a block.
    let mut level: usize = 0;
    let mut block = String::new();
    for (index, raw) in template.split_inclusive('\n').enumerate() {
        let number = index + 1;
        let Some(rest) = raw.strip_prefix("[%CFEngine") else {
            if !defined(&context) {
                continue;
            }
            if level > 0 {
                block.push_str(raw);
            } else {
                out.push(TemplateLine {
                    text: raw.trim_end_matches('\n').to_string(),
                    context: context.clone(),
                    line: number,
                });
            }
            continue;
        };
        let mut words = rest.split_whitespace();
        let op = words.next().unwrap_or("");
        let bracket: String = words.next().unwrap_or("").chars().take(3).collect();
        if bracket != "%]" {
            return Err(format!(
                "syntax error, missing close \"%]\" at line {number}"
            ));
        }
        if op == "BEGIN" {
            saved_contexts.push(context.clone());
            level = level.wrapping_add(1);
            if level > 1 {
                return Err(format!(
                    "contains nested blocks which are not allowed, near line {number}"
                ));
            }
            continue;
        }
        if op == "END" {
            level = level.wrapping_sub(1);
            if let Some(saved) = saved_contexts.pop() {
                context = saved;
            }
        }
        if let Some(guard) = op.strip_suffix("::") {
            context = guard.to_string();
            continue;
        }
        out.push(TemplateLine {
            text: std::mem::take(&mut block)
                .trim_end_matches('\n')
                .to_string(),
            context: context.clone(),
            line: number,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(template: &str) -> Vec<String> {
        parse(template, &|c| c != "never")
            .unwrap()
            .into_iter()
            .map(|l| l.text)
            .collect()
    }

    #[test]
    fn guards_blocks_and_plain_lines() {
        let template = "# head $(x)\n[%CFEngine any:: %]\nyes\n[%CFEngine never:: %]\nno\n[%CFEngine any:: %]\n[%CFEngine BEGIN %]\na $(l)\nb $(l)\n[%CFEngine END %]\nlast\n";
        assert_eq!(
            texts(template),
            ["# head $(x)", "yes", "a $(l)\nb $(l)", "last"]
        );
    }

    #[test]
    fn duplicates_and_blank_lines_are_kept() {
        assert_eq!(texts("dup\ndup\n\n"), ["dup", "dup", ""]);
        assert!(texts("").is_empty());
    }

    #[test]
    fn syntax_errors() {
        assert!(parse("[%CFEngine any::\n", &|_| true).is_err());
        assert!(parse("[%CFEngine BEGIN %]\n[%CFEngine BEGIN %]\n", &|_| true).is_err());
    }

    #[test]
    fn guards_are_remembered_per_line() {
        let lines = parse("[%CFEngine linux:: %]\nx\n", &|_| true).unwrap();
        assert_eq!(lines[0].context, "linux");
        assert_eq!(lines[0].line, 2);
    }
}
