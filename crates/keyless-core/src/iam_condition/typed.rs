//! IP address and date operators (A1: IAM condition operators page,
//! https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
//! They matter only for values the user gives in `request_context`: the
//! keys they read (aws:SourceIp, aws:CurrentTime) are otherwise unknown.
//! `None`: a value that is not an address / a date, left unevaluated.

use crate::calendar::days_from_civil;
use std::net::IpAddr;

/// `IpAddress` / `NotIpAddress` (positive form): A1 "The IP address must be
/// in standard CIDR format"; a bare address is a /32 (or /128).
pub(super) fn ip_in_range(policy: &str, request: &str) -> Option<bool> {
    let request: IpAddr = request.trim().parse().ok()?;
    let (addr, len) = match policy.trim().split_once('/') {
        Some((a, l)) => (a.parse::<IpAddr>().ok()?, Some(l.parse::<u32>().ok()?)),
        None => (policy.trim().parse::<IpAddr>().ok()?, None),
    };
    let (p, r, bits) = match (addr, request) {
        (IpAddr::V4(p), IpAddr::V4(r)) => (u128::from(u32::from(p)), u128::from(u32::from(r)), 32),
        (IpAddr::V6(p), IpAddr::V6(r)) => (u128::from(p), u128::from(r), 128),
        _ => return Some(false),
    };
    let len = len.unwrap_or(bits);
    if len > bits {
        return None;
    }
    let shift = bits - len;
    Some(p.checked_shr(shift).unwrap_or(0) == r.checked_shr(shift).unwrap_or(0))
}

/// Date operators (positive forms) compare instants; A1: dates are W3C
/// ISO 8601 or epoch (UNIX) time.
pub(super) fn date_compare(op: &str, policy: &str, request: &str) -> Option<bool> {
    let (p, r) = (instant(policy)?, instant(request)?);
    Some(match op {
        "DateEquals" | "DateNotEquals" => r == p,
        "DateLessThan" => r < p,
        "DateLessThanEquals" => r <= p,
        "DateGreaterThan" => r > p,
        "DateGreaterThanEquals" => r >= p,
        _ => return None,
    })
}

/// Milliseconds since 1970-01-01T00:00:00Z of `YYYY-MM-DD[Thh:mm[:ss[.fff]]][Z|±hh:mm]`
/// or of an epoch in seconds.
fn instant(text: &str) -> Option<i64> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<i64>().ok()?.checked_mul(1000);
    }
    let num = |s: &str| -> Option<i64> {
        if s.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty() { s.parse().ok() } else { None }
    };
    let (date, rest) = t.split_at(t.find(['T', 't']).unwrap_or(t.len()));
    let mut ymd = date.split('-');
    let (y, m, d) = (num(ymd.next()?)?, num(ymd.next()?)?, num(ymd.next()?)?);
    if ymd.next().is_some() || !(0..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let rest = rest.get(1..).unwrap_or("");
    let (clock, offset_ms) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let (c, off) = rest.split_at(i);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off.get(1..)?.split_once(':')?;
        let (oh, om) = (num(oh).filter(|h| *h <= 23)?, num(om).filter(|m| *m <= 59)?);
        (c, sign * (oh * 3_600_000 + om * 60_000))
    } else {
        (rest, 0)
    };
    let mut ms = 0;
    if !clock.is_empty() {
        let mut parts = clock.split(':');
        let h = num(parts.next()?)?;
        let mi = num(parts.next()?)?;
        let s = match parts.next() {
            None => 0.0,
            Some(s) => s.parse::<f64>().ok().filter(|v| (0.0..61.0).contains(v))?,
        };
        if parts.next().is_some() || h > 23 || mi > 59 {
            return None;
        }
        ms = h * 3_600_000 + mi * 60_000 + (s * 1000.0).round() as i64;
    }
    Some(days_from_civil(y, m, d) * 86_400_000 + ms - offset_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    // A1 IP address operators: CIDR ranges, v4 and v6.
    #[test]
    fn cidr_ranges() {
        assert_eq!(ip_in_range("203.0.113.0/24", "203.0.113.7"), Some(true));
        assert_eq!(ip_in_range("203.0.113.0/24", "203.0.114.7"), Some(false));
        assert_eq!(ip_in_range("203.0.113.7", "203.0.113.7"), Some(true));
        assert_eq!(ip_in_range("0.0.0.0/0", "198.51.100.1"), Some(true));
        assert_eq!(ip_in_range("2001:db8::/32", "2001:db8:1::1"), Some(true));
        assert_eq!(ip_in_range("2001:db8::/32", "203.0.113.7"), Some(false));
        assert_eq!(ip_in_range("203.0.113.0/33", "203.0.113.7"), None);
        assert_eq!(ip_in_range("not-an-ip", "203.0.113.7"), None);
    }

    // A1 date operators: ISO 8601 or epoch seconds.
    #[test]
    fn dates() {
        assert_eq!(instant("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(instant("1970-01-02"), Some(86_400_000));
        assert_eq!(instant("86400"), Some(86_400_000));
        assert_eq!(instant("2019-08-12T17:00:00+08:00"), instant("2019-08-12T09:00:00Z"));
        assert_eq!(date_compare("DateLessThan", "2027-01-01T00:00:00Z", "2026-11-24T12:00:00Z"), Some(true));
        assert_eq!(date_compare("DateGreaterThan", "2027-01-01T00:00:00Z", "2026-11-24T12:00:00Z"), Some(false));
        assert_eq!(date_compare("DateLessThan", "soon", "2026-11-24T12:00:00Z"), None);
        assert_eq!(instant("2026-13-01"), None);
        assert_eq!(instant("99999999999999999-01-01"), None);
        assert_eq!(instant("2026-01-01T00:00+99999999999999:00"), None);
    }

    proptest::proptest! {
        // Hostile text never panics (clippy denies indexing; slicing is by
        // ASCII delimiters only).
        #[test]
        fn never_panics(a in "\\PC{0,24}", b in "[0-9TZ:+./ -]{0,40}") {
            let _ = ip_in_range(&a, &b);
            let _ = ip_in_range(&b, &a);
            let _ = date_compare("DateLessThan", &a, &b);
            let _ = date_compare("DateEquals", &b, &a);
        }
    }
}
