//! Reading a file for editing, with cf-agent's checks and line rules.

use std::fs;
use std::path::Path;

use super::defaults::EditDefaults;

/// How the file's bytes became text, so that saving gives the same bytes
/// back for lines that were not edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    #[default]
    Utf8,
    /// Not valid UTF-8: each byte is one character (Latin-1), both ways.
    Bytes,
}

impl Encoding {
    /// The bytes as text; valid UTF-8 is taken as it is, without a copy.
    pub fn decode(bytes: Vec<u8>) -> (String, Encoding) {
        match String::from_utf8(bytes) {
            Ok(text) => (text, Encoding::Utf8),
            Err(error) => (
                error.as_bytes().iter().map(|&b| char::from(b)).collect(),
                Encoding::Bytes,
            ),
        }
    }

    /// The text as bytes again.
    pub fn encode(self, text: String) -> Vec<u8> {
        match self {
            Encoding::Utf8 => text.into_bytes(),
            // Every character came from one byte, or is new text; new
            // characters outside Latin-1 are written as UTF-8.
            Encoding::Bytes => {
                let mut out = Vec::with_capacity(text.len());
                for c in text.chars() {
                    match u8::try_from(u32::from(c)) {
                        Ok(byte) => out.push(byte),
                        Err(_) => {
                            let mut buf = [0; 4];
                            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        }
                    }
                }
                out
            }
        }
    }
}

/// The file as it was before editing.
#[derive(Debug, Clone, Default)]
pub struct Original {
    pub text: String,
    pub encoding: Encoding,
    join_lines: bool,
}

impl Original {
    /// The lines, as cf-agent reads them for editing and for comparing.
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        split_lines(&self.text, self.join_lines)
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The content as it is on disk.
    pub fn bytes(&self) -> Vec<u8> {
        self.encoding.encode(self.text.clone())
    }
}

/// Reads `path` for editing: it must exist, be a regular file (symlinks are
/// followed) and not be larger than `max_file_size`. The message says why
/// not, for the files promise's "could not be opened" failure.
pub fn read_for_editing(path: &Path, defaults: &EditDefaults) -> Result<Original, String> {
    let meta = fs::metadata(path).map_err(|e| format!("cannot stat it: {e}"))?;
    if defaults.max_file_size != 0 && meta.len() > defaults.max_file_size {
        return Err(format!(
            "it is bigger than the edit limit: max_file_size = {} > {} bytes",
            meta.len(),
            defaults.max_file_size
        ));
    }
    if !meta.is_file() {
        return Err("it is not a plain file".into());
    }
    let bytes = fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
    let (text, encoding) = Encoding::decode(bytes);
    Ok(Original {
        text,
        encoding,
        join_lines: defaults.join_lines,
    })
}

/// Lines without their newline; a last line without newline counts. With
/// `join_lines`, a line ending in `\` is dropped: cf-agent 3.21 means to
/// join it with the next one but discards it instead.
pub fn split_lines(text: &str, join_lines: bool) -> impl Iterator<Item = &str> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let pieces = (!text.is_empty()).then(|| body.split('\n'));
    pieces
        .into_iter()
        .flatten()
        .filter(move |line| !(join_lines && line.ends_with('\\')))
}

/// The text to write for `lines`: each followed by a newline.
pub fn join_lines<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for line in lines {
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str, join: bool) -> Vec<&str> {
        split_lines(text, join).collect()
    }

    #[test]
    fn lines_as_cf_agent_reads_them() {
        assert_eq!(split("a\nb\n", false), ["a", "b"]);
        assert_eq!(split("a\nb", false), ["a", "b"]);
        assert_eq!(split("a\n\n", false), ["a", ""]);
        assert!(split("", false).is_empty());
        assert_eq!(split("\n", false), [""]);
        assert_eq!(split("a\r\n", false), ["a\r"]);
        assert_eq!(split("x \\\ny\n", true), ["y"]);
        assert_eq!(join_lines(["a", "b"].into_iter()), "a\nb\n");
    }

    #[test]
    fn bytes_that_are_not_utf8_survive() {
        let bytes = b"caf\xe9\n".to_vec();
        let (text, encoding) = Encoding::decode(bytes.clone());
        assert_eq!(encoding, Encoding::Bytes);
        assert_eq!(encoding.encode(text), bytes);
    }

    #[test]
    fn limits_and_types() {
        let dir = std::env::temp_dir().join(format!("promise-rs-load-{}", std::process::id()));
        let _ = fs::create_dir_all(&dir);
        let file = dir.join("f");
        let _ = fs::write(&file, "twelve bytes");
        let small = EditDefaults {
            max_file_size: 5,
            ..EditDefaults::default()
        };
        assert!(read_for_editing(&file, &small).is_err());
        let unlimited = EditDefaults {
            max_file_size: 0,
            ..EditDefaults::default()
        };
        assert_eq!(
            read_for_editing(&file, &unlimited)
                .map(|o| o.lines().map(str::to_string).collect::<Vec<_>>()),
            Ok(vec!["twelve bytes".to_string()])
        );
        assert!(read_for_editing(&dir, &unlimited).is_err());
        assert!(read_for_editing(&dir.join("missing"), &unlimited).is_err());
        let _ = fs::remove_dir_all(&dir);
    }
}
