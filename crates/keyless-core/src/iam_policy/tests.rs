use super::*;
use crate::span::DocId;

fn parse_aws(text: &str) -> std::result::Result<(TrustPolicy, Vec<Diagnostic>), Vec<Diagnostic>> {
    let node = doc::parse(text, DocId::Aws).unwrap();
    parse_policy(&unwrap_policy_document(&node).unwrap(), Dialect::Aws)
}

fn first_message(text: &str) -> String {
    parse_aws(text).unwrap_err().remove(0).message
}

const MAIN_ONLY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "GitHub",
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
      "StringLike": {"token.actions.githubusercontent.com:sub": "repo:my-org/my-repo:ref:refs/heads/main"}
    }
  }]
}"#;

// Seed keyless-deployments-aws-azure-gcp.md §2 policy: every element lands
// where it was written.
#[test]
fn parses_the_seed_policy_with_spans() {
    let (p, notes) = parse_aws(MAIN_ONLY).unwrap();
    assert!(notes.is_empty());
    assert_eq!(p.version.as_ref().unwrap().value, "2012-10-17");
    let st = &p.statements[0];
    assert_eq!(st.sid.as_ref().unwrap().value, "GitHub");
    assert_eq!(st.effect.value, Effect::Allow);
    assert_eq!(st.conditions.len(), 2);
    let c = &st.conditions[1];
    assert_eq!(c.operator.value.base, BaseOperator::StringLike);
    let written = &MAIN_ONLY[c.span.start as usize..c.span.end as usize];
    assert_eq!(written, r#""token.actions.githubusercontent.com:sub": "repo:my-org/my-repo:ref:refs/heads/main""#);
}

// A1: operator grammar `[ForAnyValue:|ForAllValues:]Op[IfExists]`.
#[test]
fn operator_names() {
    let o = Operator::parse("ForAllValues:StringLikeIfExists").unwrap();
    assert_eq!(
        (o.base.clone(), o.set, o.if_exists),
        (BaseOperator::StringLike, Some(SetQualifier::ForAllValues), true)
    );
    assert_eq!(o.display(), "ForAllValues:StringLikeIfExists");
    assert_eq!(Operator::parse("NumericLessThan").unwrap().base, BaseOperator::Other("NumericLessThan".into()));
    let e = Operator::parse("StringLke").unwrap_err();
    assert!(e.contains("did you mean `StringLike`"), "{e}");
    let e = Operator::parse("ForAllValues:StringEqual").unwrap_err();
    assert!(e.contains("did you mean `ForAllValues:StringEquals`"), "{e}");
    // A1: IfExists applies to every operator except Null.
    assert!(Operator::parse("NullIfExists").is_err());
}

#[test]
fn unknown_operator_is_a_located_error() {
    let text = MAIN_ONLY.replace("\"StringLike\"", "\"StringLikee\"");
    let errs = parse_aws(&text).unwrap_err();
    let d = &errs[0];
    assert!(d.message.contains("did you mean `StringLike`"), "{}", d.message);
    let span = d.span.unwrap();
    assert_eq!(&text[span.start as usize..span.end as usize], "\"StringLikee\"");
}

// Structural errors, each located (brief: missing Statement, Effect, types,
// unknown elements).
#[test]
fn structural_errors() {
    assert!(first_message(r#"{"Version": "2012-10-17"}"#).contains("no `Statement`"));
    let m = first_message(&MAIN_ONLY.replace("\"Allow\"", "\"allow\""));
    assert!(m.contains("did you mean `Allow`"), "{m}");
    let m = first_message(&MAIN_ONLY.replace("\"Version\"", "\"Versoin\""));
    assert!(m.contains("unknown element `Versoin`") && m.contains("did you mean `Version`"), "{m}");
    let m = first_message(&MAIN_ONLY.replace("\"Sid\": \"GitHub\",", "\"Resource\": \"*\","));
    assert!(m.contains("Has prohibited field Resource"), "{m}");
    let m = first_message(r#"{"Version": "2012-10-17", "Statement": "x"}"#);
    assert!(m.contains("`Statement` must be"), "{m}");
    let m = first_message(&MAIN_ONLY.replace("\"2012-10-17\"", "\"2012-10-18\""));
    assert!(m.contains("`Version` must be"), "{m}");
    let m = first_message(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"x"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":["a"]}}}"#,
    );
    assert!(m.contains("must be a mapping"), "{m}");
}

// A6: without Version the policy is 2008-10-17; said as a note.
#[test]
fn missing_version_is_a_note() {
    let (p, notes) = parse_aws(r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*"}}"#).unwrap();
    assert!(p.version.is_none());
    assert!(notes[0].message.contains("2008-10-17"));
}

// What `aws iam get-role` returns, as an object and URL-encoded (CLI v1 /
// some SDKs), and a policy held in a JSON string.
#[test]
fn input_forms() {
    let wrapped = format!(r#"{{"Role": {{"RoleName": "r", "AssumeRolePolicyDocument": {MAIN_ONLY}}}}}"#);
    assert_eq!(parse_aws(&wrapped).unwrap().0.statements.len(), 1);
    let encoded: String = MAIN_ONLY
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    let as_string = format!(r#"{{"Role": {{"AssumeRolePolicyDocument": "{encoded}"}}}}"#);
    let (p, _) = parse_aws(&as_string).unwrap();
    assert_eq!(p.statements[0].conditions.len(), 2);
    let json_string = serde_json::to_string(&MAIN_ONLY.replace('\n', "")).unwrap();
    assert_eq!(parse_aws(&json_string).unwrap().0.statements.len(), 1);
}

// Spans of a policy embedded verbatim in a string point into the outer text.
#[test]
fn embedded_policy_spans_shift() {
    let inner = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*"}}"#;
    let yaml = format!("trust_policy: '{inner}'\n");
    let node = doc::parse(&yaml, DocId::Aws).unwrap();
    let doc = unwrap_policy_document(node.get("trust_policy").unwrap()).unwrap();
    let (p, _) = parse_policy(&doc, Dialect::Aws).unwrap();
    let e = p.statements[0].effect.span;
    assert_eq!(&yaml[e.start as usize..e.end as usize], "\"Allow\"");
}

#[test]
fn alibaba_dialect_wants_version_1() {
    let node = doc::parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"acs:ram::1:oidc-provider/g"},"Action":"sts:AssumeRole"}]}"#,
        DocId::Alibaba,
    )
    .unwrap();
    let errs = parse_policy(&node, Dialect::Alibaba).unwrap_err();
    assert!(errs[0].message.contains("Version` \"1\""), "{}", errs[0].message);
}

// A5/A6: `${…}` outside 2012-10-17 is literal; the parser warns where.
#[test]
fn dollar_brace_outside_2012_is_flagged() {
    let text = MAIN_ONLY.replace("\"2012-10-17\"", "\"2008-10-17\"").replace("refs/heads/main", "refs/tags/v${*}");
    let (_, notes) = parse_aws(&text).unwrap();
    assert!(notes.iter().any(|n| n.message.contains("literal text here")), "{notes:?}");
    let (_, notes) = parse_aws(&MAIN_ONLY.replace("refs/heads/main", "refs/tags/v${*}")).unwrap();
    assert!(notes.is_empty());
}

// Duplicate operator blocks (a JSON key written twice) are evaluated and
// flagged: IAM's handling is undocumented.
#[test]
fn duplicate_operator_block_is_flagged() {
    let text = MAIN_ONLY.replace("\"StringEquals\"", "\"StringLike\"");
    let (p, notes) = parse_aws(&text).unwrap();
    assert_eq!(p.statements[0].conditions.len(), 2);
    assert!(notes[0].message.contains("appears twice"), "{notes:?}");
}

// The same condition key twice under one operator is a duplicate JSON key
// (or a case variant: keys are case-insensitive, A4; Access Analyzer reports
// "Duplicate keys with different case" as an error). IAM documents no reading
// of it, so Keyless must say what it does instead of silently ANDing both.
#[test]
fn duplicate_condition_key_in_one_block_is_flagged() {
    let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},
  "Action": "sts:AssumeRoleWithWebIdentity",
  "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/a:*",
                               "Token.Actions.GitHubUserContent.com:SUB": "repo:o/b:*"}}}]}"#;
    let (p, notes) = parse_aws(text).unwrap();
    assert_eq!(p.statements[0].conditions.len(), 2);
    let n = notes.iter().find(|n| n.message.contains("appears twice")).expect("a warning");
    let s = n.span.unwrap();
    assert_eq!(&text[s.start as usize..s.end as usize], "\"Token.Actions.GitHubUserContent.com:SUB\"");
}

// A JSON object with the same element twice (`Condition` here) has no
// documented reading in IAM; Keyless read the first one silently. It must
// refuse, pointing at the repeat.
#[test]
fn repeated_policy_element_is_an_error() {
    let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:*",
  "Condition": {"StringEquals": {"a:b": "c"}}, "condition": {}}]}"#;
    let d = parse_aws(text).unwrap_err().remove(0);
    assert!(d.message.contains("twice"), "{}", d.message);
    let s = d.span.unwrap();
    assert_eq!(&text[s.start as usize..s.end as usize], "\"condition\"");
}

// IAM quotas: 2,048 characters by default, 4,096 at most, white space not
// counted (reference_iam-quotas, A16).
#[test]
fn trust_policy_size_follows_iams_quotas() {
    let with_values = |n: usize| {
        let subs: Vec<String> = (0..n).map(|i| format!("\"repo:o/r{i:04}:ref:refs/heads/main\"")).collect();
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{"StringEquals": {{"token.actions.githubusercontent.com:sub": [{}]}}}}}}]}}"#,
            subs.join(",      ")
        )
    };
    // ~36 characters a value: 40 values fit, white space aside.
    let (_, notes) = parse_aws(&with_values(40)).unwrap();
    assert!(notes.iter().all(|n| !n.message.contains("quota")), "{notes:?}");
    let (_, notes) = parse_aws(&with_values(80)).unwrap();
    assert!(notes.iter().any(|n| n.message.contains("default quota of 2048")), "{notes:?}");
    let errors = parse_aws(&with_values(200)).unwrap_err();
    assert!(errors.iter().any(|e| e.message.contains("more than 4096")), "{errors:?}");
}

/// IAM refuses to store a trust policy outside its grammar
/// (`MalformedPolicyDocument`, policy grammar page) or over the size quota:
/// each is the cloud's creation-time refusal, labelled as such; RAM
/// documents no such error, so the same mistakes stay Keyless's reading.
#[test]
fn grammar_errors_are_iams_creation_refusals() {
    use crate::diagnostic::Stage;
    let cases = [
        (MAIN_ONLY.replace("\"StringLike\"", "\"StringLikeIgnoreCase\""), "unknown condition operator"),
        (
            MAIN_ONLY
                .replace("\"Principal\": {\"Federated\"", "\"Principal\": [{\"Federated\"")
                .replace("githubusercontent.com\"},\n    \"Action\"", "githubusercontent.com\"}],\n    \"Action\""),
            "`Principal`",
        ),
        (
            MAIN_ONLY.replace("\"Sid\": \"GitHub\",", "\"Sid\": \"GitHub\", \"Resource\": \"*\","),
            "Has prohibited field Resource",
        ),
        (MAIN_ONLY.replace("\"Effect\": \"Allow\"", "\"Effect\": \"allow\""), "`Effect` must be"),
        (
            MAIN_ONLY.replace("\"Sid\": \"GitHub\",", "\"Sid\": \"GitHub\", \"Actions\": [],"),
            "unknown element `Actions`",
        ),
        (MAIN_ONLY.replace("\"Version\": \"2012-10-17\"", "\"Version\": \"2012-10-18\""), "`Version` must be"),
    ];
    for (text, what) in &cases {
        let errors = parse_aws(text).expect_err(what);
        let d = errors.iter().find(|d| d.message.contains(what)).unwrap_or_else(|| panic!("{what}: {errors:?}"));
        assert!(d.is_refusal(), "{what}: {d:?}");
        assert!(d.message.contains("MalformedPolicyDocument"), "{}", d.message);
    }
    // Keyless's own reading problem: a key written twice (IAM documents nothing).
    let twice = MAIN_ONLY.replace("\"Sid\": \"GitHub\",", "\"Sid\": \"GitHub\", \"sid\": \"x\",");
    let errors = parse_aws(&twice).expect_err("twice");
    assert!(errors.iter().all(|d| d.stage == Stage::Input), "{errors:?}");
    // RAM: the same unknown operator is not labelled as IAM's.
    let ram = MAIN_ONLY.replace("\"2012-10-17\"", "\"1\"").replace("\"StringLike\"", "\"StringLikeIgnoreCase\"");
    let node = doc::parse(&ram, DocId::Alibaba).unwrap();
    let errors = parse_policy(&node, Dialect::Alibaba).expect_err("ram");
    assert!(errors.iter().all(|d| d.stage == Stage::Input && !d.message.contains("MalformedPolicyDocument")));
}

/// A-COLON: a condition key with two colons — the provider URL written with its
/// scheme — is refused by IAM with "Condition can contain only one colon.";
/// the hint gives the key IAM expects. Enterprise and GHES keys have one.
#[test]
fn a_condition_key_with_two_colons_is_refused() {
    let text = MAIN_ONLY
        .replace("\"token.actions.githubusercontent.com:sub\"", "\"https://token.actions.githubusercontent.com:sub\"");
    let errors = parse_aws(&text).expect_err("two colons");
    let [d] = errors.as_slice() else { panic!("{errors:?}") };
    assert!(d.is_refusal());
    assert!(d.message.contains("Condition can contain only one colon."), "{}", d.message);
    assert!(d.message.contains("`token.actions.githubusercontent.com:sub`"), "{}", d.message);
    assert_eq!(
        &text[d.span.unwrap().start as usize..d.span.unwrap().end as usize],
        "\"https://token.actions.githubusercontent.com:sub\""
    );
    for fine in ["token.actions.githubusercontent.com/my-enterprise:sub", "ghes.example.com/_services/token:sub"] {
        let text = MAIN_ONLY.replace("token.actions.githubusercontent.com:sub", fine);
        assert!(parse_aws(&text).is_ok(), "{fine}");
    }
}
