//! The `edit_defaults` body: how a file is read for editing and how the
//! previous version is kept.

use crate::eval::body::BodyAttributes;

/// cf-agent's default `max_file_size` (`EDITFILESIZE`).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 100_000;

/// `edit_backup`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backup {
    /// `FILE.cf-before-edit` (the default).
    Plain,
    /// No backup; an old `FILE.cf-before-edit` is removed.
    None,
    /// `FILE_<run start>_<date>.cf-before-edit`.
    Timestamp,
    /// `FILE.cf-before-edit.1` newest … `.N` oldest.
    Rotate(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EditDefaults {
    pub empty_before_use: bool,
    pub backup: Backup,
    /// Larger files are not edited; 0: no limit.
    pub max_file_size: u64,
    /// `recognize_join` (broken in 3.21: continued lines are dropped).
    pub join_lines: bool,
    /// The edit bundle sees the calling bundle's classes.
    pub inherit: bool,
}

impl Default for EditDefaults {
    fn default() -> Self {
        EditDefaults {
            empty_before_use: false,
            backup: Backup::Plain,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            join_lines: false,
            inherit: false,
        }
    }
}

impl EditDefaults {
    /// Reads the body; anything it does not say keeps cf-agent's default.
    pub fn from_body(body: Option<&BodyAttributes>) -> Result<EditDefaults, String> {
        let mut out = EditDefaults::default();
        let Some(body) = body else {
            return Ok(out);
        };
        let flag = |name: &str| body.scalar(name).is_some_and(super::super::is_true);
        out.empty_before_use = flag("empty_file_before_editing");
        out.join_lines = flag("recognize_join");
        out.inherit = flag("inherit");
        if let Some(size) = body.scalar("max_file_size") {
            out.max_file_size = parse_size(size)
                .ok_or_else(|| format!("max_file_size '{size}' is not a size in bytes"))?;
        }
        out.backup = match body.scalar("edit_backup") {
            Some("false" | "no" | "off") => Backup::None,
            Some("timestamp") => Backup::Timestamp,
            Some("rotate") => {
                let count = body.scalar("rotate").unwrap_or("0");
                Backup::Rotate(
                    count
                        .parse()
                        .map_err(|_| format!("rotate '{count}' is not a number of backups"))?,
                )
            }
            _ => Backup::Plain,
        };
        Ok(out)
    }
}

/// A byte count, with cf-agent's `k`/`m`/`g` suffixes (powers of 1024).
fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, factor) = match text.char_indices().last()? {
        (at, 'k' | 'K') => (&text[..at], 1024),
        (at, 'm' | 'M') => (&text[..at], 1024 * 1024),
        (at, 'g' | 'G') => (&text[..at], 1024 * 1024 * 1024),
        _ => (text, 1),
    };
    digits.parse::<u64>().ok()?.checked_mul(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        assert_eq!(EditDefaults::from_body(None), Ok(EditDefaults::default()));
        let read = EditDefaults::from_body(Some(&BodyAttributes::of_scalars(&[
            ("edit_backup", "rotate"),
            ("rotate", "2"),
            ("max_file_size", "0"),
            ("empty_file_before_editing", "true"),
        ])))
        .unwrap();
        assert_eq!(read.backup, Backup::Rotate(2));
        assert_eq!(read.max_file_size, 0);
        assert!(read.empty_before_use && !read.inherit);
        assert!(EditDefaults::from_body(Some(&BodyAttributes::of_scalars(&[(
            "max_file_size",
            "big"
        )])))
        .is_err());
        assert_eq!(parse_size("2k"), Some(2048));
    }
}
