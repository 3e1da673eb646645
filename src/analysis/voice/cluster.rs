//! Spherical k-means on unit-length TF-IDF vectors, seeded by k-means++ from a fixed seed, and the
//! silhouette that chooses k.
//!
//! Similarity is the cosine (the dot product of unit vectors) and distance is 1 − cosine. Each run
//! assigns every answer to its most similar centre (ties to the lower centre), moves each centre
//! to the normalised mean of its answers, and stops when no assignment changes or after
//! [`MAX_ITERATIONS`]. The best of [`RUNS`] seeded runs, by total similarity, is kept. The random
//! numbers come from SplitMix64 with [`SEED`], so the same answers in the same order always give
//! the same themes.

use super::text::SparseVector;

/// The seed of the random numbers that pick the first centres.
pub const SEED: u64 = 0x05ee_d0f7_e3e5;

/// Seeded runs of k-means per k; the run with the highest total similarity is kept.
pub const RUNS: usize = 8;

/// Iterations after which a run stops even if assignments still change.
pub const MAX_ITERATIONS: usize = 100;

/// Answers beyond which the silhouette is computed within an evenly spaced subset of about this
/// many, to bound its quadratic cost.
pub const SILHOUETTE_SAMPLE: usize = 2000;

/// SplitMix64: a small random number generator with a 64-bit state.
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// Starts the generator at `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    /// Returns the next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Returns a uniform number in [0, 1) from the top 53 bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A clustering of the answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Clustering {
    /// Each answer's cluster, in 0..k.
    pub assignment: Vec<usize>,
    /// Unit-length centres, dense over the vocabulary.
    pub centres: Vec<Vec<f64>>,
    /// Sum over answers of the cosine to their centre.
    pub similarity: f64,
}

/// Returns the cosine of a unit sparse vector and a dense centre.
pub fn cosine(vector: &SparseVector, centre: &[f64]) -> f64 {
    vector.iter().map(|&(term, weight)| weight * centre.get(term).copied().unwrap_or(0.0)).sum()
}

/// Returns the cosine of two unit sparse vectors whose entries are in term order.
pub fn sparse_cosine(left: &SparseVector, right: &SparseVector) -> f64 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while let (Some(&(a, x)), Some(&(b, y))) = (left.get(i), right.get(j)) {
        match a.cmp(&b) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += x * y;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// Clusters `vectors` into `k` groups, keeping the best of [`RUNS`] seeded runs. With no vectors or
/// `k` = 0 the clustering is empty. With `k` above the number of distinct vectors some centres
/// start equal, so some clusters may stay empty.
pub fn kmeans(vectors: &[SparseVector], dimensions: usize, k: usize) -> Clustering {
    if vectors.is_empty() || k == 0 {
        return Clustering { assignment: Vec::new(), centres: Vec::new(), similarity: 0.0 };
    }
    let mut random = SplitMix64::new(SEED ^ k as u64);
    let mut best: Option<Clustering> = None;
    for _ in 0..RUNS {
        let centres = seed_centres(vectors, dimensions, k, &mut random);
        let run = refine(vectors, dimensions, centres);
        if best.as_ref().is_none_or(|kept| run.similarity > kept.similarity + 1e-12) {
            best = Some(run);
        }
    }
    best.unwrap_or_else(|| refine(vectors, dimensions, vec![vec![0.0; dimensions]; k.max(1)]))
}

/// Picks `k` starting centres by k-means++: the first uniformly, each next one with probability
/// proportional to the squared distance to the nearest centre picked so far.
fn seed_centres(vectors: &[SparseVector], dimensions: usize, k: usize, random: &mut SplitMix64) -> Vec<Vec<f64>> {
    let dense = |vector: &SparseVector| {
        let mut centre = vec![0.0; dimensions];
        for &(term, weight) in vector {
            centre[term] = weight;
        }
        centre
    };
    let first = ((random.next_f64() * vectors.len() as f64) as usize).min(vectors.len().saturating_sub(1));
    let mut centres = vec![dense(&vectors[first])];
    let mut nearest: Vec<f64> = vectors.iter().map(|vector| squared_distance(vector, &centres[0])).collect();
    while centres.len() < k {
        let total: f64 = nearest.iter().sum();
        let pick = if total <= 0.0 {
            // Every answer equals a centre already, so any answer will do.
            centres.len() % vectors.len()
        } else {
            let mut target = random.next_f64() * total;
            let mut chosen = vectors.len() - 1;
            for (index, &distance) in nearest.iter().enumerate() {
                if target < distance {
                    chosen = index;
                    break;
                }
                target -= distance;
            }
            chosen
        };
        let centre = dense(&vectors[pick]);
        for (distance, vector) in nearest.iter_mut().zip(vectors) {
            *distance = distance.min(squared_distance(vector, &centre));
        }
        centres.push(centre);
    }
    centres
}

/// Returns (1 − cosine)², the squared cosine distance that k-means++ samples by.
fn squared_distance(vector: &SparseVector, centre: &[f64]) -> f64 {
    let distance = (1.0 - cosine(vector, centre)).max(0.0);
    distance * distance
}

/// Runs Lloyd's iterations from `centres`.
fn refine(vectors: &[SparseVector], dimensions: usize, mut centres: Vec<Vec<f64>>) -> Clustering {
    let mut assignment = vec![usize::MAX; vectors.len()];
    for _ in 0..MAX_ITERATIONS {
        let mut changed = false;
        for (index, vector) in vectors.iter().enumerate() {
            let nearest = nearest_centre(vector, &centres).0;
            if assignment[index] != nearest {
                assignment[index] = nearest;
                changed = true;
            }
        }
        if !changed {
            break;
        }
        centres = move_centres(vectors, dimensions, &assignment, &centres);
    }
    let similarity = vectors.iter().zip(&assignment).map(|(vector, &cluster)| cosine(vector, &centres[cluster])).sum();
    Clustering { assignment, centres, similarity }
}

/// Returns the index of the most similar centre (the lowest index on ties) and the cosine.
fn nearest_centre(vector: &SparseVector, centres: &[Vec<f64>]) -> (usize, f64) {
    let mut best = (0, f64::NEG_INFINITY);
    for (index, centre) in centres.iter().enumerate() {
        let similarity = cosine(vector, centre);
        if similarity > best.1 + 1e-12 {
            best = (index, similarity);
        }
    }
    best
}

/// Moves each centre to the normalised mean of its answers. A centre left without answers restarts
/// at the answer least similar to its own centre.
fn move_centres(vectors: &[SparseVector], dimensions: usize, assignment: &[usize], old: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut centres = vec![vec![0.0; dimensions]; old.len()];
    let mut sizes = vec![0usize; old.len()];
    for (vector, &cluster) in vectors.iter().zip(assignment) {
        sizes[cluster] += 1;
        for &(term, weight) in vector {
            centres[cluster][term] += weight;
        }
    }
    for cluster in 0..centres.len() {
        if sizes[cluster] == 0 {
            let worst = vectors
                .iter()
                .zip(assignment)
                .enumerate()
                .min_by(|(_, (x, &a)), (_, (y, &b))| cosine(x, &old[a]).total_cmp(&cosine(y, &old[b])))
                .map_or(0, |(index, _)| index);
            for &(term, weight) in &vectors[worst] {
                centres[cluster][term] = weight;
            }
        }
        normalise(&mut centres[cluster]);
    }
    centres
}

/// Scales a dense vector to unit length; a zero vector stays zero.
fn normalise(centre: &mut [f64]) {
    let norm = centre.iter().map(|weight| weight * weight).sum::<f64>().sqrt();
    if norm > 0.0 {
        for weight in centre.iter_mut() {
            *weight /= norm;
        }
    }
}

/// Returns the mean silhouette of a clustering under cosine distance: for each answer,
/// (b − a) / max(a, b), where a is its mean distance to the rest of its cluster and b the lowest
/// mean distance to another cluster. An answer alone in its cluster scores 0. Above
/// [`SILHOUETTE_SAMPLE`] answers, the silhouette is computed within an evenly spaced subset of
/// them, as scikit-learn's `silhouette_score` does with `sample_size`.
pub fn silhouette(vectors: &[SparseVector], assignment: &[usize], k: usize) -> f64 {
    let count = vectors.len();
    if count < 2 || k < 2 {
        return 0.0;
    }
    let step = count.div_ceil(SILHOUETTE_SAMPLE).max(1);
    let sample: Vec<usize> = (0..count).step_by(step).collect();
    let mut sizes = vec![0usize; k];
    for &index in &sample {
        sizes[assignment[index]] += 1;
    }
    let mut total = 0.0;
    for &index in &sample {
        let own = assignment[index];
        if sizes[own] < 2 {
            continue;
        }
        let mut sums = vec![0.0; k];
        for &other in &sample {
            if other != index {
                sums[assignment[other]] += 1.0 - sparse_cosine(&vectors[index], &vectors[other]);
            }
        }
        let within = sums[own] / (sizes[own] - 1) as f64;
        let between = (0..k).filter(|&cluster| cluster != own && sizes[cluster] > 0).map(|cluster| sums[cluster] / sizes[cluster] as f64).fold(f64::INFINITY, f64::min);
        let larger = within.max(between);
        if larger > 0.0 && between.is_finite() {
            total += (between - within) / larger;
        }
    }
    total / sample.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(entries: &[(usize, f64)]) -> SparseVector {
        let norm = entries.iter().map(|&(_, weight)| weight * weight).sum::<f64>().sqrt();
        entries.iter().map(|&(term, weight)| (term, weight / norm)).collect()
    }

    #[test]
    fn splitmix_known_values() {
        // Pins the first two outputs from seed 0, because a change to the generator changes every
        // theme.
        let mut random = SplitMix64::new(0);
        assert_eq!(random.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(random.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn kmeans_separates_two_groups() {
        let vectors = vec![
            unit(&[(0, 1.0), (1, 0.2)]),
            unit(&[(0, 1.0)]),
            unit(&[(2, 1.0), (3, 0.1)]),
            unit(&[(0, 0.9), (1, 0.3)]),
            unit(&[(2, 1.0)]),
            unit(&[(2, 0.9), (3, 0.2)]),
        ];
        let clustering = kmeans(&vectors, 4, 2);
        let first = clustering.assignment[0];
        assert_eq!(clustering.assignment[1], first);
        assert_eq!(clustering.assignment[3], first);
        assert!(clustering.assignment[2] != first);
        assert_eq!(clustering.assignment[4], clustering.assignment[2]);
        assert_eq!(clustering.assignment[5], clustering.assignment[2]);
        assert!(silhouette(&vectors, &clustering.assignment, 2) > 0.8);
    }

    #[test]
    fn silhouette_on_subset() {
        // 2,500 answers exceed the subset size, so every second answer is scored. Answers whose
        // index is a multiple of 3 point one way and the rest another.
        let vectors: Vec<SparseVector> = (0..2500).map(|i| if i % 3 == 0 { unit(&[(0, 1.0), (1, 0.1)]) } else { unit(&[(2, 1.0)]) }).collect();
        let right: Vec<usize> = (0..2500).map(|i| usize::from(i % 3 == 0)).collect();
        let mixed: Vec<usize> = (0..2500).map(|i| i % 4 / 2).collect();
        assert!(silhouette(&vectors, &right, 2) > 0.99);
        assert!(silhouette(&vectors, &mixed, 2).abs() < 0.1);
    }

    #[test]
    fn kmeans_repeats_exactly() {
        let vectors: Vec<SparseVector> = (0..20).map(|i| unit(&[(i % 5, 1.0), ((i * 3) % 7, 0.5)])).collect();
        assert_eq!(kmeans(&vectors, 7, 3), kmeans(&vectors, 7, 3));
    }
}
