// AWS trust-policy evaluation: Keyless against @cloud-copilot/iam-simulate
// on the same policies and request contexts, in one run (BENCHMARKS.md).
//
//   cargo xtask bench-aws            (builds keyless-bench, then runs this)
//   node tests/bench/aws-vs-iam-simulate.mjs [SECONDS] [ROUNDS]
//
// The cases come from `keyless-bench aws-cases`: every fixture's trust
// policy with the claims of its jobs (each case and variant), and generated
// policies of 1 to 10 statements (as large as IAM stores) against generated
// tokens. Two modes, each timed on both sides with the same work:
//
// - policy parsed per request: the policy's JSON text is parsed and loaded
//   for every request (Keyless `AwsConfig::from_text` + `aws::evaluate`;
//   iam-simulate `JSON.parse` + `loadPolicy` + `authorize`);
// - policy parsed once: each policy is loaded once and evaluated against
//   every request context (a reused role; the playground's what-if matrix).
//
// Untimed on both sides: reading the cases and turning each token's claims
// into the request's inputs (Keyless `Claims`; iam-simulate's principal ARN
// and `<provider>:<claim>` variables). Timed on both sides: building the
// request and the full answer each engine returns (Keyless's verdict with
// its trace text, iam-simulate's analysis objects).
//
// Rates are per second of wall time and of CPU time (Keyless: its thread;
// node: the process), which load on a shared machine inflates much less.
// The two engines run in turn, ROUNDS times (SECONDS per mode per side per
// round), so a change of load on the shared machine hits both; the figure
// is the median of the rounds' ratios. Verdicts are compared; a
// disagreement is printed and makes the exit code 1.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const BIN = process.env.KEYLESS_BENCH ?? path.join(ROOT, 'target/release/keyless-bench');

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
const SECONDS = Number(process.argv[2] ?? 1);
const ROUNDS = Number(process.argv[3] ?? 5);

/** The request STS makes for a token: principal = the provider's ARN, keys `<provider>:<claim>`. */
function requestInputs(context, policyText) {
  const claims = Object.fromEntries(context);
  const url = (claims.iss ?? '').replace(/^https:\/\//, '');
  const vars = {};
  for (const [k, v] of context) if (!STS_CLAIMS.has(k)) vars[`${url}:${k}`] = v;
  // The provider the policy trusts, when it is the token's issuer's (as
  // Keyless assumes the provider from Principal.Federated).
  const account = policyText.match(/arn:aws:iam::(\d{12}):oidc-provider\//)?.[1] ?? '111122223333';
  return { principal: `arn:aws:iam::${account}:oidc-provider/${url}`, vars };
}

const load = (policyText) => loadPolicy(JSON.parse(policyText), { name: 'TrustPolicy' });

function authorizeWith(resourcePolicy, { principal, vars }) {
  const req = new AwsRequestImpl(principal, { resource: ROLE, accountId: '111122223333' },
    'sts:AssumeRoleWithWebIdentity', new RequestContextImpl(vars));
  const analysis = authorize({
    request: req, sessionPolicy: undefined, identityPolicies: [], serviceControlPolicies: [],
    resourceControlPolicies: [], resourcePolicy,
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
const prepared = cases.map((c) => ({
  text: c.policy,
  loaded: load(c.policy),
  inputs: c.contexts.map((ctx) => requestInputs(ctx, c.policy)),
}));

/**
 * Evaluations per second of `one(case, inputs)` over every request, for
 * SECONDS: per second of wall time and per second of the process's CPU time
 * (user + system, every thread: V8's compiler and collector threads work
 * for the engine too).
 */
function rate(one) {
  let evaluations = 0;
  let sink = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000) {
    for (const c of prepared) for (const inputs of c.inputs) sink += one(c, inputs).length;
    evaluations += requests;
  }
  const wall = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  if (sink === 0) throw new Error('no result');
  return { wall: evaluations / wall, cpu: evaluations / ((used.user + used.system) / 1e6) };
}
const theirsParsedPerRequest = () => rate((c, inputs) => authorizeWith(load(c.text), inputs));
const theirsParsedOnce = () => rate((c, inputs) => authorizeWith(c.loaded, inputs));

const theirs = prepared.map((c) => c.inputs.map((inputs) => authorizeWith(c.loaded, inputs)));
theirsParsedPerRequest(); // warm the JIT, as Keyless's side runs compiled
let keyless;
const rounds = [];
for (let r = 0; r < ROUNDS; r++) {
  keyless = JSON.parse(execFileSync(BIN, ['aws-eval', casesFile, String(SECONDS)], { maxBuffer: 1 << 28 }));
  const perRequest = theirsParsedPerRequest();
  const once = theirsParsedOnce();
  rounds.push({
    keyless: keyless.per_sec, theirs: perRequest.wall,
    keylessOnce: keyless.per_sec_policy_parsed_once, theirsOnce: once.wall,
    keylessCpu: keyless.per_cpu_sec, theirsCpu: perRequest.cpu,
    keylessOnceCpu: keyless.per_cpu_sec_policy_parsed_once, theirsOnceCpu: once.cpu,
  });
}

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
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ratios = (k, t) => rounds.map((r) => r[k] / r[t]);
console.log(`cases: ${cases.length} policies, ${requests} requests (${cases.filter((c) => c.source.startsWith('fixture')).length} from fixtures)`);
console.log(`verdicts: ${agree} agree, ${disagreements.length} disagree, ${outside} decided before the trust policy (not compared)`);
for (const d of disagreements.slice(0, 20)) console.log('DISAGREE', JSON.stringify(d));
console.log(`${ROUNDS} rounds of ${SECONDS} s per mode per side; evaluations per second of wall (CPU) time, Keyless / iam-simulate = ratio:`);
const pair = (r, k, t) => `${fmt(r[k])} (${fmt(r[`${k}Cpu`])}) / ${fmt(r[t])} (${fmt(r[`${t}Cpu`])})`
  + ` = ${(r[k] / r[t]).toFixed(1)}x (${(r[`${k}Cpu`] / r[`${t}Cpu`]).toFixed(1)}x)`;
for (const [i, r] of rounds.entries()) {
  console.log(`  round ${i + 1}: parsed per request ${pair(r, 'keyless', 'theirs')}; parsed once ${pair(r, 'keylessOnce', 'theirsOnce')}`);
}
for (const [label, k, t] of [['policy parsed per request', 'keyless', 'theirs'], ['policy parsed once', 'keylessOnce', 'theirsOnce']]) {
  for (const [clock, kk, tt] of [['wall', k, t], ['CPU', `${k}Cpu`, `${t}Cpu`]]) {
    const rs = ratios(kk, tt);
    console.log(`ratio, ${label}, ${clock} time: median ${median(rs).toFixed(1)}x (min ${Math.min(...rs).toFixed(1)}, max ${Math.max(...rs).toFixed(1)}; target >= 20x)`);
  }
}
process.exitCode = disagreements.length ? 1 : 0;
