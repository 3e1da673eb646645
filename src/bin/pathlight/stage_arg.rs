//! The `--stage NAME=RULE[,RULE...]` argument, and the event filters it shares with `--funnel`.
//!
//! A rule is `EVENT`, or `EVENT[COLUMN OP VALUE]` where the operator `=` compares exactly, `~`
//! matches a glob (`*` any run of characters, `?` one character) and `=~` matches a regular
//! expression, each over the whole value. Commas inside brackets belong to the value.

use pathlight::analysis::funnel::MatchKind;
use pathlight::analysis::stages::{StageDefinition, StageRule};

/// Parses one `--stage` value into a stage.
pub fn parse_stage(text: &str) -> Result<StageDefinition, String> {
    let (name, rules) = text
        .split_once('=')
        .filter(|(name, rules)| !name.trim().is_empty() && !rules.trim().is_empty())
        .ok_or_else(|| format!("--stage: \"{text}\" must look like NAME=EVENT[,EVENT...], such as \"evaluation=demo,page_view[page~/pricing*]\""))?;
    let rules = split_rules(rules)
        .into_iter()
        .map(|text| {
            let (event, filter) = parse_filtered_event(text, "--stage")?;
            let (column, value, match_kind) = filter.map_or((None, None, MatchKind::Exact), |(column, value, kind)| (Some(column), Some(value), kind));
            Ok(StageRule { event, column, value, match_kind })
        })
        .collect::<Result<_, String>>()?;
    Ok(StageDefinition { name: name.trim().to_string(), rules })
}

/// Splits rules at the commas that are outside brackets.
pub fn split_rules(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (at, character) in text.char_indices() {
        match character {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&text[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter().map(str::trim).filter(|part| !part.is_empty()).collect()
}

/// An event's column filter: the column, the value and how they are compared.
pub type EventFilter = (String, String, MatchKind);

/// Parses `EVENT` or `EVENT[COLUMN OP VALUE]`; `flag` names the argument in error messages.
pub fn parse_filtered_event(text: &str, flag: &str) -> Result<(String, Option<EventFilter>), String> {
    let Some((event, filter)) = text.split_once('[') else {
        return Ok((text.trim().to_string(), None));
    };
    let filter = filter.strip_suffix(']').ok_or_else(|| format!("{flag}: \"{text}\" is missing its closing ] at the end"))?;
    let shape = || format!("{flag}: the filter in \"{text}\" must look like [column=value], [column~glob] or [column=~regex]");
    let operator = filter.find(['=', '~']).ok_or_else(shape)?;
    let column = filter[..operator].trim();
    if column.is_empty() {
        return Err(shape());
    }
    let rest = &filter[operator..];
    let (match_kind, value) = if let Some(value) = rest.strip_prefix("=~") {
        (MatchKind::Regex, value)
    } else if let Some(value) = rest.strip_prefix('~') {
        (MatchKind::Glob, value)
    } else {
        (MatchKind::Exact, &rest[1..])
    };
    Ok((event.trim().to_string(), Some((column.to_string(), value.trim().to_string(), match_kind))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_with_each_operator() {
        let stage = parse_stage("after purchase=referral,page_view[page=~/onboard(ing)?/.*],page_view[page~/help*],x[a=b]").unwrap();
        assert_eq!(stage.name, "after purchase");
        let kinds: Vec<MatchKind> = stage.rules.iter().map(|rule| rule.match_kind).collect();
        assert_eq!(kinds, [MatchKind::Exact, MatchKind::Regex, MatchKind::Glob, MatchKind::Exact]);
        assert_eq!(stage.rules[0].column, None);
        assert_eq!(stage.rules[1].value.as_deref(), Some("/onboard(ing)?/.*"));
        assert_eq!(stage.rules[2].value.as_deref(), Some("/help*"));
        assert_eq!(stage.rules[3].value.as_deref(), Some("b"));
    }

    #[test]
    fn commas_inside_brackets_stay() {
        let stage = parse_stage("evaluation=page_view[page=~/(a|b){1,2}],demo").unwrap();
        assert_eq!(stage.rules.len(), 2);
        assert_eq!(stage.rules[0].value.as_deref(), Some("/(a|b){1,2}"));
    }

    #[test]
    fn malformed_stages_rejected() {
        assert!(parse_stage("evaluation").unwrap_err().contains("NAME=EVENT"));
        assert!(parse_stage("=demo").unwrap_err().contains("NAME=EVENT"));
        assert!(parse_stage("evaluation=page_view[page=/x").unwrap_err().contains("closing ]"));
        assert!(parse_stage("evaluation=page_view[page]").unwrap_err().contains("[column=value]"));
    }
}
