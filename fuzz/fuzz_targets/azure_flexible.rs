//! An Azure flexible federated identity credential's claims matching
//! expression (`claims['sub'] matches 'repo:x/*' and ...`).
#![no_main]

use keyless_core::azure::flexible;
use keyless_fuzz::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    if let Err(e) = flexible::parse(text) {
        let (start, end) = e.at;
        assert!(start <= end && end <= text.len(), "error {start}..{end} outside the {}-byte text", text.len());
        assert!(text.is_char_boundary(start) && text.is_char_boundary(end), "error {start}..{end} cuts a character");
    }
});
