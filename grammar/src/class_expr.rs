//! Class expressions (`linux.!debian|(a&b)`): syntax tree and parser.
//!
//! Precedence, loosest first: `|` (also `||`), then `.` and `&`, then `!`,
//! then parentheses. Whitespace may surround operators but may not separate
//! two names. The same parser serves guards (`expr::`) and the strings of
//! `if`/`unless`/`expression` once their variables are expanded.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ClassExpr {
    /// A class name, `ns:name` allowed; `at` is its byte offset in the expression.
    Name {
        name: String,
        at: u32,
    },
    Not {
        operand: Box<ClassExpr>,
    },
    And {
        operands: Vec<ClassExpr>,
    },
    Or {
        operands: Vec<ClassExpr>,
    },
}

impl ClassExpr {
    /// Every class name the expression mentions, in order.
    pub fn names(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_names(&mut out);
        out
    }

    fn collect_names<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            ClassExpr::Name { name, .. } => out.push(name),
            ClassExpr::Not { operand } => operand.collect_names(out),
            ClassExpr::And { operands } | ClassExpr::Or { operands } => {
                operands.iter().for_each(|o| o.collect_names(out))
            }
        }
    }

    /// Evaluates with `is_defined` deciding each name; `true`/`false` are literals.
    pub fn evaluate(&self, is_defined: &mut dyn FnMut(&str) -> bool) -> bool {
        match self {
            ClassExpr::Name { name, .. } => match name.as_str() {
                "true" => true,
                "false" => false,
                other => is_defined(other),
            },
            ClassExpr::Not { operand } => !operand.evaluate(is_defined),
            ClassExpr::And { operands } => operands.iter().all(|o| o.evaluate(is_defined)),
            ClassExpr::Or { operands } => operands.iter().any(|o| o.evaluate(is_defined)),
        }
    }
}

impl std::fmt::Display for ClassExpr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.write(f, 0)
    }
}

impl ClassExpr {
    /// Precedence levels: 0 or, 1 and, 2 not/atom.
    fn write(&self, f: &mut std::fmt::Formatter<'_>, outer: u8) -> std::fmt::Result {
        let (level, sep, operands) = match self {
            ClassExpr::Name { name, .. } => return f.write_str(name),
            ClassExpr::Not { operand } => {
                f.write_str("!")?;
                return operand.write(f, 2);
            }
            ClassExpr::And { operands } => (1, ".", operands),
            ClassExpr::Or { operands } => (0, "|", operands),
        };
        let parens = level < outer;
        if parens {
            f.write_str("(")?;
        }
        for (i, o) in operands.iter().enumerate() {
            if i > 0 {
                f.write_str(sep)?;
            }
            o.write(f, level + 1)?;
        }
        if parens {
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// Why a class expression does not parse; `at..at+len` is relative to its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassExprError {
    pub message: String,
    pub at: usize,
    pub len: usize,
}

/// Parses a whole class expression strictly.
pub fn parse(text: &str) -> Result<ClassExpr, ClassExprError> {
    match parse_as_cfengine(text)? {
        (expr, None) => Ok(expr),
        (_, Some(ignored)) => Err(ignored),
    }
}

/// Parses as CFEngine 3.21 does: an unmatched `)` ends the expression and
/// whatever follows it is ignored (masterfiles itself has `a.!b)::`). The
/// ignored tail comes back as the second value, for a warning.
pub fn parse_as_cfengine(
    text: &str,
) -> Result<(ClassExpr, Option<ClassExprError>), ClassExprError> {
    let mut p = Parser {
        text,
        pos: 0,
        depth: 0,
    };
    p.skip_space();
    if p.pos == text.len() {
        return Err(p.error_here("empty class expression", 0));
    }
    let expr = p.or()?;
    p.skip_space();
    if p.pos == text.len() {
        return Ok((expr, None));
    }
    if p.peek() == Some(b')') {
        let ignored = ClassExprError {
            message: format!(
                "unmatched ')': CFEngine ignores it and everything after it ('{}')",
                &text[p.pos..]
            ),
            at: p.pos,
            len: text.len() - p.pos,
        };
        return Ok((expr, Some(ignored)));
    }
    Err(p.unexpected())
}

/// Deeper parentheses than this are refused rather than risk the stack.
const MAX_DEPTH: usize = 256;

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_space(&mut self) -> bool {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        self.pos > start
    }

    fn error_here(&self, message: impl Into<String>, len: usize) -> ClassExprError {
        ClassExprError {
            message: message.into(),
            at: self.pos,
            len,
        }
    }

    fn unexpected(&self) -> ClassExprError {
        match self.peek() {
            None => self.error_here("class expression ends where a class name was expected", 0),
            Some(b) if is_name_byte(b) => self.error_here(
                "class names can't be separated by whitespace without an operator ('.', '&' or '|')",
                self.name_len(),
            ),
            Some(_) => {
                let ch = self.text[self.pos..].chars().next().unwrap_or('?');
                self.error_here(format!("unexpected '{ch}' in class expression"), ch.len_utf8())
            }
        }
    }

    fn name_len(&self) -> usize {
        self.text.as_bytes()[self.pos..]
            .iter()
            .take_while(|&&b| is_name_byte(b))
            .count()
    }

    fn or(&mut self) -> Result<ClassExpr, ClassExprError> {
        let mut operands = vec![self.and()?];
        loop {
            self.skip_space();
            if self.peek() != Some(b'|') {
                break;
            }
            self.pos += 1;
            if self.peek() == Some(b'|') {
                self.pos += 1;
            }
            operands.push(self.and()?);
        }
        Ok(if operands.len() == 1 {
            operands.remove(0)
        } else {
            ClassExpr::Or { operands }
        })
    }

    fn and(&mut self) -> Result<ClassExpr, ClassExprError> {
        let mut operands = vec![self.not()?];
        loop {
            self.skip_space();
            if !matches!(self.peek(), Some(b'.' | b'&')) {
                break;
            }
            self.pos += 1;
            operands.push(self.not()?);
        }
        Ok(if operands.len() == 1 {
            operands.remove(0)
        } else {
            ClassExpr::And { operands }
        })
    }

    fn not(&mut self) -> Result<ClassExpr, ClassExprError> {
        self.skip_space();
        if self.peek() == Some(b'!') {
            self.pos += 1;
            // `!!!!a`: count rather than recurse, and keep one `!` at most
            // (`!!a` is `a`), so no input can build a tree deep enough to
            // exhaust the stack.
            let mut negations = 1;
            loop {
                self.skip_space();
                if self.peek() != Some(b'!') {
                    break;
                }
                self.pos += 1;
                negations += 1;
            }
            let operand = self.primary()?;
            return Ok(if negations % 2 == 0 {
                operand
            } else {
                ClassExpr::Not {
                    operand: Box::new(operand),
                }
            });
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<ClassExpr, ClassExprError> {
        self.skip_space();
        match self.peek() {
            Some(b'(') => {
                let open = self.pos;
                if self.depth >= MAX_DEPTH {
                    return Err(self.error_here(
                        format!("class expression nested deeper than {MAX_DEPTH} parentheses"),
                        1,
                    ));
                }
                self.pos += 1;
                self.depth += 1;
                let inner = self.or()?;
                self.depth -= 1;
                self.skip_space();
                if self.peek() != Some(b')') {
                    if self.pos < self.text.len() && self.peek() != Some(b'(') {
                        return Err(self.unexpected());
                    }
                    return Err(ClassExprError {
                        message: "unbalanced '(' in class expression".into(),
                        at: open,
                        len: 1,
                    });
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(b) if is_name_byte(b) => {
                let at = self.pos;
                self.pos += self.name_len();
                if self.peek() == Some(b':')
                    && self
                        .text
                        .as_bytes()
                        .get(self.pos + 1)
                        .is_some_and(|&b| is_name_byte(b))
                {
                    self.pos += 1;
                    self.pos += self.name_len();
                }
                Ok(ClassExpr::Name {
                    name: self.text[at..self.pos].to_string(),
                    at: at as u32,
                })
            }
            _ => Err(self.unexpected()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(text: &str) -> String {
        match parse(text) {
            Ok(e) => e.to_string(),
            Err(e) => format!("error at {}: {}", e.at, e.message),
        }
    }

    #[test]
    fn precedence() {
        assert_eq!(show("a.b|c"), "a.b|c");
        assert_eq!(show("a.(b|c)"), "a.(b|c)");
        assert_eq!(show("!a|b"), "!a|b");
        assert_eq!(show("a || b & !c"), "a|b.!c");
        assert_eq!(show("linux . any "), "linux.any");
        assert_eq!(show("default:linux"), "default:linux");
    }

    #[test]
    fn errors() {
        assert!(show("linux any").contains("whitespace"));
        assert!(show("linux..any").starts_with("error at 6"));
        assert!(show("linux.").starts_with("error at 6"));
        assert!(show("(linux").contains("unbalanced"));
        assert!(show("a&&b").starts_with("error at 2"));
        assert!(show("").contains("empty"));
        let deep = format!("{}a{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(show(&deep).contains("nested deeper"));
        assert_eq!(show(&format!("{}a", "!".repeat(100_000))), "a");
        assert_eq!(show("!!!a"), "!a");
        assert!(show("a)").contains("unmatched ')'"));
        let (expr, ignored) = parse_as_cfengine("a.!b)x").unwrap();
        assert_eq!(expr.to_string(), "a.!b");
        assert_eq!(ignored.map(|i| i.at), Some(4));
    }

    #[test]
    fn evaluate() {
        let e = parse("linux.!windows|true.false").unwrap();
        assert!(e.evaluate(&mut |n| n == "linux"));
        assert!(!e.evaluate(&mut |n| n == "windows"));
    }
}
