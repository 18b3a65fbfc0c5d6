-- Each claim of an Idempotency-Key gets its own token. A key abandoned by a request that died
-- may be claimed again, and the response is then stored only by the claim that holds the token:
-- a slow first request whose key was reclaimed cannot commit its command as well.
ALTER TABLE idempotency_keys ADD COLUMN claim_token uuid;
