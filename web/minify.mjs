// Minifies JS files in place with terser, for `cargo xtask dist`:
//   node web/minify.mjs a.js b.js --script c.js
// Files are ES modules (the app's wasm-bindgen JS, the chunk loader,
// wasm-bindgen's snippets) until `--script`; after it, classic scripts
// (the analysis worker's wasm-bindgen JS, whose top-level `wasm_bindgen`
// is a global its loader calls, so top-level names are kept). Terser is
// pinned in web/package.json; without it this fails: what ships is what
// `cargo xtask test` measured.
import fs from 'node:fs';
import { minify } from 'terser';

let module = true;
for (const arg of process.argv.slice(2)) {
  if (arg === '--script') { module = false; continue; }
  const code = fs.readFileSync(arg, 'utf8');
  const out = await minify(code, { module, compress: { passes: 2 }, mangle: true, format: { comments: false } });
  fs.writeFileSync(arg, out.code);
}
