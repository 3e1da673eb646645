//! The suggested stages used when the user sets none: event names, and page paths of events
//! whose name says nothing, sorted into five stages by keywords.
//!
//! A name is split into lowercase words at every character that is not a letter or a digit. A
//! keyword of one word matches a word that starts with it when the keyword has four or more
//! letters, and only an equal word when it is shorter, so `ad` matches `ad_click` but not
//! `address`. A keyword of several words matches the same words in a row. When a name matches
//! keywords of several stages, a strong keyword beats a weak one, a keyword of more words beats
//! one of fewer, and among equals the later stage wins, so `subscribe_paid` is a purchase and
//! `paid_ad_click` a discovery. A name with a word of failure or negation, such as
//! `payment_failed` or `order_cancelled`, gets no stage. docs/metrics.md lists the keywords.

use rustc_hash::FxHashSet as HashSet;

use super::{ReportedRule, StageRule, ReportedStage};
use crate::analysis::funnel::MatchKind;
use crate::model::{EventLog, NONE};
use crate::sorting;

/// The suggested stages in order, each with its strong keywords and then its weak ones.
pub const KEYWORDS: [(&str, &[&str], &[&str]); 5] = [
    (
        "discovery",
        &[
            "blog", "article", "ad", "ads", "advert", "advertis", "impression", "landing", "session start", "prospect", "lead", "search", "paid ad",
            "paid ads", "paid search", "paid social", "paid media",
        ],
        &["visit"],
    ),
    (
        "engagement",
        &["sign up", "signup", "register", "registration", "download", "webinar", "newsletter", "contact", "qualif"],
        &["subscribe", "open", "click"],
    ),
    (
        "evaluation",
        &["pricing", "price", "demo", "trial", "compare", "comparison", "add to cart", "cart", "checkout", "proposal", "quote", "negotiat"],
        &[],
    ),
    ("purchase", &["purchase", "order", "won", "paid", "payment", "buy"], &[]),
    ("after purchase", &["onboard", "referral", "repeat", "renew", "upsell"], &["review"]),
];

/// Words that turn a name into a failure or a refusal: an equal word, or for the longer ones a
/// word that starts with it. `t` is what `won't` or `didn't` leaves after the split at `'`.
const NEGATIONS: [&str; 14] =
    ["not", "no", "never", "t", "fail", "cancel", "refund", "abandon", "declin", "reject", "lost", "churn", "expire", "bounce"];

/// Column names, compared without case, that hold the page of a web event.
pub const PAGE_COLUMNS: [&str; 8] = ["page", "page_path", "page_url", "url", "path", "page_urlpath", "page_location", "pathname"];

/// A keyword shorter than this must equal a word, and does not take part in page rules.
const MIN_PREFIX_LENGTH: usize = 4;

/// The maximum number of characters a word may have after a long keyword it starts with, enough
/// for endings such as `s`, `ed` or `ing`, so `onboard` matches `onboarding` but `lead` not
/// `leadership`.
const MAX_ENDING: usize = 3;

/// Suggests stages from the log's event names and page paths. Returns the stages that received at
/// least one rule, or the reason why fewer than two stages did.
pub fn suggest(log: &EventLog) -> Result<Vec<ReportedStage>, String> {
    let mut rules: Vec<Vec<ReportedRule>> = vec![Vec::new(); KEYWORDS.len()];
    let mut events: Vec<u32> = (0..log.event_names.len() as u32).collect();
    sorting::sort_by(&mut events, |&a, &b| log.event_names.name(a).cmp(log.event_names.name(b)));
    let page = page_column(log);
    let pages_by_event = page.map(|property| page_values_by_event(log, property));

    for &event in &events {
        let name = log.event_names.name(event);
        if let Some((stage, keyword)) = classify(name) {
            rules[stage].push(ReportedRule { rule: StageRule { event: name.to_string(), ..StageRule::default() }, keyword: Some(keyword.to_string()) });
            continue;
        }
        let (Some(property), Some(pages)) = (page, &pages_by_event) else { continue };
        let values = pages.get(event as usize).map_or(&[][..], Vec::as_slice);
        add_page_rules(log, property, name, values, &mut rules);
    }

    let stages: Vec<ReportedStage> = KEYWORDS
        .iter()
        .zip(rules)
        .filter(|(_, rules)| !rules.is_empty())
        .map(|((name, _, _), rules)| ReportedStage { name: name.to_string(), rules })
        .collect();
    if stages.len() < 2 {
        return Err(format!(
            "No stages were suggested, because the event names{} matched the keywords of {} of the five suggested stages and at least two are needed. Set the stages yourself.",
            if page.is_some() { " and page paths" } else { "" },
            if stages.is_empty() { "none".to_string() } else { "only one".to_string() }
        ));
    }
    Ok(stages)
}

/// Returns the stage index and the keyword that an event name falls under, if any.
pub fn classify(name: &str) -> Option<(usize, &'static str)> {
    classify_words(&words(name))
}

/// Returns the stage index and the keyword that a name's words fall under, if any.
fn classify_words(words: &[String]) -> Option<(usize, &'static str)> {
    if is_negated(words) {
        return None;
    }
    let mut best: Option<((bool, usize), usize, &'static str)> = None;
    for (stage, (_, strong, weak)) in KEYWORDS.iter().enumerate() {
        let found = strong.iter().map(|keyword| (true, keyword)).chain(weak.iter().map(|keyword| (false, keyword)));
        for (is_strong, keyword) in found {
            if !matches_words(words, keyword) {
                continue;
            }
            let strength = (is_strong, keyword.split(' ').count());
            // Later candidates come from later stages, so `>=` lets the later stage win ties.
            if best.is_none_or(|(best_strength, _, _)| strength >= best_strength) {
                best = Some((strength, stage, keyword));
            }
        }
    }
    best.map(|(_, stage, keyword)| (stage, keyword))
}

/// Checks whether a word marks the event as failed, refused or not done.
fn is_negated(words: &[String]) -> bool {
    words.iter().any(|word| NEGATIONS.iter().any(|negation| word_matches(word, negation)))
}

/// Splits a name into lowercase words at every character that is not a letter or a digit.
fn words(name: &str) -> Vec<String> {
    name.split(|character: char| !character.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn matches_words(words: &[String], keyword: &str) -> bool {
    let keyword_words: Vec<&str> = keyword.split(' ').collect();
    if keyword_words.len() > words.len() {
        return false;
    }
    words.windows(keyword_words.len()).any(|run| run.iter().zip(&keyword_words).all(|(word, keyword)| word_matches(word, keyword)))
}

/// Checks a word against a keyword: a long keyword matches a word that starts with it and goes on
/// for at most [`MAX_ENDING`] more characters, a short one only an equal word.
fn word_matches(word: &str, keyword: &str) -> bool {
    if keyword.len() >= MIN_PREFIX_LENGTH {
        word.starts_with(keyword) && word.chars().count() <= keyword.chars().count() + MAX_ENDING
    } else {
        word == keyword
    }
}

/// Returns the first filter column whose name is a page column.
pub(crate) fn page_column(log: &EventLog) -> Option<usize> {
    PAGE_COLUMNS.iter().find_map(|wanted| log.properties.iter().position(|property| property.name.eq_ignore_ascii_case(wanted)))
}

/// Returns, per event id, the distinct value ids of the page column on events of that name, in
/// the order of their first event.
fn page_values_by_event(log: &EventLog, property: usize) -> Vec<Vec<u32>> {
    // The pairs seen so far. A table with a flag for every event name and page would outgrow the
    // log itself with thousands of custom event names and a page column of tracking URLs.
    let mut seen: HashSet<(u32, u32)> = HashSet::default();
    let mut values: Vec<Vec<u32>> = vec![Vec::new(); log.event_names.len()];
    for (&code, &event) in log.properties[property].codes.iter().zip(&log.event) {
        if code != NONE && seen.insert((event, code)) {
            if let Some(list) = values.get_mut(event as usize) {
                list.push(code);
            }
        }
    }
    values
}

/// Adds a rule on the page column for each one-word keyword of four or more letters that is the
/// first, in stage order, to match a word of one of the event's page paths. The path is the page
/// value without its scheme and host (`https://example.com`), query and fragment, and a path with
/// a word of failure or negation counts for no keyword. A keyword that matches a word of every
/// page value, such as a word of the site's own domain, tells the pages apart from nothing and gets no
/// rule. The rule is a regular expression that matches the keyword at the start of a word,
/// without case.
fn add_page_rules(log: &EventLog, property: usize, event: &str, values: &[u32], rules: &mut [Vec<ReportedRule>]) {
    let column = &log.properties[property];
    let mut winners: Vec<(usize, &'static str)> = Vec::new();
    for &code in values {
        let words = path_words(column.values.name(code));
        if is_negated(&words) {
            continue;
        }
        let winner = page_keywords().find(|(_, keyword)| words.iter().any(|word| word_matches(word, keyword)));
        if let Some(winner) = winner.filter(|winner| !winners.contains(winner)) {
            winners.push(winner);
        }
    }
    let everywhere = |keyword: &str| {
        values.len() > 1 && values.iter().all(|&code| words(column.values.name(code)).iter().any(|word| word_matches(word, keyword)))
    };
    winners.retain(|&(_, keyword)| !everywhere(keyword));
    winners.sort_unstable();
    for (stage, keyword) in winners {
        let rule = StageRule {
            event: event.to_string(),
            column: Some(column.name.clone()),
            value: Some(format!("(?i)(?:.*[^\\p{{L}}\\p{{N}}])?{keyword}[\\p{{L}}\\p{{N}}]{{0,{MAX_ENDING}}}(?:[^\\p{{L}}\\p{{N}}].*)?")),
            match_kind: MatchKind::Regex,
        };
        rules[stage].push(ReportedRule { rule, keyword: Some(keyword.to_string()) });
    }
}

/// Returns the lowercase words of a page's path: the value without its scheme and host, query
/// and fragment.
fn path_words(page: &str) -> Vec<String> {
    let path = match page.find("://") {
        Some(at) => page[at + 3..].find('/').map_or("", |slash| &page[at + 3 + slash..]),
        None => page,
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    words(path)
}

/// Yields (stage, keyword) for the keywords used on pages, in stage order.
fn page_keywords() -> impl Iterator<Item = (usize, &'static str)> {
    KEYWORDS.iter().enumerate().flat_map(|(stage, (_, strong, weak))| {
        strong.iter().chain(weak.iter()).filter(|keyword| !keyword.contains(' ') && keyword.len() >= MIN_PREFIX_LENGTH).map(move |keyword| (stage, *keyword))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage_of(name: &str) -> Option<&'static str> {
        classify(name).map(|(stage, _)| KEYWORDS[stage].0)
    }

    #[test]
    fn names_fall_into_stages() {
        assert_eq!(stage_of("session_start"), Some("discovery"));
        assert_eq!(stage_of("sign_up"), Some("engagement"));
        assert_eq!(stage_of("add_to_cart"), Some("evaluation"));
        assert_eq!(stage_of("purchase"), Some("purchase"));
        assert_eq!(stage_of("onboarding_done"), Some("after purchase"));
        assert_eq!(stage_of("page_view"), None);
    }

    #[test]
    fn short_keywords_match_whole_words() {
        assert_eq!(stage_of("ad_click"), Some("discovery"), "the strong ad beats the weak click");
        assert_eq!(stage_of("ad_impression"), Some("discovery"));
        assert_eq!(stage_of("address_changed"), None);
    }

    #[test]
    fn strong_beats_weak_and_later_wins() {
        assert_eq!(stage_of("subscribe_paid"), Some("purchase"));
        assert_eq!(stage_of("Negotiation/Review"), Some("evaluation"));
        assert_eq!(stage_of("order_review"), Some("purchase"));
        assert_eq!(stage_of("trial_signup"), Some("evaluation"));
    }

    #[test]
    fn failures_and_refusals_get_no_stage() {
        for name in ["payment_failed", "order_cancelled", "purchase_refunded", "Won't buy", "cart_abandoned", "trial_expired"] {
            assert_eq!(stage_of(name), None, "{name}");
        }
        assert_eq!(stage_of("paid_ad_click"), Some("discovery"));
        assert_eq!(stage_of("paid_search_visit"), Some("discovery"));
        assert_eq!(stage_of("invoice_paid"), Some("purchase"));
    }

    #[test]
    fn long_keywords_allow_short_endings() {
        assert_eq!(stage_of("onboarding_done"), Some("after purchase"));
        assert_eq!(stage_of("advertising_click"), Some("discovery"));
        assert_eq!(stage_of("leadership_update"), None);
    }

    #[test]
    fn page_words_skip_the_host_and_query() {
        assert_eq!(path_words("https://www.leadpages.example/Pricing?plan=lead"), ["pricing"]);
        assert_eq!(path_words("/blog/a-b"), ["blog", "a", "b"]);
        assert!(path_words("https://example.com").is_empty());
    }

    #[test]
    fn crm_stage_names() {
        assert_eq!(stage_of("Prospecting"), Some("discovery"));
        assert_eq!(stage_of("qualified"), Some("engagement"));
        assert_eq!(stage_of("proposal"), Some("evaluation"));
        assert_eq!(stage_of("Closed Won"), Some("purchase"));
        assert_eq!(stage_of("lost"), None);
    }
}
