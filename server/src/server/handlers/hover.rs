//! Hover on a function's name (its definition or a local call): its `@spec`, or the spec
//! ladder-ls infers when it has none.

use crate::syntax::Fields as _;
use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;

use super::super::convert;
use super::super::lsp::*;
use super::super::state::State;
use crate::syntax::elixir;
use crate::syntax::module_model::{ModuleModel, module_models};
use crate::syntax::text;
use crate::types::{format, format_spec, infer_function_spec};

pub async fn hover(state: &Arc<State>, params: HoverParams) -> Result<Option<Hover>> {
    let uri = params.text_document_position_params.text_document.uri;
    let Some(open) = state.doc(&uri) else {
        return Ok(None);
    };
    // The parse an edit deferred runs off the async threads.
    let doc = open.clone();
    let Ok(snapshot) = tokio::task::spawn_blocking(move || doc.parsed_snapshot()).await else {
        return Ok(None);
    };
    let enc = state.session().encoding;
    let byte = convert::byte(
        &snapshot.rope,
        params.text_document_position_params.position,
        enc,
    );
    let source = snapshot.text();
    let Some(markdown) = spec_hover(&snapshot.tree, source, byte) else {
        return Ok(None);
    };
    Ok(Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: None,
    }))
}

/// The hover text for the function named at `byte`, if any.
pub fn spec_hover(tree: &crate::syntax::SyntaxTree, src: &str, byte: usize) -> Option<String> {
    let node = tree.root_node().descendant_for_byte_range(byte, byte)?;
    if node.kind() != "identifier" {
        return None;
    }
    let name = text(node, src);
    let models = module_models(tree.root_node(), src);
    // The innermost module around the name.
    let module = models
        .iter()
        .rfind(|m| m.def.node.byte_range().contains(&byte))?;
    let arity = named_arity(node, module, src)?;
    let function = module
        .functions
        .iter()
        .find(|f| f.name == name && (f.min_arity..=f.arity).contains(&arity))?;
    let written: Vec<&str> = module
        .specs
        .iter()
        .filter(|s| s.name == name && (function.min_arity..=function.arity).contains(&s.arity))
        .map(|s| text(s.node, src))
        .collect();
    if !written.is_empty() {
        return Some(format!("```elixir\n{}\n```", written.join("\n")));
    }
    let spec = infer_function_spec(function, arity, module, src);
    let text = format_spec(
        "",
        name,
        &spec.arg_texts(),
        &spec.ret_alternatives(),
        format::LINE_LENGTH,
    );
    Some(format!(
        "```elixir\n{}```\n*Inferred by ladder-ls: `{}` has no @spec.*",
        text,
        function.label()
    ))
}

/// The arity a name refers to: the parameters of the definition it names, or the arguments of
/// the local call it is the target of.
fn named_arity(
    node: crate::syntax::Node<'_>,
    module: &ModuleModel<'_>,
    src: &str,
) -> Option<usize> {
    for function in &module.functions {
        if function.clauses.iter().any(|c| c.name_node == node) {
            return Some(function.arity);
        }
    }
    let call = node
        .parent()
        .filter(|p| p.kind() == "call" && p.field("target") == Some(node))?;
    let args = elixir::call_args(call).len();
    // A piped call has one more argument than it shows.
    let piped = call
        .parent()
        .is_some_and(|p| elixir::is_binary_op(p, src, "|>") && p.field("right") == Some(call));
    Some(args + usize::from(piped))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hover_at(src: &str, needle: &str) -> Option<String> {
        let tree = crate::syntax::parse(src);
        spec_hover(&tree, src, src.find(needle).unwrap() + 1)
    }

    #[test]
    fn shows_the_inferred_spec_or_the_written_one() {
        let src = "defmodule A do\n  def greet(name) when is_binary(name), do: \"hi \" <> name\n  @spec twice(integer()) :: integer()\n  def twice(x), do: x * 2\n  def run, do: greet(\"x\") |> twice()\nend\n";
        let inferred = hover_at(src, "greet(name)").unwrap();
        assert!(
            inferred.contains("@spec greet(String.t()) :: String.t()"),
            "{inferred}"
        );
        assert!(inferred.contains("has no @spec"));
        let call = hover_at(src, "greet(\"x\")").unwrap();
        assert!(call.contains("@spec greet(String.t())"), "{call}");
        let written = hover_at(src, "twice()").unwrap();
        assert_eq!(
            written,
            "```elixir\n@spec twice(integer()) :: integer()\n```"
        );
        assert_eq!(hover_at(src, "name)"), None);
    }
}
