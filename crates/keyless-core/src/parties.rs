//! The one list of relying parties: every per-party declaration in the
//! crate (the [`crate::verdict::Cloud`] enum, the editors' [`crate::span::DocId`]s,
//! the [`crate::clouds::Clouds`] set, the scenario's and the draft's
//! fields, the engine's dispatch) is generated from it, so adding a
//! relying party is one line here plus its module.
//!
//! `for_each_party!(m)` calls the macro `m` with one entry per party:
//! `Variant key "Title" Config;` — the enum variant, the scenario key (also
//! the JSON key under `verdicts`, the `DocId`'s serialised name and the
//! module's name: the party's parser and evaluator are
//! `crate::key::MODULE`, a [`crate::cloud_module::CloudModule`] over
//! `crate::key::Config`), and the name people read. Order is display
//! order. A leaf: it names the parties but imports none of them (the
//! paths resolve where a consumer expands them). An entry's attributes
//! (`#[cfg(feature = "services")]`) are repeated on everything generated
//! for it.

/// See the module documentation.
macro_rules! for_each_party {
    ($then:ident) => {
        $then! {
            Aws aws "AWS" AwsConfig;
            Azure azure "Azure" AzureConfig;
            Gcp gcp "Google Cloud" GcpConfig;
            Alibaba alibaba "Alibaba Cloud" AlibabaConfig;
            #[cfg(feature = "services")]
            Vault vault "HashiCorp Vault" VaultConfig;
            #[cfg(feature = "services")]
            Pypi pypi "PyPI" PypiConfig;
            #[cfg(feature = "services")]
            OctoSts octo_sts "octo-sts" OctoStsConfig;
            #[cfg(feature = "services")]
            CratesIo crates_io "crates.io" CratesIoConfig;
            #[cfg(feature = "services")]
            Npm npm "npm" NpmConfig;
        }
    };
}
pub(crate) use for_each_party;
