// Trunk post_build step (see web/post-build.sh). Debian's wasm-opt (binaryen
// 108) rewrites wasm-bindgen's `__wbindgen_externrefs` export to point at
// the funcref table, and the app dies at startup with "WebAssembly.Table.set():
// Argument 1 is invalid for table". This re-points the export at the
// externref table and updates the wasm's SRI hash in index.html. It does
// nothing when the export is already right (a fixed wasm-opt). Every wasm
// of the build is checked: the app's and the analysis worker's (which has
// no SRI hash: it is loaded by its loader shim, not by index.html).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const dir = process.argv[2];
const sri = (buf) => 'sha384-' + crypto.createHash('sha384').update(buf).digest('base64');

function leb(buf, pos) {
  let value = 0, shift = 0, byte;
  do { byte = buf[pos++]; value |= (byte & 0x7f) << shift; shift += 7; } while (byte & 0x80);
  return [value, pos];
}

function fix(buf) {
  let pos = 8;
  const tableTypes = [];
  let importedTables = 0;
  let exportFix = null;
  while (pos < buf.length) {
    const id = buf[pos];
    let size;
    [size, pos] = leb(buf, pos + 1);
    const end = pos + size;
    if (id === 2) { // imports: count imported tables (they come first in the index space)
      let [n, p] = leb(buf, pos);
      for (let i = 0; i < n; i++) {
        let len; [len, p] = leb(buf, p); p += len; [len, p] = leb(buf, p); p += len;
        const kind = buf[p++];
        if (kind === 0) { [, p] = leb(buf, p); }
        else if (kind === 1) { tableTypes.push(buf[p]); importedTables++; p++; const flags = buf[p++]; [, p] = leb(buf, p); if (flags & 1) [, p] = leb(buf, p); }
        else if (kind === 2) { const flags = buf[p++]; [, p] = leb(buf, p); if (flags & 1) [, p] = leb(buf, p); }
        else if (kind === 3) { p += 2; }
        else if (kind === 4) { p += 1; [, p] = leb(buf, p); }
        else throw new Error(`unknown import kind ${kind}`);
      }
    } else if (id === 4) { // tables
      let [n, p] = leb(buf, pos);
      for (let i = 0; i < n; i++) { tableTypes.push(buf[p++]); const flags = buf[p++]; [, p] = leb(buf, p); if (flags & 1) [, p] = leb(buf, p); }
    } else if (id === 7) { // exports
      let [n, p] = leb(buf, pos);
      for (let i = 0; i < n; i++) {
        let len; [len, p] = leb(buf, p);
        const name = buf.subarray(p, p + len).toString('utf8'); p += len;
        const kind = buf[p++];
        const at = p; let index; [index, p] = leb(buf, p);
        if (name === '__wbindgen_externrefs' && kind === 1) exportFix = { at, index, width: p - at };
      }
    }
    pos = end;
  }
  if (!exportFix) return false;
  const EXTERNREF = 0x6f;
  if (tableTypes[exportFix.index] === EXTERNREF) return false;
  const right = tableTypes.indexOf(EXTERNREF);
  if (right < 0 || right > 127 || exportFix.width !== 1) throw new Error(`cannot fix the externref export (tables ${tableTypes})`);
  buf[exportFix.at] = right;
  return true;
}

// Recursive: the worker's files are in lazy/ (see index.html).
const files = fs.readdirSync(dir, { recursive: true }).map(String);
const wasms = files.filter((f) => f.endsWith('.wasm'));
if (wasms.length < 2) console.warn(`fix-externref-export: expected the app's and the worker's wasm, found ${wasms}`);
for (const name of wasms) {
  const file = path.join(dir, name);
  const buf = fs.readFileSync(file);
  const before = sri(buf);
  if (!fix(buf)) continue;
  fs.writeFileSync(file, buf);
  // Any file naming the old hash (index.html for the app's wasm) gets the new one.
  for (const other of files.filter((f) => f.endsWith('.html') || f.endsWith('.js'))) {
    const p = path.join(dir, other);
    const text = fs.readFileSync(p, 'utf8');
    if (text.includes(before)) fs.writeFileSync(p, text.split(before).join(sri(buf)));
  }
  console.log(`fix-externref-export: ${name}: __wbindgen_externrefs re-pointed at the externref table`);
}
