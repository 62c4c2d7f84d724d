//! Property test of the edit recipe: over thousands of random edit sequences (multi-byte text,
//! emoji, CJK, CRLF and lone CR, out-of-range and reversed positions, several changes per
//! notification), the incrementally edited text equals an independent reference, the
//! incrementally re-parsed tree equals a fresh parse, and position conversions round-trip in
//! every encoding.

use ladder_ls::document::position::{self, LineCol, PositionEncoding};
use ladder_ls::document::{Document, TextChange};
use ladder_ls::syntax;
use ladder_ls::syntax::Node;

/// A small deterministic generator (xorshift64*), so failures reproduce from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const BASES: &[&str] = &[
    "defmodule Shop.Orders do\n  @moduledoc \"🛒 orders\"\n  def total(items), do: Enum.sum(items)\nend\n",
    "defmodule Café do\r\n  def greet(name) do\r\n    \"こんにちは #{name} 👋\"\r\n  end\r\nend\r\n",
    "x = [1, 2, 3]\r# lone CR above\nmap = %{\"ключ\" => :значение}\n",
    "",
    "def f(a, b \\\\ 1) when is_integer(a) do\n  a\n  |> IO.inspect(label: \"a\")\n  |> then(&(&1 + b))\nend",
];

const INSERTS: &[&str] = &[
    "",
    "x",
    " ",
    "\n",
    "\r\n",
    "\r",
    "😀",
    "é",
    "中文",
    "do",
    "end",
    " do\n",
    "\nend\n",
    "def g(x), do: x\n",
    "\"",
    "#{",
    "}",
    "(",
    ")",
    "[",
    "%{a: 1}",
    "# comment 🚀\n",
    "@spec f(integer()) :: :ok\n",
    "\u{2028}",
    "𝄞",
];

/// The reference conversion: split the text into LSP lines and count columns in `enc`.
fn reference_offset(text: &str, pos: LineCol, enc: PositionEncoding) -> usize {
    let mut starts = vec![0];
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                starts.push(i + 2);
                i += 2;
                continue;
            }
            b'\r' | b'\n' => starts.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    let Some(&start) = starts.get(pos.line) else {
        return text.len();
    };
    let line = &text[start..];
    let content_end = line.find(['\r', '\n']).unwrap_or(line.len());
    let mut units = 0;
    for (b, c) in line[..content_end].char_indices() {
        let w = match enc {
            PositionEncoding::Utf8 => c.len_utf8(),
            PositionEncoding::Utf16 => c.len_utf16(),
            PositionEncoding::Utf32 => 1,
        };
        if units + w > pos.col {
            return start + b;
        }
        units += w;
    }
    start + content_end
}

fn random_pos(rng: &mut Rng, text: &str) -> LineCol {
    let lines = text.matches(['\n', '\r']).count() + 1;
    let line = if rng.below(10) == 0 {
        lines + rng.below(3)
    } else {
        rng.below(lines)
    };
    let col = if rng.below(8) == 0 {
        500 + rng.below(50)
    } else {
        rng.below(40)
    };
    LineCol { line, col }
}

fn assert_same_tree(incremental: Node<'_>, fresh: Node<'_>, context: &str) {
    assert_eq!(
        (
            incremental.kind(),
            incremental.byte_range(),
            incremental.start_position(),
            incremental.end_position(),
            incremental.is_missing()
        ),
        (
            fresh.kind(),
            fresh.byte_range(),
            fresh.start_position(),
            fresh.end_position(),
            fresh.is_missing()
        ),
        "{context}"
    );
    assert_eq!(incremental.child_count(), fresh.child_count(), "{context}");
    for i in 0..incremental.child_count() as u32 {
        assert_same_tree(
            incremental.child(i).unwrap(),
            fresh.child(i).unwrap(),
            context,
        );
    }
}

#[test]
fn incremental_parse_equals_fresh_parse_over_random_edits() {
    let mut rng = Rng(0x1add_e125);
    let encodings = [
        PositionEncoding::Utf8,
        PositionEncoding::Utf16,
        PositionEncoding::Utf32,
    ];
    for sequence in 0..5_000 {
        let enc = encodings[sequence % 3];
        let mut expected = rng.pick(BASES).to_string();
        let mut doc = Document::new(&expected, 0);
        let notifications = 1 + rng.below(3);
        for version in 1..=notifications {
            let mut changes = Vec::new();
            for _ in 0..1 + rng.below(4) {
                let change = if rng.below(40) == 0 {
                    TextChange {
                        range: None,
                        text: rng.pick(BASES).to_string(),
                    }
                } else {
                    let (a, b) = (
                        random_pos(&mut rng, &expected),
                        random_pos(&mut rng, &expected),
                    );
                    let text: String = (0..1 + rng.below(3)).map(|_| rng.pick(INSERTS)).collect();
                    TextChange {
                        range: Some((a, b)),
                        text,
                    }
                };
                // The reference applies each change to the text left by the previous one.
                match change.range {
                    None => expected = change.text.clone(),
                    Some((a, b)) => {
                        let (mut s, mut e) = (
                            reference_offset(&expected, a, enc),
                            reference_offset(&expected, b, enc),
                        );
                        if e < s {
                            std::mem::swap(&mut s, &mut e);
                        }
                        expected.replace_range(s..e, &change.text);
                    }
                }
                changes.push(change);
            }
            doc.apply_changes(&changes, version as i32, enc);
            let context =
                format!("sequence {sequence}, version {version}, {enc:?}, changes {changes:?}");
            assert_eq!(doc.rope().to_string(), expected, "{context}");
            let fresh = syntax::parse(&expected);
            assert_same_tree(doc.tree().root_node(), fresh.root_node(), &context);
        }
    }
}

#[test]
fn positions_round_trip_in_every_encoding() {
    let mut rng = Rng(42);
    for base in BASES {
        let text = format!("{base}\u{2028}tail 😀\r\n中文\rend");
        let rope = ropey::Rope::from_str(&text);
        for _ in 0..2_000 {
            let mut byte = rng.below(text.len() + 1);
            while !text.is_char_boundary(byte) {
                byte -= 1;
            }
            // Offsets inside a `\r\n` are not positions a client can name.
            if byte > 0
                && text.as_bytes()[byte - 1] == b'\r'
                && text.as_bytes().get(byte) == Some(&b'\n')
            {
                continue;
            }
            for enc in [
                PositionEncoding::Utf8,
                PositionEncoding::Utf16,
                PositionEncoding::Utf32,
            ] {
                let lc = position::to_line_col(&rope, byte, enc);
                assert_eq!(
                    position::to_byte(&rope, lc, enc),
                    byte,
                    "{enc:?} {lc:?} in {text:?}"
                );
                assert_eq!(
                    reference_offset(&text, lc, enc),
                    byte,
                    "reference disagrees: {enc:?} {lc:?}"
                );
            }
        }
    }
}
