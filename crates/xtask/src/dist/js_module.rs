//! The [`STEPS`](super::STEPS) entry that builds the engine's JavaScript
//! module (crates/keyless-js) into `dist/module/`: `keyless.js`
//! (wasm-bindgen's ES module loader), `keyless_bg.wasm`, `keyless.d.ts`
//! (with the precise types of the JSON shapes, from the crate's TypeScript
//! section), and the `package.json` and `README.md` that make the folder an
//! npm package as it stands (`npm publish dist/module`).
//!
//! Built like the playground's wasm (std for size, wasm-opt with
//! [`WASM_OPT_FLAGS`](super::WASM_OPT_FLAGS)). Nothing in the playground
//! references these files, so `cargo xtask size` counts them as loaded
//! lazily: only pages that import the module fetch them (docs/embed.md).

use super::{Build, PROFILE, TARGET, copy, mkdir, read_text, std_for_size, target_dir, wasm_opt, write};
use crate::{Result, cargo_bin, run};
use std::process::Command;

/// The folder of `dist/` the module is written to.
pub const DIR: &str = "module";

pub fn js_module(b: &mut Build) -> Result {
    let mut cmd = Command::new("cargo");
    cmd.args(["build", "-p", "keyless-js", "--lib", "--profile", PROFILE, "--target", TARGET])
        .env("KEYLESS_VERSION", &b.version);
    run(std_for_size(&mut cmd))?;
    let wasm = target_dir().join(TARGET).join(PROFILE).join("keyless_js.wasm");
    let bindgen = b.work.join("module");
    run(Command::new(cargo_bin("wasm-bindgen"))
        .args(["--target", "web", "--out-name", "keyless", "--out-dir"])
        .arg(&bindgen)
        .arg(&wasm))?;
    let out = b.dist.join(DIR);
    mkdir(&out)?;
    for f in ["keyless.js", "keyless.d.ts", "keyless_bg.wasm.d.ts"] {
        copy(&bindgen.join(f), &out.join(f))?;
    }
    wasm_opt(&[(bindgen.join("keyless_bg.wasm"), out.join("keyless_bg.wasm"))])?;
    let package = b.root.join("crates/keyless-js/package");
    copy(&package.join("README.md"), &out.join("README.md"))?;
    let manifest = read_text(&package.join("package.json"))?.replace("__VERSION__", env!("CARGO_PKG_VERSION"));
    write(&out.join("package.json"), &manifest)
}
