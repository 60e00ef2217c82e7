//! Running the regexes of routes: RE2's syntax, matched against the whole
//! string, as Envoy's `safe_regex` does (`Regex::CompiledGoogleReMatcher::match`
//! is `re2::RE2::FullMatch`).
//!
//! The `regex` crate reads RE2's syntax and runs in linear time like RE2.
//! One difference matters for routing: Rust's Perl classes `\d`, `\w`, `\s`
//! and `\b` are Unicode-aware, RE2's are ASCII only, so a path segment of
//! Arabic-Indic digits would match `\d+` here and not in Envoy.  They are
//! rewritten to RE2's ASCII sets before compiling.  The checker
//! (`check::re2`) has already refused what RE2 refuses (backreferences,
//! lookaround), so what reaches here compiles in both.

use regex::Regex;

/// `pattern` compiled to match a whole string, or `None` if it does not compile.
pub fn full_match(pattern: &str) -> Option<Regex> {
    Regex::new(&format!("^(?:{})$", ascii_classes(pattern))).ok()
}

/// `pattern` compiled to find matches anywhere (for `uriRegexRewrite`,
/// which replaces every match: Envoy's `regex_rewrite` is
/// `re2::RE2::GlobalReplace`).
pub fn anywhere(pattern: &str) -> Option<Regex> {
    Regex::new(&ascii_classes(pattern)).ok()
}

/// Rewrites `\d \w \s \D \W \S \b \B` to RE2's ASCII meaning (`re2/syntax`:
/// `\d` is `[0-9]`, `\s` is `[\t\n\f\r ]`, `\w` is `[0-9A-Za-z_]`).
fn ascii_classes(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(next) = chars.next() else {
                    out.push('\\');
                    break;
                };
                let set = match next {
                    'd' => Some(("0-9", false)),
                    'D' => Some(("0-9", true)),
                    'w' => Some(("0-9A-Za-z_", false)),
                    'W' => Some(("0-9A-Za-z_", true)),
                    's' => Some(("\\t\\n\\x0C\\r ", false)),
                    'S' => Some(("\\t\\n\\x0C\\r ", true)),
                    _ => None,
                };
                match (set, in_class) {
                    (Some((items, false)), true) => out.push_str(items),
                    (Some((items, negated)), false) => {
                        out.push_str(if negated { "[^" } else { "[" });
                        out.push_str(items);
                        out.push(']');
                    }
                    // A negated class inside brackets has no plain spelling;
                    // it stays Unicode-aware.
                    (Some(_), true) => {
                        out.push('\\');
                        out.push(next);
                    }
                    (None, false) if next == 'b' || next == 'B' => {
                        out.push_str("(?-u:\\");
                        out.push(next);
                        out.push(')');
                    }
                    (None, _) => {
                        out.push('\\');
                        out.push(next);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // `[]` and `[^]` at the start are a literal `]`.
                let mut peek = chars.clone();
                let mut taken = String::new();
                if peek.next() == Some('^') {
                    taken.push('^');
                    chars.next();
                    peek = chars.clone();
                }
                if peek.next() == Some(']') {
                    taken.push(']');
                    chars.next();
                }
                out.push_str(&taken);
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Envoy's `safe_regex` is an RE2 full match: `/users/[0-9]+` does not
    /// match `/users/42/edit` (config_impl.cc `RegexRouteEntryImpl::matches`).
    #[test]
    fn regexes_match_the_whole_string() {
        let r = full_match("/users/[0-9]+").unwrap();
        assert!(r.is_match("/users/42"));
        assert!(!r.is_match("/users/42/edit"));
        assert!(!r.is_match("/v1/users/42"));
        // Alternation is inside the anchors.
        assert!(!full_match("a|b").unwrap().is_match("ab"));
    }

    /// RE2's Perl classes are ASCII (re2/syntax: `\d` is `[0-9]`).
    #[test]
    fn perl_classes_are_ascii_as_in_re2() {
        assert!(!full_match(r"\d+").unwrap().is_match("٤٢"));
        assert!(full_match(r"\d+").unwrap().is_match("42"));
        assert!(full_match(r"\D").unwrap().is_match("é"));
        assert!(full_match(r"[\d-]+").unwrap().is_match("4-2"));
        assert!(!full_match(r"\w+").unwrap().is_match("é"));
        assert!(full_match(r"a\sb").unwrap().is_match("a b"));
        assert!(full_match(r"[]a]+").unwrap().is_match("]a"));
        assert!(full_match(r"\bx\b").unwrap().is_match("x"));
    }
}
