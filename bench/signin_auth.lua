-- wrk script turning wrk's request loop into authenticated sign-ins with OpenID id_tokens: GetId with
-- Logins {key: token}, then GetCredentialsForIdentity with the returned id and the same Logins.
--
-- Environment: SIGNIN_POOL_ID (the pool), SIGNIN_LOGIN_KEY (the issuer without "http://"), SIGNIN_TOKENS (a
-- file of id_tokens, one a line) and SIGNIN_THREADS (wrk's -t). Run with ONE CONNECTION PER THREAD
-- (wrk -t N -c N): response() is not told which request it answers, so each thread keeps exactly one
-- request in flight and its queue of (identity id, token) pairs holds at most the pair of the GetId just
-- answered. Thread k of N takes tokens k+1, k+1+N, ... of the file, round-robin, so every user signs in
-- again once all users have; each token's first completed sign-in in the run counts in first_signins —
-- the sign-ins that created an identity and linked the login when the file's users are new to the service.
-- (wrk calls request() once on thread 1 to check the script, skipping that thread's first token in its
-- first round, hence counting per token rather than per round.)
-- A 2xx response carrying "Credentials" completes a sign-in; a non-2xx response, or a 2xx GetId answer
-- without an identity id, is an error (and the next request starts a new sign-in). done() prints one line
-- "SIGNIN-RESULT {json}" with the counters of all threads and wrk's latency percentiles (us).

dofile((os.getenv("SIGNIN_BENCH_DIR") or "bench") .. "/wrk_report.lua")

local pool_id = os.getenv("SIGNIN_POOL_ID")
local login_key = os.getenv("SIGNIN_LOGIN_KEY")
local token_file = os.getenv("SIGNIN_TOKENS")
local thread_count = tonumber(os.getenv("SIGNIN_THREADS") or "1")
local json_type = "application/x-amz-json-1.1"
local target_prefix = "AWSCognitoIdentityService."

local threads = {}
local tokens, get_id_requests = {}, {}
local cursor = 0                     -- index in tokens of the sign-in in progress
local signed_in = {}                 -- token index -> true once it completed a sign-in in this run
local pending_id                     -- the identity id GetId answered for tokens[cursor], if not yet used
local asked = nil                    -- the operation in flight: "GetId" or "GetCredentialsForIdentity"

signins, first_signins, failures, malformed = 0, 0, 0, 0

local function call(operation, body)
   return wrk.format("POST", "/", {
      ["Content-Type"] = json_type,
      ["X-Amz-Target"] = target_prefix .. operation,
   }, body)
end

local function logins(token)
   return '"Logins":{"' .. login_key .. '":"' .. token .. '"}'
end

function setup(thread)
   thread:set("thread_index", #threads)
   table.insert(threads, thread)
end

function init(args)
   local file = assert(io.open(token_file, "r"))
   local line_number = 0
   for line in file:lines() do
      if line ~= "" then
         if line_number % thread_count == thread_index then
            table.insert(tokens, line)
            table.insert(get_id_requests,
                         call("GetId", '{"IdentityPoolId":"' .. pool_id .. '",' .. logins(line) .. '}'))
         end
         line_number = line_number + 1
      end
   end
   file:close()
   assert(#tokens > 0, "thread " .. thread_index .. " got no tokens from " .. token_file)
end

function request()
   if pending_id then
      local identity_id = pending_id
      pending_id = nil
      asked = "GetCredentialsForIdentity"
      return call(asked, '{"IdentityId":"' .. identity_id .. '",' .. logins(tokens[cursor]) .. '}')
   end
   cursor = cursor + 1
   if cursor > #tokens then
      cursor = 1
   end
   asked = "GetId"
   return get_id_requests[cursor]
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      failures = failures + 1
   elseif asked == "GetCredentialsForIdentity" and body:find('"Credentials"', 1, true) then
      signins = signins + 1
      if not signed_in[cursor] then
         signed_in[cursor] = true
         first_signins = first_signins + 1
      end
   elseif asked == "GetId" then
      pending_id = body:match('"IdentityId"%s*:%s*"([^"]+)"')
      if not pending_id then
         malformed = malformed + 1
      end
   else
      malformed = malformed + 1
   end
end

function done(summary, latency, requests)
   report(threads, {"signins", "first_signins", "failures", "malformed"}, summary, latency)
end
