//! Where a piece of syntax came from: file, byte range, line and column.

use serde::Serialize;

/// Index of a file in the [`SourceMap`] of a parse session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub struct FileId(pub u32);

/// A byte range in one file, with the 1-based line and column of its start.
/// Columns count bytes, as cf-promises does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
    pub line: u32,
    pub column: u32,
}

impl Span {
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// Byte offsets of line starts, for turning offsets into line and column.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(
            memchr_newlines(text.as_bytes())
                .into_iter()
                .map(|i| i as u32 + 1),
        );
        LineIndex { line_starts }
    }

    /// 1-based line and column of a byte offset.
    pub fn line_column(&self, offset: usize) -> (u32, u32) {
        let offset = offset as u32;
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        (line as u32 + 1, offset - self.line_starts[line] + 1)
    }

    /// Byte offset where a 1-based line starts.
    pub fn line_start(&self, line: u32) -> usize {
        let idx = (line.max(1) - 1) as usize;
        self.line_starts.get(idx).copied().unwrap_or(0) as usize
    }

    /// Like [`LineIndex::line_column`], starting the search at line index
    /// `*hint` and leaving it at the line found: offsets that come in
    /// increasing order, as a parser produces them, cost almost nothing.
    pub fn line_column_near(&self, offset: usize, hint: &mut usize) -> (u32, u32) {
        let offset32 = offset as u32;
        let starts = &self.line_starts;
        let mut line = (*hint).min(starts.len() - 1);
        if starts[line] > offset32 {
            return self.line_column(offset);
        }
        for _ in 0..8 {
            match starts.get(line + 1) {
                Some(&next) if next <= offset32 => line += 1,
                _ => {
                    *hint = line;
                    return (line as u32 + 1, offset32 - starts[line] + 1);
                }
            }
        }
        let (line, column) = self.line_column(offset);
        *hint = line as usize - 1;
        (line, column)
    }

    /// [`LineIndex::span`], finding the line as [`LineIndex::line_column_near`] does.
    pub fn span_near(&self, file: FileId, start: usize, end: usize, hint: &mut usize) -> Span {
        let (line, column) = self.line_column_near(start, hint);
        Span {
            file,
            start: start as u32,
            end: end as u32,
            line,
            column,
        }
    }

    pub fn span(&self, file: FileId, start: usize, end: usize) -> Span {
        let (line, column) = self.line_column(start);
        Span {
            file,
            start: start as u32,
            end: end as u32,
            line,
            column,
        }
    }
}

fn memchr_newlines(bytes: &[u8]) -> Vec<usize> {
    bytes
        .iter()
        .enumerate()
        .filter_map(|(i, &b)| (b == b'\n').then_some(i))
        .collect()
}

/// One policy file as read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub id: FileId,
    pub path: String,
    pub text: String,
    pub lines: LineIndex,
}

/// All files read in one session, addressed by [`FileId`].
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, path: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(self.files.len() as u32);
        let text = text.into();
        let lines = LineIndex::new(&text);
        self.files.push(SourceFile {
            id,
            path: path.into(),
            text,
            lines,
        });
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    pub fn find(&self, path: &str) -> Option<FileId> {
        self.files.iter().find(|f| f.path == path).map(|f| f.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let idx = LineIndex::new("ab\ncd\n\nx");
        assert_eq!(idx.line_column(0), (1, 1));
        assert_eq!(idx.line_column(1), (1, 2));
        assert_eq!(idx.line_column(3), (2, 1));
        assert_eq!(idx.line_column(6), (3, 1));
        assert_eq!(idx.line_column(7), (4, 1));
        assert_eq!(idx.line_start(2), 3);
    }
}
