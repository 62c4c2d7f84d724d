//! L4 — typed.

pub mod missing_spec;
pub(crate) mod schema_fields;
pub mod struct_without_type;
pub mod vague_spec;
