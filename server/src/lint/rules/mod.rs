//! One module per rule.

pub mod doc_without_example;
pub mod invalid_config;
pub mod io_inspect;
pub mod missing_doc;
pub mod missing_moduledoc;
pub mod missing_spec;
pub mod mix_gates;
pub mod struct_without_type;
pub mod syntax_error;
pub mod trailing_whitespace;
pub mod unused_suppression;
pub mod vague_spec;

#[cfg(test)]
pub mod test_support;
