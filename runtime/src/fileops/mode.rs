//! The `mode` of a perms body: octal (`"644"`, `"0755"`, `"4755"`) or
//! symbolic (`"u=rw,go=r"`, `"a+x"`, `"o-w"`, `"u+s"`), as a change to
//! apply to whatever mode a file has now.

/// Bits to set and bits to clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModeChange {
    plus: u32,
    minus: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeError(pub String);

impl std::fmt::Display for ModeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

const ALL: u32 = 0o7777;

impl ModeChange {
    pub fn parse(text: &str) -> Result<ModeChange, ModeError> {
        let text = text.trim();
        if !text.is_empty() && text.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            let plus = u32::from_str_radix(text, 8)
                .ok()
                .filter(|m| *m <= ALL)
                .ok_or_else(|| ModeError(format!("mode '{text}' is out of range")))?;
            return Ok(ModeChange {
                plus,
                minus: ALL & !plus,
            });
        }
        let mut change = ModeChange { plus: 0, minus: 0 };
        for clause in text.split(',') {
            change.clause(clause)?;
        }
        Ok(change)
    }

    /// `[ugoa]+[+-=][rwxst]*`: cf-agent requires the `who` part.
    fn clause(&mut self, clause: &str) -> Result<(), ModeError> {
        let bad = || {
            ModeError(format!(
                "cannot read mode '{clause}': write e.g. \"u=rw,go=r\" or \"0644\""
            ))
        };
        let op_at = clause.find(['+', '-', '=']).ok_or_else(bad)?;
        let (who, rest) = clause.split_at(op_at);
        if who.is_empty() {
            return Err(bad());
        }
        let mut who_mask = 0;
        for c in who.chars() {
            who_mask |= match c {
                'u' => 0o4700,
                'g' => 0o2070,
                'o' => 0o1007,
                'a' => 0o7777,
                _ => return Err(bad()),
            };
        }
        let mut chars = rest.chars();
        let op = chars.next().ok_or_else(bad)?;
        let mut bits = 0;
        for c in chars {
            bits |= match c {
                'r' => 0o444,
                'w' => 0o222,
                'x' => 0o111,
                's' => 0o6000,
                't' => 0o1000,
                _ => return Err(bad()),
            };
        }
        let bits = bits & who_mask;
        match op {
            '+' => {
                self.plus |= bits;
                self.minus &= !bits;
            }
            '-' => {
                self.minus |= bits;
                self.plus &= !bits;
            }
            _ => {
                let cleared = who_mask & 0o777 | (who_mask & !bits & 0o7000);
                self.minus |= cleared & !bits;
                self.plus = (self.plus & !who_mask) | bits;
            }
        }
        Ok(())
    }

    /// The mode a file with mode `current` should have. With `rxdirs`, a
    /// directory gets `x` wherever it gets `r`.
    pub fn apply(&self, current: u32, is_dir: bool, rxdirs: bool) -> u32 {
        let mut plus = self.plus;
        if is_dir && rxdirs {
            plus |= (plus & 0o444) >> 2;
        }
        ((current & !self.minus) | plus) & ALL
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(mode: &str, current: u32) -> u32 {
        ModeChange::parse(mode)
            .unwrap()
            .apply(current, false, false)
    }

    #[test]
    fn octal_sets_the_mode_exactly() {
        assert_eq!(apply("644", 0o777), 0o644);
        assert_eq!(apply("0755", 0o600), 0o755);
        assert_eq!(apply("4755", 0o644), 0o4755);
    }

    #[test]
    fn symbolic_changes_only_what_it_names() {
        assert_eq!(apply("u=rw,go=r", 0o777), 0o644);
        assert_eq!(apply("a+x", 0o644), 0o755);
        assert_eq!(apply("o-w", 0o666), 0o664);
        assert_eq!(apply("g+w", 0o640), 0o660);
        assert_eq!(apply("u+s", 0o755), 0o4755);
    }

    #[test]
    fn rxdirs_adds_x_to_directories_only() {
        let change = ModeChange::parse("644").unwrap();
        assert_eq!(change.apply(0o700, true, true), 0o755);
        assert_eq!(change.apply(0o700, true, false), 0o644);
        assert_eq!(change.apply(0o700, false, true), 0o644);
    }

    #[test]
    fn bad_modes_are_errors() {
        for bad in ["+x", "u", "u=q", "99", "77777", "z+r"] {
            assert!(ModeChange::parse(bad).is_err(), "{bad}");
        }
    }
}
