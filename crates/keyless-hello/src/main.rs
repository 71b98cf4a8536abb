//! A minimal Leptos page: one paragraph, mounted the way the playground
//! mounts its app. Issue #12 asks for the playground's load to its first
//! verdict next to this page's load to its first paint, both built the same
//! way (profile, std, wasm-bindgen, wasm-opt: `cargo xtask bench-web`, which
//! builds it with `dist::hello_page`), in one run: BENCHMARKS.md reports the
//! ratio.

use leptos::prelude::*;

fn main() {
    leptos::mount::mount_to_body(|| view! { <p data-testid="hello">"Hello from a minimal Leptos page"</p> });
}
