//! The Keyless playground: a Leptos (client-side) app over `keyless-core`.
//! Everything runs in the page; nothing the user types leaves it.

mod actions;
mod analysis_worker;
mod app;
mod browser;
mod clouds;
mod components;
mod deferred;
mod embed;
mod presets;
mod state;
mod util;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
