//! The cloud evaluators the page has, and loading the others on demand.
//!
//! AWS is linked into the first load (the default preset is an AWS role).
//! Azure, Google Cloud and Alibaba Cloud are each split into a chunk of this
//! wasm that is fetched the first time a scenario configures that cloud:
//! each `*_module` function below is a split point (`wasm_split_helpers`),
//! and the build (crates/keyless-split, a step of `cargo xtask dist`) moves
//! everything only it reaches — the cloud's parser, evaluator and messages —
//! into its chunk. A build without that step still works: every split
//! function is then an ordinary function of the one wasm.

use keyless_core::clouds::{CloudModule, Clouds};
use keyless_core::verdict::Cloud;
use keyless_core::{alibaba, aws, azure, gcp};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_split_helpers::{SplitLoaderError, wasm_split};

#[wasm_split(azure, fallible)]
fn azure_module() -> Result<&'static CloudModule<azure::AzureConfig>, SplitLoaderError> {
    Ok(&azure::MODULE)
}

#[wasm_split(gcp, fallible)]
fn gcp_module() -> Result<&'static CloudModule<gcp::GcpConfig>, SplitLoaderError> {
    Ok(&gcp::MODULE)
}

#[wasm_split(alibaba, fallible)]
fn alibaba_module() -> Result<&'static CloudModule<alibaba::AlibabaConfig>, SplitLoaderError> {
    Ok(&alibaba::MODULE)
}

/// Where a cloud's evaluator is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Availability {
    Ready,
    Loading,
    /// The chunk could not be fetched (offline before it was cached, a
    /// network error); the next edit of that cloud's editor tries again.
    Failed,
}

/// The evaluators loaded so far and the loads under way.
#[derive(Clone, Copy)]
pub struct LoadedClouds {
    pub clouds: Clouds,
    loading: [bool; Cloud::COUNT],
    failed: [bool; Cloud::COUNT],
}

fn slot(cloud: Cloud) -> usize {
    cloud as usize
}

impl LoadedClouds {
    pub fn first_load() -> LoadedClouds {
        LoadedClouds {
            clouds: Clouds { aws: Some(&aws::MODULE), ..Clouds::NONE },
            loading: [false; Cloud::COUNT],
            failed: [false; Cloud::COUNT],
        }
    }

    pub fn availability(&self, cloud: Cloud) -> Availability {
        if self.clouds.has(cloud) {
            Availability::Ready
        } else if self.failed.get(slot(cloud)).copied().unwrap_or(false) {
            Availability::Failed
        } else {
            Availability::Loading
        }
    }
}

/// Starts loading `cloud`'s evaluator unless it is loaded or loading.
pub fn ensure(loaded: RwSignal<LoadedClouds>, cloud: Cloud) {
    let i = slot(cloud);
    let start = loaded.with_untracked(|l| !l.clouds.has(cloud) && !l.loading.get(i).copied().unwrap_or(true));
    if !start {
        return;
    }
    loaded.update(|l| {
        if let (Some(loading), Some(failed)) = (l.loading.get_mut(i), l.failed.get_mut(i)) {
            *loading = true;
            *failed = false;
        }
    });
    spawn_local(async move {
        let ok = match cloud {
            Cloud::Aws => true,
            Cloud::Azure => azure_module().await.map(|m| loaded.update(|l| l.clouds.azure = Some(m))).is_ok(),
            Cloud::Gcp => gcp_module().await.map(|m| loaded.update(|l| l.clouds.gcp = Some(m))).is_ok(),
            Cloud::Alibaba => alibaba_module().await.map(|m| loaded.update(|l| l.clouds.alibaba = Some(m))).is_ok(),
            // A party this page does not offer: not loaded.
            #[allow(unreachable_patterns)]
            _ => false,
        };
        loaded.update(|l| {
            if let (Some(loading), Some(failed)) = (l.loading.get_mut(i), l.failed.get_mut(i)) {
                *loading = false;
                *failed = !ok;
            }
        });
    });
}
