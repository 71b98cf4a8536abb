//! `exp`, `nbf` and `iat` against an instant, with the clock skew a cloud
//! allows where its documentation says so. GitHub's tokens live 5 minutes
//! (`exp = iat + 300`) and are back-dated 10 minutes (`nbf = iat - 600`)
//! (research github-oidc-tokens.md §1.4, every observed sample).

use crate::calendar::{civil_from_days, days_from_civil};
use crate::claims::{ClaimValue, Claims};
use crate::verdict::Cloud;
use serde::Serialize;

/// The clock skew a cloud allows on `exp`, and where that is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Skew {
    pub seconds: i64,
    /// The documentation, or "not documented" (then 0 is used).
    pub source: &'static str,
}

/// Documented skews only: AWS says 5 minutes for `exp` (A11,
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc.html).
/// Microsoft Entra, Google Cloud STS and Alibaba Cloud STS document none
/// for federated tokens: 0, labelled; the CLI's `--skew` and the
/// playground's field set another value explicitly.
pub fn cloud_skew(cloud: Cloud) -> Skew {
    match cloud {
        Cloud::Aws => Skew { seconds: 300, source: "A11: IAM allows 5 minutes of clock skew on exp" },
        Cloud::Azure | Cloud::Gcp | Cloud::Alibaba => Skew { seconds: 0, source: "not documented (0 used)" },
        #[cfg(feature = "services")]
        Cloud::Vault => Skew { seconds: 150, source: "V1: a role's expiration_leeway defaults to 150 seconds" },
        #[cfg(feature = "services")]
        Cloud::Pypi => Skew { seconds: 30, source: "Y3: Warehouse decodes tokens with _JWT_LEEWAY = 30" },
        #[cfg(feature = "services")]
        Cloud::OctoSts | Cloud::CratesIo | Cloud::Npm => Skew { seconds: 0, source: "not documented (0 used)" },
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeStatus {
    Pass,
    Fail,
    /// Not in the pasted claims (a claims dump has no times).
    Absent,
}

/// One time claim checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimeCheck {
    pub claim: &'static str,
    pub status: TimeStatus,
    pub message: String,
}

fn num(claims: &Claims, name: &str) -> Option<Result<i64, String>> {
    claims.get(name).map(|v| match v {
        ClaimValue::Num(n) => Ok(*n),
        ClaimValue::Str(s) => s.parse::<i64>().map_err(|_| s.clone()),
    })
}

/// Checks `exp`, `nbf`, `iat` at `at` (seconds since the epoch), allowing
/// `skew` seconds either way.
pub fn check(claims: &Claims, at: i64, skew: i64) -> Vec<TimeCheck> {
    let skew = skew.max(0);
    let mut out = Vec::new();
    let allowance = if skew > 0 { format!(" (with {skew} s of clock skew allowed)") } else { String::new() };
    for claim in ["exp", "nbf", "iat"] {
        let (status, message) = match num(claims, claim) {
            None => (TimeStatus::Absent, format!("no `{claim}` in the pasted claims")),
            Some(Err(text)) => (TimeStatus::Fail, format!("`{claim}` is `{text}`, not a NumericDate")),
            Some(Ok(v)) => match claim {
                "exp" if at >= v.saturating_add(skew) => (
                    TimeStatus::Fail,
                    format!(
                        "expired: exp {} is {} before {}{allowance}",
                        format_instant(v),
                        duration(at.saturating_sub(v)),
                        format_instant(at)
                    ),
                ),
                "exp" => (TimeStatus::Pass, format!("valid until {} ({} left)", format_instant(v), duration(v - at))),
                "nbf" if at.saturating_add(skew) < v => (
                    TimeStatus::Fail,
                    format!(
                        "not yet valid: nbf {} is {} after {}{allowance}",
                        format_instant(v),
                        duration(v.saturating_sub(at)),
                        format_instant(at)
                    ),
                ),
                "nbf" => (TimeStatus::Pass, format!("valid since {}", format_instant(v))),
                _ if at.saturating_add(skew) < v => (
                    TimeStatus::Fail,
                    format!(
                        "issued in the future: iat {} is after {}{allowance}",
                        format_instant(v),
                        format_instant(at)
                    ),
                ),
                _ => (
                    TimeStatus::Pass,
                    format!("issued {} ({} before)", format_instant(v), duration(at.saturating_sub(v))),
                ),
            },
        };
        out.push(TimeCheck { claim, status, message });
    }
    // GitHub's lifetime: a token with another one was not minted by GitHub
    // as documented (or was edited).
    if let (Some(Ok(iat)), Some(Ok(exp))) = (num(claims, "iat"), num(claims, "exp"))
        && exp.saturating_sub(iat) != 300
    {
        out.push(TimeCheck {
            claim: "exp",
            status: TimeStatus::Pass,
            message: format!(
                "note: lifetime is {} (GitHub's tokens live 5 minutes, exp = iat + 300)",
                duration(exp.saturating_sub(iat))
            ),
        });
    }
    out
}

fn duration(s: i64) -> String {
    let a = s.unsigned_abs();
    if a < 120 {
        format!("{a} s")
    } else if a < 7200 {
        format!("{} min", a / 60)
    } else if a < 172_800 {
        format!("{} h", a / 3600)
    } else {
        format!("{} days", a / 86_400)
    }
}

/// `2026-12-07T04:00:00Z` for seconds since the epoch (UTC).
pub fn format_instant(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

/// Reads an instant: seconds since the epoch, or RFC 3339 in UTC
/// (`2026-12-07T04:00:00Z`, optionally with a `+HH:MM` offset).
pub fn parse_instant(text: &str) -> Result<i64, String> {
    let t = text.trim();
    if let Ok(n) = t.parse::<i64>() {
        return Ok(n);
    }
    let err = || format!("`{t}` is not an instant: give seconds since the epoch or 2026-12-07T04:00:00Z");
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = t.get(r)?;
        (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())).then(|| s.parse().ok()).flatten()
    };
    if b.len() < 19
        || b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
    {
        return Err(err());
    }
    let (y, mo, d) = (digits(0..4).ok_or_else(err)?, digits(5..7).ok_or_else(err)?, digits(8..10).ok_or_else(err)?);
    let (h, mi, s) =
        (digits(11..13).ok_or_else(err)?, digits(14..16).ok_or_else(err)?, digits(17..19).ok_or_else(err)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return Err(err());
    }
    let mut rest = t.get(19..).unwrap_or_default();
    if let Some(frac) = rest.strip_prefix('.') {
        rest = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest {
        "Z" | "z" | "" => 0,
        _ => {
            let sign = match rest.get(..1) {
                Some("+") => 1,
                Some("-") => -1,
                _ => return Err(err()),
            };
            let oh: i64 = rest.get(1..3).and_then(|x| x.parse().ok()).ok_or_else(err)?;
            let om: i64 = rest.get(4..6).and_then(|x| x.parse().ok()).ok_or_else(err)?;
            sign * (oh * 3600 + om * 60)
        }
    };
    Ok(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(iat: i64) -> Claims {
        let mut c = Claims::new();
        c.set_num("nbf", iat - 600);
        c.set_num("exp", iat + 300);
        c.set_num("iat", iat);
        c
    }

    #[test]
    fn instants_round_trip() {
        // D-CON example: iat 1632493567.
        assert_eq!(format_instant(1_632_493_567), "2021-09-24T14:26:07Z");
        assert_eq!(parse_instant("2021-09-24T14:26:07Z"), Ok(1_632_493_567));
        assert_eq!(parse_instant("2021-09-24T16:26:07+02:00"), Ok(1_632_493_567));
        assert_eq!(parse_instant("1632493567"), Ok(1_632_493_567));
        assert_eq!(format_instant(0), "1970-01-01T00:00:00Z");
        assert!(parse_instant("yesterday").is_err());
        assert!(parse_instant("2021-13-01T00:00:00Z").is_err());
    }

    #[test]
    fn expired_not_yet_valid_and_skew() {
        let c = claims(1000);
        let at = |t, skew| check(&c, t, skew).into_iter().map(|x| (x.claim, x.status)).collect::<Vec<_>>();
        assert!(at(1100, 0).iter().all(|(_, s)| *s == TimeStatus::Pass));
        let late = check(&c, 1300, 0);
        assert_eq!(late.first().map(|x| x.status), Some(TimeStatus::Fail));
        assert!(late.first().unwrap().message.starts_with("expired: exp 1970-01-01T00:21:40Z is 0 s before"));
        // AWS's 5 minutes (A11) accept it until exp + 300.
        assert_eq!(at(1599, 300).first().map(|x| x.1), Some(TimeStatus::Pass));
        assert_eq!(at(1600, 300).first().map(|x| x.1), Some(TimeStatus::Fail));
        let early = check(&c, 100, 0);
        assert!(
            early
                .iter()
                .any(|x| x.claim == "nbf" && x.status == TimeStatus::Fail && x.message.starts_with("not yet valid"))
        );
        assert!(early.iter().any(|x| x.claim == "iat" && x.status == TimeStatus::Fail));
        let none = check(&Claims::new(), 0, 0);
        assert!(none.iter().all(|x| x.status == TimeStatus::Absent));
    }

    #[test]
    fn documented_skews_only() {
        assert_eq!(cloud_skew(Cloud::Aws).seconds, 300);
        assert_eq!(cloud_skew(Cloud::Gcp).source, "not documented (0 used)");
    }
}
