//! Ruby's `File.fnmatch(pattern, name, File::FNM_PATHNAME)`: the matcher
//! GitHub names for deployment branch and tag rules ("Wildcard characters
//! will not match `/` … see the Ruby `File.fnmatch` documentation", D-ENV)
//! and for branch protection rules ("GitHub uses the `File::FNM_PATHNAME`
//! flag for the `File.fnmatch` syntax", D-BPR).
//!
//! Why not `glob::Glob`: that is the IAM/Azure wildcard (`*` crosses `/`, no
//! brackets, no `**/`). These rules differ, and a branch name differs from a
//! policy value exactly there (`release/*` must not admit `release/a/b`).
//!
//! Semantics, from the Ruby documentation's examples (D-FNM) and with the
//! flags GitHub states (FNM_PATHNAME only; FNM_DOTMATCH, FNM_CASEFOLD and
//! FNM_EXTGLOB are not named, so off):
//! - the name matches as a whole, case-sensitively;
//! - `*` matches any run of characters within one `/`-separated segment,
//!   `?` one character that is not `/`, `[set]` one character of the set
//!   (ranges `a-z`, negation `[!…]`/`[^…]`, `\` escapes), never `/`;
//! - `**/` at the start of a segment matches zero or more whole segments
//!   (`qa/**/*` admits `qa/foo/bar/foobar/hello-world`, D-BPR); elsewhere
//!   `**` is `*`;
//! - `\x` is the character `x`; `{a,b}` is literal text (no FNM_EXTGLOB);
//! - a segment of the name starting with `.` is matched only by a pattern
//!   segment starting with a literal `.` (no FNM_DOTMATCH; git refuses such
//!   ref names anyway);
//! - an unclosed `[` matches nothing.

/// Steps a single match may take: branch names are short, but a hostile
/// scenario could pair a megabyte pattern with a megabyte name.
const STEP_BUDGET: usize = 2_000_000;

/// The match was too expensive to decide (hostile input).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooExpensive;

/// Whether `name` matches `pattern` as `File.fnmatch(pattern, name,
/// File::FNM_PATHNAME)` does (see the module docs).
pub fn fnmatch(pattern: &str, name: &str) -> Result<bool, TooExpensive> {
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = name.chars().collect();
    let mut m = Matcher { p: &p, s: &s, steps: 0 };
    m.whole()
}

struct Matcher<'a> {
    p: &'a [char],
    s: &'a [char],
    steps: usize,
}

impl Matcher<'_> {
    fn tick(&mut self) -> Result<(), TooExpensive> {
        self.steps += 1;
        if self.steps > STEP_BUDGET { Err(TooExpensive) } else { Ok(()) }
    }

    fn pc(&self, i: usize) -> Option<char> {
        self.p.get(i).copied()
    }

    fn sc(&self, i: usize) -> Option<char> {
        self.s.get(i).copied()
    }

    /// The end of a pattern segment: end of text or `/`.
    fn p_end(&self, i: usize) -> bool {
        matches!(self.pc(i), None | Some('/'))
    }

    fn s_end(&self, i: usize) -> bool {
        matches!(self.sc(i), None | Some('/'))
    }

    /// Skips an escaping backslash.
    fn unescape(&self, i: usize) -> usize {
        if self.pc(i) == Some('\\') { i + 1 } else { i }
    }

    fn starts_double_star_slash(&self, i: usize) -> bool {
        self.pc(i) == Some('*') && self.pc(i + 1) == Some('*') && self.pc(i + 2) == Some('/')
    }

    /// Segment by segment; on failure, a preceding `**/` takes one more
    /// whole segment of the name (never one starting with `.`).
    fn whole(&mut self) -> Result<bool, TooExpensive> {
        let (mut pi, mut si) = (0, 0);
        let mut retry: Option<(usize, usize)> = None;
        loop {
            self.tick()?;
            if self.starts_double_star_slash(pi) {
                while self.starts_double_star_slash(pi) {
                    pi += 3;
                }
                retry = Some((pi, si));
            }
            if let Some((pe, mut se)) = self.segment(pi, si)? {
                while !self.s_end(se) {
                    se += 1;
                }
                let (p_more, s_more) = (pe < self.p.len(), se < self.s.len());
                if p_more && s_more {
                    pi = pe + 1;
                    si = se + 1;
                    continue;
                }
                if !p_more && !s_more {
                    return Ok(true);
                }
            }
            match retry {
                Some((rp, rs)) if self.sc(rs) != Some('.') => {
                    let mut next = rs;
                    while !self.s_end(next) {
                        next += 1;
                    }
                    if next >= self.s.len() {
                        return Ok(false);
                    }
                    retry = Some((rp, next + 1));
                    pi = rp;
                    si = next + 1;
                }
                _ => return Ok(false),
            }
        }
    }

    /// Matches one pattern segment against one name segment. On success,
    /// the pattern position at its segment's end and the name position
    /// reached (the caller skips the rest of that segment: a trailing `*`
    /// stops early).
    fn segment(&mut self, mut pi: usize, mut si: usize) -> Result<Option<(usize, usize)>, TooExpensive> {
        if self.sc(si) == Some('.') && self.pc(self.unescape(pi)) != Some('.') {
            return Ok(None);
        }
        // The last `*` seen: where its continuation starts in the pattern,
        // and where the name was when it started matching.
        let mut star: Option<(usize, usize)> = None;
        loop {
            self.tick()?;
            // Each arm continues on a match; falling through is a mismatch.
            match self.pc(pi) {
                Some('*') => {
                    while self.pc(pi) == Some('*') {
                        pi += 1;
                    }
                    let u = self.unescape(pi);
                    if self.p_end(u) {
                        return Ok(Some((u, si)));
                    }
                    if self.s_end(si) {
                        return Ok(None);
                    }
                    star = Some((pi, si));
                    continue;
                }
                Some('?') => {
                    if self.s_end(si) {
                        return Ok(None);
                    }
                    pi += 1;
                    si += 1;
                    continue;
                }
                Some('[') => {
                    if self.s_end(si) {
                        return Ok(None);
                    }
                    if let Some(next) = self.sc(si).and_then(|c| self.bracket(pi + 1, c)) {
                        pi = next;
                        si += 1;
                        continue;
                    }
                }
                _ => {
                    let u = self.unescape(pi);
                    if self.s_end(si) {
                        return Ok(self.p_end(u).then_some((u, si)));
                    }
                    if !self.p_end(u) && self.pc(u) == self.sc(si) {
                        pi = u + 1;
                        si += 1;
                        continue;
                    }
                }
            }
            // Let the last `*` take one more character and try again.
            match star {
                Some((sp, ss)) => {
                    star = Some((sp, ss + 1));
                    pi = sp;
                    si = ss + 1;
                }
                None => return Ok(None),
            }
        }
    }

    /// A bracket expression starting at `i` (after `[`) against `c`: the
    /// position after its `]`, or `None` when it does not match `c` or is
    /// not closed.
    fn bracket(&self, mut i: usize, c: char) -> Option<usize> {
        let negated = matches!(self.pc(i)?, '!' | '^');
        if negated {
            i += 1;
        }
        let mut found = false;
        while self.pc(i) != Some(']') {
            let first = self.unescape(i);
            let lo = self.pc(first)?;
            i = first + 1;
            self.pc(i)?;
            if self.pc(i) == Some('-') && self.pc(i + 1) != Some(']') {
                let second = self.unescape(i + 1);
                let hi = self.pc(second)?;
                i = second + 1;
                // The ends match even in a reversed range (`[z-a]` admits `z`).
                found |= c == lo || c == hi || (lo <= c && c <= hi);
            } else {
                found |= lo == c;
            }
        }
        (found != negated).then_some(i + 1)
    }
}

#[cfg(test)]
mod tests;
