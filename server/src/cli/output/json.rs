//! The stable JSON schema of spec §2 (version 1), written one diagnostic at a time.

use std::io::{self, Write};

use serde_json::{Map, Value, json};

use super::{nested, nested_tail};

use crate::cli::report::{CheckReport, FileReport};
use crate::lint::Finding;

/// Writes the report, one diagnostic at a time. The text is what `serde_json::to_string_pretty`
/// gives for the whole document (keys in alphabetical order), without building it in memory.
pub fn write(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"{\n  \"diagnostics\": [")?;
    let mut first = true;
    for (file, f) in report.findings() {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        nested(&diagnostic(file, f), 2, out)?;
    }
    out.write_all(if first { b"]," } else { b"\n  ]," })?;
    writeln!(out, "\n  \"files_checked\": {},", report.files_checked)?;
    // `levels` and `targets` are small (one number per file): built as maps, sorted by path.
    let mut levels = Map::new();
    let mut targets = Map::new();
    for file in &report.files {
        levels.insert(
            file.path.clone(),
            file.level().map_or(Value::Null, Value::from),
        );
        targets.insert(file.path.clone(), Value::from(file.fail_level));
    }
    out.write_all(b"  \"levels\": ")?;
    nested_tail(&Value::Object(levels), 1, out)?;
    // Added in place (version stays 1): each file's target, which its findings fail at or
    // below (`--level N` when given).
    out.write_all(b",\n  \"targets\": ")?;
    nested_tail(&Value::Object(targets), 1, out)?;
    out.write_all(b",\n  \"version\": 1\n}\n")
}

fn range(file: &FileReport, r: &std::ops::Range<usize>) -> Value {
    json!({"start": file.pos(r.start), "end": file.pos(r.end)})
}

fn diagnostic(file: &FileReport, f: &Finding) -> Value {
    let fix = f.fix.as_ref().map_or(Value::Null, |fix| {
        let edits: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| json!({"range": range(file, &e.range), "new_text": e.new_text}))
            .collect();
        json!({"safe": fix.safe, "title": fix.title, "edits": edits})
    });
    json!({
        "path": file.path,
        "range": range(file, &f.range),
        "code": f.code,
        "level": f.level,
        "severity": f.severity.as_str(),
        "message": f.message,
        "fix": fix,
    })
}
