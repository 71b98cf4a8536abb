// Differential oracle: evaluates GCP-style CEL expressions over one fixed
// GitHub Actions token with @bufbuild/cel (the reference implementation) and
// prints {assertion, cases: [{expr, value | error}]} as JSON. The Rust test
// crates/keyless-core/tests/cel_oracle.rs evaluates the same corpus with
// Keyless's evaluator and compares.
//
// Sources of the hand-written conditions: research cloud-trust-evaluation.md
// §3 (P1, P3), the seed keyless-deployments-aws-azure-gcp.md §4–§5, and
// google-github-actions/auth#423 (split-based subject).
import { run, isCelError, isCelList, isCelMap, isCelUint } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";

// A push to main of my-org/my-repo calling the central deploy workflow
// (github-oidc-tokens.md §1 claim set; every custom claim is a string).
const assertion = {
  iss: "https://token.actions.githubusercontent.com",
  aud: "https://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/github-pool/providers/github-provider",
  sub: "repo:my-org/my-repo:ref:refs/heads/main",
  ref: "refs/heads/main",
  ref_type: "branch",
  ref_protected: "true",
  repository: "my-org/my-repo",
  repository_id: "260064828",
  repository_owner: "my-org",
  repository_owner_id: "1342004",
  repository_visibility: "private",
  actor: "octocat",
  actor_id: "583231",
  workflow: "deploy",
  workflow_ref: "my-org/my-repo/.github/workflows/deploy.yml@refs/heads/main",
  job_workflow_ref: "my-org/.github/.github/workflows/deploy.yml@refs/heads/main",
  event_name: "push",
  runner_environment: "github-hosted",
  iat: 1763000000,
};

const handWritten = [
  "assertion.repository_owner == 'my-org'",
  "assertion.repository_owner == 'my-org' && assertion.job_workflow_ref == 'my-org/.github/.github/workflows/deploy.yml@refs/heads/main'",
  "assertion.repository_owner_id == '1342004' && assertion.repository_id == '260064828'",
  "assertion.repository_owner_id == '123' && assertion.ref.startsWith('refs/heads/release/')",
  "assertion.repository_owner_id == 1342004",
  "assertion.repository == 'my-org/my-repo' && assertion.ref == 'refs/heads/main'",
  "assertion.repository in ['my-org/my-repo', 'my-org/other']",
  "assertion.sub.split(':')[1]",
  "assertion.sub.startsWith('repo:my-org/') && assertion.sub.endsWith(':ref:refs/heads/main')",
  "assertion.sub.matches('^repo:my-org/[^:]+:ref:refs/heads/(main|release/.*)$')",
  "assertion.job_workflow_ref.matches('^my-org/\\\\.github/\\\\.github/workflows/deploy\\\\.yml@refs/(heads/main|tags/v[0-9]+)$')",
  "assertion.ref_protected == 'true'",
  "assertion.ref_protected == true",
  "assertion.environment == 'prod'",
  "has(assertion.environment) && assertion.environment == 'prod'",
  "!has(assertion.environment) || assertion.environment == 'prod'",
  "assertion.environment == 'prod' || assertion.repository_owner == 'my-org'",
  "assertion.environment == 'prod' && assertion.repository_owner == 'other'",
  "assertion['repository_owner'] == 'my-org'",
  "assertion.repository_visibility != 'public'",
  "assertion.actor in ['octocat', 'hubot'] && assertion.event_name != 'pull_request'",
  "assertion.runner_environment == 'github-hosted'",
  "assertion.repository.lowerAscii() == 'my-org/my-repo'",
  "assertion.repository.upperAscii()",
  "size(assertion.sub) <= 127",
  "assertion.sub.size()",
  "assertion.iat > 1700000000",
  "assertion.iat",
  "int(assertion.repository_id) > 1000",
  "uint(assertion.repository_owner_id)",
  "double(assertion.repository_id)",
  "string(assertion.iat)",
  "assertion.repository.contains('/my-')",
  "assertion.workflow_ref.split('@')[0] == 'my-org/my-repo/.github/workflows/deploy.yml'",
  "assertion.job_workflow_ref.split('@')[1]",
  "['a', 'b'].join('/')",
  "assertion.sub.split(':').size()",
  "assertion.ref_type == 'tag' ? assertion.ref.startsWith('refs/tags/v') : assertion.ref == 'refs/heads/main'",
  "assertion.nope",
  "assertion.repository_owner == 'my-org' && assertion.nope == 'x'",
  "assertion.nope == 'x' && assertion.repository_owner == 'other'",
  "assertion.nope == 'x' || assertion.repository_owner == 'my-org'",
  "assertion.repository_owner.matches('[')",
  "assertion.ref.replace('refs/heads/', '')",
  "' my-org '.trim() == assertion.repository_owner",
  "{'a': 1}.a + 1",
  "[1, 2, 3].exists(x, x == 2)",
  "assertion.sub.split(':').all(p, size(p) > 0)",
  "['my-org', 'your-org'].exists(o, assertion.repository_owner == o)",
  "1 / 0 == 1 || true",
  "9223372036854775807 + 1",
  "-9223372036854775808",
  "1u - 2u",
  "3.0 / 2.0",
  "7 % 3 == 1",
  "'\\u00e9' == '\\xe9'",
  "r'\\d+' == '\\\\d+'",
  "'''multi\nline''' == 'multi\\nline'",
  "b'abc' == bytes('abc')",
  "null == null",
  "[1, 'a', true] == [1, 'a', true]",
  "{'k': [1, 2]} == {'k': [1, 2]}",
  "1 == 1.0",
  "'1' == 1",
  "dyn(1u) < 2",
  "'abc' < 'abd'",
  "true < false",
  "[1] + [2]",
  "'a' + 'b' + assertion.repository_owner",
  "!(assertion.repository_owner == 'my-org')",
  "bool('true') && bool('false') == false",
];

// Generated variations: each claim against its own value, a wrong value,
// prefix/suffix/contains/regex, and combinations with && and ||.
const generated = [];
const claims = ["sub", "ref", "repository", "repository_owner", "repository_id", "job_workflow_ref", "event_name", "actor"];
for (const c of claims) {
  const v = assertion[c];
  generated.push(`assertion.${c} == '${v}'`);
  generated.push(`assertion.${c} != '${v}x'`);
  generated.push(`assertion.${c}.startsWith('${v.slice(0, 4)}') && assertion.${c}.endsWith('${v.slice(-3)}')`);
  generated.push(`assertion.${c}.matches('${v.slice(0, 3).replace(/[.\\]/g, "")}')`);
}
for (const c of ["repository", "repository_owner", "ref"]) {
  generated.push(`assertion.${c} == '${assertion[c].toUpperCase()}' || assertion.${c}.upperAscii() == '${assertion[c].toUpperCase()}'`);
}

const cases = [...handWritten, ...generated].map((expr) => {
  let r;
  try {
    r = run(expr, { assertion: new Map(Object.entries(assertion)) }, { funcs: strings });
  } catch (e) {
    return { expr, error: `threw: ${e.message}` };
  }
  return isCelError(r) ? { expr, error: r.message } : { expr, value: encode(r) };
});

function encode(v) {
  if (v === null) return { null: null };
  if (typeof v === "boolean") return { bool: v };
  if (typeof v === "bigint") return { int: v.toString() };
  if (isCelUint(v)) return { uint: v.value.toString() };
  if (typeof v === "number") return { double: Number.isFinite(v) ? v : String(v) };
  if (typeof v === "string") return { string: v };
  if (v instanceof Uint8Array) return { bytes: [...v] };
  if (isCelList(v)) return { list: [...v.values()].map(encode) };
  if (isCelMap(v)) return { map: [...v.entries()].map(([k, x]) => [encode(k), encode(x)]) };
  return { unsupported: String(v) };
}

process.stdout.write(JSON.stringify({ assertion, cases }, null, 1));
