//! What `cargo xtask bench` measured, read back from the files the bench binaries leave:
//! criterion's (`ROUND/GROUP/FLAVOUR/IMPL/new/`: `estimates.json` for the median, `sample.json`
//! for the fastest and slowest sample) and the `.tsv` files of the allocation and idle benches.
//!
//! The timed benches run in rounds, each a separate process (see xtask's `run_benches`): this
//! machine's run-to-run noise is mostly between processes (placement, memory layout), so a
//! case's median is the median over the rounds of criterion's median, and the report shows the
//! ratio of every round beside it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::Error;

/// The file, in the results directory, that says how many rounds the last run made (xtask
/// writes it).
const ROUNDS_FILE: &str = "rounds";

/// The part of criterion's `estimates.json` read here.
#[derive(Debug, Deserialize)]
struct Estimates {
    median: Estimate,
}

#[derive(Debug, Deserialize)]
struct Estimate {
    /// Nanoseconds per iteration.
    point_estimate: f64,
}

/// The part of criterion's `sample.json` read here: each sample's iterations and total time.
#[derive(Debug, Deserialize)]
struct Sample {
    iters: Vec<f64>,
    times: Vec<f64>,
}

/// One round of one case: its median, and its fastest and slowest sample (ns per iteration).
#[derive(Debug, Clone, Copy, PartialEq)]
struct RoundStat {
    median: f64,
    min: f64,
    max: f64,
}

impl RoundStat {
    /// Parses the contents of `estimates.json` and `sample.json`.
    fn parse(estimates: &str, sample: &str) -> serde_json::Result<Self> {
        let median = serde_json::from_str::<Estimates>(estimates)?.median.point_estimate;
        let sample: Sample = serde_json::from_str(sample)?;
        let per_iter = sample.iters.iter().zip(&sample.times).filter(|(i, _)| **i > 0.0);
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        for (iters, time) in per_iter {
            min = min.min(time / iters);
            max = max.max(time / iters);
        }
        Ok(Self { median, min, max })
    }
}

/// One case: its median over the rounds, the fastest and slowest sample of any round (ns per
/// iteration), and the median of each round (NaN where that round did not measure the case).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stat {
    pub(crate) median: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
    rounds: Vec<f64>,
}

impl Stat {
    /// Merges the same case of several rounds (`None` where a round did not measure it).
    fn merge(per_round: &[Option<RoundStat>]) -> Option<Stat> {
        let mut medians = Vec::new();
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        let rounds = per_round
            .iter()
            .map(|round| match round {
                Some(round) => {
                    medians.push(round.median);
                    min = min.min(round.min);
                    max = max.max(round.max);
                    round.median
                }
                None => f64::NAN,
            })
            .collect();
        let median = median_of(&mut medians)?;
        Some(Stat { median, min, max, rounds })
    }

    /// `f` of this and `other`, round by round (the rounds that measured both).
    pub(crate) fn round_values(&self, other: &Stat, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
        self.rounds
            .iter()
            .zip(&other.rounds)
            .map(|(a, b)| f(*a, *b))
            .filter(|v| !v.is_nan())
            .collect()
    }

    /// `f(self, other)` round by round, as `a / b / c` (`—` where a round lacks one); empty
    /// with a single round.
    pub(crate) fn per_round(&self, other: &Stat, f: impl Fn(f64, f64) -> f64) -> String {
        if self.rounds.len().min(other.rounds.len()) < 2 {
            return String::new();
        }
        let shown: Vec<String> = self
            .rounds
            .iter()
            .zip(&other.rounds)
            .map(|(a, b)| {
                let value = f(*a, *b);
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
pub(crate) struct Results {
    cases: BTreeMap<String, Stat>,
    pub(crate) values: BTreeMap<String, f64>,
    /// How many rounds the numbers come from.
    pub(crate) rounds: usize,
}

impl Results {
    /// Reads the rounds of the last run (as many as it recorded) from `criterion_home` and the
    /// `.tsv` files from `results_dir`. A case without results is left out; one whose results
    /// do not parse is an error.
    pub(crate) fn read(criterion_home: &Path, results_dir: &Path) -> Result<Self, Error> {
        let rounds = fs::read_to_string(results_dir.join(ROUNDS_FILE))
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(1_usize)
            .max(1);
        let per_round = (1..=rounds)
            .map(|round| read_round(&criterion_home.join(format!("round-{round}"))))
            .collect::<Result<Vec<_>, _>>()?;
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
        for file in ["allocations.tsv", "idle.tsv", "paused.tsv"] {
            let Ok(text) = fs::read_to_string(results_dir.join(file)) else { continue };
            values.extend(parse_tsv(&text));
        }
        Ok(Results { cases, values, rounds })
    }

    pub(crate) fn case(&self, group: &str, flavour: &str, implementation: &str) -> Option<&Stat> {
        self.cases.get(&format!("{group}/{flavour}/{implementation}"))
    }
}

/// The `KEY\tVALUE` lines of a `.tsv` file whose value is a number.
fn parse_tsv(text: &str) -> impl Iterator<Item = (String, f64)> + '_ {
    text.lines().filter_map(|line| {
        let (key, value) = line.split_once('\t')?;
        Some((key.to_owned(), value.trim().parse().ok()?))
    })
}

/// One round's cases, keyed `GROUP/FLAVOUR/IMPL`.
fn read_round(dir: &Path) -> Result<BTreeMap<String, RoundStat>, Error> {
    let mut cases = BTreeMap::new();
    for group in dirs(dir) {
        for flavour in dirs(&group) {
            for implementation in dirs(&flavour) {
                let Some(stat) = read_stat(&implementation.join("new"))? else { continue };
                let key = [&group, &flavour, &implementation]
                    .map(|p| {
                        p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
                    })
                    .join("/");
                cases.insert(key, stat);
            }
        }
    }
    Ok(cases)
}

/// The subdirectories of `path` but criterion's `report`, sorted.
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

/// The case criterion measured into `dir`, if it did.
fn read_stat(dir: &Path) -> Result<Option<RoundStat>, Error> {
    let (estimates, sample) = (dir.join("estimates.json"), dir.join("sample.json"));
    let (Ok(estimates_text), Ok(sample_text)) =
        (fs::read_to_string(&estimates), fs::read_to_string(&sample))
    else {
        return Ok(None);
    };
    RoundStat::parse(&estimates_text, &sample_text).map(Some).map_err(|e| {
        format!("{} or {}: not criterion's format: {e}", estimates.display(), sample.display())
            .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ESTIMATES: &str = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1.5,"standard_error":0.1},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":42.5,"standard_error":0.1},"median_abs_dev":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":3.0,"standard_error":0.1},"slope":null,"std_dev":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":4.0,"standard_error":0.1}}"#;

    /// criterion's files → the median and the fastest and slowest sample per iteration.
    #[test]
    fn reads_criterion_numbers() {
        let cases: &[(&str, &str, Option<RoundStat>)] = &[
            (
                ESTIMATES,
                r#"{"sampling_mode":"Linear","iters":[1.0,2.0],"times":[10.0,30.0]}"#,
                Some(RoundStat { median: 42.5, min: 10.0, max: 15.0 }),
            ),
            // A sample of no iterations is left out of min and max.
            (
                r#"{"median":{"point_estimate":7}}"#,
                r#"{"iters":[0.0,4.0,2.0],"times":[5.0,8.0,8.0]}"#,
                Some(RoundStat { median: 7.0, min: 2.0, max: 4.0 }),
            ),
            (r#"{"mean":{"point_estimate":1.0}}"#, r#"{"iters":[],"times":[]}"#, None),
            (ESTIMATES, r#"{"iters":[1.0]"#, None),
            (r#"{"median":{"point_estimate":"fast"}}"#, r#"{"iters":[],"times":[]}"#, None),
        ];
        for (estimates, sample, expected) in cases {
            assert_eq!(RoundStat::parse(estimates, sample).ok(), *expected, "{estimates} {sample}");
        }
    }

    #[test]
    fn reads_tsv_values() {
        let values: Vec<_> = parse_tsv("a/b\t1.5\nbad line\nc\tNaNa\nd\t 2 \n").collect();
        assert_eq!(values, [("a/b".to_owned(), 1.5), ("d".to_owned(), 2.0)]);
    }

    /// A directory laid out as criterion leaves it, with a case whose files are broken.
    #[test]
    fn reads_rounds_from_disk() {
        let dir = std::env::temp_dir().join(format!("bench-report-results-{}", std::process::id()));
        let case = |round: usize, key: &str| dir.join(format!("criterion/round-{round}/{key}/new"));
        let write = |round: usize, key: &str, median: f64| {
            let at = case(round, key);
            fs::create_dir_all(&at).unwrap();
            let estimates = format!(r#"{{"median":{{"point_estimate":{median}}}}}"#);
            fs::write(at.join("estimates.json"), estimates).unwrap();
            fs::write(at.join("sample.json"), r#"{"iters":[1.0],"times":[5.0]}"#).unwrap();
        };
        write(1, "g/f/native", 10.0);
        write(2, "g/f/native", 20.0);
        write(2, "g/f/loopbridge", 30.0);
        fs::create_dir_all(dir.join("criterion/round-1/report")).unwrap();
        fs::create_dir_all(dir.join("results")).unwrap();
        fs::write(dir.join("results/rounds"), "2\n").unwrap();
        fs::write(dir.join("results/idle.tsv"), "idle_cpu_us/smol\t120\n").unwrap();
        let results = Results::read(&dir.join("criterion"), &dir.join("results")).unwrap();
        assert_eq!(results.rounds, 2);
        assert_eq!(results.case("g", "f", "native").map(|s| s.median), Some(15.0));
        assert_eq!(results.case("g", "f", "loopbridge").map(|s| s.median), Some(30.0));
        assert_eq!(results.values.get("idle_cpu_us/smol"), Some(&120.0));

        fs::write(case(2, "g/f/loopbridge").join("sample.json"), "{").unwrap();
        let err = Results::read(&dir.join("criterion"), &dir.join("results")).unwrap_err();
        assert!(err.to_string().contains("not criterion's format"), "{err}");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn merges_rounds_by_their_median() {
        let round = |median, min, max| Some(RoundStat { median, min, max });
        let stat = Stat::merge(&[
            round(10.0, 9.0, 12.0),
            None,
            round(30.0, 8.0, 40.0),
            round(20.0, 19.0, 21.0),
        ])
        .unwrap();
        assert_eq!((stat.median, stat.min, stat.max), (20.0, 8.0, 40.0));
        let other = Stat::merge(&[
            round(5.0, 5.0, 5.0),
            round(1.0, 1.0, 1.0),
            round(10.0, 1.0, 10.0),
            round(10.0, 1.0, 10.0),
        ])
        .unwrap();
        assert_eq!(stat.per_round(&other, |a, b| a / b), "2.00 / — / 3.00 / 2.00");
        assert!(Stat::merge(&[None, None]).is_none());
        let single = Stat::merge(&[round(1.0, 1.0, 1.0)]).unwrap();
        assert_eq!(single.per_round(&single, |a, b| a / b), "");
        assert_eq!(median_of(&mut [3.0, 1.0]), Some(2.0));
    }
}
