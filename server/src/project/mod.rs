//! Project facts (spec §9): one index of what every file of a Mix project defines — modules and
//! their `@type t`, callbacks and `__using__` specs, test files and what they exercise,
//! telemetry setup, Ecto repositories — built from the same parse trees as the lint, in
//! parallel at start (CLI and server alike) and kept current on every change. Rules that need
//! another file ask the index; none reads other files itself.

pub mod aliases;
pub mod build;
pub mod facts;
pub mod index;
pub mod lookup;
pub mod migrations;
pub mod test_mentions;
pub mod token_facts;

pub use build::{
    build, build_deferring, build_for_lint, index_parsed, index_sources, index_tree, project_files,
    roots_of,
};
pub use facts::{Child, FileFacts, ModuleFacts};
pub use index::{IndexedFile, ProjectIndex, Supervised};
