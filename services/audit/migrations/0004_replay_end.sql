-- Where a job stops: the last log position when it was first taken. Without it a job follows
-- live traffic into the log and never ends while writes go on (the target's queue receives
-- those from the topic anyway), and its progress total is never reached.
ALTER TABLE replay_job ADD COLUMN end_position bigint;
