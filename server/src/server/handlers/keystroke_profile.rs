//! Where a keystroke's time goes between `didChange` and `publishDiagnostics`, in process and
//! by hand: `LADDER_PROFILE_FILE=path cargo test -p ladder-ls --release --lib
//! keystroke_profile -- --ignored --nocapture` types and deletes a character after the
//! indentation of body lines spread over the file (as the `edits` bench does) and reports
//! each phase's p50 and p99. Edits that leave the text broken get the provisional parse the
//! server lints while the user types.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::*;
use crate::document::{Document, LineCol, TextChange};

fn percentiles(mut v: Vec<Duration>) -> String {
    v.sort();
    let at = |p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize];
    format!("p50 {:>9.3?} p99 {:>9.3?}", at(0.5), at(0.99))
}

#[test]
#[ignore]
fn keystroke_profile() {
    let Some(text) = crate::syntax::tree::tests::profile_text() else {
        return;
    };
    let uri: Uri = "file:///bench/lib/big.ex".parse().expect("a URI");
    let target = FileTarget::of(&uri, &[]);
    let config = Config::default();
    let project = Arc::new(ProjectIndex::default());
    let enc = PositionEncoding::Utf16;
    let mut cache = LintCache::default();
    let mut doc = Document::new(&text, 1);
    let first = doc.snapshot();
    let conv = Conversion {
        uri: &uri,
        target: &target,
        config: &config,
        enc,
    };
    let (mut previous, _) = relint_snapshot(conv, &first, &project, &mut cache, None);
    previous.encoded = Some(outbox::encode(&previous.diagnostics, None));
    // Body lines with code, as the bench picks them.
    let all_lines: Vec<&str> = text.lines().collect();
    let lines: Vec<(usize, usize)> = crate::lint::segments::body_lines(doc.tree(), &text)
        .into_iter()
        .filter_map(|l| {
            let code = all_lines.get(l)?;
            (code.trim().len() > 3).then(|| (l, code.len() - code.trim_start().len()))
        })
        .collect();
    let (mut edit_t, mut parse_t, mut lint_t, mut encode_t) = (vec![], vec![], vec![], vec![]);
    let (mut full_parses, mut full_lints, mut provisional) = (0, 0, 0);
    let mut at = (0, 0);
    for v in 2..302usize {
        let change = if v % 2 == 0 {
            at = lines[(v * 7919) % lines.len()];
            let p = LineCol {
                line: at.0,
                col: at.1,
            };
            TextChange {
                range: Some((p, p)),
                text: "x".into(),
            }
        } else {
            let p = LineCol {
                line: at.0,
                col: at.1,
            };
            TextChange {
                range: Some((
                    p,
                    LineCol {
                        line: at.0,
                        col: at.1 + 1,
                    },
                )),
                text: String::new(),
            }
        };
        let t = Instant::now();
        doc.edit(&[change], v as i32, enc);
        edit_t.push(t.elapsed());
        let t = Instant::now();
        let snapshot = match doc.snapshot_or_job() {
            Ok(s) => s,
            Err(job) => job.run_allowing_provisional(),
        };
        doc.offer(&snapshot);
        parse_t.push(t.elapsed());
        full_parses += usize::from(!snapshot.spliced());
        provisional += usize::from(snapshot.provisional());
        let t = Instant::now();
        let (mut result, _) =
            relint_snapshot(conv, &snapshot, &project, &mut cache, Some(&previous));
        lint_t.push(t.elapsed());
        if cache.last().full {
            full_lints += 1;
            if std::env::var_os("LADDER_PROFILE_VERBOSE").is_some() {
                let line = snapshot.rope.line(at.0);
                eprintln!(
                    "full lint ({}) after v{v} at {at:?} (spliced {}, provisional {}, error {}, fresh error {}): {line}",
                    cache.last().why,
                    snapshot.spliced(),
                    snapshot.provisional(),
                    snapshot.tree.root_node().has_error(),
                    crate::syntax::parse(&snapshot.rope.to_string())
                        .root_node()
                        .has_error()
                );
            }
        }
        let t = Instant::now();
        let reusable = match (&result.unchanged, &previous.encoded) {
            (Some((_, unchanged)), Some(encoded)) => Some((&unchanged[..], &encoded[..])),
            _ => None,
        };
        result.encoded = Some(outbox::encode(&result.diagnostics, reusable));
        encode_t.push(t.elapsed());
        previous = result;
    }
    eprintln!("edit   {}", percentiles(edit_t));
    eprintln!(
        "parse  {} ({full_parses} full parses, {provisional} provisional)",
        percentiles(parse_t)
    );
    eprintln!("lint   {} ({full_lints} full lints)", percentiles(lint_t));
    eprintln!("encode {}", percentiles(encode_t));
}
