//! `keyless lint` on a Terraform file (`main.tf`): read with the HCL parser,
//! every trust resource turned into its cloud's configuration and checked;
//! every finding and error must be located inside the text, and nothing
//! may panic or hang (docs/terraform.md).
#![no_main]

use keyless_core::DocId;
use keyless_core::analysis::lint;
use keyless_fuzz::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    let findings = lint::lint_documents(&[("main.tf".into(), text.to_string())]);
    assert_findings_in(&findings, &[(DocId::File(0), text)]);
});
