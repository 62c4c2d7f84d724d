//! Elixir's delimiters, matched as its tokenizer matches them, and the culprit of a mismatch
//! placed by layout.
//!
//! tree-sitter recovers from a missing `end` or `)` by guessing, for highlighting; the guess is
//! often far from the edit that broke the file. Here every opener (`(`, `[`, `{`, `%{`, `<<`,
//! `#{`, `do`, `fn`) is matched against its closer over [`tokens::tokenize`]'s tokens. When they
//! do not match, a second pass uses what formatted code promises: the lines inside an opener are
//! indented deeper than the line that opened it, and its closer comes back to that indentation.
//! The first line that comes back without the closer shows which opener was cut short, and the
//! closer belongs right before it.
//!
//! Also found here: what tree-sitter accepts but Elixir rejects, two values side by side with no
//! comma (`[a: 1 b: 2]`, a list item on the next line without the `,`).
//!
//! Everything is one pass over the text plus one over its tokens: cheap enough for every
//! keystroke.

pub mod tokens;

use std::ops::Range;

use tokens::{Delim, Kind, Token, Tokens, tokenize};

/// A syntax problem found by the scanner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// What to underline: where the missing token belongs.
    pub range: Range<usize>,
    /// What is wrong, naming the opener and its line.
    pub message: String,
    /// Other places that explain it (the opener, the token found instead).
    pub related: Vec<(Range<usize>, String)>,
    /// A text to insert that would fix it, at a byte offset (a guess: offered, not applied).
    pub insert: Option<(usize, String)>,
}

/// The syntax problems of `source` the scanner can see: unclosed or mismatched delimiters and
/// unterminated strings (one problem per broken region), else missing commas.
pub fn problems(source: &str) -> Vec<Problem> {
    problems_in(source, &tokenize(source))
}

/// [`problems`] from the tokens of `source` (`tokenize(source)`), for a caller that has them
/// already.
pub fn problems_in(source: &str, toks: &Tokens) -> Vec<Problem> {
    let (strict, _) = Matcher::new(source, toks, false).run();
    if !strict.is_empty() || toks.unterminated.is_some() {
        let (mut found, interpolation) = Matcher::new(source, toks, true).run();
        if interpolation {
            found.truncate(1);
            return found;
        }
        let first = found.first().map_or(source.len(), |p| p.range.start);
        if let Some(string) = swallowing_string(source, &toks.tokens, first) {
            return vec![string];
        }
        if let Some(open) = toks.unterminated {
            // Everything after an unterminated string is text to Elixir: keep what comes before.
            found.retain(|p| p.range.start < open.start as usize);
            found.push(Problem {
                range: open.start as usize..(open.start as usize + 1).min(source.len()),
                message: format!(
                    "the string starting on line {} is never closed (no `{}`)",
                    open.line + 1,
                    open.terminator
                ),
                related: Vec::new(),
                insert: None,
            });
        }
        return found;
    }
    missing_commas(source, &toks.tokens)
}

/// A string or sigil that lost its terminator swallows code up to the next matching quote or
/// delimiter, and the code after it no longer matches. In formatted code a string closed on a
/// later line stays right of the line it opened on; one whose text runs left of it (the
/// `else` and `end` of the block it was in) is the culprit. The last such string before the
/// first problem is it.
fn swallowing_string(src: &str, toks: &[Token], before: usize) -> Option<Problem> {
    let culprit = toks
        .iter()
        .take_while(|t| (t.start as usize) < before)
        .filter(|t| t.kind == Kind::Literal)
        .filter(|t| {
            let text = &src[t.start as usize..t.end as usize];
            let Some((opening, rest)) = text.split_once('\n') else {
                return false;
            };
            if opening.contains("\"\"\"") || opening.contains("\'\'\'") {
                return false;
            }
            // Its text holds a line left of where it opened that reads as block structure.
            let indent = line_indent(src, t.start as usize) as usize;
            rest.lines().any(|l| {
                let trimmed = l.trim_start();
                let word = trimmed
                    .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                    .next()
                    .unwrap_or("");
                l.len() - trimmed.len() < indent
                    && (matches!(word, "end" | "else" | "def" | "defp" | "do" | "rescue")
                        || trimmed.starts_with(['|', ')', ']', '}']))
            })
        })
        .last()?;
    let (start, end) = (culprit.start as usize, culprit.end as usize);
    let line_end = src[start..].find('\n').map_or(src.len(), |n| start + n);
    let text = &src[start..end];
    let opener_len = text
        .find(['"', '\'', '(', '[', '{', '<', '/', '|'])
        .map_or(1, |n| n + 1);
    let opener = &text[..opener_len];
    let end_line = culprit.line as usize + text.matches('\n').count() + 1;
    Some(Problem {
        range: start..line_end,
        message: format!(
            "the `{opener}` on line {} is not closed on its line; it runs to line {end_line}",
            culprit.line + 1
        ),
        related: vec![(end.saturating_sub(1)..end, "where it ends".to_string())],
        insert: None,
    })
}

/// An opener on the stack.
#[derive(Clone, Copy, Debug)]
struct Frame {
    delim: Delim,
    /// Index of the opener token.
    tok: usize,
    /// The indentation its closer comes back to, once known.
    reference: Option<u32>,
    /// The indentation of the opener's line.
    opener_indent: u32,
    /// The indentation of the line where the statement holding the opener starts.
    stmt_indent: u32,
    /// The first token of that statement (`def` of `def f(x) do`).
    stmt_tok: usize,
    /// Inside this frame: the indentation and first token of the current statement.
    inner_stmt_indent: u32,
    inner_stmt_tok: usize,
}

struct Matcher<'a> {
    src: &'a str,
    toks: &'a [Token],
    layout: bool,
    stack: Vec<Frame>,
    /// The top level's current statement.
    top_stmt: (u32, usize),
    out: Vec<Problem>,
}

impl<'a> Matcher<'a> {
    fn new(src: &'a str, toks: &'a Tokens, layout: bool) -> Self {
        Matcher {
            src,
            toks: &toks.tokens,
            layout,
            stack: Vec::new(),
            top_stmt: (0, 0),
            out: Vec::new(),
        }
    }

    /// The problems, and whether the first is an interpolation left open (after which the
    /// tokens are string text read as code, so nothing else can be trusted).
    fn run(mut self) -> (Vec<Problem>, bool) {
        for i in 0..self.toks.len() {
            let t = self.toks[i];
            if self.layout && self.open_interpolation_ended(i) {
                return (self.out, true);
            }
            if self.layout && t.indent.is_some() {
                self.settle_references(i);
                self.check_layout(i);
            }
            // Statements and indentation only serve placement: the strict pass only matches.
            if self.layout {
                self.track_statement(i);
                self.close_bracket_before_clause(i);
            }
            match t.kind {
                Kind::Open(delim) => self.open(delim, i),
                Kind::Close(delim) => self.close(delim, i),
                _ => {}
            }
        }
        if let (Some(frame), Some(last)) = (self.stack.last().copied(), self.toks.last()) {
            // The innermost opener left at the end: its closer goes after the last token.
            self.report_unclosed(frame, None, last.end as usize);
        }
        (self.out, false)
    }

    /// An interpolation opened on an earlier line than token `i` and still open: formatted code
    /// closes `#{` on its own line, so its `}` is missing. Reported at the `#{`.
    fn open_interpolation_ended(&mut self, i: usize) -> bool {
        let line = self.toks[i].line;
        let Some(at) = self
            .stack
            .iter()
            .rposition(|f| f.delim == Delim::Interp && self.toks[f.tok].line < line)
        else {
            return false;
        };
        let frame = self.stack[at];
        let opener = self.toks[frame.tok];
        let message = format!("the `#{{` on line {} is never closed", opener.line + 1);
        self.out.push(Problem {
            range: opener.start as usize..opener.end as usize,
            message,
            related: Vec::new(),
            insert: None,
        });
        self.stack.truncate(at);
        true
    }

    /// Whether token `i` starts a new statement in the current frame: first after the opener,
    /// after `;`, or first on a line that does not continue the previous one.
    fn track_statement(&mut self, i: usize) {
        let t = self.toks[i];
        let prev = i.checked_sub(1).map(|p| self.toks[p]);
        let first_in_frame = match (prev, self.stack.last()) {
            (None, _) => true,
            (Some(p), Some(f)) => f.tok == i - 1 || p.kind == Kind::Semicolon,
            (Some(p), None) => p.kind == Kind::Semicolon,
        };
        // After `->` comes a clause body: a new statement.
        let continues = prev.is_some_and(|p| {
            matches!(p.kind, Kind::Comma | Kind::Keyword | Kind::Open(_))
                || (p.kind == Kind::Op && &self.src[p.start as usize..p.end as usize] != "->")
        }) || matches!(t.kind, Kind::Close(_) | Kind::BlockKw | Kind::StrEnd)
            || (t.kind == Kind::Op && !is_unary(&self.src[t.start as usize..t.end as usize]));
        let starts = first_in_frame || (t.indent.is_some() && !continues);
        if !starts {
            return;
        }
        let indent = line_indent(self.src, t.start as usize);
        match self.stack.last_mut() {
            Some(f) => {
                f.inner_stmt_indent = indent;
                f.inner_stmt_tok = i;
            }
            None => self.top_stmt = (indent, i),
        }
    }

    fn open(&mut self, delim: Delim, i: usize) {
        let t = self.toks[i];
        let (stmt_indent, stmt_tok) = match self.stack.last() {
            Some(f) => (f.inner_stmt_indent, f.inner_stmt_tok),
            None => self.top_stmt,
        };
        let opener_indent = if self.layout {
            line_indent(self.src, t.start as usize)
        } else {
            0
        };
        let reference = match delim {
            Delim::Interp | Delim::Do | Delim::Fn => None,
            _ => Some(opener_indent),
        };
        self.stack.push(Frame {
            delim,
            tok: i,
            reference,
            opener_indent,
            stmt_indent,
            stmt_tok,
            inner_stmt_indent: opener_indent,
            inner_stmt_tok: i,
        });
    }

    fn close(&mut self, delim: Delim, i: usize) {
        let Some(top) = self.stack.last().copied() else {
            self.unexpected(i);
            return;
        };
        if top.delim.closed_by(delim) {
            self.stack.pop();
            return;
        }
        // Closes something further down: the openers above it were never closed.
        match self.stack.iter().rposition(|f| f.delim.closed_by(delim)) {
            Some(at) => {
                self.report_unclosed(top, Some(i), self.toks[i].start as usize);
                self.stack.truncate(at);
            }
            None => self.unexpected(i),
        }
    }

    /// A `do` directly inside a bracket (`if foo(x do`), or a `->` directly inside a list, tuple
    /// or map on the bracket's own line (`{:ok, x ->`): the bracket was meant to close before
    /// it. Valid code rarely does either (`foo(x do … end)`; `->` inside `(` is a
    /// typespec), so once the file is known to be broken, the bracket is closed there.
    fn close_bracket_before_clause(&mut self, i: usize) {
        let t = self.toks[i];
        let Some(top) = self.stack.last().copied() else {
            return;
        };
        if top.delim.is_block() || top.delim == Delim::Interp {
            return;
        }
        let arrow = t.kind == Kind::Op && &self.src[t.start as usize..t.end as usize] == "->";
        let same_line = self.toks[top.tok].line == t.line;
        let cuts =
            t.kind == Kind::Open(Delim::Do) || (arrow && same_line && top.delim != Delim::Paren);
        if cuts {
            self.report_unclosed(top, Some(i), self.toks[i - 1].end as usize);
            self.stack.pop();
        }
    }

    /// Block references wait for the block's first line: formatted code indents it two spaces
    /// past the line the `end` comes back to.
    fn settle_references(&mut self, i: usize) {
        let t = self.toks[i];
        let Some(indent) = t.indent else { return };
        let closes_top = matches!(t.kind, Kind::Close(d) if self.stack.last().is_some_and(|f| f.delim.closed_by(d)));
        let depth = self.stack.len();
        for n in (0..depth).rev() {
            let f = self.stack[n];
            if f.reference.is_some() {
                break;
            }
            if f.delim == Delim::Interp {
                continue;
            }
            let body = indent.checked_sub(2);
            let reference = match body {
                Some(b) if b == f.opener_indent || b == f.stmt_indent => b,
                // `x =` ⏎ `case y` ⏎ `|> z do`: the line the call started on.
                Some(b) if self.statement_has_line_at(f, b) => b,
                // An empty block: its `end` comes back to where the statement started.
                _ if closes_top && n + 1 == depth => f.opener_indent.min(f.stmt_indent),
                _ => f.opener_indent,
            };
            self.stack[n].reference = Some(reference);
        }
    }

    /// Whether a line of the statement holding `f`'s opener, between the statement's start and
    /// the opener, is indented `indent`. Looks back a bounded number of tokens (statements
    /// are short; the bound keeps a pathological one linear).
    fn statement_has_line_at(&self, f: Frame, indent: u32) -> bool {
        self.toks[f.stmt_tok.max(f.tok.saturating_sub(256))..f.tok]
            .iter()
            .any(|t| t.indent == Some(indent))
    }

    /// A line that comes back to (or left of) an open frame's indentation without closing it
    /// ends that frame: its closer is missing right before this line.
    fn check_layout(&mut self, i: usize) {
        let t = self.toks[i];
        let Some(indent) = t.indent else { return };
        while let Some(f) = self.stack.last().copied() {
            let Some(reference) = f.reference else { break };
            if f.delim == Delim::Interp {
                break;
            }
            let cut = match t.kind {
                Kind::Close(d) if f.delim.closed_by(d) => indent < reference,
                Kind::BlockKw if f.delim == Delim::Do => indent < reference,
                _ => indent <= reference,
            };
            if !cut {
                break;
            }
            let prev_end = self.toks[i - 1].end as usize;
            let found = matches!(t.kind, Kind::Close(_)).then_some(i);
            self.report_unclosed(f, found, prev_end);
            self.stack.pop();
        }
    }

    fn unexpected(&mut self, i: usize) {
        let t = self.toks[i];
        let text = &self.src[t.start as usize..t.end as usize];
        self.out.push(Problem {
            range: t.start as usize..t.end as usize,
            message: format!("unexpected `{text}`: nothing open here to close"),
            related: Vec::new(),
            insert: None,
        });
    }

    /// Reports `f` as never closed; `found` is the closer met instead, `at` where the missing
    /// closer belongs.
    fn report_unclosed(&mut self, f: Frame, found: Option<usize>, at: usize) {
        let (found, at) = match self.closer_on_opener_line(f, found) {
            Some((stop, at)) => (stop.or(found), at),
            None => (found, at),
        };
        let opener = self.toks[f.tok];
        let line = opener.line + 1;
        let mut message = if f.delim.is_block() {
            match (f.delim, self.block_label(f)) {
                (Delim::Do, Some((label, at))) => {
                    format!("the `do` of `{label}` on line {} has no `end`", at + 1)
                }
                (d, _) => format!("the `{}` on line {line} has no `end`", d.opener()),
            }
        } else {
            format!("the `{}` on line {line} is never closed", f.delim.opener())
        };
        let mut related = vec![(
            opener.start as usize..opener.end as usize,
            format!("`{}` opened here", f.delim.opener()),
        )];
        if let Some(found) = found.map(|j| self.toks[j]) {
            let text = &self.src[found.start as usize..found.end as usize];
            message.push_str(&format!("; `{text}` found on line {}", found.line + 1));
            related.push((
                found.start as usize..found.end as usize,
                format!("`{text}` found instead of `{}`", f.delim.closer()),
            ));
        }
        // Underline the closer found in its place, else the last token before the gap (the
        // missing closer belongs right after it).
        let range = match found.map(|j| self.toks[j]) {
            Some(t) if t.start as usize == at => t.start as usize..t.end as usize,
            _ => match self.toks.partition_point(|t| (t.end as usize) <= at) {
                0 => at..at,
                n => tail_of(self.src, self.toks[n - 1]),
            },
        };
        let insert = self.insertion(f, at);
        self.out.push(Problem {
            range,
            message,
            related,
            insert: Some(insert),
        });
    }

    /// Where on its own line an unclosed bracket's closer belongs, when that line shows the
    /// bracket was meant to close there: a `do` or `->` directly inside it (`def f( do`,
    /// `fn {k, v -> …`), or a line that ends inside the bracket on a value or an operator
    /// rather than on the opener, a `,` or a nested opener (`%Result{rows: rows =`). Returns
    /// the `do`/`->` met, if any, and the offset for the closer; `None` keeps the layout's
    /// placement.
    fn closer_on_opener_line(
        &self,
        f: Frame,
        found: Option<usize>,
    ) -> Option<(Option<usize>, usize)> {
        if f.delim.is_block() || f.delim == Delim::Interp {
            return None;
        }
        let line = self.toks[f.tok].line;
        if found.is_some_and(|j| self.toks[j].line == line) {
            return None;
        }
        let mut depth = 0usize;
        let mut last = f.tok;
        for j in f.tok + 1..self.toks.len() {
            let t = self.toks[j];
            if t.line != line {
                break;
            }
            let text = &self.src[t.start as usize..t.end as usize];
            if depth == 0 && (t.kind == Kind::Open(Delim::Do) || text == "->") {
                return Some((Some(j), self.toks[j - 1].end as usize));
            }
            match t.kind {
                Kind::Open(_) => depth += 1,
                Kind::Close(_) if depth == 0 => return None,
                Kind::Close(_) => depth -= 1,
                _ => {}
            }
            last = j;
        }
        let end = self.toks[last];
        if depth > 0 {
            // The line ends inside a nested opener: a hugged last argument (`f(a, %{`) keeps
            // the layout's placement, but an operator before it (`f(order == %{`) shows where
            // this bracket should have closed.
            return self.toks[f.tok + 1..=last]
                .iter()
                .scan(0usize, |d, t| {
                    let here = *d;
                    match t.kind {
                        Kind::Open(_) => *d += 1,
                        Kind::Close(_) => *d = d.saturating_sub(1),
                        _ => {}
                    }
                    Some((here, t))
                })
                .take_while(|(d, t)| !(*d == 0 && matches!(t.kind, Kind::Open(_))))
                .find(|(d, t)| *d == 0 && is_binary_op(&self.src[t.start as usize..t.end as usize]))
                .map(|(_, t)| {
                    let k = self.toks.partition_point(|x| x.start < t.start);
                    (None, self.toks[k - 1].end as usize)
                });
        }
        if last == f.tok || end.kind == Kind::Comma {
            return None;
        }
        let at = if end.kind == Kind::Op {
            self.toks[last - 1].end
        } else {
            end.end
        };
        Some((None, at as usize))
    }

    /// The text that closes `f`, inserted at `at`: on a line of its own when the opener ended
    /// its line (a block, a multi-line list), else right there.
    fn insertion(&self, f: Frame, at: usize) -> (usize, String) {
        let opener = self.toks[f.tok];
        let next_on_same_line = self
            .toks
            .get(f.tok + 1)
            .is_some_and(|n| n.line == opener.line && !f.delim.is_block());
        let gap_has_newline = self.src[..at].rfind('\n').unwrap_or(0) > opener.start as usize;
        if next_on_same_line || !gap_has_newline {
            return (at, f.delim.closer().to_string());
        }
        let line_end = self.src[at..].find('\n').map_or(self.src.len(), |n| at + n);
        let indent = f.reference.unwrap_or(f.opener_indent) as usize;
        (
            line_end,
            format!("\n{}{}", " ".repeat(indent), f.delim.closer()),
        )
    }

    /// What a `do` belongs to (`def handle_call/3`, `defmodule Shop.Cart`, `case`, `test`)
    /// and the zero-based line where that is written.
    fn block_label(&self, f: Frame) -> Option<(String, u32)> {
        let toks = &self.toks[f.stmt_tok..f.tok];
        let word = |t: &Token| &self.src[t.start as usize..t.end as usize];
        let first = toks.first().filter(|t| t.kind == Kind::Ident)?;
        let head = word(first);
        if head.starts_with("def") && !head.starts_with("defmodule") && !head.starts_with("defimpl")
        {
            let name = toks.get(1).filter(|t| t.kind == Kind::Ident)?;
            let arity = match toks.get(2) {
                Some(p) if p.kind == Kind::Open(Delim::Paren) && p.start == name.end => {
                    arity(&toks[2..])
                }
                _ => 0,
            };
            return Some((format!("{head} {}/{arity}", word(name)), first.line));
        }
        if matches!(head, "defmodule" | "defimpl" | "defprotocol") {
            let mut alias = String::new();
            let mut end = None;
            for t in &toks[1..] {
                let adjacent = end.is_none_or(|e| e == t.start);
                if !adjacent || !matches!(t.kind, Kind::Ident | Kind::Op) {
                    break;
                }
                alias.push_str(word(t));
                end = Some(t.end);
            }
            let label = if alias.is_empty() {
                head.to_string()
            } else {
                format!("{head} {alias}")
            };
            return Some((label, first.line));
        }
        // `result = case x do`, `x |> case do`: the call after the last `=` or `|>`.
        let mut label = first;
        for (k, w) in toks.windows(2).enumerate() {
            // `x |> case do`, but not the `Enum` of `|> Enum.at(1) do`.
            let piped_block = word(&w[0]) == "|>" && k + 2 == toks.len();
            if (word(&w[0]) == "=" || piped_block) && w[1].kind == Kind::Ident {
                label = &w[1];
            }
        }
        Some((word(label).to_string(), label.line))
    }
}

/// The arity of a call whose argument list starts at `toks[0]` (its `(`).
fn arity(toks: &[Token]) -> usize {
    let mut depth = 0usize;
    let mut commas = 0;
    let mut empty = true;
    for t in toks {
        match t.kind {
            Kind::Open(_) => {
                if depth == 1 {
                    empty = false;
                }
                depth += 1;
            }
            Kind::Close(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            Kind::Comma if depth == 1 => commas += 1,
            _ if depth == 1 => empty = false,
            _ => {}
        }
    }
    if empty { 0 } else { commas + 1 }
}

/// An alias (`Foo`, the `Bar` of `Foo.Bar`): never called without a dot.
fn is_alias(t: &Token, src: &str) -> bool {
    t.kind == Kind::Ident && src.as_bytes()[t.start as usize].is_ascii_uppercase()
}

/// Operators that start a value (`%Struct{}`, `@attr`, `&fun/1`, `^pin`, `!x`, `not x`): a line
/// starting with one starts a statement rather than continuing the previous line.
fn is_unary(op: &str) -> bool {
    matches!(op, "%" | "@" | "&" | "^" | "!" | "not")
}

/// Whether the line of token `i` ends, at `i`'s nesting depth, with a `,`: it lists arguments.
fn line_ends_with_comma(toks: &[Token], i: usize) -> bool {
    let line = toks[i].line;
    let mut depth = 0i32;
    let mut last_at_depth = None;
    for t in toks[i..].iter().take_while(|t| t.line == line) {
        match t.kind {
            Kind::Open(_) => depth += 1,
            Kind::Close(_) => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            last_at_depth = Some(t.kind);
        }
    }
    last_at_depth == Some(Kind::Comma)
}

/// Binary operators a formatted call does not hug a multi-line argument after.
fn is_binary_op(op: &str) -> bool {
    matches!(
        op,
        "==" | "!="
            | "==="
            | "!=="
            | "="
            | "<>"
            | "=~"
            | ">"
            | "<"
            | ">="
            | "<="
            | "and"
            | "or"
            | "&&"
            | "||"
            | "in"
            | "++"
            | "--"
            | "|>"
            | "+"
            | "-"
            | "*"
            | "/"
    )
}

/// The indentation of the line holding `byte`.
fn line_indent(src: &str, byte: usize) -> u32 {
    let start = src[..byte].rfind('\n').map_or(0, |n| n + 1);
    src[start..]
        .bytes()
        .take_while(|b| *b == b' ' || *b == b'\t')
        .count() as u32
}

/// The part of token `t` on its last line (a heredoc is underlined on its closing line only).
fn tail_of(src: &str, t: Token) -> Range<usize> {
    let (start, end) = (t.start as usize, t.end as usize);
    let line_start = src[..end].rfind('\n').map_or(0, |n| n + 1);
    start.max(line_start)..end
}

/// Whether a token ends a value (a following value needs a `,` or an operator in between).
fn ends_value(t: &Token) -> bool {
    match t.kind {
        Kind::Literal | Kind::StrEnd => true,
        Kind::Close(d) => d != Delim::Interp,
        _ => false,
    }
}

/// Whether a token starts a value that cannot continue the one before it.
fn starts_value(t: &Token, src: &str, newline: bool) -> bool {
    match t.kind {
        Kind::Ident | Kind::Literal | Kind::Keyword => true,
        Kind::Open(Delim::Brace | Delim::Map | Delim::Bits | Delim::Fn) => true,
        // `x[1]`, `f.()(2)` on one line are access and calls; on a new line they start afresh.
        Kind::Open(Delim::Bracket | Delim::Paren) => newline,
        Kind::Op => matches!(
            &src[t.start as usize..t.end as usize],
            "@" | "%" | "&" | "^" | "!"
        ),
        _ => false,
    }
}

/// Elements that need a `,` between them: list, tuple, map, binary and call-argument items
/// (the `bool` says whether a `(` holds call arguments).
fn separates_with_commas(frame: Option<&(Delim, bool)>) -> bool {
    matches!(
        frame,
        Some((Delim::Bracket | Delim::Brace | Delim::Map | Delim::Bits, _))
            | Some((Delim::Paren, true))
    )
}

/// An open delimiter in [`missing_commas`].
struct Open {
    delim: Delim,
    /// A `(` holding call arguments.
    call: bool,
    /// A `,` was seen directly inside it.
    comma: bool,
    /// A call without parentheses seen directly inside it (`b c` in `[a, b c`): if a `,`
    /// follows, Elixir rejects it as ambiguous, and the `,` was missing between the two.
    no_parens_call: Option<(Token, Token)>,
    /// A `,` followed that call: reported when the delimiter closes, unless a `do` block
    /// came first (`[a: with x <- y, z <- w do … end]` is valid).
    ambiguous: bool,
    /// The indentation of the current statement's first line (`u32::MAX` before the first).
    stmt_indent: u32,
    /// `x [a, b]`: a spaced access takes one key; with a `,` the `,` was missing before `[`.
    spaced_access: Option<(Token, Token)>,
    /// A `=>` was seen directly inside since the last `,`: a call without parentheses after
    /// it cannot be followed by another `=>` (`%{"a" => x "b" => y}`).
    arrow: bool,
    /// `no_parens_call` came after such a `=>`.
    call_after_arrow: bool,
}

/// Two values side by side that Elixir rejects and tree-sitter may accept: `[a: 1 b: 2]`,
/// `{:ok x}`, `[a, b c, d]`, `raise ArgumentError "x"`, a list item or keyword pair on the
/// next line after one without its `,`.
fn missing_commas(src: &str, toks: &[Token]) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut top_stmt_indent = 0;
    let text = |t: &Token| &src[t.start as usize..t.end as usize];
    for i in 0..toks.len() {
        let t = toks[i];
        let prev = i.checked_sub(1).map(|p| toks[p]);
        let stmt_indent = stack.last().map_or(top_stmt_indent, |o| o.stmt_indent);
        let mut continues = prev.is_none_or(|p| {
            matches!(p.kind, Kind::Comma | Kind::Keyword | Kind::Open(_))
                || (p.kind == Kind::Op && text(&p) != "->")
        }) || matches!(t.kind, Kind::Close(_) | Kind::BlockKw | Kind::StrEnd)
            || (t.kind == Kind::Op && !is_unary(text(&t)));
        if let Some(p) = prev {
            let top = stack.last().map(|o| (o.delim, o.call));
            let commas = separates_with_commas(top.as_ref());
            let newline = t.line > p.line && t.indent.is_some();
            let missing = ends_value(&p)
                && starts_value(&t, src, newline)
                && (!newline || commas || t.kind == Kind::Keyword);
            // After a name, a value on the same line is an argument (`foo bar`); on the next
            // line inside a list or a call it needs the `,`.
            let after_name = p.kind == Kind::Ident
                && newline
                && (commas || t.kind == Kind::Keyword)
                && starts_value(&t, src, true);
            // An alias is never called without a dot: `ArgumentError "x"`, `Foo :a`.
            let after_alias = is_alias(&p, src)
                && !newline
                && t.kind != Kind::Open(Delim::Brace)
                && starts_value(&t, src, false);
            // In a block, a line indented deeper than its statement continues it; after a
            // value with no `,` or operator, it cannot (`for x <- xs` ⏎ `  x > 0, into: …`).
            let statement_block = matches!(
                stack.last().map(|o| o.delim),
                None | Some(Delim::Do | Delim::Fn)
            );
            let deeper = newline
                && statement_block
                && t.indent
                    .is_some_and(|n| n > stmt_indent && stmt_indent != u32::MAX)
                && (ends_value(&p) || p.kind == Kind::Ident)
                && starts_value(&t, src, true)
                && line_ends_with_comma(toks, i);
            if deeper {
                continues = true;
            }
            // `x []`: an access needs a key.
            let empty_access = (ends_value(&p) || is_alias(&p, src))
                && !newline
                && t.kind == Kind::Open(Delim::Bracket)
                && t.start > p.end
                && toks
                    .get(i + 1)
                    .is_some_and(|n| n.kind == Kind::Close(Delim::Bracket));
            if missing || after_name || after_alias || deeper || empty_access {
                out.push(comma_problem(src, p, t));
            } else if p.kind == Kind::Ident
                && !newline
                && t.kind != Kind::Keyword
                && !(t.kind == Kind::Open(Delim::Brace) && t.start == p.end)
                && (starts_value(&t, src, false)
                    || (t.kind == Kind::Open(Delim::Bracket) && t.start > p.end))
                && let Some(open) = stack.last_mut()
                && open.no_parens_call.is_none()
                && match open.delim {
                    Delim::Bracket | Delim::Brace | Delim::Map | Delim::Bits => true,
                    Delim::Paren => open.call && open.comma,
                    _ => false,
                }
            {
                open.no_parens_call = Some((p, t));
                open.call_after_arrow = open.arrow;
            }
        }
        if let Some(indent) = t.indent.filter(|_| !continues) {
            match stack.last_mut() {
                Some(open) => open.stmt_indent = indent,
                None => top_stmt_indent = indent,
            }
        } else if let Some(open) = stack.last_mut().filter(|o| o.stmt_indent == u32::MAX) {
            // The first token inside a delimiter starts its first statement.
            open.stmt_indent = line_indent(src, t.start as usize);
        }
        if t.kind == Kind::Open(Delim::Do)
            && let Some(open) = stack.last_mut()
        {
            // `{:reply, case x do … end, state}`: a block call is not ambiguous.
            open.no_parens_call = None;
            open.ambiguous = false;
        }
        match t.kind {
            Kind::Open(delim) => {
                let call = delim == Delim::Paren
                    && i.checked_sub(1).is_some_and(|p| {
                        let p = toks[p];
                        p.end == t.start
                            && matches!(p.kind, Kind::Ident | Kind::Close(_) | Kind::Op)
                    });
                let spaced_access = prev
                    .filter(|p| {
                        delim == Delim::Bracket
                            && (ends_value(p) || is_alias(p, src))
                            && p.line == t.line
                            && p.end < t.start
                    })
                    .map(|p| (p, t));
                stack.push(Open {
                    delim,
                    call,
                    comma: false,
                    no_parens_call: None,
                    ambiguous: false,
                    stmt_indent: u32::MAX,
                    spaced_access,
                    arrow: false,
                    call_after_arrow: false,
                });
            }
            Kind::Close(_) => {
                if let Some(Open {
                    no_parens_call: Some((name, arg)),
                    ambiguous: true,
                    ..
                }) = stack.pop()
                {
                    out.push(comma_problem(src, name, arg));
                }
            }
            Kind::Op if text(&t) == "=>" => {
                if let Some(open) = stack.last_mut() {
                    if open.call_after_arrow
                        && let Some((name, arg)) = open.no_parens_call.take()
                    {
                        out.push(comma_problem(src, name, arg));
                        open.ambiguous = false;
                    }
                    open.arrow = true;
                }
            }
            Kind::Comma => {
                if let Some(open) = stack.last_mut() {
                    open.arrow = false;
                    open.call_after_arrow = false;
                    open.comma = true;
                    open.ambiguous |= open.no_parens_call.is_some();
                    if let Some((value, bracket)) = open.spaced_access.take() {
                        out.push(comma_problem(src, value, bracket));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn comma_problem(src: &str, before: Token, after: Token) -> Problem {
    let show = |t: Token| {
        let text = src[t.start as usize..t.end as usize]
            .lines()
            .next()
            .unwrap_or("");
        let short: String = text.chars().take(30).collect();
        if short.len() < text.len() {
            format!("{short}…")
        } else {
            short
        }
    };
    let range = tail_of(src, before);
    Problem {
        message: format!(
            "missing `,` between `{}` and `{}` on line {}",
            show(before),
            show(after),
            after.line + 1
        ),
        related: vec![(
            after.start as usize..after.end as usize,
            "the next item starts here".to_string(),
        )],
        insert: Some((before.end as usize, ",".to_string())),
        range,
    }
}

#[cfg(test)]
mod tests;
