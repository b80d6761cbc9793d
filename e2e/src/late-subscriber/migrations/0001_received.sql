-- One row per handled event, no unique key: a second handling of an event would show as a second row.
CREATE TABLE received (event_id uuid NOT NULL, type text NOT NULL, handled_at timestamptz NOT NULL DEFAULT now());
