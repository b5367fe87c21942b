-- wrk script for .ci/load-serve: client-credentials token requests with client_secret_basic.
-- LOAD_AUTH holds base64("load:" .. secret); the secret is form-urlencoding-safe.
wrk.method = "POST"
wrk.body = "grant_type=client_credentials&scope=read%3Ausers"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. os.getenv("LOAD_AUTH")

local statuses = {}

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  io.write(string.format("requests %d, connect errors %d, read errors %d, write errors %d, timeouts %d, status errors %d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status))
  io.write(string.format("latency p50 %.2fms p99 %.2fms max %.2fms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
