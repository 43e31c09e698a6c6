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
    pub fn decode(bytes: &[u8]) -> (String, Encoding) {
        match std::str::from_utf8(bytes) {
            Ok(text) => (text.to_string(), Encoding::Utf8),
            Err(_) => (
                bytes.iter().map(|&b| char::from(b)).collect(),
                Encoding::Bytes,
            ),
        }
    }

    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Encoding::Utf8 => text.as_bytes().to_vec(),
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
    pub bytes: Vec<u8>,
    pub encoding: Encoding,
    /// The lines, as cf-agent reads them for editing and for comparing.
    pub lines: Vec<String>,
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
    let (text, encoding) = Encoding::decode(&bytes);
    let lines = split_lines(&text, defaults.join_lines);
    Ok(Original {
        bytes,
        encoding,
        lines,
    })
}

/// Lines without their newline; a last line without newline counts. With
/// `join_lines`, a line ending in `\` is dropped: cf-agent 3.21 means to
/// join it with the next one but discards it instead.
pub fn split_lines(text: &str, join_lines: bool) -> Vec<String> {
    let mut pieces: Vec<&str> = text.split('\n').collect();
    if pieces.last() == Some(&"") {
        pieces.pop();
    }
    pieces
        .into_iter()
        .filter(|line| !(join_lines && line.ends_with('\\')))
        .map(str::to_string)
        .collect()
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

    #[test]
    fn lines_as_cf_agent_reads_them() {
        assert_eq!(split_lines("a\nb\n", false), ["a", "b"]);
        assert_eq!(split_lines("a\nb", false), ["a", "b"]);
        assert_eq!(split_lines("a\n\n", false), ["a", ""]);
        assert!(split_lines("", false).is_empty());
        assert_eq!(split_lines("a\r\n", false), ["a\r"]);
        assert_eq!(split_lines("x \\\ny\n", true), ["y"]);
        assert_eq!(join_lines(["a", "b"].into_iter()), "a\nb\n");
    }

    #[test]
    fn bytes_that_are_not_utf8_survive() {
        let bytes = b"caf\xe9\n".to_vec();
        let (text, encoding) = Encoding::decode(&bytes);
        assert_eq!(encoding, Encoding::Bytes);
        assert_eq!(encoding.encode(&text), bytes);
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
            read_for_editing(&file, &unlimited).map(|o| o.lines),
            Ok(vec!["twelve bytes".to_string()])
        );
        assert!(read_for_editing(&dir, &unlimited).is_err());
        assert!(read_for_editing(&dir.join("missing"), &unlimited).is_err());
        let _ = fs::remove_dir_all(&dir);
    }
}
