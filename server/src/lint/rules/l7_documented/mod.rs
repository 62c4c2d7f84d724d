//! L7 — documented.

pub mod doc_without_example;
pub mod missing_doc;
pub mod missing_moduledoc;
