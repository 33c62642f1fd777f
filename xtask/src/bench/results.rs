//! What `cargo xtask bench` measured, read back from the files the bench binaries leave:
//! criterion's (`ROUND/GROUP/FLAVOUR/IMPL/new/`: `estimates.json` for the median, `sample.json`
//! for the fastest and slowest sample) and the `.tsv` files of the allocation and idle benches.
//!
//! The timed benches run in rounds, each a separate process (see `run_benches`): this machine's
//! run-to-run noise is mostly between processes (placement, memory layout), so a case's median
//! is the median over the rounds of criterion's median, and the report shows the ratio of every
//! round beside it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The most rounds a report keeps per case.
pub(super) const MAX_ROUNDS: usize = 9;

/// The file, in the results directory, that says how many rounds the last run made.
const ROUNDS_FILE: &str = "rounds";

/// One case: its median over the rounds, the fastest and slowest sample of any round (ns per
/// iteration), and the median of each round (NaN where that round did not measure the case).
#[derive(Debug, Clone, Copy)]
pub(super) struct Stat {
    pub(super) median: f64,
    pub(super) min: f64,
    pub(super) max: f64,
    rounds: [f64; MAX_ROUNDS],
    len: usize,
}

impl Stat {
    /// Merges the same case of several rounds (`None` where a round did not measure it).
    fn merge(per_round: &[Option<(f64, f64, f64)>]) -> Option<Stat> {
        let mut rounds = [f64::NAN; MAX_ROUNDS];
        let mut medians = Vec::new();
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        for (slot, round) in rounds.iter_mut().zip(per_round) {
            if let Some((median, fastest, slowest)) = *round {
                *slot = median;
                medians.push(median);
                min = min.min(fastest);
                max = max.max(slowest);
            }
        }
        let median = median_of(&mut medians)?;
        Some(Stat { median, min, max, rounds, len: per_round.len().min(MAX_ROUNDS) })
    }

    /// `f(self, other)` round by round, as `a / b / c`; empty with a single round.
    /// `f` of this and `other`, round by round (the rounds that measured both).
    pub(super) fn round_values(&self, other: &Stat, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
        let len = self.len.min(other.len);
        (0..len).map(|i| f(self.rounds[i], other.rounds[i])).filter(|v| !v.is_nan()).collect()
    }

    pub(super) fn per_round(&self, other: &Stat, f: impl Fn(f64, f64) -> f64) -> String {
        let len = self.len.min(other.len);
        if len < 2 {
            return String::new();
        }
        let shown: Vec<String> = (0..len)
            .map(|i| {
                let value = f(self.rounds[i], other.rounds[i]);
                if value.is_nan() { "—".to_owned() } else { format!("{value:.2}") }
            })
            .collect();
        shown.join(" / ")
    }
}

/// The median of `values` (the mean of the middle two for an even count).
fn median_of(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 { values[mid] } else { (values[mid - 1] + values[mid]) / 2.0 })
}

/// Everything measured, keyed `GROUP/FLAVOUR/IMPL` (criterion) or as in the `.tsv` files.
#[derive(Debug, Default)]
pub(super) struct Results {
    cases: BTreeMap<String, Stat>,
    pub(super) values: BTreeMap<String, f64>,
    /// How many rounds the numbers come from.
    pub(super) rounds: usize,
}

impl Results {
    /// Reads the rounds of the last run (as many as it recorded) and the `.tsv` files.
    pub(super) fn read(criterion_home: &Path, results_dir: &Path) -> Self {
        let rounds = fs::read_to_string(results_dir.join(ROUNDS_FILE))
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(1_usize)
            .clamp(1, MAX_ROUNDS);
        let per_round: Vec<BTreeMap<String, (f64, f64, f64)>> =
            (1..=rounds).map(|round| read_round(&round_dir(criterion_home, round))).collect();
        let mut keys: Vec<&String> = per_round.iter().flat_map(BTreeMap::keys).collect();
        keys.sort();
        keys.dedup();
        let cases = keys
            .into_iter()
            .filter_map(|key| {
                let stats: Vec<_> = per_round.iter().map(|round| round.get(key).copied()).collect();
                Stat::merge(&stats).map(|stat| (key.clone(), stat))
            })
            .collect();
        let mut values = BTreeMap::new();
        for file in ["allocations.tsv", "idle.tsv"] {
            let Ok(text) = fs::read_to_string(results_dir.join(file)) else { continue };
            for line in text.lines() {
                if let Some((key, value)) = line.split_once('\t') {
                    if let Ok(value) = value.trim().parse() {
                        values.insert(key.to_owned(), value);
                    }
                }
            }
        }
        Results { cases, values, rounds }
    }

    /// Records how many rounds a run makes, for [`Results::read`].
    pub(super) fn record_rounds(results_dir: &Path, rounds: usize) -> std::io::Result<()> {
        fs::create_dir_all(results_dir)?;
        fs::write(results_dir.join(ROUNDS_FILE), rounds.to_string())
    }

    pub(super) fn case(&self, group: &str, flavour: &str, implementation: &str) -> Option<Stat> {
        self.cases.get(&format!("{group}/{flavour}/{implementation}")).copied()
    }
}

/// Where criterion keeps round `round` (1-based).
pub(super) fn round_dir(criterion_home: &Path, round: usize) -> PathBuf {
    criterion_home.join(format!("round-{round}"))
}

/// One round's cases: median, fastest and slowest sample.
fn read_round(dir: &Path) -> BTreeMap<String, (f64, f64, f64)> {
    let mut cases = BTreeMap::new();
    for group in dirs(dir) {
        for flavour in dirs(&group) {
            for implementation in dirs(&flavour) {
                let Some(stat) = read_stat(&implementation.join("new")) else { continue };
                let key = [&group, &flavour, &implementation]
                    .map(|p| {
                        p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
                    })
                    .join("/");
                cases.insert(key, stat);
            }
        }
    }
    cases
}

fn dirs(path: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(path)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_dir() && path.file_name().is_some_and(|n| n != "report"))
        .collect();
    dirs.sort();
    dirs
}

fn read_stat(dir: &Path) -> Option<(f64, f64, f64)> {
    let estimates = fs::read_to_string(dir.join("estimates.json")).ok()?;
    let median_at = estimates.find("\"median\":")?;
    let median = number_after(&estimates[median_at..], "\"point_estimate\":")?;
    let sample = fs::read_to_string(dir.join("sample.json")).ok()?;
    let iters = array_after(&sample, "\"iters\":")?;
    let times = array_after(&sample, "\"times\":")?;
    let per_iter: Vec<f64> =
        iters.iter().zip(&times).filter(|(i, _)| **i > 0.0).map(|(i, t)| t / i).collect();
    let min = per_iter.iter().copied().fold(f64::INFINITY, f64::min);
    let max = per_iter.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some((median, min, max))
}

/// The number right after `key` in `json`.
fn number_after(json: &str, key: &str) -> Option<f64> {
    let rest = &json[json.find(key)? + key.len()..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    rest[..end].trim().parse().ok()
}

/// The array of numbers right after `key` in `json`.
fn array_after(json: &str, key: &str) -> Option<Vec<f64>> {
    let rest = &json[json.find(key)? + key.len()..];
    let rest = &rest[rest.find('[')? + 1..];
    let body = &rest[..rest.find(']')?];
    body.split(',').filter(|s| !s.trim().is_empty()).map(|s| s.trim().parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_criterion_numbers() {
        let estimates = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1.5,"standard_error":0.1},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":42.5,"standard_error":0.1},"median_abs_dev":{"point_estimate":3.0}}"#;
        let at = estimates.find("\"median\":").unwrap();
        assert_eq!(number_after(&estimates[at..], "\"point_estimate\":"), Some(42.5));
        let sample = r#"{"sampling_mode":"Linear","iters":[1.0,2.0],"times":[10.0,30.0]}"#;
        assert_eq!(array_after(sample, "\"iters\":"), Some(vec![1.0, 2.0]));
        assert_eq!(array_after(sample, "\"times\":"), Some(vec![10.0, 30.0]));
    }

    #[test]
    fn merges_rounds_by_their_median() {
        let stat = Stat::merge(&[
            Some((10.0, 9.0, 12.0)),
            None,
            Some((30.0, 8.0, 40.0)),
            Some((20.0, 19.0, 21.0)),
        ])
        .unwrap();
        assert_eq!((stat.median, stat.min, stat.max), (20.0, 8.0, 40.0));
        let other = Stat::merge(&[
            Some((5.0, 5.0, 5.0)),
            Some((1.0, 1.0, 1.0)),
            Some((10.0, 1.0, 10.0)),
            Some((10.0, 1.0, 10.0)),
        ])
        .unwrap();
        assert_eq!(stat.per_round(&other, |a, b| a / b), "2.00 / — / 3.00 / 2.00");
        assert!(Stat::merge(&[None, None]).is_none());
        let single = Stat::merge(&[Some((1.0, 1.0, 1.0))]).unwrap();
        assert_eq!(single.per_round(&single, |a, b| a / b), "");
        assert_eq!(median_of(&mut [3.0, 1.0]), Some(2.0));
    }
}
