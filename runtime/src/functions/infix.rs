//! The infix arithmetic of `eval()`: `+ - * / % ^ **`, comparisons (1 or
//! 0), parentheses, `e`, `pi` and one-argument functions.

use super::FunctionError;

pub(super) fn evaluate(expression: &str) -> Result<f64, FunctionError> {
    let mut parser = Parser {
        text: expression.as_bytes(),
        at: 0,
        depth: 0,
    };
    let value = parser.comparison()?;
    parser.skip_space();
    if parser.at != parser.text.len() {
        return Err(parser.error("unexpected text"));
    }
    Ok(value)
}

/// Nesting beyond this is refused instead of exhausting the stack.
const MAX_DEPTH: usize = 200;

struct Parser<'t> {
    text: &'t [u8],
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> FunctionError {
        FunctionError(format!(
            "eval: {what} at position {} of '{}'",
            self.at,
            String::from_utf8_lossy(self.text)
        ))
    }

    fn skip_space(&mut self) {
        while self.text.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        if self.text[self.at..].starts_with(token.as_bytes()) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn comparison(&mut self) -> Result<f64, FunctionError> {
        let left = self.additive()?;
        for (token, test) in [
            ("==", (|a, b| a == b) as fn(f64, f64) -> bool),
            ("!=", |a, b| a != b),
            (">=", |a, b| a >= b),
            ("<=", |a, b| a <= b),
            (">", |a, b| a > b),
            ("<", |a, b| a < b),
        ] {
            if self.eat(token) {
                let right = self.additive()?;
                return Ok(if test(left, right) { 1.0 } else { 0.0 });
            }
        }
        Ok(left)
    }

    fn additive(&mut self) -> Result<f64, FunctionError> {
        let mut value = self.term()?;
        loop {
            if self.eat("+") {
                value += self.term()?;
            } else if self.eat("-") {
                value -= self.term()?;
            } else {
                return Ok(value);
            }
        }
    }

    fn term(&mut self) -> Result<f64, FunctionError> {
        let mut value = self.power()?;
        loop {
            if self.eat("*") {
                value *= self.power()?;
            } else if self.eat("/") {
                value /= self.power()?;
            } else if self.eat("%") {
                value %= self.power()?;
            } else {
                return Ok(value);
            }
        }
    }

    fn power(&mut self) -> Result<f64, FunctionError> {
        // Left associative, as cf-agent's grammar: 2^3^2 = 64.
        let mut value = self.unary()?;
        while self.eat("**") || self.eat("^") {
            value = value.powf(self.unary()?);
        }
        Ok(value)
    }

    fn unary(&mut self) -> Result<f64, FunctionError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("expression nested too deeply"));
        }
        let value = if self.eat("-") {
            self.unary().map(|v| -v)
        } else if self.eat("+") {
            self.unary()
        } else {
            self.primary()
        };
        self.depth -= 1;
        value
    }

    fn primary(&mut self) -> Result<f64, FunctionError> {
        self.skip_space();
        if self.eat("(") {
            let value = self.comparison()?;
            if !self.eat(")") {
                return Err(self.error("missing ')'"));
            }
            return Ok(value);
        }
        let start = self.at;
        while self
            .text
            .get(self.at)
            .is_some_and(|b| b.is_ascii_digit() || *b == b'.')
        {
            self.at += 1;
        }
        if self.at > start {
            let digits = String::from_utf8_lossy(&self.text[start..self.at]);
            return digits.parse().map_err(|_| self.error("bad number"));
        }
        while self
            .text
            .get(self.at)
            .is_some_and(|b| b.is_ascii_alphanumeric())
        {
            self.at += 1;
        }
        let name = String::from_utf8_lossy(&self.text[start..self.at]).into_owned();
        match name.as_str() {
            "" => Err(self.error("expected a number")),
            "e" => Ok(std::f64::consts::E),
            "pi" => Ok(std::f64::consts::PI),
            _ => {
                if !self.eat("(") {
                    return Err(self.error(&format!("unknown name '{name}'")));
                }
                let argument = self.comparison()?;
                if !self.eat(")") {
                    return Err(self.error("missing ')'"));
                }
                apply(&name, argument)
                    .ok_or_else(|| self.error(&format!("unknown function '{name}'")))
            }
        }
    }
}

fn apply(name: &str, x: f64) -> Option<f64> {
    Some(match name {
        "ceil" => x.ceil(),
        "floor" => x.floor(),
        "abs" => x.abs(),
        "sqrt" => x.sqrt(),
        "log" => x.ln(),
        "log2" => x.log2(),
        "log10" => x.log10(),
        "sin" => x.sin(),
        "cos" => x.cos(),
        "tan" => x.tan(),
        "asin" => x.asin(),
        "acos" => x.acos(),
        "atan" => x.atan(),
        "step" => {
            if x < 0.0 {
                0.0
            } else {
                1.0
            }
        }
        _ => return None,
    })
}
