//! The findings catalogue: stable ids, severity, rationale with its source,
//! and the fix. Ids never change meaning; retired ids are not reused.
//! `docs/findings.md` is generated from this table (see the test in
//! `findings::tests`).

use super::{CatalogueEntry, FindingSeverity as S};
use crate::verdict::Cloud;

const AWS: &[Cloud] = &[Cloud::Aws];
const IAM: &[Cloud] = &[Cloud::Aws, Cloud::Alibaba];
const AZ: &[Cloud] = &[Cloud::Azure];
const GCP: &[Cloud] = &[Cloud::Gcp];
const ALI: &[Cloud] = &[Cloud::Alibaba];
const ALL: &[Cloud] = &[Cloud::Aws, Cloud::Azure, Cloud::Gcp, Cloud::Alibaba];
const GH: &[Cloud] = &[];
#[cfg(feature = "services")]
const VAULT: &[Cloud] = &[Cloud::Vault];
#[cfg(feature = "services")]
const PUBLISHERS: &[Cloud] = &[Cloud::Pypi, Cloud::Npm];
#[cfg(feature = "services")]
const OCTO_STS: &[Cloud] = &[Cloud::OctoSts];

const GH_OIDC: &str = "https://docs.github.com/en/actions/reference/security/oidc";
const AWS_OPS: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html";
const AWS_WIF_KEYS: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif";
const AZ_FLEX: &str =
    "https://learn.microsoft.com/entra/workload-id/workload-identities-flexible-federated-identity-credentials";
const AZ_FIC: &str = "https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations";
const GCP_PIPELINES: &str = "https://cloud.google.com/iam/docs/workload-identity-federation-with-deployment-pipelines";
const GCP_WIF: &str = "https://cloud.google.com/iam/docs/workload-identity-federation";
const ALI_OIDC: &str = "https://www.alibabacloud.com/help/en/ram/user-guide/overview-of-oidc-based-sso";
#[cfg(feature = "services")]
const V1_ROLE: &str =
    "https://github.com/hashicorp/vault-plugin-auth-jwt/blob/2e68bbaf4c9291dd8ad4cf2cb0bec24e9db4f632/path_role.go";
#[cfg(feature = "services")]
const V1_LOGIN: &str =
    "https://github.com/hashicorp/vault-plugin-auth-jwt/blob/2e68bbaf4c9291dd8ad4cf2cb0bec24e9db4f632/path_login.go";
#[cfg(feature = "services")]
const OCTO_STS_POLICY: &str =
    "https://github.com/octo-sts/app/blob/cb87fc17675a32a661268c2deafc8eb32b52dbf6/pkg/octosts/trust_policy.go";
#[cfg(feature = "services")]
const PYPI_ADDING: &str = "https://docs.pypi.org/trusted-publishers/adding-a-publisher/";
#[cfg(feature = "services")]
const PYPI_PENDING: &str = "https://docs.pypi.org/trusted-publishers/creating-a-project-through-oidc/";
const IMMUTABLE: &str =
    "https://github.blog/changelog/2026-04-23-immutable-subject-claims-for-github-actions-oidc-tokens";

macro_rules! entry {
    ($id:literal, $sev:expr, $clouds:expr, $title:literal, $baseline:expr, $rationale:literal, $source:expr, $fix:literal) => {
        CatalogueEntry {
            id: $id,
            severity: $sev,
            clouds: $clouds,
            title: $title,
            baseline: $baseline,
            rationale: $rationale,
            source: $source,
            fix: $fix,
        }
    };
}

/// Every finding Keyless can report.
pub static CATALOGUE: &[CatalogueEntry] = &[
    // ---- Subject patterns (every cloud that matches `sub` with wildcards or equality)
    entry!(
        "KL-SUB-001",
        S::Critical,
        ALL,
        "Subject pattern admits any repository on GitHub",
        Some("CKV_AWS_358, CKV_AWS_393, CKV_AZURE_249, CKV_GCP_125"),
        "A `sub` pattern that is only wildcards (`*`), or whose owner segment is a wildcard (`repo:*`, `repo:*/*:ref:refs/heads/main`), matches the token of any repository of any GitHub user: anyone can create a repository and a workflow that requests a token for this audience. GitHub's documentation requires conditions that pin the repository owner.",
        GH_OIDC,
        "Pin the owner and the repository: `repo:OWNER/REPO:ref:refs/heads/main` (or the immutable `repo:OWNER@OWNER_ID/REPO@REPO_ID:…`)."
    ),
    entry!(
        "KL-SUB-002",
        S::Critical,
        ALL,
        "Owner written as a prefix: look-alike owners are admitted",
        None,
        "`repo:my-org*` has no `/` after the owner, so `*` also matches `my-org-evil/anything` and `my-orgx/…`: any GitHub user can register such an owner name. AWS `StringLike` and Entra `matches` let `*` cross `/` and `:`.",
        AWS_OPS,
        "End the owner with `/` and name the repository: `repo:my-org/my-repo:…`."
    ),
    entry!(
        "KL-SUB-003",
        S::High,
        ALL,
        "Subject pattern admits every repository of the owner",
        None,
        "`repo:my-org/*:ref:refs/heads/main` admits the main branch of every repository in the organization, including low-trust internal tools any member can create or push to: one wildcard can collapse hundreds of trust boundaries into one. Checkov passes this pattern.",
        "https://github.com/bridgecrewio/checkov/blob/main/checkov/common/util/oidc_utils.py",
        "Name the repositories (one value per repository), or pin the central reusable workflow with a customized `sub` containing `job_workflow_ref`."
    ),
    entry!(
        "KL-SUB-004",
        S::High,
        ALL,
        "Missing `:` after the repository name: look-alike repositories are admitted",
        None,
        "`repo:my-org/my-repo*` lacks the `:` before the wildcard, so it also matches `repo:my-org/my-repo-evil:…` and any repository whose name starts with `my-repo` (`StringLike \"repo:o/r*\"` admits `repo:o/r-evil:ref:refs/heads/main`).",
        AWS_OPS,
        "Write `repo:my-org/my-repo:` before the wildcard, or better pin the exact context (`repo:my-org/my-repo:ref:refs/heads/main`)."
    ),
    entry!(
        "KL-SUB-005",
        S::Medium,
        ALL,
        "Subject admits every branch, tag, pull request and environment of the repository",
        None,
        "`repo:my-org/my-repo:*` trusts every context: any pushed branch, every pull request from the repository, every environment. Such a role trusts every pull request and every branch. Checkov passes it.",
        "https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws",
        "Pin the context the deploying job really has: `…:ref:refs/heads/main`, `…:environment:prod` (with required reviewers on the environment) or `…:ref:refs/tags/v*`."
    ),
    entry!(
        "KL-SUB-006",
        S::Critical,
        ALL,
        "Customized subject pins no owner or repository",
        Some("CKV_AWS_358 (abusable first claim)"),
        "A customized `sub` such as `environment:prod` or `workflow:deploy` carries no repository or owner: any repository using the same template (an org template, or any attacker's repository) produces the same subject. GitHub's docs warn to include the repository or owner when customizing.",
        "https://docs.github.com/en/actions/reference/security/oidc#customizing-the-subject-claims-for-an-organization-or-repository",
        "Include `repo` (or `repository_owner_id`/`repository_id`) in `include_claim_keys` and pin its value in the trust."
    ),
    entry!(
        "KL-SUB-007",
        S::Medium,
        ALL,
        "Subject pattern that no GitHub token can match",
        None,
        "GitHub builds `sub` from `repo:OWNER/REPO` (neither ever empty), the context and `key:value` pairs: it has no line break or tab and no white space at either end, and it is never an audience. A pattern with an empty owner (`repo::*`, a placeholder variable that expanded to nothing), a trailing `\\` and line break (a shell line continuation pasted into `az … --subject`), or an audience (`sts.amazonaws.com`) written as the subject admits nothing: the trust never works, and it is not a look-alike hole either.",
        GH_OIDC,
        "Write the subject GitHub mints: `repo:OWNER/REPO:ref:refs/heads/main`, `repo:OWNER/REPO:environment:NAME`, with no surrounding white space."
    ),
    // ---- AWS and Alibaba IAM trust policies
    entry!(
        "KL-AWS-001",
        S::Critical,
        AWS,
        "No `sub` condition on a GitHub-federated statement",
        Some("CKV_AWS_358, CKV_AWS_393"),
        "A statement trusting `token.actions.githubusercontent.com` without a condition on `…:sub` admits tokens from every repository on GitHub. Since 2025 IAM refuses to create or update such a trust policy (\"identity-provider controls for shared OIDC providers\"), but existing policies keep working until edited; `keyless eval` reports that refusal as a creation-time rule, under the AWS section's labelled option `sub_guard` (`documented`, the default: a condition on `…:sub` with no value that is only `*`/`?` or empty; `first_value`: IAM's message as a 2026-08 probe saw it, where `job_workflow_ref` also counts and only the first value must not be `*`).",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc_secure-by-default.html",
        "Add `\"StringEquals\": {\"token.actions.githubusercontent.com:sub\": \"repo:OWNER/REPO:ref:refs/heads/main\"}`."
    ),
    entry!(
        "KL-AWS-002",
        S::Medium,
        AWS,
        "No `aud` condition",
        None,
        "Without `StringEquals …:aud`, the role relies only on the provider's client-ID list; GitHub's and AWS's examples pin `sts.amazonaws.com` as the confused-deputy guard. No other scanner checks this.",
        "https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws",
        "Add `\"StringEquals\": {\"token.actions.githubusercontent.com:aud\": \"sts.amazonaws.com\"}`."
    ),
    entry!(
        "KL-AWS-003",
        S::High,
        AWS,
        "`aud` condition admits any audience",
        None,
        "An `aud` condition with a wildcard (`StringLike …:aud \"*\"`) or a negated operator does not pin the audience, so a token minted for another relying party is accepted.",
        AWS_OPS,
        "Use `StringEquals` with the exact audience the login step sends (`sts.amazonaws.com` by default)."
    ),
    entry!(
        "KL-AWS-004",
        S::High,
        AWS,
        "Condition key AWS does not support for GitHub tokens",
        None,
        "AWS STS puts only `aud`, `sub`, `amr` and (since 2026-01) `actor`, `actor_id`, `job_workflow_ref`, `repository`, `repository_id`, `workflow`, `ref`, `environment`, `enterprise_id` of a GitHub token in the request context. Other keys (`repository_owner`, `event_name`, …) are absent: positive operators on them never match (the role fails closed), negated operators, `…IfExists` and `ForAllValues:` always match. `repository_owner_id` and `runner_environment` are reported by some sources and not others; Keyless treats them as unsupported.",
        AWS_WIF_KEYS,
        "Condition on `sub` (or a supported 2026 key such as `repository_id`); customize the `sub` template to carry other claims."
    ),
    entry!(
        "KL-AWS-005",
        S::Medium,
        AWS,
        "Deny with a negated operator on a key AWS does not see: denies every token",
        None,
        "`Deny` + `StringNotEquals` on an absent key is always true (negated operators match missing keys), so the statement denies every request, including the intended deployments.",
        AWS_OPS,
        "Condition the Deny on a supported key, or move the restriction into the Allow statement's positive conditions."
    ),
    entry!(
        "KL-AWS-006",
        S::Medium,
        AWS,
        "Condition key one typo away from an AWS global key",
        None,
        "A key AWS does not document (`aws:SourceIpp`) is in no request context: positive operators on it never match and negated operators or `…IfExists` always do, so a typo silently denies every login or silently drops a restriction. Keyless cannot rule out a key newer than its table, so the verdict stays `undetermined`; this finding names the documented key that was probably meant.",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
        "Spell the key as AWS documents it (key names are case-insensitive, the rest must match)."
    ),
    entry!(
        "KL-IAM-001",
        S::Medium,
        IAM,
        "`StringEquals` value holds `*`: a literal star, not a wildcard",
        None,
        "`StringEquals` (and Alibaba's equivalent) never expands wildcards: `repo:o/r:*` under `StringEquals` only matches a subject that literally ends in `*`, which GitHub never emits. The role fails closed and the author probably meant `StringLike`.",
        AWS_OPS,
        "Use `StringLike` for patterns, and keep `StringEquals` for exact values (preferred)."
    ),
    entry!(
        "KL-IAM-002",
        S::Low,
        IAM,
        "`StringLike` without a wildcard",
        None,
        "A `StringLike` value with no `*` or `?` behaves exactly like `StringEquals`. Not a hole, but it invites a later edit to add a wildcard; exact values read better under `StringEquals`.",
        AWS_OPS,
        "Use `StringEquals` for exact values."
    ),
    entry!(
        "KL-IAM-003",
        S::Critical,
        IAM,
        "`ForAllValues:` on a single-valued key: true when the key is absent or misspelled",
        None,
        "`ForAllValues:` is true when the key is absent or empty, so a typo in the key name, or a key the cloud does not populate, turns the condition into allow-everything. AWS advises against set operators on single-valued keys; the configure-aws-credentials README warns about exactly this.",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html",
        "Drop the `ForAllValues:` qualifier: `\"StringEquals\": {\"…:sub\": …}`."
    ),
    entry!(
        "KL-IAM-004",
        S::High,
        IAM,
        "Negated operator in an Allow statement",
        None,
        "`StringNotEquals` / `StringNotLike` in an Allow statement is a deny-list: every subject not listed is admitted, and an absent or misspelled key makes it true (negated operators match missing keys).",
        AWS_OPS,
        "Allow-list what may assume the role with `StringEquals`/`StringLike`."
    ),
    entry!(
        "KL-IAM-005",
        S::High,
        IAM,
        "`…IfExists` on a GitHub claim: passes when the claim is absent",
        None,
        "`StringLikeIfExists` is true when the key is absent from the request, so the condition does not constrain tokens for which the cloud does not populate the key.",
        AWS_OPS,
        "Remove `IfExists`: GitHub always sends `sub` and `aud`."
    ),
    entry!(
        "KL-IAM-006",
        S::Medium,
        IAM,
        "Statement can never admit a GitHub token",
        None,
        "The statement conditions on the GitHub provider's keys (or names its provider) but can never apply to the request a GitHub login makes: its `Action` does not cover the action the login asks for (`sts:AssumeRoleWithWebIdentity` on AWS, `sts:AssumeRole` on Alibaba Cloud), or its `Principal` names only another identity provider or principal type, or its conditions on one claim cannot hold together (two blocks pinning `sub` to different values, a `StringEquals` value that a `StringNotEquals` or `StringLike` on the same key excludes), or an `iss` condition pins another issuer while its `sub` is written for GitHub (`repo:…`; with another issuer and another `sub` form it is that issuer's trust, and no GitHub finding at all). Judged with the engine's own action, principal and condition evaluation, so `sts:*` and `*` count as covering. The role works for nobody; the findings about what it would admit are not reported for it.",
        AWS_OPS,
        "Use `\"Action\": \"sts:AssumeRoleWithWebIdentity\"` (AWS) or `\"sts:AssumeRole\"` (Alibaba Cloud) and `\"Principal\": {\"Federated\": \"<the GitHub OIDC provider ARN>\"}`."
    ),
    entry!(
        "KL-ALI-001",
        S::Medium,
        ALI,
        "`sts:AssumeRoleWithOIDC` in an Alibaba Cloud trust policy",
        None,
        "Alibaba Cloud's trust-policy examples for OIDC use `\"Action\": \"sts:AssumeRole\"`; `AssumeRoleWithOIDC` is the API name (and the trust-policy action of Volcengine, a different cloud). Whether RAM accepts it is unverified, so the role may not be assumable.",
        ALI_OIDC,
        "Use `\"Action\": \"sts:AssumeRole\"`."
    ),
    entry!(
        "KL-ALI-002",
        S::High,
        ALI,
        "No `oidc:iss` condition",
        None,
        "RAM requires `oidc:iss` with `StringEquals` and the IdP's issuer for OIDC role SSO.",
        ALI_OIDC,
        "Add `\"StringEquals\": {\"oidc:iss\": \"token.actions.githubusercontent.com\"}` (the issuer as GitHub's Alibaba guide writes it)."
    ),
    entry!(
        "KL-ALI-003",
        S::Medium,
        ALI,
        "No `oidc:aud` condition",
        None,
        "GitHub's and Alibaba's templates pin `oidc:aud` to the IdP's client ID; without it the role relies on the IdP's client-ID list alone.",
        "https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-alibaba-cloud",
        "Add `\"StringEquals\": {\"oidc:aud\": \"sts.aliyuncs.com\"}` (the audience the login step sends)."
    ),
    entry!(
        "KL-ALI-004",
        S::Critical,
        ALI,
        "No `oidc:sub` condition: every GitHub repository is admitted",
        None,
        "`oidc:sub` is optional in RAM, but without it any workflow of any repository on GitHub that asks for this audience can assume the role. GitHub's Alibaba guide recommends configuring it.",
        "https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-alibaba-cloud",
        "Add `\"StringEquals\": {\"oidc:sub\": \"repo:OWNER/REPO:ref:refs/heads/main\"}`."
    ),
    entry!(
        "KL-ALI-005",
        S::Medium,
        ALI,
        "`oidc:iss` written without `https://`",
        None,
        "GitHub's Alibaba guide writes `oidc:iss` as `token.actions.githubusercontent.com`, while Alibaba's RAM documentation defines the key as the issuer URL, which GitHub's token carries as `https://token.actions.githubusercontent.com`. Which one RAM compares is not documented; if it compares the URL, the role never admits a GitHub token. Keyless compares exactly by default and offers `iss_match: host_or_url` as a labelled option.",
        "https://www.alibabacloud.com/help/en/ram/user-guide/create-a-ram-role-for-a-trusted-idp",
        "Write the issuer as the URL: `\"oidc:iss\": \"https://token.actions.githubusercontent.com\"`."
    ),
    entry!(
        "KL-ALI-006",
        S::Medium,
        ALI,
        "Condition key one typo away from an Alibaba Cloud common key",
        None,
        "A key one or two letters from a documented common key (`acs:SourceIpp` for `acs:SourceIp`) is most likely a typo, and a key no request carries is absent: positive operators on it never match and negated ones always do, so a typo silently denies every login or drops a restriction. The verdict stays `undetermined` (Keyless's table of common keys is not complete); this finding names the key that was probably meant.",
        "https://www.alibabacloud.com/help/en/kms/security-and-compliance/condition-key",
        "Spell the key as RAM documents it."
    ),
    // ---- Azure
    entry!(
        "KL-AZ-001",
        S::Medium,
        AZ,
        "Wildcard in a classic federated credential's subject",
        Some("CKV_AZURE_249"),
        "Classic federated identity credentials compare `subject` exactly; `*` is a literal character, so the credential never matches (AADSTS700213). Wildcards need a flexible credential (`claimsMatchingExpression`).",
        AZ_FIC,
        "Write the exact subject, one credential per subject (at most 20), or a flexible credential with `matches`."
    ),
    entry!(
        "KL-AZ-002",
        S::High,
        AZ,
        "Flexible expression lacks the claims Entra requires",
        None,
        "Since August 2026, a flexible credential for GitHub must reference `sub` and at least one of `repository_id` / `repository_owner_id`, whatever the `sub` format; other expressions are refused with `InvalidFederatedIdentityCredentialValue … lacks all required claims or contains unallowed claims`. Only `sub`, `job_workflow_ref`, `repository_id` and `repository_owner_id` are allowed.",
        AZ_FLEX,
        "Add `and claims['repository_id'] eq 'ID'` (or `repository_owner_id`) to the expression."
    ),
    entry!(
        "KL-AZ-003",
        S::Medium,
        AZ,
        "Regular-expression syntax in a `matches` pattern",
        None,
        "Entra's `matches` is a wildcard match (`*` any run, `?` one character), not a regex: `release/.*` requires a literal `.` after `release/`, so `release/1.0` is rejected (AADSTS7002131).",
        AZ_FLEX,
        "Write `release/*`."
    ),
    entry!(
        "KL-AZ-004",
        S::High,
        AZ,
        "Federated credential without exactly one audience",
        None,
        "A federated identity credential must have exactly one audience (`Federated identity credentials must have exactly one audience.`); the recommended value is `api://AzureADTokenExchange`, which `azure/login` sends by default.",
        AZ_FIC,
        "Set `audiences` to `[\"api://AzureADTokenExchange\"]`."
    ),
    entry!(
        "KL-AZ-005",
        S::High,
        AZ,
        "Issuer that GitHub never sends",
        None,
        "The issuer is compared exactly: `https://token.actions.githubusercontent.com/` (trailing slash), `http://…` or surrounding spaces never match GitHub's `iss`; nor does another host (`https://github.com`) on a credential whose subject is written for GitHub (`repo:…`). A credential for another issuer with its own subject form (Azure DevOps `sc://…`) is that issuer's, and gets no GitHub finding.",
        AZ_FIC,
        "Use `https://token.actions.githubusercontent.com` (or your enterprise's unique issuer, exactly)."
    ),
    entry!(
        "KL-AZ-006",
        S::Critical,
        AZ,
        "Flexible expression without a `sub` term that pins the owner",
        None,
        "A flexible expression whose `sub` term is `matches '*'` or `repo:*…` only constrains the other terms; if those are missing or wildcards too, any repository is admitted.",
        AZ_FLEX,
        "Pin `claims['sub']` to the owner and repository, and `claims['repository_id']` to its id."
    ),
    entry!(
        "KL-AZ-007",
        S::Medium,
        AZ,
        "Audience the login action does not request by default",
        None,
        "azure/login requests a token with `aud` `api://AzureADTokenExchange` unless its `audience` input says otherwise, and Entra compares the credential's one audience exactly. Judged by Entra's evaluator on a token with that audience: it answers AADSTS700212, so a default login can never use this credential.",
        AZ_FIC,
        "Set the audience to `api://AzureADTokenExchange`, or give the login step the same `audience:` input."
    ),
    // ---- GCP
    entry!(
        "KL-GCP-001",
        S::Critical,
        GCP,
        "Workload identity provider without an attribute condition",
        Some("CKV_GCP_118, Trivy AVD-GCP-0068"),
        "Without `attributeCondition`, every GitHub repository's token is exchanged by the pool: GitHub is a multi-tenant issuer. Google now refuses to create such GitHub providers (`The attribute condition must reference one of the provider's claims`), older ones keep working.",
        GCP_PIPELINES,
        "Set `--attribute-condition=\"assertion.repository_owner_id == 'OWNER_ID' && assertion.repository_id == 'REPO_ID'\"`."
    ),
    entry!(
        "KL-GCP-002",
        S::High,
        GCP,
        "Attribute condition does not pin the repository owner",
        Some("CKV_GCP_125 (which also rejects Google's recommended id conditions)"),
        "Google: you \"must use an attribute condition that restricts access to tokens issued by your GitHub organization\". A condition that only checks e.g. `assertion.ref` or `assertion.event_name` admits every owner's tokens. Conditions on `repository_owner(_id)`, `repository(_id)`, or `sub` equality/prefix pin the owner (and are not flagged, unlike CKV_GCP_125).",
        GCP_PIPELINES,
        "Add `assertion.repository_owner_id == 'OWNER_ID'` (ids survive renames)."
    ),
    entry!(
        "KL-GCP-003",
        S::Medium,
        GCP,
        "`google.subject` over 127 bytes",
        None,
        "The mapped `google.subject` may not exceed 127 bytes (`The size of mapped attribute exceeds the 127 bytes limit`). Long subjects (merge queues, long environment names, immutable `@id` prefixes) break the exchange.",
        GCP_WIF,
        "Map `google.subject` to something shorter, e.g. `assertion.repository_id + ':' + assertion.run_id`, and condition on `assertion.sub` instead."
    ),
    entry!(
        "KL-GCP-004",
        S::Medium,
        GCP,
        "Member grants the whole pool",
        None,
        "`principalSet://…/workloadIdentityPools/POOL/*` is every identity the provider admits: the binding adds no constraint of its own, so the attribute condition is the only control.",
        GCP_PIPELINES,
        "Bind `principalSet://…/attribute.repository_id/REPO_ID` (map `attribute.repository_id=assertion.repository_id`)."
    ),
    entry!(
        "KL-GCP-005",
        S::Medium,
        GCP,
        "GitHub id compared as a number",
        None,
        "Every GitHub claim is a string, ids included. `assertion.repository_id == 123` compares a string with an int, which CEL evaluates to false (or an error): the condition rejects every token. Google's own recommendation quotes the ids.",
        "https://github.com/google-github-actions/auth/blob/main/docs/SECURITY_CONSIDERATIONS.md",
        "Quote the id: `assertion.repository_id == '123'`."
    ),
    entry!(
        "KL-GCP-006",
        S::High,
        GCP,
        "No `google.subject` mapping",
        None,
        "`google.subject` is required for OIDC providers; without it no federated principal exists and every exchange fails.",
        GCP_WIF,
        "Add `google.subject=assertion.sub` to the attribute mapping."
    ),
    entry!(
        "KL-GCP-007",
        S::Medium,
        GCP,
        "Allowed audiences exclude the provider's default audience",
        None,
        "google-github-actions/auth requests `aud` `https://iam.googleapis.com/<provider name>` unless its `audience` input says otherwise. With `allowedAudiences` set, Google accepts only the listed values (the provider name counts only when the list is empty), so a default login is refused with `invalid_grant` \"The audience in JWT does not match the expected values.\". Judged by Keyless's Google evaluator on a token with that audience.",
        GCP_WIF,
        "Add `https://iam.googleapis.com/<provider name>` to `allowedAudiences`, empty the list, or give the auth step the listed `audience:`."
    ),
    entry!(
        "KL-GCP-008",
        S::Critical,
        GCP,
        "Attribute condition is true for every token",
        None,
        "Partial evaluation of the condition's CEL, with the token unknown, gives `true`: an alternative such as `|| true`, or a comparison of an expression with itself (`x == x`), decides it whatever the token says (CEL's `true || x` is true even when `x` fails). The condition restricts nothing, as if there were none: every GitHub repository's token passes (Google refuses to create a GitHub provider without a condition, but cannot tell such a condition from a real one).",
        GCP_WIF,
        "Write the condition on the token: `assertion.repository_owner_id == 'ID'` (quoted), with no always-true alternative."
    ),
    entry!(
        "KL-GCP-009",
        S::Medium,
        GCP,
        "Attribute condition can never hold",
        None,
        "Partial evaluation of the condition's CEL gives `false`, another constant, or an error for every token: a contradiction (`a == 'x' && a == 'y'`), an `attribute.NAME` the mapping never sets (no such key), or a name CEL does not declare (an unquoted value: `assertion.repository_owner == my-org` reads the undeclared `my` and `org`). Google rejects every token with `unauthorized_client` \"The given credential is rejected by the attribute condition.\".",
        GCP_WIF,
        "Quote string values, map every attribute the condition reads (`attribute.NAME=assertion.NAME`), and pin each claim to one value or an `in [...]` list."
    ),
    entry!(
        "KL-GCP-010",
        S::High,
        GCP,
        "Attribute mapping gives every token the same value",
        None,
        "Partial evaluation of a mapping's CEL gives a constant (a quoted literal such as `attribute.repository='my-org/my-repo'`): every token gets that subject or attribute, so a `principal://…/subject/…` or `principalSet://…/attribute.NAME/VALUE` member naming it admits every token the condition lets through, from any repository.",
        GCP_WIF,
        "Map from the token: `attribute.repository=assertion.repository`, `google.subject=assertion.sub`."
    ),
    entry!(
        "KL-GCP-011",
        S::Medium,
        GCP,
        "Member that names no identity of the pool",
        None,
        "Principal identifiers name the pool: `principal://…/workloadIdentityPools/POOL/subject/S`, `principalSet://…/workloadIdentityPools/POOL/attribute.NAME/VALUE`, `…/group/G` or `…/*`. A member built on the provider's path (`…/POOL/providers/PROVIDER/attribute.repository/…`, the `workload_identity_provider` value pasted into the member) or missing its value is no identity, so the binding admits no token and the login ends in `PERMISSION_DENIED`. Read with the evaluator's own member parser.",
        "https://cloud.google.com/iam/docs/principal-identifiers",
        "Drop `providers/PROVIDER/` from the member: `principalSet://iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/attribute.repository/OWNER/REPO`."
    ),
    // ---- GitHub workflow
    entry!(
        "KL-GHA-001",
        S::Medium,
        GH,
        "`id-token: write` granted at workflow level to jobs that do not need it",
        None,
        "Permissions set at workflow level apply to every job; a job that never logs in to a cloud still gets an OIDC token it can hand to any step (including third-party actions). GitHub recommends granting the least permissions per job.",
        "https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#permissions",
        "Set `permissions: {contents: read}` at workflow level and `id-token: write` only on the jobs that log in."
    ),
    entry!(
        "KL-GHA-002",
        S::High,
        GH,
        "`permissions: write-all`",
        Some("CKV2_GHA_1"),
        "`write-all` grants every permission, `id-token: write` included, to every job.",
        "https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#permissions",
        "List the permissions each job needs."
    ),
    entry!(
        "KL-GHA-003",
        S::High,
        GH,
        "OIDC token in a `pull_request_target` workflow",
        None,
        "`pull_request_target` runs with the base repository's identity and gets an OIDC token even for pull requests from forks; its `sub` may equal a push to the default branch. A job that checks out or runs the pull request's code hands cloud access to any fork author.",
        "https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#pull_request_target",
        "Do not mint cloud tokens in `pull_request_target`; use `pull_request` (no token for forks) or a separate, approved `workflow_run`/environment-gated job."
    ),
    entry!(
        "KL-GHA-004",
        S::High,
        GH,
        "OIDC login step in a job without `id-token: write`",
        None,
        "A job's token is minted only with `id-token: write`, from the job's `permissions` or, when it has none, the workflow's; with neither it is `none` (GitHub's default in both the permissive and restricted settings). A login step configured for OIDC (not stored keys) in such a job fails with its action's message (configure-aws-credentials: \"Did you mean to set the `id-token` permission?\"; azure/login: \"Please make sure to give write permissions to id-token in the workflow.\"). Judged with the simulator's own permission rules and login recognition.",
        GH_OIDC,
        "Add `permissions: {id-token: write, contents: read}` to the job (job-level permissions replace the workflow's, so list every permission the job needs)."
    ),
    // ---- Scenario-aware (trust against the simulated runs)
    entry!(
        "KL-TRUST-001",
        S::High,
        ALL,
        "Trust admits a run that is not intended",
        None,
        "The what-if matrix replayed this scenario as runs an attacker or a mistake could produce (another branch, a fork, another repository, a look-alike owner, another issuer…), and the cloud admitted at least one. A trust policy you have never watched fail closed is not yet a control.",
        "docs/findings.md#what-if-runs",
        "Apply the verified least-privilege suggestion, or tighten the pattern that decided the admitted rows."
    ),
    entry!(
        "KL-TRUST-002",
        S::Medium,
        ALL,
        "Trust pins a branch, but the job runs in an environment",
        None,
        "When a job declares `environment:`, its `sub` becomes `…:environment:NAME` and drops the ref, so a trust written for `…:ref:refs/heads/main` never matches (the most common trust bug).",
        GH_OIDC,
        "Trust `repo:OWNER/REPO:environment:NAME` (and protect the environment), or remove the environment from the job."
    ),
    entry!(
        "KL-TRUST-003",
        S::Medium,
        ALL,
        "Letter case differs between the trust and the token",
        None,
        "Subjects are compared case-sensitively (Entra since August 2024: AADSTS7002138; AWS `StringEquals`; GCP CEL). GitHub emits the owner and repository in their canonical case and environment names as declared.",
        "https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations#error-aadsts7002138",
        "Copy the subject from the simulated token exactly."
    ),
    entry!(
        "KL-TRUST-004",
        S::Medium,
        ALL,
        "Name-based subject while the repository emits immutable subjects",
        None,
        "With immutable subjects the token's `sub` starts `repo:OWNER@OWNER_ID/REPO@REPO_ID:`, so a trust written as `repo:OWNER/REPO…` never matches (repositories created or renamed after 2026-07-15, or opted in).",
        IMMUTABLE,
        "Use the immutable prefix shown in the simulated token, or pin `repository_id`/`repository_owner_id`."
    ),
    entry!(
        "KL-TRUST-005",
        S::Low,
        ALL,
        "Trust stops matching when the repository switches to immutable subjects",
        None,
        "The what-if run with immutable subjects enabled (same repository, same ids) is rejected: renaming or transferring the repository, or an org opt-in, will break deployments. Pinning ids (`repository_id`, `repository_owner_id`) keeps working.",
        IMMUTABLE,
        "Pin ids as well as, or instead of, names; prepare the immutable-form subject before the switch."
    ),
    entry!(
        "KL-TRUST-006",
        S::High,
        ALL,
        "Trust admits pull_request_target runs, which forks can trigger",
        None,
        "A `pull_request_target` run gets an OIDC token for fork pull requests, and its `sub` is `…:ref:refs/heads/<default>` or `…:pull_request` depending on the run (GitHub's docs are silent; both options are simulated). A trust that admits the default branch therefore admits any workflow on the default branch that triggers on pull_request_target.",
        "https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#pull_request_target",
        "Pin an environment with required reviewers (`…:environment:prod`), or on GCP reject `assertion.event_name == 'pull_request_target'`."
    ),
    entry!(
        "KL-TRUST-007",
        S::Medium,
        ALL,
        "Trust rejects the intended run",
        None,
        "The job as given logs in to this cloud, and the cloud rejects its token. The verdict's trace says which check failed.",
        "docs/findings.md#what-if-runs",
        "Apply the verified least-privilege suggestion."
    ),
    entry!(
        "KL-TRUST-008",
        S::Low,
        ALL,
        "Trust admits every workflow file on the trusted ref",
        None,
        "A `sub`-only trust cannot tell workflow files apart: any workflow committed to the trusted branch (or environment) of the repository can assume this identity. Pinning `job_workflow_ref` narrows it to the deploying workflow: AWS (2026 STS key), Entra flexible credentials and GCP conditions can check it; Alibaba needs a customized `sub`.",
        "https://docs.github.com/en/actions/reference/security/oidc#customizing-the-token-claims",
        "Add a `job_workflow_ref` condition (see the verified suggestion)."
    ),
    entry!(
        "KL-TRUST-009",
        S::Medium,
        ALL,
        "Audience pinned to a value the login step does not send",
        None,
        "Each login action asks GitHub for its own default audience (`sts.amazonaws.com`, `api://AzureADTokenExchange`, `https://iam.googleapis.com/<provider>`, the Alibaba action's input) unless `audience:` is set. A trust pinned to another value rejects the job.",
        "https://docs.github.com/en/actions/reference/security/oidc#customizing-the-audience-value",
        "Pin the audience the job sends (see the token in the simulation), or set `audience:` in the login step."
    ),
    entry!(
        "KL-TRUST-010",
        S::Medium,
        ALL,
        "Trust admits an environment that any branch can deploy to",
        None,
        "A job that names an environment gets `sub` `…:environment:NAME` whatever its branch, so a trust on that subject is only as narrow as the environment's deployment branch and tag rules: with \"No restriction\" (or rules the scenario does not give), a workflow on any branch that names the environment gets the same token. Low when the scenario gives no rules (unknown), medium when it says `all`.",
        "https://docs.github.com/en/actions/reference/workflows-and-actions/deployments-and-environments#deployment-branches-and-tags",
        "Restrict the environment to the deploying branches or tags (Settings → Environments → Deployment branches and tags) and state them in `environments:`, or add a `ref` condition to the trust."
    ),
    // ---- Input
    entry!(
        "KL-ISS-001",
        S::Medium,
        &[Cloud::Gcp, Cloud::Alibaba],
        "Issuer that differs from GitHub's only by a trailing `/`",
        None,
        "GitHub's `iss` is `https://token.actions.githubusercontent.com` (or an enterprise's `…/SLUG`), with no trailing `/`, and the clouds compare it exactly: Google's issuer check answers \"The issuer in ID Token … does not match the expected ones: …/\", and a RAM `oidc:iss` condition never holds. (Entra: KL-AZ-005; AWS: the provider URL in the principal, KL-IAM-006.)",
        GH_OIDC,
        "Remove the trailing `/`: `https://token.actions.githubusercontent.com`."
    ),
    entry!(
        "KL-CFG-001",
        S::Medium,
        ALL,
        "Placeholder left in a trust configuration",
        None,
        "A value still holds a guide's or template's stand-in (`YOUR_GITHUB_ORG`, `<CREDENTIAL-NAME>`, `OIDC_PROVIDER_ARN`, `ACCOUNT_ID`, `PROJECT_NUMBER`, `your-org`): no real token or resource has it, so the trust admits none of the runs it was written for. A placeholder is text by nature, so this rule reads string values only (never CEL operators).",
        GH_OIDC,
        "Replace the placeholder with the real owner, repository, account, project number or name."
    ),
    entry!(
        "KL-INPUT-001",
        S::High,
        GH,
        "File could not be analysed",
        None,
        "`keyless lint` did not recognise the file as a workflow, a trust configuration or a scenario, or the file does not parse; nothing in it was checked. A run that checked nothing must not pass as clean, so this fails the run at the default `--fail-on high` (a file that does not parse is invalid input, exit status 2, whatever `--fail-on` says); `--fail-on critical` or `never`, or a suppression with a reason, accepts an unrecognised file. Directory walks and globs keep only files Keyless recognises, so this concerns files named explicitly and standard input.",
        "docs/findings.md",
        "Pass a workflow YAML, an AWS/Alibaba trust policy (or `aws iam get-role` output), an Azure credential list, a GCP provider, or a scenario file."
    ),
    entry!(
        "KL-INPUT-002",
        S::Info,
        ALL,
        "Value Keyless cannot know",
        None,
        "A value in a Terraform file depends on a variable, a local value, a data source, another resource, a function or an interpolation (`var.org`, `\"repo:${var.org}/*\"`), or a value in a CloudFormation template is an intrinsic function (`!Ref`, `!GetAtt`, `!Join`, `!Sub` with `${…}`). Keyless reads the file without running Terraform or deploying the stack, so it never guesses the value: it reports it here, and leaves out every other finding located at it or at the statement, condition or credential that holds it (undetermined rather than guessed). An unknown principal (`aws_iam_openid_connect_provider.github.arn`) is the exception: it decides no condition, so the findings about the conditions stand. docs/terraform.md and docs/cloudformation.md say what is read.",
        "docs/terraform.md",
        "Write the value as a literal where it decides who is trusted (the repository, the subject, the audience), or lint the configuration as applied (`aws iam get-role` output, `az identity federated-credential list`, `gcloud … providers describe --format=json`)."
    ),
    entry!(
        "KL-CREATE-001",
        S::High,
        ALL,
        "The cloud refuses to create this configuration",
        None,
        "A rule the cloud applies when the configuration is created or updated is broken (IAM's `MalformedPolicyDocument`, Entra's `InvalidFederatedIdentityCredentialValue` and its name, length and count limits, Google's `400` on a provider's mapping or condition). The cloud would refuse it, so the configuration as written cannot exist: no token is judged against it, and whatever exists in the cloud instead is what decides. Each message quotes the cloud's own error where it is documented and cites its source.",
        "docs/sources.md",
        "Fix the configuration as the message says; then lint it again to see the findings about what it admits."
    ),
    // ---- Relying parties beyond the clouds
    #[cfg(feature = "services")]
    entry!(
        "KL-VAULT-001",
        S::Critical,
        VAULT,
        "Vault JWT role binds no repository",
        None,
        "A `jwt` role with neither `bound_subject` nor a `bound_claims` entry on the repository or its owner (`repository`, `repository_owner`, their ids, `sub`, `job_workflow_ref`) admits the token of any workflow that can request one of its audiences, and any workflow of any GitHub repository can ask for any audience: GitHub is a multi-tenant issuer. HashiCorp requires at least one bound constraint; an audience alone satisfies it.",
        V1_ROLE,
        "Add `bound_claims: {repository_owner_id: \"OWNER_ID\", repository: \"OWNER/REPO\"}` (and `ref` or `environment`), or a `bound_subject`."
    ),
    #[cfg(feature = "services")]
    entry!(
        "KL-VAULT-002",
        S::High,
        VAULT,
        "Vault JWT role without bound_audiences refuses every GitHub token",
        None,
        "Since vault-plugin-auth-jwt PR #295, a role with no `bound_audiences` refuses any token that carries an `aud` (\"audience claim found in JWT but no audiences bound to the role\"), and every GitHub token does. GitHub's Vault guide shows roles without it.",
        V1_LOGIN,
        "Set `bound_audiences` to the audience the job requests: `https://github.com/OWNER` by default, or hashicorp/vault-action's `jwtGithubAudience`."
    ),
    #[cfg(feature = "services")]
    entry!(
        "KL-PUBLISH-001",
        S::Medium,
        PUBLISHERS,
        "Trusted publisher without an environment",
        None,
        "Without an environment, every run of the workflow file can publish: any branch, any trigger the workflow has, any job in it. PyPI calls the environment optional but \"strongly recommended\"; npm's docs advise deployment environments to add approval requirements. With one, GitHub's environment rules (required reviewers, deployment branches and tags) gate publishing.",
        PYPI_ADDING,
        "Create a GitHub environment (e.g. `release`) with protection rules, run the publishing job in it, and name it in the publisher."
    ),
    #[cfg(feature = "services")]
    entry!(
        "KL-PUBLISH-002",
        S::Low,
        &[Cloud::Pypi],
        "PyPI pending publisher: the project name is not reserved",
        None,
        "A pending publisher creates its project on first use, but PyPI's docs say it \"does **not** create a project or reserve a project's name **until** it is actually used to publish\": if another user registers the name first, the exchange fails (`invalid-pending-publisher`, \"valid token, but project already exists\") and the pending publisher is deleted. Warehouse also deletes a pending publisher unused for 30 days (`PENDING_PUBLISHER_EXPIRY_DAYS`, pypi/warehouse `warehouse/oidc/tasks.py`). Until then the name is open to anyone: whoever registers it first owns the package your workflow and your users expect.",
        PYPI_PENDING,
        "Run the publishing workflow soon after adding the pending publisher (it then becomes a normal publisher of the created project), and check that the name is still free on the index."
    ),
    #[cfg(feature = "services")]
    entry!(
        "KL-OCTOSTS-001",
        S::High,
        OCTO_STS,
        "octo-sts pattern with a top-level `|` is anchored on one side per alternative",
        None,
        "octo-sts compiles every pattern as `\"^\" + pattern + \"$\"`, without a group: `a|b` becomes `^a|b$`, so the first alternative matches any text that starts with it and the last any text that ends with it. `repo:o/r:ref:refs/heads/main|…` admits `refs/heads/main-anything`.",
        OCTO_STS_POLICY,
        "Group the alternatives: `repo:o/r:ref:refs/(heads/main|tags/v.*)`."
    ),
];
