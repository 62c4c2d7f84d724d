//! Parsers of mix output. They never fail: what they do not recognise is left out, and the
//! gate reports a problem when a tool failed without saying where.

pub mod compile;
pub mod credo;
pub mod format;
pub mod test;

/// Removes ANSI escape sequences and carriage returns (pseudo-terminal output, colours).
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => {
                if chars.peek() == Some(&'[') {
                    chars.next();
                    // CSI: parameters and intermediates, then one final byte in @..~.
                    for n in chars.by_ref() {
                        if ('@'..='~').contains(&n) {
                            break;
                        }
                    }
                }
            }
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A `path:line[:column]` location as mix prints it, with what follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The path as printed (relative to the project, or absolute).
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: Option<usize>,
    /// Text after the location (`: Mod.fun/1`), trimmed.
    pub rest: String,
}

/// Reads `lib/x.ex:12`, `lib/x.ex:12:5`, `lib/x.ex:12: Mod.f/1` (also after `└─ `).
pub fn location(text: &str) -> Option<Location> {
    let text = text.trim().trim_start_matches("└─").trim();
    let ext_end = [".exs:", ".ex:", ".eex:", ".heex:", ".leex:", ".erl:"]
        .iter()
        .filter_map(|ext| text.find(ext).map(|i| i + ext.len() - 1))
        .min()?;
    let path = &text[..ext_end];
    if path.is_empty() || path.contains(' ') {
        return None;
    }
    let mut parts = text[ext_end + 1..].splitn(3, ':');
    let line: usize = parts.next()?.trim().parse().ok()?;
    let (column, rest) = match parts.next() {
        Some(c) => match c.trim().parse::<usize>() {
            Ok(col) => (Some(col), parts.next().unwrap_or("").trim().to_string()),
            Err(_) => {
                let rest = match parts.next() {
                    Some(more) => format!("{c}:{more}"),
                    None => c.to_string(),
                };
                (None, rest.trim().to_string())
            }
        },
        None => (None, String::new()),
    };
    Some(Location {
        path: path.to_string(),
        line,
        column,
        rest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_locations() {
        assert_eq!(
            location("  lib/a.ex:8: A.f/1").unwrap(),
            Location {
                path: "lib/a.ex".into(),
                line: 8,
                column: None,
                rest: "A.f/1".into()
            }
        );
        let l = location(
            "    └─ lib/sample_app/warnings.ex:13:23: SampleApp.Warnings.undefined_module_call/0",
        )
        .unwrap();
        assert_eq!((l.line, l.column), (13, Some(23)));
        assert_eq!(
            location("  test/a_test.exs:10: (test)").unwrap().rest,
            "(test)"
        );
        assert_eq!(location("warning: not a location"), None);
        assert_eq!(clean("\u{1b}[33mwarning: \u{1b}[0mx\r"), "warning: x");
    }
}
