-- Shared by the sign-in wrk scripts: add up the per-thread counters and print one line
-- "SIGNIN-RESULT {json}" with them, wrk's error counts and its latency percentiles (us).
-- Loaded with dofile() from the directory named by SIGNIN_BENCH_DIR (bench/signin.py sets it).

-- counters: names of the global counters every thread keeps; "failures" is reported as "non_2xx".
function report(threads, counters, summary, latency)
   local fields = {
      string.format('"duration_us":%d', summary.duration),
      string.format('"requests":%d', summary.requests),
   }
   for _, name in ipairs(counters) do
      local total = 0
      for _, thread in ipairs(threads) do
         total = total + thread:get(name)
      end
      table.insert(fields, string.format('"%s":%d', name == "failures" and "non_2xx" or name, total))
   end
   local e = summary.errors
   table.insert(fields, string.format('"socket_errors":%d', e.connect + e.read + e.write))
   table.insert(fields, string.format('"timeouts":%d', e.timeout))
   table.insert(fields, string.format('"p50_us":%d', latency:percentile(50)))
   table.insert(fields, string.format('"p99_us":%d', latency:percentile(99)))
   table.insert(fields, string.format('"max_us":%d', latency.max))
   io.write("SIGNIN-RESULT {" .. table.concat(fields, ",") .. "}\n")
end
