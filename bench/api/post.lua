-- wrk script: every request creates a todo (todo row + outbox row in one transaction).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title":"Benchmark todo","description":"written by wrk","deadline_at":"2030-01-01T12:00:00Z"}'
