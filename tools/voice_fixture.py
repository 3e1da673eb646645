"""Write the made-up survey and event log that the voice-of-the-customer tests use.

Usage: python3 tools/voice_fixture.py > tests/fixtures/voice-fixture.csv

The columns are person_id, timestamp (RFC 3339 in UTC), event, channel, heard_about and
almost_stopped. Sixty people go through visit, pricing, signup and purchase, and 54 of them answer
a survey one day after their last event: the survey row has no channel and carries the two
answers. Three themes are planted in almost_stopped, each in 15 people with its own journey:

- p01-p15 answer about price and mostly stop at pricing (p14 and p15 sign up);
- p16-p30 answer about trust and reviews and mostly stop at signup (p29 and p30 buy);
- p31-p45 answer about setup and complexity and mostly buy (p44 and p45 stop at signup).

p46-p50 answer only stop words, p51-p54 leave almost_stopped empty and p55-p60 take no survey.
heard_about cycles through nine (answer, tracked first-touch channel) pairs, so every nine
respondents give five agreements, two disagreements, one recognised answer without a tracked
touch and one unrecognised answer. There is no randomness: the file is the same on every run.
"""

import csv
import sys
from datetime import datetime, timedelta, timezone

START = datetime(2024, 3, 1, tzinfo=timezone.utc)
STEPS = ["visit", "pricing", "signup", "purchase"]

PRICE = [
    "The price was too high",
    "Too expensive a price for a small team",
    "Price per seat is expensive",
    "Monthly price felt steep",
    "Price is expensive compared to other tools",
    "The price of the annual plan",
    "Could not justify the price",
    "The price felt expensive for us",
    "High price for what it does",
    "Price too high, cheaper tools exist",
    "Price went up after the trial",
    "Price too steep for a small budget",
    "Price is higher than competitors",
    "The cost and price of extra seats",
    "Budget too tight for this price",
]
TRUST = [
    "Not enough reviews online",
    "Could not find customer reviews",
    "I did not trust the reviews",
    "No reviews from companies like ours",
    "Hard to trust a new vendor",
    "Wanted reviews from real customers",
    "Trust: no case studies or reviews",
    "Few reviews and no testimonials",
    "Unsure I could trust the company",
    "Reviews looked fake",
    "Needed more trust signals, reviews",
    "No customer reviews on the site",
    "I trust reviews and found none",
    "Lack of trust in a small vendor",
    "Reviews on G2 were mixed",
]
SETUP = [
    "Setup looked complicated",
    "Worried the setup would take weeks",
    "Integration setup seemed complex",
    "Too complex to set up alone",
    "Setup needs a developer",
    "The setup guide was long and complex",
    "Complicated setup with our CRM",
    "Setup time, we are a small team",
    "Afraid of a complex migration setup",
    "Complex onboarding and setup",
    "Setup steps were confusing",
    "Setup seemed too technical",
    "Complicated integration",
    "Long setup process",
    "Complex setup for the whole team",
]
STOP_WORDS_ONLY = ["Nothing", "No", "Nothing really", "Not really", "Nothing at all"]

# (self-reported answer, tracked first-touch channel; "" for a visit without a channel).
HEARD = [
    ("Google", "organic_search"),
    ("Search engine", "organic_search"),
    ("Instagram", "paid_social"),
    ("A friend told me", "referral"),
    ("Your newsletter", "email"),
    ("Facebook ad", "organic_search"),
    ("Colleague", "paid_social"),
    ("Podcast", ""),
    ("Can't remember", "email"),
]


def person(number):
    """Return (steps reached, almost_stopped answer or None for no survey) for person number."""
    if number <= 15:
        return (3 if number >= 14 else 2), PRICE[number - 1]
    if number <= 30:
        return (4 if number >= 29 else 3), TRUST[number - 16]
    if number <= 45:
        return (3 if number >= 44 else 4), SETUP[number - 31]
    if number <= 50:
        return 4, STOP_WORDS_ONLY[number - 46]
    if number <= 54:
        return 1, ""
    return 2, None


def main():
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["person_id", "timestamp", "event", "channel", "heard_about", "almost_stopped"])
    for number in range(1, 61):
        steps, answer = person(number)
        heard, tracked = HEARD[(number - 1) % len(HEARD)]
        if answer is None:
            tracked = "referral"
        start = START + timedelta(hours=number)
        name = f"p{number:02d}"
        for index, step in enumerate(STEPS[:steps]):
            channel = tracked if index == 0 else ""
            time = start + timedelta(minutes=10 * index)
            writer.writerow([name, time.strftime("%Y-%m-%dT%H:%M:%SZ"), step, channel, "", ""])
        if answer is not None:
            time = start + timedelta(days=1)
            writer.writerow([name, time.strftime("%Y-%m-%dT%H:%M:%SZ"), "survey answered", "", heard, answer])


if __name__ == "__main__":
    main()
