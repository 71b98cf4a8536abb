// Shared by the embed and module browser tests: host pages (served on the
// playground's own origin, or a foreign one, through Playwright routes, so
// dist/ is untouched), the CLI as the oracle, and a checker of values
// against the TypeScript types in the module's keyless.d.ts.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './helpers.js';

/** Serves `html` at `url` (any origin) in `context`. */
export async function hostPage(context, url, html) {
  await context.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(url);
  return page;
}

/** A host page embedding each `src` in an iframe; collects what the frames post. */
export function iframeHost(srcs) {
  const frames = srcs.map((src, i) => `<iframe id="f${i}" src="${src}" title="Keyless ${i}" style="width:900px;height:300px;border:0"></iframe>`).join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>host</title></head><body>
${frames}
<script>
  window.messages = [];
  const frames = [...document.querySelectorAll('iframe')];
  addEventListener('message', (ev) => {
    const i = frames.findIndex((f) => f.contentWindow === ev.source);
    if (i >= 0) window.messages.push({ frame: i, origin: ev.origin, data: ev.data });
  });
  window.send = (i, msg) => frames[i].contentWindow.postMessage(msg, '*');
</script></body></html>`;
}

/** Waits until frame `i` has posted a message satisfying `pred` (a function body over `m`, the data); returns it. */
export async function waitMessage(page, i, pred) {
  const handle = await page.waitForFunction(([i, pred]) => {
    const test = new Function('m', `return (${pred});`);
    const found = window.messages.filter((x) => x.frame === i && test(x.data));
    return found.length ? found[found.length - 1].data : null;
  }, [i, pred], { timeout: 20000 });
  return handle.jsonValue();
}

/** `keyless ARGS…` (the CLI built by cargo), run in `cwd`; its stdout parsed as JSON. */
export function cli(args, cwd = ROOT) {
  const built = path.join(ROOT, 'target/debug/keyless');
  const [cmd, pre] = process.env.KEYLESS_BIN ? [process.env.KEYLESS_BIN, []]
    : fs.existsSync(built) ? [built, []] : ['cargo', ['run', '-q', '-p', 'keyless-cli', '--']];
  try {
    return JSON.parse(execFileSync(cmd, [...pre, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 }));
  } catch (e) {
    // `lint` exits 1 when a finding reaches --fail-on; its output is still the JSON.
    if (e.stdout) return JSON.parse(e.stdout);
    throw e;
  }
}

// ---- A checker for the subset of TypeScript keyless.d.ts is written in. ----

function tokenize(src) {
  const text = src.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/.*$/gm, ' ');
  return text.match(/"[^"]*"|[A-Za-z_$][\w$]*|\[\]|[{}()<>;:,|?=&[\]]/g) ?? [];
}

/** The `export interface` and `export type` declarations of a .d.ts: name → type. */
export function parseTypes(src) {
  const t = tokenize(src);
  let i = 0;
  const peek = () => t[i];
  const eat = (x) => { if (x !== undefined && t[i] !== x) throw new Error(`d.ts: expected ${x} at token ${i} (${t.slice(i - 3, i + 3).join(' ')})`); return t[i++]; };
  const objectType = () => {
    eat('{');
    const fields = {};
    while (peek() !== '}') {
      const name = eat();
      const optional = peek() === '?' && (eat('?'), true);
      eat(':');
      fields[name] = { type: union(), optional };
      if (peek() === ';' || peek() === ',') eat();
    }
    eat('}');
    return { kind: 'object', fields };
  };
  const term = () => {
    let ty;
    const tok = peek();
    if (tok === '{') ty = objectType();
    else if (tok === '(') { eat('('); ty = union(); eat(')'); }
    else if (tok.startsWith('"')) { eat(); ty = { kind: 'literal', value: tok.slice(1, -1) }; }
    else if (tok === 'Record' || tok === 'Partial') {
      eat();
      eat('<');
      if (tok === 'Partial') { const inner = union(); eat('>'); ty = { ...inner, partial: true }; }
      else { const key = union(); eat(','); const value = union(); eat('>'); ty = { kind: 'record', key, value }; }
    } else { eat(); ty = { kind: 'name', name: tok }; }
    while (peek() === '[]') { eat(); ty = { kind: 'array', of: ty }; }
    return ty;
  };
  const union = () => {
    const alts = [term()];
    while (peek() === '|') { eat('|'); alts.push(term()); }
    return alts.length === 1 ? alts[0] : { kind: 'union', alts };
  };
  const decls = {};
  // wasm-bindgen's own declarations (function types, `readonly`) are
  // outside this subset: a declaration that does not parse is skipped, and
  // the tests ask for the ones they check by name.
  const skip = () => { i++; while (i < t.length && t[i] !== 'export') i++; };
  while (i < t.length) {
    const start = i;
    try { declaration(); } catch { i = start; skip(); }
  }
  return decls;
  function declaration() {
    if (t[i] === 'export' && t[i + 1] === 'interface') {
      i += 2;
      const name = eat();
      const bases = [];
      if (peek() === 'extends') { eat(); bases.push(eat()); while (peek() === ',') { eat(); bases.push(eat()); } }
      const ty = objectType();
      decls[name] = { ...ty, bases };
    } else if (t[i] === 'export' && t[i + 1] === 'type') {
      i += 2;
      const name = eat();
      eat('=');
      const ty = union();
      eat(';');
      decls[name] = ty;
    } else i++;
  }
}

const BUILTIN = { string: (v) => typeof v === 'string', number: (v) => typeof v === 'number', boolean: (v) => typeof v === 'boolean', null: (v) => v === null, unknown: () => true };

function fieldsOf(decls, ty) {
  let fields = { ...ty.fields };
  for (const b of ty.bases ?? []) if (b !== 'Error') fields = { ...fieldsOf(decls, decls[b]), ...fields };
  return fields;
}

/** The problems of `value` against type `ty` (a declaration name or a parsed type), as `path: message` strings. */
export function check(decls, value, ty, where = '$') {
  if (typeof ty === 'string') ty = { kind: 'name', name: ty };
  switch (ty.kind) {
    case 'name': {
      if (BUILTIN[ty.name]) return BUILTIN[ty.name](value) ? [] : [`${where}: ${JSON.stringify(value)?.slice(0, 60)} is not ${ty.name}`];
      const decl = decls[ty.name];
      if (!decl) return [`${where}: unknown type ${ty.name}`];
      return check(decls, value, decl, where);
    }
    case 'literal': return value === ty.value ? [] : [`${where}: ${JSON.stringify(value)} is not "${ty.value}"`];
    case 'union': {
      const results = ty.alts.map((a) => check(decls, value, a, where));
      return results.some((r) => r.length === 0) ? [] : [`${where}: matches no alternative (${results.map((r) => r[0]).join(' / ')})`];
    }
    case 'array':
      if (!Array.isArray(value)) return [`${where}: not an array`];
      return value.flatMap((v, i) => check(decls, v, ty.of, `${where}[${i}]`));
    case 'record': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${where}: not an object`];
      return Object.entries(value).flatMap(([k, v]) => [
        ...(ty.key.kind === 'name' && ty.key.name === 'string' ? [] : check(decls, k, ty.key, `${where} key`)),
        ...check(decls, v, ty.value, `${where}.${k}`),
      ]);
    }
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${where}: not an object`];
      const fields = fieldsOf(decls, ty);
      const problems = [];
      for (const [k, f] of Object.entries(fields)) {
        if (!(k in value)) { if (!f.optional) problems.push(`${where}.${k}: missing`); continue; }
        problems.push(...check(decls, value[k], f.type, `${where}.${k}`));
      }
      for (const k of Object.keys(value)) if (!(k in fields)) problems.push(`${where}.${k}: not in the type`);
      return problems;
    }
    default: return [`${where}: cannot check ${ty.kind}`];
  }
}
