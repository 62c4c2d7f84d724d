//! Conversions between byte offsets (used everywhere inside) and client positions (line + column
//! counted in the negotiated encoding). Every conversion clamps instead of failing: a position past
//! a line's end lands on the end of the line, a line past the end of the text on the end of the
//! text, and a column inside a multi-unit character on that character's start.

use ropey::Rope;

/// How a client counts columns (`positionEncoding` in LSP 3.17).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum PositionEncoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units: the LSP default, and what VS Code and Neovim use.
    #[default]
    Utf16,
    /// Unicode scalar values (also what `check` prints, 1-based).
    Utf32,
}

impl PositionEncoding {
    /// Width of `c` in this encoding's units.
    fn width(self, c: char) -> usize {
        match self {
            PositionEncoding::Utf8 => c.len_utf8(),
            PositionEncoding::Utf16 => c.len_utf16(),
            PositionEncoding::Utf32 => 1,
        }
    }
}

/// A zero-based line and a column in some [`PositionEncoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LineCol {
    /// Zero-based line number (lines end at `\n`, `\r\n` or `\r`, as in LSP).
    pub line: usize,
    /// Zero-based column, in units of the encoding used to produce it.
    pub col: usize,
}

/// Byte length of line `line`'s content, without its terminator.
fn line_content_len(rope: &Rope, line: usize) -> usize {
    let slice = rope.line(line);
    let mut len = slice.len_bytes();
    // The terminator is at most `\r\n`; look at the last two bytes only.
    if len > 0 && slice.byte(len - 1) == b'\n' {
        len -= 1;
    }
    if len > 0 && slice.byte(len - 1) == b'\r' {
        len -= 1;
    }
    len
}

/// Byte offset of a client position, clamped into the text.
pub fn to_byte(rope: &Rope, pos: LineCol, enc: PositionEncoding) -> usize {
    if pos.line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let start = rope.line_to_byte(pos.line);
    let content = line_content_len(rope, pos.line);
    if enc == PositionEncoding::Utf8 {
        // Snap to a char boundary at or before the requested byte.
        let byte = start + pos.col.min(content);
        return rope.char_to_byte(rope.byte_to_char(byte));
    }
    let mut units = 0;
    let mut byte = start;
    for c in rope.byte_slice(start..start + content).chars() {
        let w = enc.width(c);
        if units + w > pos.col {
            break;
        }
        units += w;
        byte += c.len_utf8();
    }
    byte
}

/// Client position of a byte offset (clamped to the text, snapped to a char boundary).
pub fn to_line_col(rope: &Rope, byte: usize, enc: PositionEncoding) -> LineCol {
    let byte = byte.min(rope.len_bytes());
    let byte = rope.char_to_byte(rope.byte_to_char(byte));
    let line = rope.byte_to_line(byte);
    let start = rope.line_to_byte(line);
    let col = match enc {
        PositionEncoding::Utf8 => byte - start,
        PositionEncoding::Utf16 => rope
            .byte_slice(start..byte)
            .chars()
            .map(char::len_utf16)
            .sum(),
        PositionEncoding::Utf32 => rope.byte_slice(start..byte).len_chars(),
    };
    LineCol { line, col }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lc(line: usize, col: usize) -> LineCol {
        LineCol { line, col }
    }

    #[test]
    fn utf16_counts_surrogate_pairs() {
        let rope = Rope::from_str("a😀b\n");
        assert_eq!(to_byte(&rope, lc(0, 3), PositionEncoding::Utf16), 5);
        assert_eq!(to_line_col(&rope, 5, PositionEncoding::Utf16), lc(0, 3));
        assert_eq!(to_line_col(&rope, 5, PositionEncoding::Utf32), lc(0, 2));
        assert_eq!(to_line_col(&rope, 5, PositionEncoding::Utf8), lc(0, 5));
    }

    #[test]
    fn column_inside_surrogate_pair_snaps_to_char_start() {
        let rope = Rope::from_str("a😀b");
        assert_eq!(to_byte(&rope, lc(0, 2), PositionEncoding::Utf16), 1);
        assert_eq!(to_byte(&rope, lc(0, 3), PositionEncoding::Utf8), 1);
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let rope = Rope::from_str("ab\r\ncd");
        assert_eq!(to_byte(&rope, lc(0, 99), PositionEncoding::Utf16), 2);
        assert_eq!(to_byte(&rope, lc(9, 0), PositionEncoding::Utf16), 6);
        assert_eq!(to_line_col(&rope, 99, PositionEncoding::Utf16), lc(1, 2));
    }

    #[test]
    fn lone_cr_is_a_line_break() {
        let rope = Rope::from_str("a\rb");
        assert_eq!(to_line_col(&rope, 2, PositionEncoding::Utf16), lc(1, 0));
        assert_eq!(to_byte(&rope, lc(1, 1), PositionEncoding::Utf16), 3);
    }
}
