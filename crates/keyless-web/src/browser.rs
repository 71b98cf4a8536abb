//! The few browser services the playground needs, as a small JS module:
//! the browser's own deflate (`CompressionStream`) for permalinks costs no
//! wasm, and clipboard/download/file reading/fetch are one line each in JS.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
const b64url = (bytes) => {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};
const unb64url = (s) => {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
};
export async function pack(text) {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return b64url(new Uint8Array(await new Response(stream).arrayBuffer()));
}
export async function unpack(data) {
  try {
    const stream = new Blob([unb64url(data)]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    return await new Response(stream).text();
  } catch (e) { return null; }
}
export function copy_text(text) {
  if (navigator.clipboard) navigator.clipboard.writeText(text).catch(() => {});
}
export function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }));
  const a = document.createElement('a');
  a.href = url; a.download = name; document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
export async function read_file(input) {
  const f = input.files && input.files[0];
  if (!f) return null;
  const text = await f.text();
  input.value = '';
  return text;
}
export async function fetch_text(url) {
  try { const r = await fetch(url); return r.ok ? await r.text() : null; } catch (e) { return null; }
}
export function storage_get(key) { try { return localStorage.getItem(key); } catch (e) { return null; } }
export function storage_set(key, value) { try { localStorage.setItem(key, value); } catch (e) {} }
export function hash() { return location.hash.slice(1); }
export function set_hash(h) { history.replaceState(null, '', h ? '#' + h : location.pathname + location.search); }
export function page_url() { return location.href; }
export function focus_at(id, start, end) {
  const el = document.getElementById(id);
  if (!el) return;
  el.focus();
  el.setSelectionRange(start, end);
  const line = el.value.slice(0, start).split('\n').length - 1;
  const scroller = el.closest('.editor-scroll');
  if (scroller) scroller.scrollTop = Math.max(0, line * parseFloat(getComputedStyle(el).lineHeight) - 40);
}
"#)]
extern "C" {
    /// deflate-raw + base64url of the text.
    pub async fn pack(text: &str) -> JsValue;
    /// The inverse of [`pack`], or null when the data is not a permalink.
    pub async fn unpack(data: &str) -> JsValue;
    pub fn copy_text(text: &str);
    /// Offers `text` as a file download.
    pub fn download(name: &str, text: &str);
    /// The text of the file chosen in an `<input type=file>`.
    pub async fn read_file(input: &web_sys::HtmlInputElement) -> JsValue;
    /// The body of a GET of `url` (relative to the page), or null on a
    /// network error or a non-2xx status.
    pub async fn fetch_text(url: &str) -> JsValue;
    pub fn storage_get(key: &str) -> Option<String>;
    pub fn storage_set(key: &str, value: &str);
    /// The URL fragment without `#`.
    pub fn hash() -> String;
    pub fn set_hash(hash: &str);
    pub fn page_url() -> String;
    /// Focuses a textarea and selects a UTF-16 range, scrolled into view.
    pub fn focus_at(id: &str, start: u32, end: u32);
}
