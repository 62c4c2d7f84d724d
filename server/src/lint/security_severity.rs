//! The security severity of each L5 (security) rule: a CVSS-style score from 0.1 to 10.0 that
//! GitHub code scanning reads from the SARIF rule's `security-severity` property to list the
//! finding as a security alert, binned as critical (9.0 and above), high (7.0 to 8.9), medium
//! (4.0 to 6.9) or low (0.1 to 3.9). The rule pages under `docs/rules/` show it.
//!
//! Each score is what a true finding typically allows an unauthenticated attacker over the
//! network, scored as CVSS 3.1 base scores of that weakness class usually are:
//!
//! - critical: running code or SQL of the attacker's choosing (`code-eval`,
//!   `command-injection`, `sql-injection`);
//! - high: objects built from attacker bytes, reading arbitrary files, secrets in the
//!   repository, unverified TLS, crashing the VM by filling the atom table;
//! - medium: cross-site scripting, request forgery, WebSocket hijacking, mass assignment,
//!   secrets in logs, timing side channels, redirects to other sites, missing validation or
//!   browser security headers;
//! - low: no HTTPS redirect configured (often done by the proxy in front).

/// `(rule code, score)` for every L5 rule; a test keeps it complete.
pub const SCORES: &[(&str, &str)] = &[
    ("code-eval", "9.8"),
    ("command-injection", "9.8"),
    ("sql-injection", "9.1"),
    ("unsafe-deserialization", "8.1"),
    ("path-traversal", "7.5"),
    ("hardcoded-secret", "7.5"),
    ("unsafe-atom", "7.5"),
    ("insecure-ssl", "7.4"),
    ("missing-csrf-protection", "6.5"),
    ("websocket-origin-unchecked", "6.5"),
    ("mass-assignment", "6.5"),
    ("xss-send-resp", "6.1"),
    ("raw-html", "6.1"),
    ("timing-attack", "5.9"),
    ("logged-secret", "5.5"),
    ("open-redirect", "5.4"),
    ("unvalidated-changeset", "4.3"),
    ("missing-secure-headers", "4.3"),
    ("missing-force-ssl", "3.7"),
];

/// The score of a rule, as GitHub wants it (a string); `None` for rules that are not security
/// rules.
pub fn score(code: &str) -> Option<&'static str> {
    SCORES.iter().find(|(c, _)| *c == code).map(|(_, s)| *s)
}

/// GitHub's name for a score's band.
pub fn band(score: &str) -> &'static str {
    match score.parse::<f32>().unwrap_or(0.0) {
        s if s >= 9.0 => "critical",
        s if s >= 7.0 => "high",
        s if s >= 4.0 => "medium",
        _ => "low",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::registry;

    #[test]
    fn every_l5_rule_and_only_those_have_a_score() {
        for rule in registry::RULES {
            let m = &rule.meta;
            assert_eq!(
                score(m.code).is_some(),
                m.level == 5,
                "{} (L{}): scores are for L5 rules, all of them",
                m.code,
                m.level
            );
        }
        for (code, s) in SCORES {
            let value: f32 = s.parse().unwrap();
            assert!((0.1..=10.0).contains(&value), "{code}: {s}");
            assert_eq!(*s, format!("{value:.1}"), "{code}: one decimal");
        }
    }

    #[test]
    fn injections_are_critical_and_config_hygiene_is_not() {
        for code in ["sql-injection", "command-injection", "code-eval"] {
            assert_eq!(band(score(code).unwrap()), "critical", "{code}");
        }
        assert_eq!(band(score("missing-force-ssl").unwrap()), "low");
        assert_eq!(band(score("missing-secure-headers").unwrap()), "medium");
    }
}
