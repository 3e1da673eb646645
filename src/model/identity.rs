//! Identity stitching: identifiers that occur on the same row, or an e-mail address and its
//! SHA-256 hash, belong to one person.
//!
//! While files are read, every identifier is interned in [`EventLog::people`] and each row links
//! its identifiers in a union-find. [`merge`] then turns each group of linked identifiers into one
//! person and rewrites [`EventLog::person`] to person ids.

use rustc_hash::FxHashMap as HashMap;
use sha2::{Digest, Sha256};

use super::{EventLog, Interner, NONE};

/// Merged people listed as examples in the load summary.
const MERGE_EXAMPLES: usize = 3;
/// Identifiers shown per example person.
const IDS_PER_EXAMPLE: usize = 4;
/// Values that exports write for a missing id. Linking through one of them would merge every
/// person who lacks that id, so they count as empty in files with several identifier columns.
const PLACEHOLDERS: &[&str] = &[
    "null", "none", "nil", "undefined", "nan", "nat", "n/a", "#n/a", "-", "-1", "0", "\\n", "[null]", "<null>",
    "(null)", "(none)", "(empty)", "(not set)", "(blank)", "unknown",
];

/// The kind of an identifier, best first: a person's displayed id is their best identifier, the
/// first seen among equals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum IdentityKind {
    /// A known user, customer or lead id.
    UserId,
    Email,
    /// A device, cookie or pseudonymous id such as Segment's `anonymous_id`.
    Anonymous,
    /// A hex SHA-256 digest, usually of an e-mail address.
    Hash,
}

/// Disjoint sets of identifier ids, with path halving and union by size.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    /// Adds singleton sets until there are `len` elements.
    pub fn grow(&mut self, len: usize) {
        for id in self.parent.len()..len {
            self.parent.push(id as u32);
            self.size.push(1);
        }
    }

    pub fn len(&self) -> usize {
        self.parent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// Returns the representative of `id`'s set, shortening the path on the way.
    pub fn find(&mut self, mut id: u32) -> u32 {
        while self.parent[id as usize] != id {
            let grandparent = self.parent[self.parent[id as usize] as usize];
            self.parent[id as usize] = grandparent;
            id = grandparent;
        }
        id
    }

    /// Joins the sets of `a` and `b`. Returns false when they were already one set.
    pub fn union(&mut self, a: u32, b: u32) -> bool {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return false;
        }
        let (large, small) = if self.size[a as usize] >= self.size[b as usize] { (a, b) } else { (b, a) };
        self.parent[small as usize] = large;
        self.size[large as usize] += self.size[small as usize];
        true
    }
}

/// The links between identifiers gathered while reading.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct IdentityLinks {
    /// The best kind each identifier was seen as, by identifier id.
    kinds: Vec<IdentityKind>,
    sets: UnionFind,
    /// Unions that joined two different sets.
    unions: u64,
}

impl IdentityLinks {
    /// Returns true when the links cover exactly `identifiers` ids and every set points inside.
    pub fn is_consistent(&self, identifiers: usize) -> bool {
        let sets = &self.sets;
        self.kinds.len() == identifiers
            && sets.parent.len() == identifiers
            && sets.size.len() == identifiers
            && sets.parent.iter().all(|&parent| (parent as usize) < identifiers)
    }

    /// Returns the best kind identifier `id` was seen as, or `None` for an id added without
    /// [`EventLog::identifier`].
    pub fn kind(&self, id: u32) -> Option<IdentityKind> {
        self.kinds.get(id as usize).copied()
    }

    /// Returns (identifier, representative) for each identifier linked to another one: linking
    /// these pairs again rebuilds the same sets.
    pub fn links(&mut self) -> Vec<(u32, u32)> {
        (0..self.sets.len() as u32).filter_map(|id| Some((id, self.sets.find(id))).filter(|(id, root)| id != root)).collect()
    }
}

/// The result of merging identifiers into people.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MergeSummary {
    /// Distinct identifiers before merging.
    pub identifiers: u64,
    /// Identifiers that belong to a person with more than one identifier.
    pub merged_identifiers: u64,
    /// People with more than one identifier.
    pub merged_people: u64,
    /// A few merged people, as "displayed id: other ids".
    pub examples: Vec<String>,
    /// The number of ids in the largest person, and that person's displayed id.
    pub largest: (u64, String),
}

impl EventLog {
    /// Interns an identifier and returns its id. `value` must already be normalised with
    /// [`normalise_identifier`].
    pub fn identifier(&mut self, value: &str, kind: IdentityKind) -> u32 {
        let id = self.people.intern(value);
        let links = &mut self.identity;
        if id as usize == links.kinds.len() {
            links.kinds.push(kind);
            links.sets.grow(links.kinds.len());
        } else if let Some(known) = links.kinds.get_mut(id as usize) {
            *known = (*known).min(kind);
        }
        id
    }

    /// Records that identifiers `a` and `b` belong to the same person.
    pub fn link(&mut self, a: u32, b: u32) {
        let links = &mut self.identity;
        if (a as usize) < links.sets.len() && (b as usize) < links.sets.len() && links.sets.union(a, b) {
            links.unions += 1;
        }
    }
}

/// Returns true for a value shaped like an e-mail address: one `@` with text on both sides, a dot
/// in the domain and no whitespace.
pub fn looks_like_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else { return false };
    !local.is_empty() && domain.contains('.') && !domain.contains('@') && !value.contains(char::is_whitespace)
}

/// Returns true for a value that stands for a missing id, such as `null` or `(not set)`.
pub fn is_placeholder(value: &str) -> bool {
    value.len() <= 10 && PLACEHOLDERS.iter().any(|placeholder| value.eq_ignore_ascii_case(placeholder))
}

/// Returns the identifier as it is compared, and its kind. An e-mail address is lower-cased into
/// `buffer`. Any other value, already trimmed, is compared exactly.
pub fn normalise_identifier<'v>(value: &'v str, kind: IdentityKind, buffer: &'v mut String) -> (&'v str, IdentityKind) {
    if !looks_like_email(value) {
        return (value, kind);
    }
    if !value.chars().any(char::is_uppercase) {
        return (value, IdentityKind::Email);
    }
    buffer.clear();
    buffer.extend(value.chars().flat_map(char::to_lowercase));
    (buffer.as_str(), IdentityKind::Email)
}

/// Parses 64 hex digits, in either case, as a SHA-256 digest.
fn parse_sha256_hex(value: &str) -> Option<[u8; 32]> {
    let bytes = value.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut digest = [0u8; 32];
    for (at, pair) in bytes.chunks_exact(2).enumerate() {
        let high = char::from(pair[0]).to_digit(16)?;
        let low = char::from(pair[1]).to_digit(16)?;
        digest[at] = (high * 16 + low) as u8;
    }
    Some(digest)
}

/// Links each hex SHA-256 identifier to the e-mail identifier it is the hash of, and hex
/// identifiers that differ only in case to each other. Hashes nothing when no identifier is hex.
fn link_hashed_emails(log: &mut EventLog) {
    let mut digests: HashMap<[u8; 32], u32> = HashMap::default();
    for id in 0..log.people.len() as u32 {
        let Some(digest) = parse_sha256_hex(log.people.name(id)) else { continue };
        log.identity.kinds[id as usize] = IdentityKind::Hash;
        match digests.get(&digest) {
            Some(&first) => log.link(first, id),
            None => {
                digests.insert(digest, id);
            }
        }
    }
    if digests.is_empty() {
        return;
    }
    for id in 0..log.people.len() as u32 {
        let name = log.people.name(id);
        if !looks_like_email(name) {
            continue;
        }
        let digest: [u8; 32] = Sha256::digest(name.as_bytes()).into();
        if let Some(&hash) = digests.get(&digest) {
            log.link(id, hash);
        }
    }
}

/// Merges linked identifiers into people: afterwards [`EventLog::people`] holds one displayed id
/// per person, in the order each person's first identifier was seen, and [`EventLog::person`]
/// holds person ids.
pub fn merge(log: &mut EventLog) -> MergeSummary {
    let identifiers = log.people.len();
    let mut summary = MergeSummary { identifiers: identifiers as u64, ..MergeSummary::default() };
    if log.identity.kinds.len() != identifiers {
        // Events were pushed without `EventLog::identifier`, so there are no links to follow.
        return summary;
    }
    link_hashed_emails(log);
    if log.identity.unions == 0 {
        return summary;
    }

    let roots: Vec<u32> = (0..identifiers as u32).map(|id| log.identity.sets.find(id)).collect();
    let kinds = &log.identity.kinds;
    let mut displayed = vec![NONE; identifiers];
    let mut group_size = vec![0u32; identifiers];
    for (id, &root) in roots.iter().enumerate() {
        let best = &mut displayed[root as usize];
        if *best == NONE || kinds[id] < kinds[*best as usize] {
            *best = id as u32;
        }
        group_size[root as usize] += 1;
    }

    let mut people = Interner::default();
    let mut person_of_root = vec![NONE; identifiers];
    let mut examples: Vec<(u32, Vec<String>)> = Vec::new();
    for (id, &root) in roots.iter().enumerate() {
        let root = root as usize;
        if person_of_root[root] == NONE {
            person_of_root[root] = people.intern(log.people.name(displayed[root]));
            if group_size[root] > 1 {
                summary.merged_people += 1;
                if examples.len() < MERGE_EXAMPLES {
                    examples.push((root as u32, Vec::new()));
                }
            }
        }
        if group_size[root] > 1 {
            summary.merged_identifiers += 1;
        }
        if let Some((_, others)) = examples.iter_mut().find(|(example, _)| *example as usize == root) {
            if id as u32 != displayed[root] && others.len() < IDS_PER_EXAMPLE {
                others.push(log.people.name(id as u32).to_string());
            }
        }
    }
    // Of groups of equal size, the one seen first, which does not depend on how the sets were joined.
    let largest = (0..identifiers).filter(|&root| group_size[root] > 0).max_by(|&a, &b| {
        group_size[a].cmp(&group_size[b]).then(person_of_root[b].cmp(&person_of_root[a]))
    });
    if let Some(root) = largest {
        summary.largest = (u64::from(group_size[root]), log.people.name(displayed[root]).to_string());
    }
    summary.examples = examples
        .into_iter()
        .map(|(root, others)| {
            let more = group_size[root as usize] as usize - 1 - others.len();
            let suffix = if more > 0 { format!(" and {more} more") } else { String::new() };
            format!("{}: {}{suffix}", log.people.name(displayed[root as usize]), others.join(", "))
        })
        .collect();

    for person in &mut log.person {
        *person = person_of_root[roots[*person as usize] as usize];
    }
    log.people = people;
    log.identity = IdentityLinks::default();
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NewEvent;

    fn push(log: &mut EventLog, ids: &[(&str, IdentityKind)], time: i64) {
        let mut buffer = String::new();
        let mut first = None;
        for &(value, kind) in ids {
            let (value, kind) = normalise_identifier(value, kind, &mut buffer);
            let id = log.identifier(value, kind);
            match first {
                None => first = Some(id),
                Some(first) => log.link(first, id),
            }
        }
        let person = first.unwrap();
        log.push(NewEvent { person, time, event: "e", channel: None, value: f64::NAN, ordinal: None, date_only: false, file: 0, row: 2 }, []);
    }

    #[test]
    fn union_find_joins_sets() {
        let mut sets = UnionFind::default();
        sets.grow(4);
        assert!(sets.union(0, 1));
        assert!(sets.union(2, 3));
        assert!(!sets.union(1, 0));
        assert!(sets.union(3, 1));
        assert_eq!(sets.find(0), sets.find(2));
    }

    #[test]
    fn linked_ids_form_one_person() {
        let mut log = EventLog::default();
        push(&mut log, &[("anon-7", IdentityKind::Anonymous)], 1);
        push(&mut log, &[("anon-7", IdentityKind::Anonymous), ("U-1", IdentityKind::UserId)], 2);
        push(&mut log, &[("U-1", IdentityKind::UserId)], 3);
        push(&mut log, &[("anon-9", IdentityKind::Anonymous)], 4);
        let summary = merge(&mut log);
        assert_eq!(summary.identifiers, 3);
        assert_eq!(summary.merged_identifiers, 2);
        assert_eq!(summary.merged_people, 1);
        assert_eq!(summary.examples, ["U-1: anon-7"]);
        assert_eq!(log.people.len(), 2);
        assert_eq!(log.people.name(0), "U-1");
        assert_eq!(log.people.name(1), "anon-9");
        assert_eq!(log.person, [0, 0, 0, 1]);
    }

    #[test]
    fn email_matches_its_sha256_hash() {
        let mut log = EventLog::default();
        push(&mut log, &[("Ada@Example.com", IdentityKind::UserId)], 1);
        // SHA-256 of "ada@example.com", upper case as some exports write it.
        let hash = Sha256::digest(b"ada@example.com").iter().map(|byte| format!("{byte:02X}")).collect::<String>();
        push(&mut log, &[(hash.as_str(), IdentityKind::UserId)], 2);
        let summary = merge(&mut log);
        assert_eq!(summary.merged_people, 1);
        assert_eq!(log.people.len(), 1);
        assert_eq!(log.people.name(0), "ada@example.com");
    }

    #[test]
    fn emails_are_compared_in_lower_case() {
        let mut buffer = String::new();
        assert_eq!(normalise_identifier("Ada@Example.COM", IdentityKind::UserId, &mut buffer), ("ada@example.com", IdentityKind::Email));
        let mut buffer = String::new();
        assert_eq!(normalise_identifier("User-A", IdentityKind::UserId, &mut buffer), ("User-A", IdentityKind::UserId));
        assert!(!looks_like_email("@example.com"));
        assert!(!looks_like_email("a b@example.com"));
    }

    #[test]
    fn placeholders_are_recognised() {
        assert!(is_placeholder("NULL"));
        assert!(is_placeholder("(not set)"));
        for value in ["\\N", "#N/A", "NaT", "[null]", "<null>", "(none)", "(empty)", "-1"] {
            assert!(is_placeholder(value), "{value}");
        }
        assert!(!is_placeholder("U-1"));
    }

    #[test]
    fn no_links_leave_ids_unchanged() {
        let mut log = EventLog::default();
        push(&mut log, &[("b", IdentityKind::UserId)], 1);
        push(&mut log, &[("a", IdentityKind::UserId)], 2);
        let summary = merge(&mut log);
        assert_eq!(summary.merged_people, 0);
        assert_eq!(log.person, [0, 1]);
        assert_eq!(log.people.name(0), "b");
    }
}
