//! "Did you mean ...?": the closest known name to a misspelt one.

/// The candidate closest to `word` by edit distance, if it is close enough
/// to be a plausible typo (at most a third of the word's length, and at
/// least one edit).  Ties go to the earlier candidate.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if word.is_empty() {
        return None;
    }
    let length = word.chars().count();
    let limit = (length / 3).max(1);
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        // The distance is at least the difference in length: most
        // candidates are passed over without computing it.
        if candidate == word || candidate.chars().count().abs_diff(length) > limit {
            continue;
        }
        // Case slips (`round_robin`) count as one edit.
        let distance = if candidate.eq_ignore_ascii_case(word) {
            1
        } else {
            levenshtein(&lower, &candidate.to_ascii_lowercase())
        };
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
            // One edit is the least there is; ties go to the earlier.
            if distance == 1 {
                break;
            }
        }
    }
    best.map(|(_, c)| c)
}

/// Edit distance (insertions, deletions, substitutions) between two strings,
/// in O(len(a) * len(b)) time and O(len(b)) space.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(0);
            let left = row.get(j).copied().unwrap_or(0);
            let cost = if ca == *cb { diagonal } else { diagonal + 1 };
            let value = cost.min(above + 1).min(left + 1);
            diagonal = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = value;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_and_ignores_strangers() {
        let enums = ["ROUND_ROBIN", "LEAST_REQUEST", "RANDOM"];
        assert_eq!(closest("ROUND_ROBIM", enums), Some("ROUND_ROBIN"));
        assert_eq!(closest("round_robin", enums), Some("ROUND_ROBIN"));
        assert_eq!(closest("maglev", enums), None);
        assert_eq!(closest("v4", ["v1", "v2", "v3"]), Some("v1"));
        assert_eq!(levenshtein("kitten", "sitting"), 3);
    }
}
