//! The `mode` of a perms body (and `disable_mode` of a rename body): octal
//! (`"644"`, `"0755"`, `"4755"`) or symbolic (`"u=rw,go=r"`, `"a+x"`,
//! `"o-w"`, `"u+s"`), read as cf-agent 3.21 reads it: every clause adds to
//! one set of bits to turn on and one to turn off, and the new mode is
//! `(old | plus) & !minus`, so a bit named in both ends up off.

/// Bits to set and bits to clear.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
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
/// File-type bits of `st_mode`, which an octal mode may carry and which are
/// dropped (cf-agent accepts `"100644"`).
const FILE_TYPE: u32 = 0o170000;

/// One `who op perms` clause being read.
struct Clause {
    who: u32,
    op: char,
    value: u32,
    has_op: bool,
}

impl Clause {
    fn new() -> Clause {
        Clause {
            who: 0,
            op: '=',
            value: 0,
            has_op: false,
        }
    }
}

impl ModeChange {
    pub fn parse(text: &str) -> Result<ModeChange, ModeError> {
        let bad = |why: &str| ModeError(format!("invalid mode '{text}': {why}"));
        let mut change = ModeChange::default();
        let mut clause = Clause::new();
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            match c {
                'a' => clause.who |= 0o7777,
                'u' => clause.who |= 0o4700,
                'g' => clause.who |= 0o2070,
                'o' => clause.who |= 0o0007,
                '+' | '-' | '=' => {
                    if clause.has_op {
                        return Err(bad("too many of + - = in one clause"));
                    }
                    clause.op = c;
                    clause.has_op = true;
                }
                'r' => clause.value |= 0o444 & clause.who,
                'w' => clause.value |= 0o222 & clause.who,
                'x' => clause.value |= 0o111 & clause.who,
                's' => clause.value |= 0o6000 & clause.who,
                't' => clause.value |= 0o1000,
                '0'..='7' => {
                    // An octal number stands for all bits; digits 8 and 9
                    // end the number but are skipped with it.
                    let mut end = at;
                    while let Some((i, d)) = chars.peek().copied() {
                        if !d.is_ascii_digit() {
                            break;
                        }
                        end = i;
                        chars.next();
                    }
                    let digits: String = text[at..=end]
                        .chars()
                        .take_while(|d| ('0'..='7').contains(d))
                        .collect();
                    let value = u32::from_str_radix(&digits, 8)
                        .map_err(|_| bad("the number is too big"))?
                        & !FILE_TYPE;
                    if value > ALL {
                        return Err(bad("the number is too big"));
                    }
                    clause.who = ALL;
                    clause.value = value;
                    clause.has_op = true;
                }
                ',' => {
                    change.add(&clause);
                    clause = Clause::new();
                }
                _ => return Err(bad(&format!("unexpected '{c}'"))),
            }
        }
        // The last clause must name some bit, except for an explicit zero.
        if clause.value == 0 && text != "000" && text != "0000" {
            return Err(bad(
                "the mode is incomplete (write e.g. \"u=rw,go=r\" or \"0644\")",
            ));
        }
        change.add(&clause);
        Ok(change)
    }

    fn add(&mut self, clause: &Clause) {
        match clause.op {
            '+' => self.plus |= clause.value,
            '-' => self.minus |= clause.value,
            _ => {
                self.plus |= clause.value;
                self.minus |= !clause.value & ALL & clause.who;
            }
        }
    }

    /// The mode a file with mode `current` should have. With `rxdirs`, a
    /// directory gets `x` wherever the result has `r`.
    pub fn apply(&self, current: u32, is_dir: bool, rxdirs: bool) -> u32 {
        let mut mode = ((current & ALL) | self.plus) & !self.minus & ALL;
        if is_dir && rxdirs {
            mode |= (mode & 0o444) >> 2;
        }
        mode
    }

    /// The mode cf-agent gives a file it creates when the promise has a
    /// mode: the bits to set, less the bits to clear.
    pub fn creation_mode(&self) -> u32 {
        self.plus & !self.minus & ALL
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
        assert_eq!(apply("0000", 0o644), 0);
    }

    #[test]
    fn octal_file_type_bits_are_dropped() {
        assert_eq!(apply("100644", 0o600), 0o644);
        assert_eq!(apply("77777", 0o600), 0o7777);
    }

    #[test]
    fn symbolic_changes_only_what_it_names() {
        assert_eq!(apply("u=rw,go=r", 0o777), 0o644);
        assert_eq!(apply("a+x", 0o644), 0o755);
        assert_eq!(apply("o-w", 0o666), 0o664);
        assert_eq!(apply("g+w", 0o640), 0o660);
        assert_eq!(apply("u+s", 0o755), 0o4755);
        assert_eq!(apply("o=rw", 0o640), 0o646);
        assert_eq!(apply("a=r", 0o4640), 0o444);
        assert_eq!(apply("g+s", 0o640), 0o2640);
    }

    #[test]
    fn a_bit_both_set_and_cleared_ends_up_clear() {
        assert_eq!(apply("u+x,u-x", 0o600), 0o600);
        assert_eq!(apply("u-x,u+x", 0o700), 0o600);
    }

    #[test]
    fn rxdirs_adds_x_where_directories_end_up_readable() {
        let change = ModeChange::parse("644").unwrap();
        assert_eq!(change.apply(0o700, true, true), 0o755);
        assert_eq!(change.apply(0o700, true, false), 0o644);
        assert_eq!(change.apply(0o700, false, true), 0o644);
        let symbolic = ModeChange::parse("a=r").unwrap();
        assert_eq!(symbolic.apply(0o700, true, true), 0o555);
    }

    #[test]
    fn creation_mode_is_plus_less_minus() {
        assert_eq!(ModeChange::parse("u+x").unwrap().creation_mode(), 0o100);
        assert_eq!(ModeChange::parse("0644").unwrap().creation_mode(), 0o644);
    }

    #[test]
    fn bad_modes_are_errors() {
        for bad in ["+x", "u", "u=q", "99", "z+r", "", "0", "u+-x", "644 "] {
            assert!(ModeChange::parse(bad).is_err(), "{bad}");
        }
    }
}
