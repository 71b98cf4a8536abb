// Minifies ES modules in place with terser: `node web/minify.mjs a.js b.js`.
// Run by crates/keyless-split on the JS it regenerates (the app's
// wasm-bindgen glue and the chunk loader), because the minifier Trunk
// bundles cannot parse wasm-bindgen's output. Without terser installed
// (`cargo xtask setup` installs it) the files are left as they are: a
// bigger first load, never a broken one.
import fs from 'node:fs';

let minify;
try {
  ({ minify } = await import('terser'));
} catch {
  console.error('minify: terser is not installed (npm ci in web/); JS left unminified');
  process.exit(0);
}
for (const file of process.argv.slice(2)) {
  const code = fs.readFileSync(file, 'utf8');
  const out = await minify(code, { module: true, compress: { passes: 2 }, mangle: true, format: { comments: false } });
  fs.writeFileSync(file, out.code);
}
