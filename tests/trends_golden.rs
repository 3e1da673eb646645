//! The comparison tests and the change-point search against statsmodels, scipy and an
//! independent PELT (tools/trends_golden.py, which wrote tools/golden/trends_fixture.json).

use pathlight::analysis::compare::{benjamini_hochberg, chi_square_homogeneity, two_proportions};
use pathlight::analysis::trends::changepoint::{self, Counts};
use serde_json::Value;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/golden/trends_fixture.json");

/// Agreement within 1e-9 relative, or 1e-12 absolute for values near 0.
fn assert_close(actual: f64, expected: &Value, label: &str) {
    let expected = expected.as_f64().unwrap_or_else(|| panic!("{label}: golden value missing"));
    let tolerance = 1e-12_f64.max(1e-9 * expected.abs());
    assert!((actual - expected).abs() <= tolerance, "{label}: {actual} against {expected}");
}

fn golden() -> Value {
    serde_json::from_str(&std::fs::read_to_string(GOLDEN).unwrap()).unwrap()
}

fn numbers(value: &Value) -> Vec<u64> {
    value.as_array().unwrap().iter().map(|number| number.as_u64().unwrap()).collect()
}

#[test]
fn tests_match_statsmodels_and_scipy() {
    let golden = golden();
    let mut p_values = Vec::new();
    for case in golden["proportions"].as_array().unwrap() {
        let counts = numbers(&case["counts"]);
        let test = two_proportions(counts[0], counts[1], counts[2], counts[3]).unwrap();
        let label = format!("{counts:?}");
        assert_close(test.z, &case["z"], &format!("{label} z"));
        assert_close(test.p_value, &case["p_value"], &format!("{label} p"));
        assert_close(test.lower, &case["lower"], &format!("{label} lower"));
        assert_close(test.upper, &case["upper"], &format!("{label} upper"));
        p_values.push(test.p_value);
    }
    for case in golden["homogeneity"].as_array().unwrap() {
        let (a, b) = (numbers(&case["a"]), numbers(&case["b"]));
        let test = chi_square_homogeneity(&a, &b).unwrap();
        let label = format!("{a:?} {b:?}");
        assert_close(test.chi_square, &case["chi_square"], &format!("{label} chi-square"));
        assert_eq!(test.degrees_of_freedom, case["degrees_of_freedom"].as_u64().unwrap(), "{label}");
        assert_close(test.p_value, &case["p_value"], &format!("{label} p"));
        p_values.push(test.p_value);
    }
    for (index, (q_value, expected)) in benjamini_hochberg(&p_values).iter().zip(golden["q_values"].as_array().unwrap()).enumerate() {
        assert_close(*q_value, expected, &format!("q-value {index}"));
    }
}

#[test]
fn change_points_match_pelt() {
    let golden = golden();
    let penalty = golden["penalty"].as_f64().unwrap();
    let min_length = golden["min_length"].as_u64().unwrap() as usize;
    let seed = golden["seed"].as_u64().unwrap();
    for case in golden["series"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let series: Vec<Counts> = case["series"].as_array().unwrap().iter().map(|week| Counts { successes: week[0].as_u64().unwrap(), trials: week[1].as_u64().unwrap() }).collect();
        let dispersion = changepoint::dispersion(&series);
        assert_close(dispersion, &case["dispersion"], &format!("{name} dispersion"));
        let changes = changepoint::segment(&series, penalty, dispersion, min_length);
        let expected: Vec<usize> = numbers(&case["changes"]).into_iter().map(|week| week as usize).collect();
        assert_eq!(changes, expected, "{name}");
        let mut bounds = vec![0];
        bounds.extend(&changes);
        bounds.push(series.len());
        for (at, expected) in case["likelihood_ratios"].as_array().unwrap().iter().enumerate() {
            let ratio = changepoint::split_ratio(&series, bounds[at], bounds[at + 1], bounds[at + 2], dispersion);
            assert_close(ratio, expected, &format!("{name} ratio {at}"));
        }
        let trials: Vec<u64> = series.iter().map(|week| week.trials).collect();
        let maxima = changepoint::null_maxima(&trials, min_length, seed);
        for quantile in case["quantiles"].as_array().unwrap() {
            let level = quantile["level"].as_f64().unwrap();
            assert_close(changepoint::upper_quantile(&maxima, level), &quantile["value"], &format!("{name} quantile {level}"));
        }
    }
}
