//! The rule engine shared by the language server and the command line.
//!
//! Rules read a [`LintContext`] (text, tree, file facts, configuration) and push [`Finding`]s:
//! byte ranges with a message and an optional [`Fix`]. The engine ([`lint`]) runs the enabled
//! rules, applies configured severities and suppression comments, reports unused suppressions and
//! sorts the result deterministically.

pub mod analysis;
pub mod context;
pub mod doc_prose;
pub mod docs;
pub mod engine;
pub mod finding;
pub mod fix;
pub mod incremental;
pub mod level;
pub mod meta;
pub mod migration;
pub mod parallel;
pub mod reach;
pub mod registry;
pub mod rules;
pub mod security_severity;
pub mod segments;
pub mod summary;
pub mod suppression;

pub use context::{FileInfo, LintContext, NodeIndex};
pub use engine::{
    LintOutput, lint, lint_document, lint_document_in, lint_document_incremental,
    lint_document_with_facts, lint_source, lint_source_in,
};
pub use finding::{Edit, Finding, Fix, Related};
pub use level::{LevelReport, file_level};
pub use meta::{Rule, RuleDocs, RuleMeta, Scope, Severity};
