//! Mutations of policy text, for the fuzz tests.

/// xorshift64*: deterministic, seedable, no dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

pub const INTERESTING: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    ";",
    ",",
    "=>",
    "->",
    "\"",
    "'",
    "`",
    "::",
    ":",
    "$(",
    "${",
    "@(",
    "@if minimum_version(3.1)\n",
    "\n@endif\n",
    "\n@else\n",
    "bundle",
    "body",
    "promise",
    "#",
    "\\",
    "!",
    "|",
    ".",
    "&",
    "\n",
    "\u{e9}",
    "\0",
];

pub fn mutate(rng: &mut Rng, seed: &str) -> String {
    let mut bytes = seed.as_bytes().to_vec();
    for _ in 0..=rng.below(8) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(4) {
            0 if !bytes.is_empty() => {
                let end = (at + rng.below(40)).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            1 => {
                let token = INTERESTING[rng.below(INTERESTING.len())];
                bytes.splice(at..at, token.bytes());
            }
            2 if !bytes.is_empty() => {
                let i = at.min(bytes.len() - 1);
                bytes[i] = rng.next() as u8;
            }
            _ => {
                let from = rng.below(bytes.len());
                let len = rng.below(60).min(bytes.len() - from);
                let chunk: Vec<u8> = bytes[from..from + len].to_vec();
                let at = at.min(bytes.len());
                bytes.splice(at..at, chunk);
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
