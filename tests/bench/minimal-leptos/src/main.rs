//! A minimal Leptos CSR page: one component, one signal. Its first paint is
//! the baseline the playground's first verdict is measured against.

#[cfg(target_arch = "wasm32")]
fn main() {
    use leptos::prelude::*;
    leptos::mount::mount_to_body(|| {
        let count = RwSignal::new(0);
        view! {
            <main data-testid="ready">
                <h1>"Hello from Leptos"</h1>
                <button on:click=move |_| count.update(|c| *c += 1)>"Clicked " {count} " times"</button>
            </main>
        }
    });
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
