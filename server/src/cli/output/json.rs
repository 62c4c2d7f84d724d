//! The stable JSON schema of spec §2 (version 1).

use serde_json::{Map, Value, json};

use crate::cli::report::{CheckReport, FileReport};
use crate::lint::Finding;

pub fn render(report: &CheckReport) -> String {
    let diagnostics: Vec<Value> = report
        .findings()
        .map(|(file, f)| diagnostic(file, f))
        .collect();
    let mut levels = Map::new();
    let mut targets = Map::new();
    for file in &report.files {
        levels.insert(
            file.path.clone(),
            file.level().map_or(Value::Null, Value::from),
        );
        targets.insert(file.path.clone(), Value::from(file.fail_level));
    }
    let doc = json!({
        "version": 1,
        "files_checked": report.files_checked,
        "diagnostics": diagnostics,
        "levels": levels,
        // Added in place (version stays 1): each file's target, which its findings fail at or
        // below (`--level N` when given).
        "targets": targets,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
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
