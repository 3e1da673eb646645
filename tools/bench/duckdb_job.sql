-- The report job of `make bench` in SQL, for DuckDB (Python package) and
-- DuckDB-wasm (browser). Both runners replace {{csv}} with the file's path or
-- registered name, run the statements in order (they are separated by lines
-- that hold only "-- step"), and fetch the result of every SELECT.
-- Only built-in features are used: read_csv, window functions and ASOF joins.

-- Read the file. The table keeps the file's row order, so rowid breaks ties
-- between events with the same timestamp, as Pathlight keeps file order.
CREATE OR REPLACE TABLE raw_events AS
SELECT * FROM read_csv('{{csv}}', header = true, auto_detect = false, columns = {
    'user_id': 'VARCHAR',
    'timestamp': 'TIMESTAMP',
    'event': 'VARCHAR',
    'channel': 'VARCHAR',
    'page': 'VARCHAR',
    'revenue': 'DOUBLE'
});
-- step
-- Each person's journey: events in time order, numbered from 1.
CREATE OR REPLACE TEMP TABLE journeys AS
SELECT
    user_id,
    row_number() OVER (PARTITION BY user_id ORDER BY "timestamp", rowid) AS seq,
    "timestamp" AS ts,
    event,
    channel
FROM raw_events;
-- step
-- Funnel session_start > sign_up > add_to_cart > purchase, steps in order
-- with other events allowed between them, every step within 30 days of the
-- step-1 event. Each step-1 event starts a chain that takes the earliest
-- next step after the previous one. A person counts once, by their furthest
-- chain, which matches Pathlight's default counting.
WITH
starts AS (
    SELECT user_id, seq AS seq1, ts AS ts1 FROM journeys WHERE event = 'session_start'
),
sign_ups AS (SELECT user_id, seq, ts FROM journeys WHERE event = 'sign_up'),
carts AS (SELECT user_id, seq, ts FROM journeys WHERE event = 'add_to_cart'),
purchases AS (SELECT user_id, seq, ts FROM journeys WHERE event = 'purchase'),
step2 AS (
    SELECT s.*, n.seq AS seq2, n.ts AS ts2
    FROM starts s ASOF LEFT JOIN sign_ups n ON s.user_id = n.user_id AND s.seq1 < n.seq
),
step3 AS (
    SELECT s.*, n.seq AS seq3, n.ts AS ts3
    FROM step2 s ASOF LEFT JOIN carts n ON s.user_id = n.user_id AND s.seq2 < n.seq
),
step4 AS (
    SELECT s.*, n.ts AS ts4
    FROM step3 s ASOF LEFT JOIN purchases n ON s.user_id = n.user_id AND s.seq3 < n.seq
),
chains AS (
    SELECT
        user_id,
        CASE
            WHEN ts2 IS NULL OR ts2 > ts1 + INTERVAL 30 DAY THEN 1
            WHEN ts3 IS NULL OR ts3 > ts1 + INTERVAL 30 DAY THEN 2
            WHEN ts4 IS NULL OR ts4 > ts1 + INTERVAL 30 DAY THEN 3
            ELSE 4
        END AS depth
    FROM step4
),
people AS (SELECT user_id, max(depth) AS depth FROM chains GROUP BY user_id)
SELECT
    count(*) FILTER (WHERE depth >= 1) AS step1,
    count(*) FILTER (WHERE depth >= 2) AS step2,
    count(*) FILTER (WHERE depth >= 3) AS step3,
    count(*) FILTER (WHERE depth >= 4) AS step4
FROM people;
-- step
-- Top 20 paths: each person's whole event sequence, counted.
WITH paths AS (
    SELECT string_agg(event, ' > ' ORDER BY seq) AS path
    FROM journeys
    GROUP BY user_id
)
SELECT path, count(*) AS people
FROM paths
GROUP BY path
ORDER BY people DESC, path
LIMIT 20;
-- step
-- Time to convert: from each converter's first event to their first purchase.
WITH per_person AS (
    SELECT
        min(ts) AS first_ts,
        min(ts) FILTER (WHERE event = 'purchase') AS converted_ts
    FROM journeys
    GROUP BY user_id
),
seconds AS (
    SELECT epoch(converted_ts - first_ts) AS s FROM per_person WHERE converted_ts IS NOT NULL
)
SELECT
    count(*) AS converters,
    quantile_cont(s, 0.25) AS p25_seconds,
    quantile_cont(s, 0.5) AS median_seconds,
    quantile_cont(s, 0.75) AS p75_seconds,
    quantile_cont(s, 0.9) AS p90_seconds
FROM seconds;
-- step
-- Directly-follows graph: consecutive event pairs within each journey.
WITH pairs AS (
    SELECT event AS source, lead(event) OVER (PARTITION BY user_id ORDER BY seq) AS target
    FROM journeys
)
SELECT source, target, count(*) AS transitions
FROM pairs
WHERE target IS NOT NULL
GROUP BY source, target
ORDER BY transitions DESC, source, target;
-- step
-- Attribution over each converter's channel touches up to and including the
-- first purchase: first touch, last touch and linear (equal shares).
WITH conversions AS (
    SELECT user_id, min(seq) AS conversion_seq FROM journeys WHERE event = 'purchase' GROUP BY user_id
),
touches AS (
    SELECT
        j.user_id,
        j.channel,
        row_number() OVER (PARTITION BY j.user_id ORDER BY j.seq) AS touch,
        count(*) OVER (PARTITION BY j.user_id) AS touches
    FROM journeys j
    JOIN conversions c ON j.user_id = c.user_id AND j.seq <= c.conversion_seq
    WHERE j.channel IS NOT NULL AND j.channel <> ''
)
SELECT
    channel,
    count(*) FILTER (WHERE touch = 1) AS first_touch,
    count(*) FILTER (WHERE touch = touches) AS last_touch,
    sum(1.0 / touches) AS linear
FROM touches
GROUP BY channel
ORDER BY linear DESC, channel;
