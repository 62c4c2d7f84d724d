//! The modules a test file names, read from its tokens.
//!
//! A test file contributes one fact to the index: which modules it exercises. That needs the
//! aliases it writes and its `alias` directives, not a syntax tree, so test files — often close
//! to half of a project's code — are tokenized by the scanner (strings, heredocs, sigils and
//! comments skipped as Elixir does) instead of parsed. The server and `check` both read test
//! files this way, so their facts agree.

use crate::syntax::scanner::tokens::{Delim, Kind, Token, tokenize};

/// The full names of the modules `source` names: every alias (`Shop.Orders`, `Orders`),
/// resolved through the file's `alias` directives (`alias Shop.Orders`, `alias Shop.{Orders,
/// Cart}`, `alias Shop.Orders, as: O`), sorted and without duplicates.
pub fn mentions(source: &str) -> Vec<String> {
    mentions_in(source, &tokenize(source).tokens)
}

/// [`mentions`] from the tokens of `source` (`tokenize(source).tokens`).
pub fn mentions_in(source: &str, tokens: &[Token]) -> Vec<String> {
    let text = |t: &Token| source.get(t.start as usize..t.end as usize).unwrap_or("");
    let is_alias = |t: &Token| {
        t.kind == Kind::Ident
            && text(t)
                .as_bytes()
                .first()
                .is_some_and(u8::is_ascii_uppercase)
    };
    let is_dot = |t: &Token| t.kind == Kind::Op && text(t) == ".";
    // `A.B.C` from index `i`: the name and the index after it.
    let chain = |i: usize| -> (String, usize) {
        let mut name = text(&tokens[i]).to_string();
        let mut j = i + 1;
        while j + 1 < tokens.len() && is_dot(&tokens[j]) && is_alias(&tokens[j + 1]) {
            name.push('.');
            name.push_str(text(&tokens[j + 1]));
            j += 2;
        }
        (name, j)
    };
    let last = |name: &str| name.rsplit('.').next().unwrap_or(name).to_string();
    let mut names: Vec<String> = Vec::new();
    let mut aliases: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let starts_chain = is_alias(&tokens[i]) && !(i > 0 && is_dot(&tokens[i - 1]));
        if !starts_chain {
            i += 1;
            continue;
        }
        let (name, j) = chain(i);
        let directive =
            i > 0 && tokens[i - 1].kind == Kind::Ident && text(&tokens[i - 1]) == "alias";
        if directive {
            let multi = j + 1 < tokens.len()
                && is_dot(&tokens[j])
                && tokens[j + 1].kind == Kind::Open(Delim::Brace);
            if multi {
                let mut k = j + 2;
                while k < tokens.len() && tokens[k].kind != Kind::Close(Delim::Brace) {
                    if is_alias(&tokens[k]) {
                        let (sub, next) = chain(k);
                        let full = format!("{name}.{sub}");
                        aliases.push((last(&sub), full.clone()));
                        names.push(full);
                        k = next;
                    } else {
                        k += 1;
                    }
                }
                // The prefix of a multi-alias names no module of its own.
                i = k;
                continue;
            } else {
                let as_name = (j + 2 < tokens.len()
                    && tokens[j].kind == Kind::Comma
                    && tokens[j + 1].kind == Kind::Keyword
                    && text(&tokens[j + 1]).trim_end() == "as:"
                    && is_alias(&tokens[j + 2]))
                .then(|| text(&tokens[j + 2]).to_string());
                aliases.push((as_name.unwrap_or_else(|| last(&name)), name.clone()));
            }
        }
        names.push(name);
        i = j;
    }
    let mut out: Vec<String> = names
        .into_iter()
        .map(|name| {
            let (head, tail) = match name.split_once('.') {
                Some((h, t)) => (h.to_string(), Some(t.to_string())),
                None => (name.clone(), None),
            };
            match aliases.iter().rev().find(|(short, _)| *short == head) {
                Some((_, full)) => match tail {
                    Some(t) => format!("{full}.{t}"),
                    None => full.clone(),
                },
                None => name,
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolved_through_alias_directives() {
        let src = "defmodule Shop.CheckoutTest do\n  use Shop.DataCase, async: true\n  alias Shop.{Orders, Catalog.Item}\n  alias Shop.Billing.Invoice, as: Bill\n\n  # Shop.Ignored in a comment\n  test \"Shop.InString is not a module\" do\n    assert %Item{} = Orders.first(Bill.new())\n    assert ~s(Shop.InSigil) == \"x\"\n  end\nend\n";
        assert_eq!(
            mentions(src),
            [
                "Shop.Billing.Invoice",
                "Shop.Catalog.Item",
                "Shop.CheckoutTest",
                "Shop.DataCase",
                "Shop.Orders",
            ]
        );
    }
}
