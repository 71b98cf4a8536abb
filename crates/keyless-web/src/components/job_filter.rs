//! "Show: All jobs / one job": which job's cards the results show. Part of
//! the deferred chunk (`deferred.rs`): the first verdict shows every job,
//! and the filter arrives with the other controls.

use crate::state::AppState;
use keyless_core::html::Html;
use leptos::prelude::*;

#[component]
pub fn JobFilter() -> impl IntoView {
    let state = expect_context::<AppState>();
    let ids = Memo::new(move |_| {
        state.evaluation.with(|e| {
            let mut ids: Vec<String> = Vec::new();
            for j in &e.report.jobs {
                if !ids.contains(&j.job) {
                    ids.push(j.job.clone());
                }
            }
            ids
        })
    });
    let options = move || {
        let chosen = state.job_filter.get();
        let chosen = if ids.with(|ids| ids.contains(&chosen)) { chosen } else { String::new() };
        let mut h = Html::default();
        h.open("option").attr("value", "").flag("selected", chosen.is_empty()).body().raw("All jobs</option>");
        for id in ids.get() {
            h.open("option").attr("value", &id).flag("selected", id == chosen).body().text(&id).close("option");
        }
        h.finish()
    };
    move || {
        (ids.with(Vec::len) > 1).then(|| {
            view! {
                <label class="field job-filter">
                    <span>"Show"</span>
                    <select data-testid="job-filter" inner_html=options
                        on:change=move |ev| state.job_filter.set(event_target_value(&ev))></select>
                </label>
            }
        })
    }
}
