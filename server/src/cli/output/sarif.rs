//! SARIF 2.1.0, for GitHub code scanning and other dashboards.

use serde_json::{Value, json};

use crate::cli::report::{CheckReport, FileReport};
use crate::lint::{Finding, Severity, meta::doc_url, registry};

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

fn region(file: &FileReport, r: &std::ops::Range<usize>) -> Value {
    let (s, e) = (file.pos(r.start), file.pos(r.end));
    json!({"startLine": s.line, "startColumn": s.column, "endLine": e.line, "endColumn": e.column})
}

pub fn render(report: &CheckReport) -> String {
    let rules: Vec<Value> = registry::RULES
        .iter()
        .map(|r| {
            let m = &r.meta;
            json!({
                "id": m.code,
                "shortDescription": {"text": m.summary},
                "helpUri": doc_url(m.code),
                "defaultConfiguration": {"level": sarif_level(m.severity)},
                "properties": {"ladderLevel": m.level},
            })
        })
        .collect();
    let results: Vec<Value> = report.findings().map(|(file, f)| result(file, f)).collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "ladder-ls",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/ladder-ls/ladder-ls",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

fn result(file: &FileReport, f: &Finding) -> Value {
    let rule_index = registry::RULES.iter().position(|r| r.meta.code == f.code);
    let location = json!({"physicalLocation": {
        "artifactLocation": {"uri": file.path},
        "region": region(file, &f.range),
    }});
    let mut value = json!({
        "ruleId": f.code,
        "level": sarif_level(f.severity),
        "message": {"text": f.message},
        "locations": [location],
        "properties": {"ladderLevel": f.level},
    });
    if let Some(i) = rule_index {
        value["ruleIndex"] = json!(i);
    }
    if let Some(fix) = &f.fix {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| json!({"deletedRegion": region(file, &e.range), "insertedContent": {"text": e.new_text}}))
            .collect();
        value["fixes"] = json!([{
            "description": {"text": fix.title},
            "artifactChanges": [{"artifactLocation": {"uri": file.path}, "replacements": replacements}],
        }]);
    }
    value
}
