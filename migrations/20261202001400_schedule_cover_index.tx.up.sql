-- The schedule's grids: each day's first visits and the count of each day are read from the index
-- alone (scheduled_at, number, with status and id carried), one probe per day; the month of a large
-- provider (3,400 visits) otherwise read 3,000 heap pages twice per view. It replaces the plain
-- index on scheduled_at.
CREATE INDEX interventions_scheduled_cover_idx ON interventions (scheduled_at, number) INCLUDE (status, id)
    WHERE scheduled_at IS NOT NULL;
DROP INDEX interventions_scheduled_idx;
