//! The intervention library: for each kind of place where people stop, the changes worth testing
//! there. The place's label picks among them by keywords, such as `pricing` or `checkout`.

use serde::Serialize;

use super::friction::FrictionKind;

/// A change worth testing, with the reason it fits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Intervention {
    pub title: String,
    pub reason: String,
}

/// A group of interventions and the label keywords that select it.
struct Remedy {
    keywords: &'static [&'static str],
    interventions: &'static [(&'static str, &'static str)],
}

/// Remedies for funnel steps and exit pages, tried in order; the first whose keyword occurs in the
/// label is used.
const PAGE_REMEDIES: [Remedy; 4] = [
    Remedy {
        keywords: &["pricing", "price", "plans", "plan"],
        interventions: &[
            ("Justify the value before the price", "People stop where they meet the price, so show what they get before what it costs."),
            ("Make the pricing clearer", "Name what each plan includes and compare the plans side by side, so the choice takes less effort."),
        ],
    },
    Remedy {
        keywords: &["checkout", "cart", "payment", "booking", "book", "form", "signup", "sign_up", "register"],
        interventions: &[
            ("Shorten the checkout or booking form", "Every field and step here is a chance to stop, so ask only for what the order needs."),
            ("Add a guarantee and a short FAQ beside the form", "Doubts about risk and details surface at the moment of commitment."),
        ],
    },
    Remedy {
        keywords: &["webinar", "event", "demo"],
        interventions: &[
            ("Send a replay and a follow-up to no-shows", "People who registered and did not attend have already shown interest."),
            ("Follow up within a day with the next step", "Interest fades fastest right after the session."),
        ],
    },
    Remedy {
        keywords: &["case", "review", "testimonial", "about", "compare", "feature", "product"],
        interventions: &[
            ("Answer \"is it worth it\" with testimonials", "People who weigh the offer here look for proof from customers like them."),
            ("Copy the touchpoint order of successful customers", "Guide people to the content converters saw next."),
        ],
    },
];

/// Interventions for a place no keyword matches.
const GENERAL_INTERVENTIONS: [(&str, &str); 2] = [
    ("Answer \"is it worth it\" with testimonials", "Social proof helps at any point where people hesitate."),
    ("Copy the touchpoint order of successful customers", "Point people who stop here to the next step converters took."),
];

const EMAIL_INTERVENTIONS: [(&str, &str); 2] = [
    ("Rework the messages after this one", "Opens stop here, so test a new subject line, a shorter gap or a different offer for the next message."),
    ("Start a re-engagement sequence", "People who stopped opening can be won back with a short sequence that asks whether they still want to hear from you."),
];

const SILENCE_INTERVENTIONS: [(&str, &str); 2] = [
    ("Start a re-engagement sequence before the silence sets in", "Few people come back after this long, so reach out while they still might."),
    ("Offer a reason to return", "A new piece of content, a reminder of what they looked at or a time-limited offer gives silent people a reason to come back."),
];

const SKIP_INTERVENTIONS: [(&str, &str); 2] = [
    ("Copy the touchpoint order of successful customers", "People who went through the skipped stage converted more often, so guide others through it."),
    ("Add a touchpoint of the skipped stage on the way", "A short piece of the skipped stage's content, placed where people pass, brings it to those who miss it."),
];

/// Returns the interventions for a finding of `kind` at `label`.
pub fn for_finding(kind: FrictionKind, label: &str) -> Vec<Intervention> {
    let chosen: &[(&str, &str)] = match kind {
        FrictionKind::EmailStop => &EMAIL_INTERVENTIONS,
        FrictionKind::Silence => &SILENCE_INTERVENTIONS,
        FrictionKind::StageSkip => &SKIP_INTERVENTIONS,
        FrictionKind::FunnelStep | FrictionKind::ExitPage => {
            let label = label.to_lowercase();
            PAGE_REMEDIES
                .iter()
                .find(|remedy| remedy.keywords.iter().any(|keyword| label.contains(keyword)))
                .map_or(&GENERAL_INTERVENTIONS[..], |remedy| remedy.interventions)
        }
    };
    chosen.iter().map(|&(title, reason)| Intervention { title: title.to_string(), reason: reason.to_string() }).collect()
}

/// Returns the interventions that the speed segments suggest for a funnel step: a compressed path
/// for fast movers and deeper proof for slow researchers, each with the numbers behind it. None
/// when the segments lack the figures.
pub fn for_speed(fast_median_ms: Option<f64>, fast_events: Option<f64>, slow_median_ms: Option<f64>, slow_events: Option<f64>) -> Vec<Intervention> {
    let days = |ms: f64| ms / 86_400_000.0;
    let mut interventions = Vec::new();
    if let (Some(median), Some(events)) = (fast_median_ms, fast_events) {
        interventions.push(Intervention {
            title: "Offer fast movers a compressed path".to_string(),
            reason: format!(
                "Converters in the fast speed segment buy within a median of {:.1} days after {events:.1} events, so a direct route to this step may keep more of the people who arrive ready.",
                days(median)
            ),
        });
    }
    if let (Some(median), Some(events)) = (slow_median_ms, slow_events) {
        interventions.push(Intervention {
            title: "Give slow researchers deeper proof".to_string(),
            reason: format!(
                "Converters in the slow speed segment take a median of {:.1} days and {events:.1} events, so case studies, comparisons and follow-ups may carry more of the people who are still weighing it up.",
                days(median)
            ),
        });
    }
    interventions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_choose_the_remedy() {
        let titles = |kind, label| for_finding(kind, label).into_iter().map(|intervention| intervention.title).collect::<Vec<_>>();
        assert_eq!(titles(FrictionKind::ExitPage, "/Pricing")[0], "Justify the value before the price");
        assert_eq!(titles(FrictionKind::FunnelStep, "step 3 (add_to_cart)")[0], "Shorten the checkout or booking form");
        assert_eq!(titles(FrictionKind::FunnelStep, "step 2 (webinar_attended)")[0], "Send a replay and a follow-up to no-shows");
        assert_eq!(titles(FrictionKind::ExitPage, "/blog/tips")[0], "Answer \"is it worth it\" with testimonials");
        assert_eq!(titles(FrictionKind::EmailStop, "e-mail 2")[1], "Start a re-engagement sequence");
        assert_eq!(titles(FrictionKind::Silence, "30 days").len(), 2);
    }

    #[test]
    fn speed_interventions_quote_the_segments() {
        let day = 86_400_000.0;
        let both = for_speed(Some(0.5 * day), Some(4.0), Some(20.0 * day), Some(31.5));
        assert_eq!(both[0].title, "Offer fast movers a compressed path");
        assert!(both[0].reason.contains("median of 0.5 days after 4.0 events"), "{}", both[0].reason);
        assert!(both[1].reason.contains("median of 20.0 days and 31.5 events"), "{}", both[1].reason);
        assert!(for_speed(None, None, None, None).is_empty());
    }
}
