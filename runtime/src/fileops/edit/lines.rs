//! A file's lines as a linked list with stable handles. cf-agent's edit
//! operations walk and splice a linked list and keep pointers to lines
//! across insertions ("insert after the line I inserted last"); keeping
//! handles stable here lets the operations follow the same rules without
//! re-deriving positions after every change.

/// A handle to one line; stays valid while the line is in the list.
pub type LineId = usize;

#[derive(Debug, Clone)]
struct Node {
    text: String,
    next: Option<LineId>,
    prev: Option<LineId>,
}

#[derive(Debug, Clone, Default)]
pub struct Lines {
    nodes: Vec<Node>,
    head: Option<LineId>,
    tail: Option<LineId>,
    len: usize,
}

impl Lines {
    pub fn from_lines<I, S>(lines: I) -> Lines
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut out = Lines::default();
        for line in lines {
            out.append(line.into());
        }
        out
    }

    pub fn head(&self) -> Option<LineId> {
        self.head
    }

    pub fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn next(&self, id: LineId) -> Option<LineId> {
        self.nodes.get(id).and_then(|n| n.next)
    }

    pub fn prev(&self, id: LineId) -> Option<LineId> {
        self.nodes.get(id).and_then(|n| n.prev)
    }

    pub fn text(&self, id: LineId) -> &str {
        self.nodes.get(id).map_or("", |n| n.text.as_str())
    }

    pub fn set_text(&mut self, id: LineId, text: String) {
        if let Some(node) = self.nodes.get_mut(id) {
            node.text = text;
        }
    }

    /// The handles from `from` (inclusive) to the end of the list.
    pub fn ids_from(&self, from: Option<LineId>) -> Vec<LineId> {
        let mut out = Vec::new();
        let mut at = from;
        while let Some(id) = at {
            out.push(id);
            at = self.next(id);
        }
        out
    }

    pub fn texts(&self) -> impl Iterator<Item = &str> {
        let mut at = self.head;
        std::iter::from_fn(move || {
            let id = at?;
            at = self.next(id);
            Some(self.text(id))
        })
    }

    pub fn to_strings(&self) -> Vec<String> {
        self.texts().map(str::to_string).collect()
    }

    fn new_node(&mut self, text: String, prev: Option<LineId>, next: Option<LineId>) -> LineId {
        self.nodes.push(Node { text, next, prev });
        self.len += 1;
        self.nodes.len() - 1
    }

    pub fn append(&mut self, text: String) -> LineId {
        let id = self.new_node(text, self.tail, None);
        match self.tail {
            Some(tail) => self.nodes[tail].next = Some(id),
            None => self.head = Some(id),
        }
        self.tail = Some(id);
        id
    }

    pub fn prepend(&mut self, text: String) -> LineId {
        let id = self.new_node(text, None, self.head);
        match self.head {
            Some(head) => self.nodes[head].prev = Some(id),
            None => self.tail = Some(id),
        }
        self.head = Some(id);
        id
    }

    /// Inserts after `after`; `None` appends at the end, as cf-agent's
    /// `InsertAfter` does with no anchor.
    pub fn insert_after(&mut self, after: Option<LineId>, text: String) -> LineId {
        let Some(after) = after.filter(|&a| a < self.nodes.len()) else {
            return self.append(text);
        };
        let next = self.nodes[after].next;
        let id = self.new_node(text, Some(after), next);
        self.nodes[after].next = Some(id);
        match next {
            Some(next) => self.nodes[next].prev = Some(id),
            None => self.tail = Some(id),
        }
        id
    }

    /// Unlinks a line; returns the one that followed it.
    pub fn remove(&mut self, id: LineId) -> Option<LineId> {
        let (prev, next) = {
            let node = self.nodes.get(id)?;
            (node.prev, node.next)
        };
        match prev {
            Some(prev) => self.nodes[prev].next = next,
            None => self.head = next,
        }
        match next {
            Some(next) => self.nodes[next].prev = prev,
            None => self.tail = prev,
        }
        self.nodes[id].next = None;
        self.nodes[id].prev = None;
        self.nodes[id].text = String::new();
        self.len -= 1;
        next
    }

    /// Removes every line.
    pub fn clear(&mut self) {
        *self = Lines::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_stay_valid_across_insertions_and_removals() {
        let mut lines = Lines::from_lines(["a", "c"]);
        let a = lines.head().unwrap();
        let b = lines.insert_after(Some(a), "b".into());
        lines.prepend("0".into());
        lines.insert_after(None, "d".into());
        assert_eq!(lines.to_strings(), ["0", "a", "b", "c", "d"]);
        assert_eq!(lines.text(b), "b");
        let c = lines.remove(b).unwrap();
        assert_eq!(lines.text(c), "c");
        assert_eq!(lines.prev(c), Some(a));
        assert_eq!(lines.len(), 4);
        let last = lines.ids_from(lines.head()).pop().unwrap();
        lines.remove(last);
        lines.append("e".into());
        assert_eq!(lines.to_strings(), ["0", "a", "c", "e"]);
    }

    #[test]
    fn removing_everything_leaves_an_empty_list() {
        let mut lines = Lines::from_lines(["x"]);
        let x = lines.head().unwrap();
        assert_eq!(lines.remove(x), None);
        assert!(lines.is_empty());
        lines.append("y".into());
        assert_eq!(lines.to_strings(), ["y"]);
    }
}
