//! L2-regularised logistic regression on standardised features, fitted by Newton's method.
//!
//! The fit minimises `C · Σ log loss + ½ ‖w‖²` over the weights `w` and an unpenalised intercept,
//! the objective scikit-learn's `LogisticRegression(penalty="l2", C=C)` uses. Each feature is first
//! centred on its training mean and divided by its training standard deviation (n in the
//! denominator, as scikit-learn's `StandardScaler`), or by 1 when that deviation is 0.

/// Newton steps stop when every gradient entry is below this, relative to `C` times the rows.
const GRADIENT_TOLERANCE: f64 = 1e-12;

/// The most Newton steps; the objective is strictly convex, so a handful usually suffice.
const MAX_ITERATIONS: usize = 100;

/// Feature centres and scales learnt from the training rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Standardiser {
    pub means: Vec<f64>,
    pub scales: Vec<f64>,
}

impl Standardiser {
    /// Learns the mean and population standard deviation of each column of `rows`.
    pub fn fit(rows: &[Vec<f64>], columns: usize) -> Standardiser {
        Standardiser::fit_columns(|| rows.iter().map(Vec::as_slice), rows.len(), columns)
    }

    /// Learns the mean and population standard deviation of each column of the `count` rows that
    /// `rows` gives each time it is called.
    fn fit_columns<'r, I: Iterator<Item = &'r [f64]>>(rows: impl Fn() -> I, count: usize, columns: usize) -> Standardiser {
        let n = count.max(1) as f64;
        let means: Vec<f64> = (0..columns).map(|c| rows().map(|row| row[c]).sum::<f64>() / n).collect();
        let scales = (0..columns)
            .map(|c| {
                let variance = rows().map(|row| (row[c] - means[c]).powi(2)).sum::<f64>() / n;
                if variance > 0.0 { variance.sqrt() } else { 1.0 }
            })
            .collect();
        Standardiser { means, scales }
    }

    /// Returns `row` centred and scaled.
    pub fn apply(&self, row: &[f64]) -> Vec<f64> {
        row.iter().zip(self.means.iter().zip(&self.scales)).map(|(value, (centre, scale))| (value - centre) / scale).collect()
    }
}

/// A fitted model: weights on the standardised features and the intercept.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticModel {
    pub standardiser: Standardiser,
    pub weights: Vec<f64>,
    pub intercept: f64,
    /// Newton steps taken.
    pub iterations: usize,
    /// False when the gradient was still above the tolerance after the last step, unless no step
    /// could lower the objective by more than its rounding error.
    pub converged: bool,
}

impl LogisticModel {
    /// Returns the predicted probability for one raw (unstandardised) feature row.
    pub fn predict(&self, row: &[f64]) -> f64 {
        let standardised = self.standardiser.apply(row);
        sigmoid(self.intercept + dot(&self.weights, &standardised))
    }
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Raw feature rows in the layout of the fit's design: one row-major block, each row led by a 1
/// for the intercept. The fit standardises them in place, so a million rows are never held twice.
pub struct FeatureRows {
    values: Vec<f64>,
    columns: usize,
}

impl FeatureRows {
    /// Starts an empty block for rows of `columns` features, with room for `rows` of them.
    pub fn with_capacity(columns: usize, rows: usize) -> FeatureRows {
        FeatureRows { values: Vec::with_capacity(rows.saturating_mul(columns + 1)), columns }
    }

    /// Appends a row of raw features. A row of another length is cut or padded with zeros.
    pub fn push(&mut self, row: &[f64]) {
        self.values.push(1.0);
        self.values.extend(row.iter().copied().chain(std::iter::repeat(0.0)).take(self.columns));
    }

    pub fn len(&self) -> usize {
        self.values.len() / (self.columns + 1)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Returns each row's raw features, without the leading 1.
    fn features(&self) -> impl Iterator<Item = &[f64]> {
        self.values.chunks_exact(self.columns + 1).map(|row| &row[1..])
    }
}

/// Fits the model to raw feature `rows` and 0/1 `labels` with inverse regularisation strength `c`.
pub fn fit(rows: &[Vec<f64>], labels: &[bool], columns: usize, c: f64) -> LogisticModel {
    let mut block = FeatureRows::with_capacity(columns, rows.len());
    for row in rows {
        block.push(row);
    }
    fit_rows(block, labels, c)
}

/// Fits the model to the raw feature rows of `rows` and 0/1 `labels`, as [`fit`] does.
pub fn fit_rows(rows: FeatureRows, labels: &[bool], c: f64) -> LogisticModel {
    let columns = rows.columns;
    let standardiser = Standardiser::fit_columns(|| rows.features(), rows.len(), columns);
    let design = Design::standardised(rows, &standardiser);
    // Parameter 0 is the intercept, and 1..=columns are the weights. The search starts at the
    // model without features: the intercept at the log-odds of the base rate, when both classes occur.
    let mut beta = vec![0.0; columns + 1];
    let positives = labels.iter().filter(|&&label| label).count();
    if positives > 0 && positives < labels.len() {
        beta[0] = (positives as f64 / (labels.len() - positives) as f64).ln();
    }
    let count = design.values.len() / design.width;
    let tolerance = GRADIENT_TOLERANCE * c * count.max(1) as f64;
    let mut current = objective(&design, labels, &beta, c);
    let mut iterations = 0;
    let mut converged = false;
    while iterations < MAX_ITERATIONS {
        let (gradient, hessian) = derivatives(&design, labels, &beta, c);
        if gradient.iter().all(|g| g.abs() <= tolerance) {
            converged = true;
            break;
        }
        let Some(step) = cholesky_solve(hessian, &gradient) else { break };
        // The objective is a sum over the rows, so its rounding error grows with their number.
        let noise = f64::EPSILON * count as f64 * current.abs();
        match line_search(&design, labels, &beta, current, &step, c, noise) {
            Step::Taken(next, value) => (beta, current) = (next, value),
            // The step changes the objective by no more than its rounding error, so the sums can
            // tell nothing more. Near the optimum a Newton step still shrinks the error in the
            // parameters, so it is taken before the fit stops.
            Step::Flat(next) => {
                beta = next;
                iterations += 1;
                converged = true;
                break;
            }
            Step::Failed => break,
        }
        iterations += 1;
    }
    LogisticModel { standardiser, intercept: beta[0], weights: beta[1..].to_vec(), iterations, converged }
}

/// The standardised training rows in one row-major block, each row led by a 1 for the intercept,
/// so a row's linear predictor is one dot product with the parameters.
struct Design {
    values: Vec<f64>,
    width: usize,
}

impl Design {
    #[cfg(test)]
    fn new(rows: &[Vec<f64>], standardiser: &Standardiser) -> Design {
        let mut block = FeatureRows::with_capacity(standardiser.means.len(), rows.len());
        for row in rows {
            block.push(row);
        }
        Design::standardised(block, standardiser)
    }

    /// Centres and scales the raw features of `rows` in place, as [`Standardiser::apply`] does.
    fn standardised(rows: FeatureRows, standardiser: &Standardiser) -> Design {
        let width = rows.columns + 1;
        let mut values = rows.values;
        for row in values.chunks_exact_mut(width) {
            for (value, (centre, scale)) in row[1..].iter_mut().zip(standardiser.means.iter().zip(&standardiser.scales)) {
                *value = (*value - centre) / scale;
            }
        }
        Design { values, width }
    }

    fn rows(&self) -> std::slice::ChunksExact<'_, f64> {
        self.values.chunks_exact(self.width)
    }
}

/// Computes the penalised objective `C · Σ log loss + ½ ‖w‖²`.
fn objective(design: &Design, labels: &[bool], beta: &[f64], c: f64) -> f64 {
    let loss: f64 = design
        .rows()
        .zip(labels)
        .map(|(row, &label)| {
            let z = dot(beta, row);
            // log(1 + e^z) - y z, written to avoid overflow.
            let softplus = if z > 0.0 { z + (-z).exp().ln_1p() } else { z.exp().ln_1p() };
            softplus - if label { z } else { 0.0 }
        })
        .sum();
    c * loss + 0.5 * beta[1..].iter().map(|w| w * w).sum::<f64>()
}

/// Returns the gradient of the objective at `beta` and the lower triangle of its Hessian (the
/// entries above the diagonal stay 0, because [`cholesky_solve`] reads only the lower triangle).
fn derivatives(design: &Design, labels: &[bool], beta: &[f64], c: f64) -> (Vec<f64>, Vec<Vec<f64>>) {
    let size = beta.len();
    let mut gradient = vec![0.0; size];
    // The lower triangle packed row by row: entry (i, j) with j <= i is at i (i + 1) / 2 + j.
    let mut packed = vec![0.0; size * (size + 1) / 2];
    let mut weighted = vec![0.0; size];
    for (row, &label) in design.rows().zip(labels) {
        let p = sigmoid(dot(beta, row));
        let residual = c * (p - f64::from(u8::from(label)));
        let weight = c * p * (1.0 - p);
        for ((entry, weighted), &x) in gradient.iter_mut().zip(weighted.iter_mut()).zip(row) {
            *entry += residual * x;
            *weighted = weight * x;
        }
        let mut start = 0;
        for (i, &scaled) in weighted.iter().enumerate() {
            for (entry, &x) in packed[start..=start + i].iter_mut().zip(row) {
                *entry += scaled * x;
            }
            start += i + 1;
        }
    }
    let mut hessian = vec![vec![0.0; size]; size];
    let mut start = 0;
    for (i, hessian_row) in hessian.iter_mut().enumerate() {
        hessian_row[..=i].copy_from_slice(&packed[start..=start + i]);
        start += i + 1;
    }
    for i in 1..size {
        gradient[i] += beta[i];
        hessian[i][i] += 1.0;
    }
    (gradient, hessian)
}

/// The outcome of a line search.
enum Step {
    /// New parameters and their objective.
    Taken(Vec<f64>, f64),
    /// Parameters whose objective is above the current one by no more than its rounding error,
    /// so no shorter step could show a decrease either.
    Flat(Vec<f64>),
    /// Every step tried raised the objective.
    Failed,
}

/// Takes the Newton step `beta - step`, halving it until the objective does not rise above
/// `current`, the objective at `beta`, whose rounding error is `noise`.
fn line_search(design: &Design, labels: &[bool], beta: &[f64], current: f64, step: &[f64], c: f64, noise: f64) -> Step {
    let mut scale = 1.0;
    for _ in 0..30 {
        let candidate: Vec<f64> = beta.iter().zip(step).map(|(b, s)| b - scale * s).collect();
        let value = objective(design, labels, &candidate, c);
        if value <= current {
            return Step::Taken(candidate, value);
        }
        if value - current <= noise {
            return Step::Flat(candidate);
        }
        scale /= 2.0;
    }
    Step::Failed
}

/// Solves `matrix · x = rhs` for a symmetric positive definite matrix, given by its lower
/// triangle, by Cholesky decomposition. `None` when the matrix is not positive definite.
fn cholesky_solve(mut matrix: Vec<Vec<f64>>, rhs: &[f64]) -> Option<Vec<f64>> {
    let size = rhs.len();
    for j in 0..size {
        let diagonal = matrix[j][j] - (0..j).map(|k| matrix[j][k] * matrix[j][k]).sum::<f64>();
        if diagonal <= 0.0 || !diagonal.is_finite() {
            return None;
        }
        matrix[j][j] = diagonal.sqrt();
        for i in j + 1..size {
            let off = matrix[i][j] - (0..j).map(|k| matrix[i][k] * matrix[j][k]).sum::<f64>();
            matrix[i][j] = off / matrix[j][j];
        }
    }
    // Forward substitution with the lower factor, then back substitution with its transpose.
    let mut y = vec![0.0; size];
    for i in 0..size {
        y[i] = (rhs[i] - (0..i).map(|k| matrix[i][k] * y[k]).sum::<f64>()) / matrix[i][i];
    }
    let mut x = vec![0.0; size];
    for i in (0..size).rev() {
        x[i] = (y[i] - (i + 1..size).map(|k| matrix[k][i] * x[k]).sum::<f64>()) / matrix[i][i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separable_data_gives_finite_weights() {
        let rows: Vec<Vec<f64>> = (0..20).map(|at| vec![f64::from(at)]).collect();
        let labels: Vec<bool> = (0..20).map(|at| at >= 10).collect();
        let model = fit(&rows, &labels, 1, 1.0);
        assert!(model.converged);
        assert!(model.weights[0].is_finite());
        assert!(model.weights[0] > 0.0);
        assert!(model.predict(&[19.0]) > 0.9);
        assert!(model.predict(&[0.0]) < 0.1);
    }

    #[test]
    fn gradient_vanishes_at_the_fit() {
        // Overlapping classes: the fit must satisfy C Σ (p - y) x + w = 0 on standardised x.
        let rows = vec![vec![1.0, 0.0], vec![2.0, 1.0], vec![3.0, 0.0], vec![4.0, 1.0], vec![2.5, 1.0], vec![1.5, 0.0]];
        let labels = [false, false, true, true, false, true];
        let model = fit(&rows, &labels, 2, 0.5);
        assert!(model.converged);
        let design = Design::new(&rows, &model.standardiser);
        let mut beta = vec![model.intercept];
        beta.extend(&model.weights);
        let (gradient, _) = derivatives(&design, &labels, &beta, 0.5);
        assert!(gradient.iter().all(|g| g.abs() < 1e-9), "{gradient:?}");
    }

    #[test]
    fn uphill_steps_within_rounding_stop_the_search() {
        let rows = vec![vec![1.0], vec![2.0], vec![3.0], vec![4.0]];
        let labels = [false, true, false, true];
        let design = Design::new(&rows, &Standardiser::fit(&rows, 1));
        let beta = [0.0, 0.0];
        let current = objective(&design, &labels, &beta, 1.0);
        // Against the gradient's sign, every length of this step raises the objective.
        let (gradient, _) = derivatives(&design, &labels, &beta, 1.0);
        let uphill: Vec<f64> = gradient.iter().map(|g| -g - 0.1).collect();
        let rise = objective(&design, &labels, &[beta[0] - uphill[0], beta[1] - uphill[1]], 1.0) - current;
        assert!(rise > 0.0);
        assert!(matches!(line_search(&design, &labels, &beta, current, &uphill, 1.0, rise), Step::Flat(_)));
        assert!(matches!(line_search(&design, &labels, &beta, current, &uphill, 1.0, 0.0), Step::Failed));
    }

    #[test]
    fn constant_feature_keeps_scale_one() {
        let rows = vec![vec![3.0], vec![3.0], vec![3.0]];
        let standardiser = Standardiser::fit(&rows, 1);
        assert_eq!(standardiser.scales, vec![1.0]);
        assert_eq!(standardiser.apply(&[4.0]), vec![1.0]);
    }

    #[test]
    fn no_signal_gives_base_rate() {
        // The feature is the same for both classes, so only the intercept moves: p = 1/4.
        let rows = vec![vec![1.0]; 8];
        let labels = [true, false, false, false, true, false, false, false];
        let model = fit(&rows, &labels, 1, 1.0);
        assert!((model.predict(&[1.0]) - 0.25).abs() < 1e-9);
    }
}
