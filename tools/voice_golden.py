"""Compute the voice-of-the-customer golden values of a survey and event log, independently of the
engine.

Usage: python3 tools/voice_golden.py tests/fixtures/voice-fixture.csv almost_stopped heard_about \
    > tools/golden/voice_fixture.json

The CSV needs person_id, timestamp, event and channel columns, the free-text column and the
self-reported channel column. Output, as JSON:

- response counts: responses (rows with either answer column non-empty), respondents, empty text
  cells among responses, answers with stop words only, and analysed answers;
- the 20 terms with the highest mean TF-IDF weight over the analysed answers, with their document
  frequency and smoothed idf (ln((1 + n) / (1 + df)) + 1, raw counts, l2 norm: scikit-learn's
  TfidfVectorizer defaults, computed here with numpy);
- the channel comparison: each respondent's first self-reported channel, normalised by the rules
  below, against the channel of their first row that has a channel and no answer, as a pandas
  crosstab, with the agreement and no-tracked-touch counts.

Tokenising, stop words, plural folding and the channel synonyms follow the rules that
src/analysis/voice/text.rs and src/analysis/voice/channel.rs document, written again here.
"""

import json
import re
import sys

import numpy as np
import pandas as pd

STOP_WORDS = set("""
about above after again against all almost also am an and any are as at be because been before being
below between both but by can cant could couldnt did didnt do does doesnt doing dont down during each
even ever every few for from further get got had hadnt has hasnt have havent having he her here hers
him his how id if im in into is isnt it its ive just like me more most much my myself no nor not
nothing now of off on once one only or other our ours out over own quite really same she should so
some still such than that thats the their them then there these they thing things this those through
to too under until up us very was wasnt we were what when where which while who whom why will with
would wouldnt yes you your yours
""".split())

SYNONYMS = [
    ("ad", "paid"), ("ads", "paid"), ("advert", "paid"), ("advertisement", "paid"), ("advertising", "paid"),
    ("sponsored", "paid"), ("ppc", "paid"), ("adword", "paid"), ("banner", "paid"),
    ("newsletter", "email"), ("email", "email"), ("e mail", "email"), ("mail", "email"), ("mailing", "email"),
    ("facebook", "social"), ("instagram", "social"), ("tiktok", "social"), ("linkedin", "social"),
    ("twitter", "social"), ("youtube", "social"), ("reddit", "social"), ("pinterest", "social"), ("social", "social"),
    ("word of mouth", "referral"), ("friend", "referral"), ("colleague", "referral"), ("coworker", "referral"),
    ("recommendation", "referral"), ("recommended", "referral"), ("referral", "referral"), ("referred", "referral"),
    ("google", "search"), ("bing", "search"), ("duckduckgo", "search"), ("yahoo", "search"), ("search", "search"),
    ("podcast", "podcast"),
    ("conference", "event"), ("webinar", "event"), ("meetup", "event"), ("event", "event"),
    ("direct", "direct"),
]

WORD = re.compile(r"[^\W_]+")
TOP_TERMS = 20


def fold_plural(word):
    """Fold -ies to -y in words of 5+ characters and drop a final s from words of 4+ characters
    that do not end in ss, us or is."""
    if len(word) >= 5 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) >= 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenize(text):
    """Return the content words of an answer."""
    lower = text.lower().replace("'", "").replace("\u2019", "")
    tokens = []
    for word in WORD.findall(lower):
        if len(word) < 2 or word.isnumeric() or word in STOP_WORDS:
            continue
        word = fold_plural(word)
        if word not in STOP_WORDS:
            tokens.append(word)
    return tokens


def normalise_name(name):
    return " ".join(WORD.findall(name.lower()))


def normalise_answer(answer, channels):
    """Map a self-reported answer to a channel name, or None when unrecognised."""
    key = normalise_name(answer)
    if not key:
        return None
    known = sorted((normalise_name(name), name) for name in channels)
    for normal, name in known:
        if normal == key:
            return name
    raw = key.split(" ")
    words = set(raw) | {fold_plural(word) for word in raw}
    for normal, name in known:
        if len(normal) >= 3 and normal in words:
            return name
    generic = None
    for phrase, channel in SYNONYMS:
        found = f" {phrase} " in f" {key} " if " " in phrase else phrase in words
        if found:
            generic = channel
            break
    if generic is None:
        return None
    for normal, name in known:
        if normal == generic:
            return name
    for normal, name in known:
        if generic in normal.split(" "):
            return name
    return generic


def load(path, text_column, channel_column):
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["row"] = range(len(frame))
    frame["when"] = pd.to_datetime(frame["timestamp"], utc=True)
    for column in (text_column, channel_column, "channel"):
        frame[column] = frame[column].str.strip()
    return frame.sort_values(["person_id", "when", "row"], kind="stable")


def themes_input(frame, text_column, channel_column):
    responses = frame[(frame[text_column] != "") | (frame[channel_column] != "")]
    answers = []
    empty = stop_words_only = 0
    for text in responses[text_column]:
        tokens = tokenize(text)
        if text == "":
            empty += 1
        elif not tokens:
            stop_words_only += 1
        else:
            answers.append(tokens)
    counts = {
        "responses": len(responses),
        "respondents": responses["person_id"].nunique(),
        "empty": empty,
        "stop_words_only": stop_words_only,
        "analysed": len(answers),
    }
    return counts, answers


def tfidf_terms(answers):
    terms = sorted({token for tokens in answers for token in tokens})
    index = {term: at for at, term in enumerate(terms)}
    counts = np.zeros((len(answers), len(terms)))
    for row, tokens in enumerate(answers):
        for token in tokens:
            counts[row, index[token]] += 1
    document_frequency = (counts > 0).sum(axis=0)
    n = len(answers)
    idf = np.log((1 + n) / (1 + document_frequency)) + 1
    weights = counts * idf
    weights /= np.linalg.norm(weights, axis=1, keepdims=True)
    mean = weights.mean(axis=0)
    order = sorted(range(len(terms)), key=lambda at: (-mean[at], terms[at]))[:TOP_TERMS]
    return [
        {"term": terms[at], "answers": int(document_frequency[at]), "idf": float(idf[at]), "mean_weight": float(mean[at])}
        for at in order
    ]


def channel_comparison(frame, text_column, channel_column):
    tracked_rows = (frame["channel"] != "") & (frame[text_column] == "") & (frame[channel_column] == "")
    channels = sorted(set(frame.loc[tracked_rows, "channel"]))
    rows = []
    for person, journey in frame.groupby("person_id", sort=True):
        answered = journey[journey[channel_column] != ""]
        if answered.empty:
            continue
        untouched = journey[(journey[text_column] == "") & (journey[channel_column] == "") & (journey["channel"] != "")]
        tracked = untouched["channel"].iloc[0] if not untouched.empty else None
        reported = normalise_answer(answered[channel_column].iloc[0], channels)
        rows.append({"person": person, "reported": reported, "tracked": tracked})
    pairs = pd.DataFrame(rows)
    recognised = pairs[pairs["reported"].notna()]
    compared = recognised[recognised["tracked"].notna()]
    table = pd.crosstab(recognised["reported"], recognised["tracked"].fillna("(none)"))
    cells = [
        {"reported": reported, "tracked": tracked, "people": int(table.loc[reported, tracked])}
        for reported in sorted(table.index)
        for tracked in sorted(table.columns)
        if table.loc[reported, tracked] > 0
    ]
    return {
        "respondents": len(pairs),
        "unrecognised": int(pairs["reported"].isna().sum()),
        "compared": len(compared),
        "agree": int((compared["reported"] == compared["tracked"]).sum()),
        "no_tracked_touch": int(pairs["tracked"].isna().sum()),
        "cells": cells,
    }


def main():
    path, text_column, channel_column = sys.argv[1:4]
    frame = load(path, text_column, channel_column)
    counts, answers = themes_input(frame, text_column, channel_column)
    golden = {
        "counts": counts,
        "terms": tfidf_terms(answers),
        "channel": channel_comparison(frame, text_column, channel_column),
    }
    json.dump(golden, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
