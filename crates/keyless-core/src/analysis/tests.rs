//! End-to-end analysis of the seed scenarios: the findings each must raise
//! (and must not), and the JSON shape the lead wires into `keyless eval`.

use super::blast_radius::tests::fixture;
use super::*;

fn analysis_of(name: &str) -> Analysis {
    let s = fixture(name);
    let report = crate::engine::evaluate(&s);
    analyze(&s, &report)
}

fn ids(a: &Analysis) -> Vec<&str> {
    a.findings.iter().map(|f| f.id.as_str()).collect()
}

/// (fixture, findings it must raise, findings it must not). Sources: the
/// fixtures' own `source:` (seed guide sections, GitHub/Alibaba docs).
#[test]
fn seed_scenarios_raise_their_findings() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        // Enterprise story: org wildcard admits other repos; breaks under immutable subjects.
        ("aws-org-wildcard", &["KL-SUB-003", "KL-TRUST-001", "KL-TRUST-005", "KL-TRUST-006"], &["KL-AWS-001", "KL-AWS-002"]),
        // §1: pinned to main, job in an environment.
        ("aws-environment-drift", &["KL-TRUST-002"], &["KL-TRUST-007", "KL-AWS-001"]),
        // §2 "Always pin aud".
        ("aws-missing-aud", &["KL-AWS-002"], &["KL-AWS-001"]),
        // §3 flexible expression written as a regex; Aug 2026 required claims.
        ("azure-flexible-release", &["KL-AZ-003", "KL-AZ-002", "KL-TRUST-007"], &["KL-AZ-001"]),
        // §4: owner condition is fine (no CKV_GCP_125-style false positive).
        ("gcp-org-provider", &["KL-TRUST-001"], &["KL-GCP-001", "KL-GCP-002"]),
        // GitHub's Alibaba guide: `repo:example/example-repo:*`.
        ("alibaba-wildcard", &["KL-SUB-005"], &["KL-ALI-001", "KL-ALI-004"]),
    ];
    for (name, must, must_not) in cases {
        let a = analysis_of(name);
        let got = ids(&a);
        for id in *must {
            assert!(got.contains(id), "{name}: expected {id}, got {got:?}");
        }
        for id in *must_not {
            assert!(!got.contains(id), "{name}: unexpected {id}, got {got:?}");
        }
    }
}

#[test]
fn analysis_serialises_to_the_eval_contract_fields() {
    let a = analysis_of("aws-org-wildcard");
    let v = serde_json::to_value(&a).unwrap();
    for key in ["findings", "matrix", "suggestions"] {
        assert!(v.get(key).is_some(), "{key}");
    }
    let f = &v["findings"][0];
    for key in ["id", "severity", "cloud", "title", "message", "location", "fix"] {
        assert!(f.get(key).is_some(), "finding.{key}");
    }
    let m = &v["matrix"];
    for key in ["clouds", "rows", "unintended_admits", "evaluations"] {
        assert!(m.get(key).is_some(), "matrix.{key}");
    }
    let s = &v["suggestions"][0]["verified"];
    for key in ["admits_intended", "rejects_unintended", "checked_runs", "verified"] {
        assert!(s.get(key).is_some(), "verified.{key}");
    }
}

/// Findings are located in the document that holds the offending text.
#[test]
fn scenario_findings_point_into_their_documents() {
    let s = fixture("azure-flexible-release");
    let a = analyze(&s, &crate::engine::evaluate(&s));
    let f = a.findings.iter().find(|f| f.id == "KL-AZ-003").unwrap();
    assert_eq!(f.location.unwrap().doc, crate::span::DocId::Azure);
}
