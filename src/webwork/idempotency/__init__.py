"""Safe retries of POSTs with an ``Idempotency-Key`` header (Stripe's semantics).

The first request with a key claims it for its caller, in a transaction of its own
committed at once, so that every node sees the claim; its answer is stored in the
request's own transaction, with its writes. A retry with the same key and the same
request (method, path, query and body) gets that answer again, marked
``Idempotent-Replayed: true``; with another request, 422; while the first still runs,
409. Keys are the caller's own: another user's identical key is another key. Answers are
kept 24 hours; a claim whose request never answered (the process stopped) is given up
after :data:`~webwork.idempotency.service.LEASE`. Expired rows are deleted by the next
claim, so no job is needed.

Requests without the header cost nothing here: no statement, one header lookup."""
