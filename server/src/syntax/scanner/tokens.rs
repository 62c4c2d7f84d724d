//! A linear Elixir tokenizer that keeps only what delimiter matching and layout need: openers
//! and closers (brackets, `do`/`fn`/`end`, interpolation), separators, operators and opaque
//! values. Strings, charlists, heredocs, sigils (every delimiter), quoted atoms and keys,
//! `?x` character literals and comments are skipped as Elixir's tokenizer skips them, so a `)`
//! inside `~r/\)/` or `"#{")"}"` is never mistaken for code.

/// An opener and the closer family it expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delim {
    /// `(`
    Paren,
    /// `[`
    Bracket,
    /// `{` (tuples, struct bodies)
    Brace,
    /// `%{`
    Map,
    /// `<<`
    Bits,
    /// `#{` inside a string, charlist, heredoc or lowercase sigil.
    Interp,
    /// A `do` block.
    Do,
    /// `fn`
    Fn,
}

impl Delim {
    /// How the opener is written.
    pub fn opener(self) -> &'static str {
        match self {
            Delim::Paren => "(",
            Delim::Bracket => "[",
            Delim::Brace => "{",
            Delim::Map => "%{",
            Delim::Bits => "<<",
            Delim::Interp => "#{",
            Delim::Do => "do",
            Delim::Fn => "fn",
        }
    }

    /// The token that closes it.
    pub fn closer(self) -> &'static str {
        match self {
            Delim::Paren => ")",
            Delim::Bracket => "]",
            Delim::Brace | Delim::Map | Delim::Interp => "}",
            Delim::Bits => ">>",
            Delim::Do | Delim::Fn => "end",
        }
    }

    /// `do` and `fn`, closed by `end`.
    pub fn is_block(self) -> bool {
        matches!(self, Delim::Do | Delim::Fn)
    }

    /// Whether a closer of family `close` closes this opener.
    pub fn closed_by(self, close: Delim) -> bool {
        match close {
            Delim::Brace => matches!(self, Delim::Brace | Delim::Map),
            Delim::Do | Delim::Fn => self.is_block(),
            other => self == other,
        }
    }
}

/// What a token is, as far as structure goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An opener.
    Open(Delim),
    /// A closer; `end` is `Close(Do)`, `}` is `Close(Brace)` or `Close(Interp)`.
    Close(Delim),
    /// `else`, `rescue`, `catch`, `after`: they sit at their block's indentation.
    BlockKw,
    /// `,`
    Comma,
    /// `;`
    Semicolon,
    /// A binary or unary operator, including `when`, `and`, `or`, `in`, `not`, `->`, `.`.
    Op,
    /// An identifier or alias (it may be the name of a call without parentheses).
    Ident,
    /// A keyword key: `name:`, `"quoted key":`, `do:`.
    Keyword,
    /// A complete value: number, atom, string, charlist, sigil, `?x`, `true`/`false`/`nil`.
    Literal,
    /// The closing quote of a string whose text holds an interpolation (the string's
    /// `Literal` token came before the interpolated code).
    StrEnd,
}

/// One token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: Kind,
    /// Byte range start.
    pub start: u32,
    /// Byte range end.
    pub end: u32,
    /// Zero-based line of `start`.
    pub line: u32,
    /// The indentation of its line when the token is the first thing on it (not inside a
    /// string's text), else `None`.
    pub indent: Option<u32>,
}

/// A string, charlist, heredoc, sigil or quoted atom still open at the end of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unterminated {
    /// Where it starts.
    pub start: u32,
    /// Zero-based line of `start`.
    pub line: u32,
    /// Its terminator (`"`, `'`, `"""`, `)` for `~r(`…).
    pub terminator: &'static str,
}

/// The tokens of a text, and the string left open at its end, if any.
#[derive(Debug, Default)]
pub struct Tokens {
    /// In text order.
    pub tokens: Vec<Token>,
    /// The string still open at the end of the file.
    pub unterminated: Option<Unterminated>,
}

/// Text being read: a string's text or code inside `#{}`.
#[derive(Clone, Copy)]
enum Mode {
    Text {
        /// The terminator byte, or the quote byte of a heredoc.
        term: u8,
        heredoc: bool,
        interpolates: bool,
        start: u32,
        line: u32,
        /// Whether an interpolation was seen (the closing quote is then a `StrEnd` token).
        had_interp: bool,
        /// `"…":` and `'…':` can be keyword keys; sigils and atoms cannot.
        may_be_key: bool,
        /// Index of the string's `Literal` token.
        tok: usize,
    },
    /// Code inside `#{`; `depth` counts braces opened inside it.
    Interp { depth: u32 },
}

struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    line: u32,
    line_start: usize,
    /// Nothing but spaces since the start of the line.
    at_line_start: bool,
    out: Tokens,
    modes: Vec<Mode>,
}

/// Tokenizes `source` in one pass.
pub fn tokenize(source: &str) -> Tokens {
    let mut lx = Lexer {
        src: source.as_bytes(),
        pos: 0,
        line: 0,
        line_start: 0,
        at_line_start: true,
        out: Tokens {
            tokens: Vec::with_capacity(source.len() / 4),
            unterminated: None,
        },
        modes: Vec::new(),
    };
    lx.run();
    lx.out
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn is_op_char(b: u8) -> bool {
    matches!(
        b,
        b'+' | b'-'
            | b'*'
            | b'/'
            | b'='
            | b'<'
            | b'>'
            | b'!'
            | b'&'
            | b'|'
            | b'^'
            | b'~'
            | b'.'
            | b'\\'
            | b'@'
            | b'%'
    )
}

/// Operator atoms (`:+`, `:<<>>`, `:%{}`…), longest first.
const OP_ATOMS: &[&str] = &[
    "<<>>", "%{}", "..//", "===", "!==", "...", "<<<", ">>>", "~~~", "^^^", "|||", "&&&", "<~>",
    "<|>", "<<~", "~>>", "{}", "..", "==", "!=", "<=", ">=", "&&", "||", "<>", "++", "--", "|>",
    "=~", "->", "<-", "\\\\", "~>", "<~", "+", "-", "*", "/", "<", ">", "=", "!", "^", "&", "|",
    "@", "%", ".",
];

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> u8 {
        self.src.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn starts_with(&self, s: &str) -> bool {
        self.src[self.pos..].starts_with(s.as_bytes())
    }

    fn newline(&mut self) {
        self.line += 1;
        self.line_start = self.pos + 1;
        self.at_line_start = true;
    }

    fn push(&mut self, kind: Kind, start: usize, line: u32) {
        let indent = self.at_line_start.then(|| (start - self.line_start) as u32);
        self.at_line_start = false;
        self.out.tokens.push(Token {
            kind,
            start: start as u32,
            end: self.pos as u32,
            line,
            indent,
        });
    }

    fn run(&mut self) {
        while self.pos < self.src.len() {
            match self.modes.last().copied() {
                Some(Mode::Text { .. }) => self.text(),
                _ => self.code(),
            }
        }
        // The outermost open string is the one to report.
        if let Some(Mode::Text {
            term,
            heredoc,
            start,
            line,
            ..
        }) = self
            .modes
            .iter()
            .find(|m| matches!(m, Mode::Text { .. }))
            .copied()
        {
            self.out.unterminated = Some(Unterminated {
                start,
                line,
                terminator: terminator_name(term, heredoc),
            });
        }
    }

    /// Reads a string's text up to its terminator or to an interpolation.
    fn text(&mut self) {
        let Some(Mode::Text {
            term,
            heredoc,
            interpolates,
            had_interp,
            may_be_key,
            tok,
            ..
        }) = self.modes.last().copied()
        else {
            return;
        };
        while self.pos < self.src.len() {
            let b = self.src[self.pos];
            match b {
                b'\n' => {
                    self.newline();
                    self.pos += 1;
                    if heredoc {
                        // A heredoc ends at a line whose first non-blank text is its quotes.
                        let mut p = self.pos;
                        while p < self.src.len() && matches!(self.src[p], b' ' | b'\t') {
                            p += 1;
                        }
                        if self.src[p..].starts_with(&[term, term, term]) {
                            let start = p;
                            self.pos = p + 3;
                            self.modes.pop();
                            self.out.tokens[tok].end = self.pos as u32;
                            if had_interp {
                                self.at_line_start = false;
                                self.push(Kind::StrEnd, start, self.line);
                            }
                            self.at_line_start = false;
                            self.skip_sigil_modifiers();
                            return;
                        }
                    }
                    continue;
                }
                b'\\' => {
                    self.at_line_start = false;
                    if self.peek(1) == b'\n' {
                        self.pos += 1;
                        continue;
                    }
                    self.pos += 2;
                    continue;
                }
                b'#' if interpolates && self.peek(1) == b'{' => {
                    if let Some(Mode::Text { had_interp, .. }) = self.modes.last_mut() {
                        *had_interp = true;
                    }
                    let start = self.pos;
                    self.pos += 2;
                    self.at_line_start = false;
                    self.push(Kind::Open(Delim::Interp), start, self.line);
                    self.modes.push(Mode::Interp { depth: 0 });
                    return;
                }
                _ if b == term && !heredoc => {
                    let start = self.pos;
                    self.pos += 1;
                    self.modes.pop();
                    self.out.tokens[tok].end = self.pos as u32;
                    if had_interp {
                        self.at_line_start = false;
                        self.push(Kind::StrEnd, start, self.line);
                    }
                    self.at_line_start = false;
                    if may_be_key && self.peek(0) == b':' && self.after_colon_is_space() {
                        // `"key": value` — the string was a keyword key.
                        self.pos += 1;
                        self.out.tokens[tok].kind = Kind::Keyword;
                        self.out.tokens[tok].end = self.pos as u32;
                        if had_interp && let Some(last) = self.out.tokens.last_mut() {
                            // `"#{x}": 1`: the closing quote ends a key, not a value.
                            last.kind = Kind::Keyword;
                        }
                    }
                    self.skip_sigil_modifiers();
                    return;
                }
                _ => {
                    if !matches!(b, b' ' | b'\t' | b'\r') {
                        self.at_line_start = false;
                    }
                    self.pos += 1;
                }
            }
        }
    }

    fn after_colon_is_space(&self) -> bool {
        matches!(self.peek(1), b' ' | b'\t' | b'\n' | b'\r' | 0)
    }

    /// After a sigil's terminator: its modifiers (`~r/x/iu`). Harmless after other strings,
    /// where a letter right after the quote is not valid Elixir anyway.
    fn skip_sigil_modifiers(&mut self) {
        while self.pos < self.src.len() && self.src[self.pos].is_ascii_alphanumeric() {
            self.pos += 1;
        }
    }

    /// Opens a string whose text starts at `self.pos` (after its opening quote or delimiter).
    /// The `Literal` token covers the opening; its end is widened when the text closes.
    fn open_text(&mut self, start: usize, term: u8, heredoc: bool, interpolates: bool, key: bool) {
        let line = self.line;
        let tok = self.out.tokens.len();
        self.push(Kind::Literal, start, line);
        self.modes.push(Mode::Text {
            tok,
            term,
            heredoc,
            interpolates,
            start: start as u32,
            line,
            had_interp: false,
            may_be_key: key,
        });
        if heredoc {
            // The rest of the opening line belongs to no line of text.
            while self.pos < self.src.len() && self.src[self.pos] != b'\n' {
                self.pos += 1;
            }
        }
    }

    /// A quote at `self.pos`: a string, a charlist or their heredocs.
    fn quoted(&mut self, start: usize, key: bool) {
        let q = self.src[self.pos];
        if self.peek(1) == q && self.peek(2) == q {
            self.pos += 3;
            self.open_text(start, q, true, true, false);
        } else {
            self.pos += 1;
            self.open_text(start, q, false, true, key);
        }
    }

    fn code(&mut self) {
        let b = self.src[self.pos];
        let start = self.pos;
        let line = self.line;
        match b {
            b'\n' => {
                self.newline();
                self.pos += 1;
            }
            b' ' | b'\t' | b'\r' => {
                // Indentation is most of formatted code's bytes: skip it in one go.
                while matches!(self.peek(0), b' ' | b'\t' | b'\r') {
                    self.pos += 1;
                }
            }
            b'\\' if self.peek(1) == b'\n' => self.pos += 1,
            b'#' => {
                while self.pos < self.src.len() && self.src[self.pos] != b'\n' {
                    self.pos += 1;
                }
            }
            b'"' | b'\'' => self.quoted(start, true),
            b'~' if self.sigil(start) => {}
            b'?' => {
                // `?a`, `?\n`, `?"`: a character literal.
                self.pos += 1;
                if self.peek(0) == b'\\' {
                    self.pos += 1;
                }
                self.pos += utf8_len(self.peek(0));
                self.pos = self.pos.min(self.src.len());
                self.push(Kind::Literal, start, line);
            }
            b':' => self.colon(start),
            b',' => {
                self.pos += 1;
                self.push(Kind::Comma, start, line);
            }
            b';' => {
                self.pos += 1;
                self.push(Kind::Semicolon, start, line);
            }
            b'(' => self.open(Delim::Paren, 1),
            b'[' => self.open(Delim::Bracket, 1),
            b'{' => self.open(Delim::Brace, 1),
            b'%' if self.peek(1) == b'{' => self.open(Delim::Map, 2),
            b')' => self.close(Delim::Paren, 1),
            b']' => self.close(Delim::Bracket, 1),
            b'}' => {
                if let Some(Mode::Interp { depth }) = self.modes.last_mut() {
                    if *depth == 0 {
                        self.modes.pop();
                        self.close(Delim::Interp, 1);
                        return;
                    }
                    *depth -= 1;
                }
                self.close(Delim::Brace, 1);
            }
            b'<' if self.starts_with("<<") && !matches!(self.peek(2), b'<' | b'~' | b'>') => {
                self.open(Delim::Bits, 2)
            }
            b'>' if self.starts_with(">>") && self.peek(2) != b'>' => self.close(Delim::Bits, 2),
            b'0'..=b'9' => {
                self.number();
                self.push(Kind::Literal, start, line);
            }
            _ if is_ident_start(b) => self.identifier(start),
            _ if is_op_char(b) => {
                while self.pos < self.src.len() && is_op_char(self.src[self.pos]) {
                    // `x=<<1>>` and `&%{}`: stop where a structural token begins.
                    if self.pos > start
                        && (self.starts_with("%{")
                            || (self.peek(0) == b'~' && self.peek(1).is_ascii_alphabetic())
                            || (self.pos == start + 1 && b == b'=' && self.starts_with("<<")))
                    {
                        break;
                    }
                    self.pos += 1;
                }
                self.push(Kind::Op, start, line);
            }
            _ => self.pos += utf8_len(b).max(1),
        }
    }

    fn open(&mut self, delim: Delim, len: usize) {
        let (start, line) = (self.pos, self.line);
        self.pos += len;
        if let Some(Mode::Interp { depth }) = self.modes.last_mut()
            && matches!(delim, Delim::Brace | Delim::Map)
        {
            *depth += 1;
        }
        self.push(Kind::Open(delim), start, line);
    }

    fn close(&mut self, delim: Delim, len: usize) {
        let (start, line) = (self.pos, self.line);
        self.pos += len;
        self.push(Kind::Close(delim), start, line);
    }

    fn number(&mut self) {
        if self.peek(0) == b'0' && matches!(self.peek(1), b'x' | b'o' | b'b') {
            self.pos += 2;
            while is_ident_char(self.peek(0)) {
                self.pos += 1;
            }
            return;
        }
        while self.peek(0).is_ascii_digit() || self.peek(0) == b'_' {
            self.pos += 1;
        }
        if self.peek(0) == b'.' && self.peek(1).is_ascii_digit() {
            self.pos += 1;
            while self.peek(0).is_ascii_digit() || self.peek(0) == b'_' {
                self.pos += 1;
            }
            if matches!(self.peek(0), b'e' | b'E') {
                let sign = usize::from(matches!(self.peek(1), b'+' | b'-'));
                if self.peek(1 + sign).is_ascii_digit() {
                    self.pos += 1 + sign;
                    while self.peek(0).is_ascii_digit() {
                        self.pos += 1;
                    }
                }
            }
        }
    }

    fn identifier(&mut self, start: usize) {
        let line = self.line;
        while self.pos < self.src.len() && is_ident_char(self.src[self.pos]) {
            self.pos += 1;
        }
        if matches!(self.peek(0), b'?' | b'!') {
            self.pos += 1;
        }
        if self.peek(0) == b':' && self.peek(1) != b':' && self.after_colon_is_space() {
            self.pos += 1;
            self.push(Kind::Keyword, start, line);
            return;
        }
        let word = &self.src[start..self.pos];
        // After a `.` every word is a name: `socket.assigns.end`, `Kernel.fn`.
        let after_dot = self.out.tokens.last().is_some_and(|t| {
            t.kind == Kind::Op && t.end as usize == start && self.src[start - 1] == b'.'
        });
        let kind = if after_dot {
            Kind::Ident
        } else {
            match word {
                b"do" => Kind::Open(Delim::Do),
                b"fn" => Kind::Open(Delim::Fn),
                b"end" => Kind::Close(Delim::Do),
                b"else" | b"rescue" | b"catch" | b"after" => Kind::BlockKw,
                b"when" | b"and" | b"or" | b"in" | b"not" => Kind::Op,
                b"true" | b"false" | b"nil" => Kind::Literal,
                _ => Kind::Ident,
            }
        };
        self.push(kind, start, line);
    }

    /// `:atom`, `:"quoted"`, `:+`, `::`, or a lone `:`.
    fn colon(&mut self, start: usize) {
        let line = self.line;
        let next = self.peek(1);
        if next == b':' {
            self.pos += 2;
            self.push(Kind::Op, start, line);
            return;
        }
        if next == b'"' || next == b'\'' {
            self.pos += 1;
            self.quoted(start, false);
            return;
        }
        if is_ident_start(next) {
            self.pos += 1;
            // `:nonode@nohost`: atoms may hold `@`.
            while self.pos < self.src.len()
                && (is_ident_char(self.src[self.pos]) || self.src[self.pos] == b'@')
            {
                self.pos += 1;
            }
            if matches!(self.peek(0), b'?' | b'!') {
                self.pos += 1;
            }
            self.push(Kind::Literal, start, line);
            return;
        }
        self.pos += 1;
        if let Some(op) = OP_ATOMS.iter().find(|op| self.starts_with(op)) {
            self.pos += op.len();
            self.push(Kind::Literal, start, line);
            return;
        }
        self.push(Kind::Op, start, line);
    }

    /// `~r/…/`, `~s(…)`, `~H"""…"""`, `~w[…]a`: a sigil; false for `~>` and other operators.
    fn sigil(&mut self, start: usize) -> bool {
        let name = self.peek(1);
        let mut p = self.pos + 1;
        let interpolates = if name.is_ascii_lowercase() {
            p += 1;
            true
        } else if name.is_ascii_uppercase() {
            while p < self.src.len()
                && (self.src[p].is_ascii_uppercase() || self.src[p].is_ascii_digit())
            {
                p += 1;
            }
            false
        } else {
            return false;
        };
        let open = self.src.get(p).copied().unwrap_or(0);
        let term = match open {
            b'(' => b')',
            b'[' => b']',
            b'{' => b'}',
            b'<' => b'>',
            b'/' | b'|' | b'"' | b'\'' => open,
            _ => return false,
        };
        let heredoc = matches!(open, b'"' | b'\'')
            && self.src.get(p + 1) == Some(&open)
            && self.src.get(p + 2) == Some(&open);
        self.pos = p + if heredoc { 3 } else { 1 };
        self.open_text(start, term, heredoc, interpolates, false);
        true
    }
}

fn terminator_name(term: u8, heredoc: bool) -> &'static str {
    match (term, heredoc) {
        (b'"', true) => "\"\"\"",
        (b'\'', true) => "'''",
        (b'"', false) => "\"",
        (b'\'', false) => "'",
        (b')', _) => ")",
        (b']', _) => "]",
        (b'}', _) => "}",
        (b'>', _) => ">",
        (b'/', _) => "/",
        (b'|', _) => "|",
        _ => "terminator",
    }
}

/// Bytes in the UTF-8 sequence that starts with `b` (1 for ASCII and stray bytes).
fn utf8_len(b: u8) -> usize {
    match b {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Kind> {
        tokenize(src).tokens.iter().map(|t| t.kind).collect()
    }

    fn structure(src: &str) -> String {
        tokenize(src)
            .tokens
            .iter()
            .filter_map(|t| match t.kind {
                Kind::Open(d) => Some(d.opener().to_string()),
                Kind::Close(d) => Some(d.closer().to_string()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn strings_sigils_and_comments_hide_their_delimiters() {
        let src = "x = \"a)\" <> ~r/\\)(/ <> ~s(b]) <> 'c}' # )\ny = ?) + ?\\( + ?\"\n";
        assert_eq!(structure(src), "");
        assert!(tokenize(src).unterminated.is_none());
        assert_eq!(structure("~S(f\\(x\\)) ~w[a b]a ~r<x>i ~r|y| ~r{z}"), "");
    }

    #[test]
    fn interpolation_is_code_inside_strings() {
        assert_eq!(structure("\"a #{f(%{b: 1})} c\""), "#{ ( %{ } ) }");
        assert_eq!(structure("\"#{\"#{x}\"}\""), "#{ #{ } }");
        assert_eq!(structure("~S\"#{x}\""), "");
        let toks = kinds("[\"a#{x}b\" b]");
        assert_eq!(
            toks,
            [
                Kind::Open(Delim::Bracket),
                Kind::Literal,
                Kind::Open(Delim::Interp),
                Kind::Ident,
                Kind::Close(Delim::Interp),
                Kind::StrEnd,
                Kind::Ident,
                Kind::Close(Delim::Bracket)
            ]
        );
    }

    #[test]
    fn heredocs_end_at_their_closing_line() {
        let src = "@doc \"\"\"\nfoo \"bar\" ) end\n  \"\"\"\ndef f do\n  ~s\"\"\"\n  <div>#{x}</div>\n  \"\"\"\nend\n";
        assert_eq!(structure(src), "do #{ } end");
        assert!(
            tokenize("@doc \"\"\"\nnever closed\n")
                .unterminated
                .is_some()
        );
    }

    #[test]
    fn do_keywords_atoms_and_fields_are_not_blocks() {
        assert_eq!(
            structure("def f, do: :end\nx.end\n%{do: 1, fn: 2}\n:do\n:fn?\ndo_it(end_date)"),
            "%{ } ( )"
        );
        assert_eq!(structure("f(fn x -> x end) do\nend"), "( fn end ) do end");
        assert_eq!(structure("\"do\": 1, 'end': 2"), "");
    }

    #[test]
    fn operators_and_binaries() {
        assert_eq!(structure("<<a::8, b>> <> x >>> 1 <<< 2"), "<< >>");
        assert_eq!(structure(":<<>> :%{} :{} %Foo{a: 1}"), "{ }");
        assert_eq!(structure("x=<<1>>"), "<< >>");
        assert_eq!(structure("&~p\"/a/#{x}\" <> &~r/(/"), "#{ }");
    }

    #[test]
    fn indentation_is_recorded_for_line_starts_only() {
        let t = tokenize("def f do\n  x\n  \"a\n b\" <> y\nend\n").tokens;
        let indents: Vec<_> = t.iter().map(|t| t.indent).collect();
        assert_eq!(
            indents,
            [Some(0), None, None, Some(2), Some(2), None, None, Some(0)]
        );
    }
}
