// AWS trust-policy evaluation: Keyless against @cloud-copilot/iam-simulate
// on the same policies and request contexts, in one run (BENCHMARKS.md).
//
//   cargo xtask bench-aws            (builds keyless-bench, then runs this)
//   node tests/bench/aws-vs-iam-simulate.mjs [SECONDS]
//
// The cases come from `keyless-bench aws-cases`: every fixture's trust
// policy with the claims of its jobs (each case and variant), and generated
// policies of 1 to 100 statements against generated tokens. Both sides get
// the policy as JSON text and parse it for every request (a reused role is
// also measured for Keyless: `per_sec_policy_parsed_once`). Verdicts are
// compared; a disagreement is printed and makes the exit code 1.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const BIN = process.env.KEYLESS_BENCH ?? path.join(ROOT, 'target/release/keyless-bench');
const SECONDS = Number(process.argv[2] ?? 2);

// iam-simulate's exported runSimulation drops condition keys its action
// data does not list for sts:AssumeRoleWithWebIdentity (the OIDC provider's
// `token.actions.githubusercontent.com:*` keys are not listed), and its
// runUnsafeSimulation fails on an unnamed resource policy; so the harness
// calls its core `authorize` the way runUnsafeSimulation does, with the
// policy named. Loaded by file path: the package exports only its index.
const PKG = path.join(HERE, 'node_modules/@cloud-copilot');
const { authorize } = await import(path.join(PKG, 'iam-simulate/dist/esm/core_engine/CoreSimulatorEngine.js'));
const { AwsRequestImpl } = await import(path.join(PKG, 'iam-simulate/dist/esm/request/request.js'));
const { RequestContextImpl } = await import(path.join(PKG, 'iam-simulate/dist/esm/requestContext.js'));
const { DiscoveryContextKeyConstraints } = await import(
  path.join(PKG, 'iam-simulate/dist/esm/context_keys/discoveryContextKeyConstraints.js'));
const { loadPolicy } = await import('@cloud-copilot/iam-policy');

const ROLE = 'arn:aws:iam::111122223333:role/gha-deploy';
const STS_CLAIMS = new Set(['iss']);

/** The request STS makes for a token: principal = the provider's ARN, keys `<provider>:<claim>`. */
function request(context, policy) {
  const claims = Object.fromEntries(context);
  const url = (claims.iss ?? '').replace(/^https:\/\//, '');
  const vars = {};
  for (const [k, v] of context) if (!STS_CLAIMS.has(k)) vars[`${url}:${k}`] = v;
  // The provider the policy trusts, when it is the token's issuer's (as
  // Keyless assumes the provider from Principal.Federated).
  const account = JSON.stringify(policy).match(/arn:aws:iam::(\d{12}):oidc-provider\//)?.[1] ?? '111122223333';
  return { principal: `arn:aws:iam::${account}:oidc-provider/${url}`, vars };
}

function iamSimulate(policyText, context) {
  const policy = JSON.parse(policyText);
  const { principal, vars } = request(context, policy);
  const req = new AwsRequestImpl(principal, { resource: ROLE, accountId: '111122223333' },
    'sts:AssumeRoleWithWebIdentity', new RequestContextImpl(vars));
  const analysis = authorize({
    request: req, sessionPolicy: undefined, identityPolicies: [], serviceControlPolicies: [],
    resourceControlPolicies: [], resourcePolicy: loadPolicy(policy, { name: 'TrustPolicy' }),
    permissionBoundaries: undefined, vpcEndpointPolicies: undefined,
    simulationParameters: { simulationMode: 'Strict', discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
    serviceSettings: { s3: { blockPublicAccess: undefined } },
  });
  return analysis.result;
}

if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: cargo build --release -p keyless-bench`);
const casesFile = path.join(ROOT, 'target/bench/aws-cases.json');
fs.mkdirSync(path.dirname(casesFile), { recursive: true });
fs.writeFileSync(casesFile, execFileSync(BIN, ['aws-cases'], { maxBuffer: 1 << 28 }));
const cases = JSON.parse(fs.readFileSync(casesFile, 'utf8'));
const requests = cases.reduce((n, c) => n + c.contexts.length, 0);

// Keyless first, then iam-simulate, each alone on the machine.
const keyless = JSON.parse(execFileSync(BIN, ['aws-eval', casesFile, String(SECONDS)], { maxBuffer: 1 << 28 }));

const theirs = cases.map((c) => c.contexts.map((ctx) => iamSimulate(c.policy, ctx)));
let evaluations = 0;
const start = performance.now();
while (performance.now() - start < SECONDS * 1000) {
  for (const c of cases) for (const ctx of c.contexts) iamSimulate(c.policy, ctx);
  evaluations += requests;
}
const seconds = (performance.now() - start) / 1000;
const theirRate = evaluations / seconds;

// Verdicts: Keyless `allowed` = iam-simulate `Allowed`; a trust-policy
// denial (AccessDenied) = ImplicitlyDenied or ExplicitlyDenied. Other codes
// (InvalidIdentityToken: no provider for the issuer, audience not in the
// provider's client IDs; undetermined) come from checks iam-simulate does
// not model and are counted apart.
let agree = 0;
let outside = 0;
const disagreements = [];
cases.forEach((c, i) => c.contexts.forEach((ctx, j) => {
  const ours = keyless.verdicts[i][j];
  const them = theirs[i][j];
  if (ours !== 'allowed' && ours !== 'AccessDenied') { outside += 1; return; }
  if ((ours === 'allowed') === (them === 'Allowed')) agree += 1;
  else disagreements.push({ source: c.source, context: Object.fromEntries(ctx), keyless: ours, iamSimulate: them });
}));

const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(`cases: ${cases.length} policies, ${requests} requests (${cases.filter((c) => c.source.startsWith('fixture')).length} from fixtures)`);
console.log(`verdicts: ${agree} agree, ${disagreements.length} disagree, ${outside} decided before the trust policy (not compared)`);
for (const d of disagreements.slice(0, 20)) console.log('DISAGREE', JSON.stringify(d));
console.log(`Keyless       ${fmt(keyless.per_sec).padStart(12)} evaluations/s (policy parsed per request; ${fmt(keyless.per_sec_policy_parsed_once)}/s with the policy parsed once)`);
console.log(`iam-simulate  ${fmt(theirRate).padStart(12)} evaluations/s (policy parsed per request)`);
console.log(`ratio         ${(keyless.per_sec / theirRate).toFixed(1)}x (target >= 20x)`);
process.exitCode = disagreements.length ? 1 : 0;
