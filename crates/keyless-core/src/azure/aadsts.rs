//! Entra's token-endpoint errors for federated credentials, worded as Entra
//! prints them in `error_description` (trace/correlation ids and timestamp
//! left out). Entra's wording drifted over the years ("Please check" in 2023–24,
//! "Check" in 2025 for 700213); each text below is the newest one observed, with
//! its source. Research cloud-trust-evaluation.md §2.4.

/// A code with its message.
pub struct EntraError {
    pub code: &'static str,
    pub message: String,
}

/// No FIC at all (or, in real life, one still propagating). Wording from
/// Azure/azure-workload-identity#616 (2022); doc Z4 names the code.
pub fn no_credentials(iss: &str, sub: &str, aud: &str) -> EntraError {
    EntraError {
        code: "AADSTS70021",
        message: format!(
            "AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: '{iss}'. Assertion Subject: '{sub}'. Assertion Audience: '{aud}'. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation"
        ),
    }
}

/// No FIC has the token's issuer. Wording from
/// Azure/azure-workload-identity#1200 (2024-03).
pub fn issuer(iss: &str) -> EntraError {
    EntraError {
        code: "AADSTS700211",
        message: format!(
            "AADSTS700211: No matching federated identity record found for presented assertion issuer '{iss}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation"
        ),
    }
}

/// A FIC has the issuer but none also has the audience. Wording from an
/// error fixture in public code (AzureAccessTokenProviderTest, research Z10).
pub fn audience(aud: &str) -> EntraError {
    EntraError {
        code: "AADSTS700212",
        message: format!(
            "AADSTS700212: No matching federated identity record found for presented assertion audience '{aud}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation"
        ),
    }
}

/// Issuer and audience match, no classic subject does. Wording from
/// dotnet/maui#31978 (2025-10) and Azure/azure-workload-identity#1200 (2025-04).
pub fn subject(sub: &str) -> EntraError {
    EntraError {
        code: "AADSTS700213",
        message: format!(
            "AADSTS700213: No matching federated identity record found for presented assertion subject '{sub}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"
        ),
    }
}

/// As [`subject`], when flexible credentials are involved. Wording from a
/// public blog post on merge queues (research Z10); a public Terraform guide
/// reports "AADSTS700213 for a classic credential and AADSTS7002131 for a
/// flexible one".
pub fn subject_or_expression(sub: &str) -> EntraError {
    EntraError {
        code: "AADSTS7002131",
        message: format!(
            "AADSTS7002131: No matching federated identity record found for presented assertion subject '{sub}' or no federated identity credential expression matched. Please check your federated identity credential Subject, Expression, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"
        ),
    }
}

/// A classic subject equals `sub` only ignoring case (Aug-2024 breaking
/// change). Wording from Azure/login#515 (2025-02), research Z6.
pub fn subject_case(sub: &str) -> EntraError {
    EntraError {
        code: "AADSTS7002138",
        message: format!(
            "AADSTS7002138: No matching federated identity record found for presented assertion subject '{sub}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. See documentation at: https://learn.microsoft.com/entra/workload-id/workload-identity-federation. See breaking change notification and remediation at: https://learn.microsoft.com/en-us/entra/identity-platform/reference-breaking-changes#august-2024."
        ),
    }
}

/// Graph's create-time refusal of a flexible expression. Wording from
/// git-bug/git-bug#1584 and hashicorp/terraform-provider-azuread#1901
/// (2026-08), research Z7.
pub fn invalid_expression(issuer: &str, expression: &str) -> String {
    format!(
        "InvalidFederatedIdentityCredentialValue: The FederatedIdentityCredential.ClaimsMatchingExpression.Value is invalid. Rule exception: Expression configured for issuer '{issuer}' either lacks all required claims or contains unallowed claims. paramName: FederatedIdentityCredential.ClaimsMatchingExpression.Value, paramValue: {expression}, objectType: Microsoft.Online.DirectoryServices.Application"
    )
}

/// Entra's create-time audience rule (research §2.1, Z3).
pub const EXACTLY_ONE_AUDIENCE: &str = "Federated identity credentials must have exactly one audience.";
