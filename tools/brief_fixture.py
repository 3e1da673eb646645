"""Write tests/fixtures/brief-identifiers.csv: made-up journeys full of identifiers.

Person ids are e-mail addresses or UUID-like customer ids, a `contact_email` column repeats the
address, every person views a `/account/<uuid>` page of their own, a promotion page path carries
a long digit run, and a few people take a rare channel or event, so that the AI brief has small
counts and identifying labels to hide. The draw is seeded, so the output is the same every run.

Usage: python3 tools/brief_fixture.py > tests/fixtures/brief-identifiers.csv
"""

import csv
import random
import sys
import uuid
from datetime import datetime, timedelta, timezone

PEOPLE = 300
CHANNELS = ["organic_search", "paid_search", "social", "newsletter"]
ANSWERS = [
    "The price was too high for a small team like ours",
    "Price seemed steep compared with the other tools we tried",
    "I was not sure the setup would work with our shop",
    "Setup looked hard and the docs did not answer my question",
    "Reviews from other customers convinced me in the end",
]


def main() -> None:
    rng = random.Random(20261204)
    start = datetime(2024, 3, 1, tzinfo=timezone.utc)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["user_id", "timestamp", "event", "channel", "page", "contact_email", "almost_stopped"])
    for number in range(1, PEOPLE + 1):
        address = f"person.{number}@example.com"
        person = address if number % 2 else str(uuid.UUID(int=rng.getrandbits(128)))
        account = f"/account/{uuid.UUID(int=rng.getrandbits(128))}"
        channel = "partner_447102" if number <= 4 else rng.choice(CHANNELS)
        time = start + timedelta(hours=number * 7)
        rows = [("visit", channel, "/")]
        rows.append(("page_view", "", account))
        if rng.random() < 0.4:
            rows.append(("page_view", "", "/promo/2024031599"))
        if number <= 3:
            rows.append(("vip_call", "", "/"))
        guide = rng.random() < 0.35
        if guide:
            rows.append(("page_view", "", "/guide"))
        converts = rng.random() < (0.55 if guide else 0.2)
        if converts or rng.random() < 0.6:
            rows.append(("pricing", "", "/pricing"))
            if converts or rng.random() < 0.4:
                rows.append(("checkout", "", "/checkout"))
                if converts:
                    rows.append(("purchase", "", "/checkout"))
        answer = rng.choice(ANSWERS) + f" - {address}" if rng.random() < 0.5 else ""
        for event, row_channel, page in rows:
            time += timedelta(minutes=rng.randint(2, 90))
            writer.writerow([person, time.strftime("%Y-%m-%dT%H:%M:%SZ"), event, row_channel, page, address, ""])
        if answer:
            time += timedelta(hours=2)
            writer.writerow([person, time.strftime("%Y-%m-%dT%H:%M:%SZ"), "survey", "", "/survey", address, answer])


if __name__ == "__main__":
    main()
