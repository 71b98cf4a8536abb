//! Test-only helpers: configurations read by the clouds' own parsers, so
//! rule tests see the same model (and spans) as the product.

use crate::alibaba::AlibabaConfig;
use crate::aws::AwsConfig;
use crate::azure::AzureConfig;
use crate::gcp::GcpConfig;

pub fn aws(text: &str) -> AwsConfig {
    AwsConfig::from_text(text).unwrap_or_else(|d| panic!("{}: {}", d.render(text), text))
}

pub fn alibaba(text: &str) -> AlibabaConfig {
    AlibabaConfig::from_text(text).unwrap_or_else(|d| panic!("{}: {}", d.render(text), text))
}

pub fn azure(text: &str) -> AzureConfig {
    AzureConfig::from_text(text).unwrap_or_else(|d| panic!("{}: {}", d.render(text), text))
}

pub fn gcp(text: &str) -> GcpConfig {
    GcpConfig::from_text(text).unwrap_or_else(|d| panic!("{}: {}", d.render(text), text))
}
