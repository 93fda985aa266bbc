-- The sheets a client still has to sign (portal home and interventions): a few rows among the
-- client's whole history (one among 39,734 interventions for the biggest client at large scale, read
-- in 90-500 ms without it).
CREATE INDEX interventions_awaiting_signature_idx ON interventions (client_id, created_at DESC, id DESC)
    WHERE sign_later AND status IN ('in_progress', 'done');
