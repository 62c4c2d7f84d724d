//! `TODO`/`FIXME` tags in comments and doc attributes, as Credo's `Design.TagHelper` finds
//! them; shared by `todo-comment` and `fixme-comment`.

use std::ops::Range;

use crate::syntax::Node;

use crate::lint::LintContext;
use crate::syntax::{elixir, text};

/// A tag found in the file: where and the text from the tag to the end of its line.
pub(crate) struct Tag {
    /// The comment or the `@doc` attribute.
    pub range: Range<usize>,
    /// `TODO: move this to a helper`.
    pub trigger: String,
}

/// Every `tag` (upper-case, matched case-insensitively) in comments — a `#`, optional
/// whitespace, the tag and at least one more character on the line — and at the very start of
/// a literal `@doc`/`@moduledoc`/`@shortdoc` string (Credo's `include_doc: true` default).
pub(crate) fn find_tags(ctx: &LintContext<'_>, tag: &str) -> Vec<Tag> {
    let src = ctx.source;
    let mut out = Vec::new();
    for call in &ctx.nodes().calls {
        if let Some(t) = doc_tag(*call, src, tag) {
            out.push(t);
        }
    }
    for comment in &ctx.nodes().comments {
        if let Some(trigger) = comment_tag(text(*comment, src), tag) {
            out.push(Tag {
                range: comment.byte_range(),
                trigger,
            });
        }
    }
    out.sort_by_key(|t| t.range.start);
    out
}

/// The tag in one comment line: `#`, whitespace, the tag, then something.
fn comment_tag(comment: &str, tag: &str) -> Option<String> {
    let lower = comment.to_ascii_lowercase();
    let tag_lower = tag.to_ascii_lowercase();
    for (i, _) in lower.match_indices('#') {
        // `?#` is a character literal, not a comment marker.
        if i > 0 && lower.as_bytes()[i - 1] == b'?' {
            continue;
        }
        let after = &lower[i + 1..];
        let skipped = after.len() - after.trim_start().len();
        let start = i + 1 + skipped;
        if lower[start..].starts_with(&tag_lower) {
            let rest = &comment[start + tag.len()..];
            let rest = rest.lines().next().unwrap_or("");
            if !rest.is_empty() {
                let line = &comment[start..];
                return Some(line.lines().next().unwrap_or("").trim().to_string());
            }
        }
    }
    None
}

/// `@doc "TODO: …"` (and `@moduledoc`, `@shortdoc`) with a literal string starting with the tag.
fn doc_tag(call: Node<'_>, src: &str, tag: &str) -> Option<Tag> {
    // The names first, on the text: most calls are none of these.
    if !["doc", "moduledoc", "shortdoc"]
        .iter()
        .any(|p| elixir::starts_with(call, src, p))
    {
        return None;
    }
    let name = elixir::local_call_name(call, src)?;
    if !matches!(name, "doc" | "moduledoc" | "shortdoc") {
        return None;
    }
    let attr = call.parent()?;
    elixir::attribute(attr, src)?;
    let value = *elixir::call_args(call).first()?;
    if value.kind() != "string" {
        return None;
    }
    let mut cursor = value.walk();
    if value
        .named_children(&mut cursor)
        .any(|c| c.kind() == "interpolation")
    {
        return None;
    }
    let raw = text(value, src);
    let content = raw
        .strip_prefix("\"\"\"")
        .or_else(|| raw.strip_prefix('"'))?;
    let content = content
        .strip_suffix("\"\"\"")
        .or_else(|| content.strip_suffix('"'))
        .unwrap_or(content);
    let trimmed = content.trim_start();
    let head = trimmed.get(..tag.len())?;
    if !head.eq_ignore_ascii_case(tag) {
        return None;
    }
    // `:?\s*.+`: anything but line breaks after the tag (a lone `:` counts, as in Credo).
    if !trimmed[tag.len()..].chars().any(|c| c != '\n') {
        return None;
    }
    Some(Tag {
        range: attr.byte_range(),
        trigger: trimmed.lines().next().unwrap_or("").trim_end().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::comment_tag;

    #[test]
    fn comment_tags_follow_credo() {
        assert_eq!(
            comment_tag("# TODO: move to a helper", "TODO").as_deref(),
            Some("TODO: move to a helper")
        );
        assert_eq!(
            comment_tag("#todo later", "TODO").as_deref(),
            Some("todo later")
        );
        assert_eq!(
            comment_tag("## FIXME x", "FIXME").as_deref(),
            Some("FIXME x")
        );
        assert!(comment_tag("# TODO", "TODO").is_none());
        assert!(comment_tag("# see the TODO list", "TODO").is_none());
    }
}
