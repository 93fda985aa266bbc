-- The portal register of one client, newest first, over a period: at large scale the planner
-- otherwise walks the whole register in creation order (register_entries_list_idx) and throws away
-- the other clients' entries (77,000 rows for one page of the biggest client).
CREATE INDEX register_entries_client_created_idx ON register_entries (client_id, created_at DESC, id DESC);
