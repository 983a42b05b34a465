-- wrk script turning wrk's request loop into guest sign-ins (GetId, then GetCredentialsForIdentity).
--
-- Each wrk thread keeps a queue of identity ids taken from GetId responses; request() sends
-- GetCredentialsForIdentity for a queued id if there is one, else GetId for the pool named by the
-- SIGNIN_POOL_ID environment variable. A 2xx response carrying "Credentials" completes a sign-in;
-- a non-2xx response, or a 2xx GetId answer without an identity id, is an error. done() prints one
-- line "SIGNIN-RESULT {json}" with the counters of all threads and wrk's latency percentiles (us).

dofile((os.getenv("SIGNIN_BENCH_DIR") or "bench") .. "/wrk_report.lua")

local pool_id = os.getenv("SIGNIN_POOL_ID") or "us-east-1:00000000-0000-0000-0000-000000000000"
local json_type = "application/x-amz-json-1.1"
local target_prefix = "AWSCognitoIdentityService."

local threads = {}
local queue, head, tail = {}, 1, 0
local get_id_request

signins, failures, malformed = 0, 0, 0

local function call(operation, body)
   return wrk.format("POST", "/", {
      ["Content-Type"] = json_type,
      ["X-Amz-Target"] = target_prefix .. operation,
   }, body)
end

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   get_id_request = call("GetId", '{"IdentityPoolId":"' .. pool_id .. '"}')
end

function request()
   if tail >= head then
      local identity_id = queue[head]
      queue[head] = nil
      head = head + 1
      return call("GetCredentialsForIdentity", '{"IdentityId":"' .. identity_id .. '"}')
   end
   return get_id_request
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      failures = failures + 1
   elseif body:find('"Credentials"', 1, true) then
      signins = signins + 1
   else
      local identity_id = body:match('"IdentityId"%s*:%s*"([^"]+)"')
      if identity_id then
         tail = tail + 1
         queue[tail] = identity_id
      else
         malformed = malformed + 1
      end
   end
end

function done(summary, latency, requests)
   report(threads, {"signins", "failures", "malformed"}, summary, latency)
end
