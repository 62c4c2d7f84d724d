//! Findings and fixes, in byte offsets of the linted text.

use std::ops::Range;

use super::{RuleMeta, Severity};

/// One text replacement.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Edit {
    /// Byte range replaced.
    pub range: Range<usize>,
    /// Replacement text.
    pub new_text: String,
}

impl Edit {
    /// Replace `range` by `new_text`.
    pub fn replace(range: Range<usize>, new_text: impl Into<String>) -> Self {
        Edit {
            range,
            new_text: new_text.into(),
        }
    }

    /// Insert `text` at `at`.
    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        Edit {
            range: at..at,
            new_text: text.into(),
        }
    }

    /// Delete `range`.
    pub fn delete(range: Range<usize>) -> Self {
        Edit {
            range,
            new_text: String::new(),
        }
    }
}

/// An automatic fix: edits applied together.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fix {
    /// What the code action is called ("Insert @spec stub").
    pub title: String,
    /// Safe fixes keep behaviour and are applied by `--fix` and `source.fixAll.ladder`; unsafe
    /// ones are only offered one at a time.
    pub safe: bool,
    /// Non-overlapping edits.
    pub edits: Vec<Edit>,
}

impl Fix {
    /// A safe fix.
    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix {
            title: title.into(),
            safe: true,
            edits,
        }
    }

    /// A fix that may change behaviour: offered as a code action, never applied in bulk.
    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix {
            title: title.into(),
            safe: false,
            edits,
        }
    }
}

/// A `'static` code for a rule code known only at run time (Credo check names from the Credo
/// gate). Each distinct name is leaked once; there are a few hundred at most.
pub fn intern(code: &str) -> &'static str {
    if let Some(rule) = super::registry::find(code) {
        return rule.meta.code;
    }
    static CODES: std::sync::Mutex<std::collections::BTreeSet<&'static str>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let mut codes = CODES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(known) = codes.get(code) {
        return known;
    }
    let leaked: &'static str = Box::leak(code.to_string().into_boxed_str());
    codes.insert(leaked);
    leaked
}

/// A problem found in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule code.
    pub code: &'static str,
    /// The ladder level of the rule.
    pub level: u8,
    /// Severity after configuration.
    pub severity: Severity,
    /// Byte range flagged.
    pub range: Range<usize>,
    /// What is wrong, naming the function, variable or option concerned.
    pub message: String,
    /// The fix, if any.
    pub fix: Option<Fix>,
    /// Other ways to fix it, offered after the main fix (never applied in bulk).
    pub alternatives: Vec<Fix>,
    /// Other places that explain it (the opener of a missing `end`), for LSP
    /// `relatedInformation`.
    pub related: Vec<Related>,
}

/// A place related to a finding, in the same file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// Byte range.
    pub range: Range<usize>,
    /// What is there ("`do` opened here").
    pub message: String,
}

impl Finding {
    /// A finding of `meta`'s rule with its default severity.
    pub fn new(meta: &RuleMeta, range: Range<usize>, message: impl Into<String>) -> Self {
        Finding {
            code: meta.code,
            level: meta.level,
            severity: meta.severity,
            range,
            message: message.into(),
            fix: None,
            alternatives: Vec::new(),
            related: Vec::new(),
        }
    }

    /// Adds a related place.
    pub fn with_related(mut self, range: Range<usize>, message: impl Into<String>) -> Self {
        self.related.push(Related {
            range,
            message: message.into(),
        });
        self
    }

    /// Attaches a fix.
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// Attaches another way to fix it.
    pub fn with_alternative(mut self, fix: Fix) -> Self {
        self.alternatives.push(fix);
        self
    }
}
