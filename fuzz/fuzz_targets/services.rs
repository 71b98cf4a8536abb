//! a relying party beyond the clouds (HashiCorp Vault role, PyPI trusted
//! publishers, octo-sts trust policy, crates.io and npm trusted publishing),
//! read by each one's parser as its playground editor reads it: an error
//! must be located in the text, a configuration read must be evaluated for
//! the base scenario's tokens with every location inside the text.
#![no_main]

use keyless_core::DocId;
use keyless_fuzz::*;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static BASE: OnceLock<keyless_core::Scenario> = OnceLock::new();
    let Some(text) = text(data) else { return };
    let base = || BASE.get_or_init(base_scenario).clone();
    match keyless_core::vault::VaultConfig::from_text(text) {
        Err(e) => assert_located(&e, DocId::Vault, text),
        Ok(c) => evaluate_cloud(&keyless_core::Scenario { vault: Some(c), ..base() }, DocId::Vault, text),
    }
    match keyless_core::pypi::PypiConfig::from_text(text) {
        Err(e) => assert_located(&e, DocId::Pypi, text),
        Ok(c) => evaluate_cloud(&keyless_core::Scenario { pypi: Some(c), ..base() }, DocId::Pypi, text),
    }
    match keyless_core::octo_sts::OctoStsConfig::from_text(text) {
        Err(e) => assert_located(&e, DocId::OctoSts, text),
        Ok(c) => evaluate_cloud(&keyless_core::Scenario { octo_sts: Some(c), ..base() }, DocId::OctoSts, text),
    }
    match keyless_core::crates_io::CratesIoConfig::from_text(text) {
        Err(e) => assert_located(&e, DocId::CratesIo, text),
        Ok(c) => evaluate_cloud(&keyless_core::Scenario { crates_io: Some(c), ..base() }, DocId::CratesIo, text),
    }
    match keyless_core::npm::NpmConfig::from_text(text) {
        Err(e) => assert_located(&e, DocId::Npm, text),
        Ok(c) => evaluate_cloud(&keyless_core::Scenario { npm: Some(c), ..base() }, DocId::Npm, text),
    }
});
