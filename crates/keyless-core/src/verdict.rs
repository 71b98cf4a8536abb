//! What a cloud answers for one token: allowed or not, in the cloud's own
//! words, and the trace of checks that led there.

use crate::span::{DocId, Span};
use serde::Serialize;
use std::fmt;

macro_rules! cloud_enum {
    ($($(#[$attr:meta])* $Variant:ident $key:ident $title:literal $Config:ident;)*) => {
        /// The relying parties Keyless models ([`crate::parties`]). Order
        /// is display order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Cloud {
            $($(#[$attr])* $Variant,)*
        }

        impl Cloud {
            pub const ALL: [Cloud; Cloud::COUNT] = [$($(#[$attr])* Cloud::$Variant,)*];
            /// How many relying parties this build has.
            pub const COUNT: usize = [$($(#[$attr])* stringify!($key),)*].len();

            /// The scenario key and the JSON key under `verdicts`.
            pub fn key(self) -> &'static str {
                match self {
                    $($(#[$attr])* Cloud::$Variant => stringify!($key),)*
                }
            }

            pub fn title(self) -> &'static str {
                match self {
                    $($(#[$attr])* Cloud::$Variant => $title,)*
                }
            }

            /// The document of this party's editor (and of its section
            /// of a scenario, when written as text).
            pub fn doc(self) -> DocId {
                match self {
                    $($(#[$attr])* Cloud::$Variant => DocId::$Variant,)*
                }
            }

            /// The party whose editor `doc` is.
            pub fn of_doc(doc: DocId) -> Option<Cloud> {
                match doc {
                    $($(#[$attr])* DocId::$Variant => Some(Cloud::$Variant),)*
                    _ => None,
                }
            }

            /// The party with this scenario key.
            pub fn from_key(key: &str) -> Option<Cloud> {
                Cloud::ALL.into_iter().find(|c| c.key() == key)
            }
        }
    };
}
crate::parties::for_each_party!(cloud_enum);

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// One check in a trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceStep {
    /// What was checked and what came out, in words.
    pub text: String,
    /// `Some(true)` passed, `Some(false)` failed, `None` informational.
    pub passed: Option<bool>,
    /// The policy text this check read, for highlighting.
    pub span: Option<Span>,
}

impl TraceStep {
    pub fn pass(text: impl Into<String>, span: Option<Span>) -> TraceStep {
        TraceStep { text: text.into(), passed: Some(true), span }
    }
    pub fn fail(text: impl Into<String>, span: Option<Span>) -> TraceStep {
        TraceStep { text: text.into(), passed: Some(false), span }
    }
    pub fn info(text: impl Into<String>, span: Option<Span>) -> TraceStep {
        TraceStep { text: text.into(), passed: None, span }
    }
}

/// A cloud's answer to one token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub cloud: Cloud,
    pub allowed: bool,
    /// The `aud` the token carried for this cloud.
    pub audience: String,
    /// The cloud's own error code (`AccessDenied`, `AADSTS700213`, ...), or
    /// `"allowed"` when the token is admitted.
    pub code: String,
    /// The cloud's own message, as its API or login action prints it.
    pub message: String,
    /// The statement / condition / credential / expression that decided.
    pub decided_by: String,
    /// Where `decided_by` is written, when it is written somewhere.
    pub decided_span: Option<Span>,
    pub trace: Vec<TraceStep>,
}

impl Verdict {
    /// No verdict can be given without guessing: Keyless says so instead
    /// (code `undetermined`, never a cloud's code).
    pub fn undetermined(cloud: Cloud, why: String) -> Verdict {
        Verdict {
            cloud,
            allowed: false,
            audience: String::new(),
            code: "undetermined".into(),
            message: why.clone(),
            decided_by: "a value Keyless cannot know".into(),
            decided_span: None,
            trace: vec![TraceStep::info(why, None)],
        }
    }

    /// Neither allowed nor denied: the answer depends on a value Keyless
    /// cannot know (see [`Verdict::undetermined`]).
    pub fn is_undetermined(&self) -> bool {
        self.code == "undetermined"
    }

    /// The verdict for a job that got no token at all.
    pub fn no_token(cloud: Cloud, reason: &str) -> Verdict {
        Verdict {
            cloud,
            allowed: false,
            audience: String::new(),
            code: "no_token".into(),
            message: reason.to_string(),
            decided_by: "the job has no OIDC token".into(),
            decided_span: None,
            trace: vec![TraceStep::fail(reason.to_string(), None)],
        }
    }
}

impl Serialize for Verdict {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Verdict", 8)?;
        st.serialize_field("allowed", &self.allowed)?;
        st.serialize_field("audience", &self.audience)?;
        st.serialize_field("code", &self.code)?;
        st.serialize_field("message", &self.message)?;
        st.serialize_field("decided_by", &self.decided_by)?;
        st.serialize_field("decided_span", &self.decided_span)?;
        let lines: Vec<String> = self.trace.iter().map(render_step).collect();
        st.serialize_field("trace", &lines)?;
        st.serialize_field("steps", &self.trace)?;
        st.end()
    }
}

/// `✓ text` / `✗ text` / `· text`: the trace as people read it.
pub fn render_step(step: &TraceStep) -> String {
    let mark = match step.passed {
        Some(true) => "✓",
        Some(false) => "✗",
        None => "·",
    };
    format!("{mark} {}", step.text)
}
