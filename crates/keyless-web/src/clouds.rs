//! The relying parties' evaluators the page has, and loading the others on
//! demand.
//!
//! AWS is linked into the first load (the default preset is an AWS role).
//! Every other party — Azure, Google Cloud, Alibaba Cloud and the services
//! (HashiCorp Vault, PyPI, octo-sts, crates.io, npm) — is split into a chunk
//! of this wasm that is fetched the first time a scenario configures it:
//! each `*_module` function below is a split point (`wasm_split_helpers`),
//! and the build (crates/keyless-split, a step of `cargo xtask dist`) moves
//! everything only it reaches — the party's parser, evaluator and messages —
//! into its chunk. A build without that step still works: every split
//! function is then an ordinary function of the one wasm.

use keyless_core::clouds::{CloudModule, Clouds};
use keyless_core::verdict::Cloud;
use keyless_core::{alibaba, aws, azure, crates_io, gcp, npm, octo_sts, pypi, vault};
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

#[wasm_split(vault, fallible)]
fn vault_module() -> Result<&'static CloudModule<vault::VaultConfig>, SplitLoaderError> {
    Ok(&vault::MODULE)
}

#[wasm_split(pypi, fallible)]
fn pypi_module() -> Result<&'static CloudModule<pypi::PypiConfig>, SplitLoaderError> {
    Ok(&pypi::MODULE)
}

#[wasm_split(octo_sts, fallible)]
fn octo_sts_module() -> Result<&'static CloudModule<octo_sts::OctoStsConfig>, SplitLoaderError> {
    Ok(&octo_sts::MODULE)
}

#[wasm_split(crates_io, fallible)]
fn crates_io_module() -> Result<&'static CloudModule<crates_io::CratesIoConfig>, SplitLoaderError> {
    Ok(&crates_io::MODULE)
}

#[wasm_split(npm, fallible)]
fn npm_module() -> Result<&'static CloudModule<npm::NpmConfig>, SplitLoaderError> {
    Ok(&npm::MODULE)
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
            Cloud::Vault => vault_module().await.map(|m| loaded.update(|l| l.clouds.vault = Some(m))).is_ok(),
            Cloud::Pypi => pypi_module().await.map(|m| loaded.update(|l| l.clouds.pypi = Some(m))).is_ok(),
            Cloud::OctoSts => octo_sts_module().await.map(|m| loaded.update(|l| l.clouds.octo_sts = Some(m))).is_ok(),
            Cloud::CratesIo => {
                crates_io_module().await.map(|m| loaded.update(|l| l.clouds.crates_io = Some(m))).is_ok()
            }
            Cloud::Npm => npm_module().await.map(|m| loaded.update(|l| l.clouds.npm = Some(m))).is_ok(),
        };
        loaded.update(|l| {
            if let (Some(loading), Some(failed)) = (l.loading.get_mut(i), l.failed.get_mut(i)) {
                *loading = false;
                *failed = !ok;
            }
        });
    });
}
