//! One module per rule.

pub mod invalid_config;
pub mod io_inspect;
pub mod missing_spec;
pub mod syntax_error;
pub mod trailing_whitespace;
pub mod unused_suppression;

#[cfg(test)]
pub mod test_support;
