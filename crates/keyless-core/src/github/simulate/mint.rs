//! Minting: the token a job gets (claims, `sub`, `aud` per login step), or
//! why it gets none.

use super::*;

impl Sim<'_> {
    /// Mints (or refuses) the token of one job run.
    pub(super) fn mint(
        &self,
        mut job: JobClaimFacts,
        grant: &Grant,
        logins: &[FoundLogin],
        mut notes: Vec<String>,
    ) -> Token {
        let s = self.s;
        if grant.id_token == IdToken::None {
            notes.insert(0, format!("No token: {}.", grant.why));
            return not_issued(login::missing_token_error(logins.first().map(|l| l.cloud)), notes);
        }
        let immutable = match &self.immutable {
            Ok(b) => *b,
            Err(msg) => {
                let reason = format!("Keyless cannot build the subject: {msg}.");
                return not_issued(reason.clone(), vec![reason]);
            }
        };
        let mut explanation = vec![format!("A token is issued: {}.", grant.why)];
        // `aud`: the first login step's audience, else GitHub's default (D-REF).
        job.aud = match logins.first() {
            Some(l) => match &l.audience {
                Some(a) => {
                    if l.audience_explicit {
                        explanation.push(format!("`aud` is `{a}`, set in the `with: audience` of `{}`.", l.action));
                    } else {
                        explanation
                            .push(format!("`aud` is `{a}`, the default audience of `{}` (research §4.2).", l.action));
                    }
                    a.clone()
                }
                None => {
                    explanation.push(format!(
                        "`aud` depends on an unknown value in `{}`; the token shows GitHub's default.",
                        l.action
                    ));
                    token::default_audience(s)
                }
            },
            None => {
                let a = token::default_audience(s);
                explanation.push(format!("No login step asks for an audience: `aud` is GitHub's default `{a}`."));
                if s.issuer.ghes_host.is_none() && s.issuer.ghe_subdomain.is_some() {
                    explanation.push(
                        "On GHE.com the default audience's host is not documented; Keyless assumes `https://SUBDOMAIN.ghe.com/OWNER` [INF] (research §7).".into(),
                    );
                }
                a
            }
        };
        let mut claims = token::base_claims(s, self.run, &job);
        let r: &RunRef = &self.run.run_ref;
        let (context, why) = subject::default_context(s, job.environment.as_deref(), &r.git_ref);
        explanation.push(why);
        let Some(repo) = subject::repo_segment(s, immutable) else {
            return not_issued("Keyless cannot build the immutable subject without ids.".into(), explanation);
        };
        if immutable {
            explanation.push(format!(
                "Immutable subjects are on: the repository segment is `{repo}` (owner and repository ids, CL-IMM)."
            ));
        }
        let keys: Vec<String> = s.subject.include_claim_keys.iter().map(|k| k.value.clone()).collect();
        let sub = if s.subject.use_default || keys.is_empty() {
            if s.subject.use_default && !keys.is_empty() {
                explanation.push("`use_default: true` ignores `include_claim_keys` (REST docs).".into());
            }
            format!("{repo}:{context}")
        } else {
            match subject::custom_subject(&keys, &repo, &context, &claims) {
                Ok((sub, extra)) => {
                    explanation.push(format!(
                        "The subject is customized with include_claim_keys [{}]: `key:value` pairs in that order, `:` in values escaped as `%3A` (D-REF).",
                        keys.join(", ")
                    ));
                    explanation.extend(extra);
                    sub
                }
                Err(reason) => {
                    explanation.push(reason.clone());
                    return not_issued(reason, explanation);
                }
            }
        };
        // `%3A` escaping exists on github.com/GHE.com and GHES > 3.18 only
        // (D-REF; research §1.5/§3.3); the GHES version is not modelled.
        if s.issuer.ghes_host.is_some() && sub.contains("%3A") {
            explanation.push(
                "`:` is escaped as `%3A` in `sub` as on GHES > 3.18; GHES 3.18 and older write `:` unescaped (D-REF) — Keyless does not model the GHES version.".into(),
            );
        }
        claims.set("sub", sub);
        explanation.extend(r.notes.iter().cloned());
        explanation.extend(notes);
        if !self.run.placeholders.is_empty() {
            explanation.push(format!(
                "Not given by the scenario, so deterministic placeholders: {} (and jti, check_run_id, environment_node_id).",
                self.run.placeholders.join(", ")
            ));
        }
        Token { issued: true, reason: None, claims, explanation, rule_span: None }
    }
}

pub(super) fn not_issued(reason: String, explanation: Vec<String>) -> Token {
    Token { issued: false, reason: Some(reason), claims: Claims::new(), explanation, rule_span: None }
}

pub(super) fn login_step(l: &FoundLogin) -> LoginStep {
    LoginStep {
        cloud: l.cloud,
        action: l.action.clone(),
        // An unknown audience is shown as such, never guessed.
        audience: l
            .audience
            .clone()
            .unwrap_or_else(|| "<unknown: depends on a value the scenario does not give>".into()),
        audience_known: l.audience.is_some(),
        audience_explicit: l.audience_explicit,
        span: Some(l.span),
    }
}
