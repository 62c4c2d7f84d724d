//! SARIF 2.1.0, for GitHub code scanning and other dashboards.
//!
//! What GitHub needs beyond plain SARIF (checked in the tests with Microsoft's SARIF multitool,
//! `validate --rule-kind Gh`): every rule carries its full description and help (the same
//! documentation as `ladder-ls explain`); L5 rules are tagged `security` with a
//! `security-severity` score (see [`crate::lint::security_severity`]) so they are listed as
//! security alerts; results carry `partialFingerprints` that survive moved lines
//! ([`crate::cli::fingerprint`]); locations are URIs relative to `%SRCROOT%` (the directory
//! `check` ran in), percent-encoded.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{nested, nested_tail};
use crate::cli::fingerprint;
use crate::cli::report::{CheckReport, FileReport};
use crate::lint::{Finding, Rule, Severity, docs, meta::doc_url, registry, security_severity};

/// The base that relative artifact URIs resolve against.
const SRCROOT: &str = "%SRCROOT%";

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

/// Percent-encodes a path for a URI: every byte but the unreserved characters and `/` (so
/// spaces, `#`, `%`, `?` and non-ASCII text are encoded as their UTF-8 bytes).
pub fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A `file:` URI for an absolute path, with a trailing slash when `dir`.
fn file_uri(path: &std::path::Path, dir: bool) -> String {
    let mut slashed = path.to_string_lossy().replace('\\', "/");
    if !slashed.starts_with('/') {
        slashed.insert(0, '/'); // `C:/x` → `/C:/x`
    }
    if dir && !slashed.ends_with('/') {
        slashed.push('/');
    }
    // The drive colon stays as it is: `file:///C:/x`.
    format!(
        "file://{}",
        percent_encode_path(&slashed).replace("%3A", ":")
    )
}

/// The artifact location of a file as `check` shows its path: relative to `%SRCROOT%`, or an
/// absolute `file:` URI when the file lies outside the current directory on another root.
fn artifact_location(path: &str) -> Value {
    let p = std::path::Path::new(path);
    if p.is_absolute() || path.starts_with('/') {
        json!({"uri": file_uri(p, false)})
    } else {
        json!({"uri": percent_encode_path(path), "uriBaseId": SRCROOT})
    }
}

/// A rule's friendly name as SARIF recommends it (`sql-injection` → `SqlInjection`).
fn pascal_case(code: &str) -> String {
    code.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// The rule's reporting descriptor, with its documentation.
fn descriptor(rule: &Rule) -> Value {
    let m = &rule.meta;
    let mut tags = vec![format!("L{}", m.level)];
    let mut properties = json!({"ladderLevel": m.level});
    if let Some(score) = security_severity::score(m.code) {
        tags.insert(0, "security".to_string());
        properties["security-severity"] = json!(score);
    }
    properties["tags"] = json!(tags);
    let why = docs::reflow(m.docs.why);
    let text = format!(
        "{summary}\n\n{why}\n\nBad:\n\n{bad}\n\nGood:\n\n{good}\n\nFix: {fix}\n\nMore: {url}",
        summary = m.summary,
        bad = m.docs.bad,
        good = m.docs.good,
        fix = docs::reflow(m.docs.fix),
        url = doc_url(m.code),
    );
    let mut value = json!({
        "id": m.code,
        "shortDescription": {"text": m.summary},
        "fullDescription": {"text": why},
        "help": {"text": text, "markdown": docs::rule_page(rule)},
        "helpUri": doc_url(m.code),
        "defaultConfiguration": {"level": sarif_level(m.severity)},
        "properties": properties,
    });
    // The multitool warns when the name only repeats the id (`unformatted`/`Unformatted`).
    let name = pascal_case(m.code);
    if !name.eq_ignore_ascii_case(m.code) {
        value["name"] = json!(name);
    }
    value
}

/// Writes the SARIF log of a run, one result at a time. The text is what
/// `serde_json::to_string_pretty` gives for the whole log (keys in alphabetical order), without
/// building it in memory: a run with tens of thousands of results would take gigabytes as a
/// `serde_json::Value`.
pub fn write(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<Value> = registry::RULES.iter().map(|r| descriptor(r)).collect();
    let status = report.exit_status();
    let mut invocation = json!({
        "executionSuccessful": status != 2,
        "exitCode": status,
    });
    if !report.errors.is_empty() {
        let notes: Vec<Value> = report
            .errors
            .iter()
            .map(|e| json!({"level": "error", "message": {"text": e}}))
            .collect();
        invocation["toolExecutionNotifications"] = json!(notes);
    }
    let mut root = match std::env::current_dir() {
        Ok(cwd) => json!({"uri": file_uri(&cwd, true)}),
        Err(_) => json!({}),
    };
    root["description"] = json!({"text": "The directory `ladder-ls check` ran in"});
    let tool = json!({"driver": {
        "name": "ladder-ls",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "informationUri": "https://github.com/ladder-ls/ladder-ls",
        "rules": rules,
    }});
    out.write_all(
        b"{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"runs\": [\n    {\n",
    )?;
    out.write_all(b"      \"columnKind\": \"unicodeCodePoints\",\n      \"invocations\": ")?;
    nested_tail(&json!([invocation]), 3, out)?;
    out.write_all(b",\n      \"originalUriBaseIds\": ")?;
    nested_tail(&json!({ SRCROOT: root }), 3, out)?;
    out.write_all(b",\n      \"results\": [")?;
    let mut first = true;
    for file in &report.files {
        let prints = fingerprint::of_file(file);
        for (f, print) in file.findings.iter().zip(prints) {
            out.write_all(if first { b"\n" } else { b",\n" })?;
            first = false;
            nested(&result(file, f, print), 4, out)?;
        }
    }
    out.write_all(if first { b"]," } else { b"\n      ]," })?;
    out.write_all(b"\n      \"tool\": ")?;
    nested_tail(&tool, 3, out)?;
    out.write_all(b"\n    }\n  ],\n  \"version\": \"2.1.0\"\n}\n")
}

fn result(file: &FileReport, f: &Finding, fingerprint: String) -> Value {
    let rule_index = registry::RULES.iter().position(|r| r.meta.code == f.code);
    let location = json!({"physicalLocation": {
        "artifactLocation": artifact_location(&file.path),
        "region": region(file, &f.range),
    }});
    let mut value = json!({
        "ruleId": f.code,
        "level": sarif_level(f.severity),
        "message": {"text": f.message},
        "locations": [location],
        "partialFingerprints": {fingerprint::SARIF_KEY: fingerprint},
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
            "artifactChanges": [{"artifactLocation": artifact_location(&file.path), "replacements": replacements}],
        }]);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            percent_encode_path("lib/my app/#1 100%/café.ex"),
            "lib/my%20app/%231%20100%25/caf%C3%A9.ex"
        );
        assert_eq!(
            artifact_location("lib/a b.ex"),
            json!({"uri": "lib/a%20b.ex", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            artifact_location("/srv/x y/a.ex"),
            json!({"uri": "file:///srv/x%20y/a.ex"})
        );
        assert_eq!(
            file_uri(std::path::Path::new("/home/me/app"), true),
            "file:///home/me/app/"
        );
    }

    #[test]
    fn security_rules_are_tagged_with_a_severity_and_others_with_their_rung() {
        let sql = registry::find("sql-injection").unwrap();
        let d = descriptor(sql);
        assert_eq!(d["properties"]["tags"], json!(["security", "L5"]));
        assert_eq!(d["name"], "SqlInjection");
        assert_eq!(d["properties"]["security-severity"], "9.1");
        assert!(d["help"]["markdown"].as_str().unwrap().contains("## Why"));
        assert!(!d["fullDescription"]["text"].as_str().unwrap().is_empty());
        let io = registry::find("io-inspect").unwrap();
        let d = descriptor(io);
        assert_eq!(d["properties"]["tags"], json!(["L2"]));
        assert!(d["properties"].get("security-severity").is_none());
    }
}
