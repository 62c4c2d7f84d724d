//! The L5 rung on a realistic Phoenix application with planted vulnerabilities and the near
//! misses a careful reviewer would not flag (`fixtures/secure_app`), through the real binary.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn app() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/secure_app")
}

fn check_json(dir: &Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_ladder-ls"))
        // The L5 rung is above the default target (L3): ask for it.
        .args(["check", "--format", "json", "--level", "5"])
        .current_dir(dir)
        .output()
        .expect("run ladder-ls");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// `path:line code` of every L5 finding.
fn security_findings(json: &serde_json::Value) -> Vec<String> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["level"] == 5)
        .map(|d| {
            format!(
                "{}:{} {} {}",
                d["path"].as_str().unwrap(),
                d["range"]["start"]["line"],
                d["code"].as_str().unwrap(),
                d["severity"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn every_planted_vulnerability_is_found_and_no_near_miss() {
    let json = check_json(&app());
    let found = security_findings(&json);
    // The snapshot is the review: one line per planted vulnerability, none on the near misses
    // (commented in the fixture) and none on the function under `# sobelow_skip`.
    insta::assert_snapshot!("secure_app_l5", found.join("\n"));
    let codes: BTreeSet<&str> = found.iter().map(|f| f.split(' ').nth(1).unwrap()).collect();
    assert_eq!(codes.len(), 19, "every L5 rule fires once: {codes:?}");
}

#[test]
fn security_findings_cap_the_level() {
    let json = check_json(&app());
    let levels = json["levels"].as_object().unwrap();
    for finding in security_findings(&json) {
        if finding.ends_with(" info") {
            continue; // Infos never block a level.
        }
        let path = finding.split(':').next().unwrap();
        let level = levels[path].as_u64().unwrap();
        assert!(level < 5, "{path} has an L5 finding but level {level}");
    }
}

#[test]
fn sobelow_configuration_turns_mapped_rules_off() {
    let tmp = tempfile::tempdir().unwrap();
    ladder_e2e::copy_dir(&app(), tmp.path());
    std::fs::write(
        tmp.path().join(".sobelow-conf"),
        "[\n  verbose: false,\n  ignore: [\"Config.HTTPS\", \"XSS\"],\n  ignore_files: [\"lib/secure_app/cache.ex\"]\n]\n",
    )
    .unwrap();
    let admin = tmp
        .path()
        .join("lib/secure_app_web/controllers/admin_controller.ex");
    let text = std::fs::read_to_string(&admin).unwrap();
    std::fs::write(
        &admin,
        text.replace("  # sobelow_skip [\"CI.System\"]\n", ""),
    )
    .unwrap();

    let found = security_findings(&check_json(tmp.path())).join("\n");
    for gone in [
        "missing-force-ssl",
        "raw-html",
        "xss-send-resp",
        "unsafe-deserialization",
    ] {
        assert!(!found.contains(gone), "{gone} should be off:\n{found}");
    }
    assert_eq!(
        found.matches("admin_controller.ex").count(),
        3,
        "without its skip comment the `System.cmd` finding returns:\n{found}"
    );
    assert!(found.contains("sql-injection"));
}
