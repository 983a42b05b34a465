// The AWS SDK for JavaScript v3 as a client of the embedded cognito-desk service.
//
// Usage: node scenario.mjs <scenario> [key=value ...]
// Reads COGNITO_DESK_ENDPOINT, COGNITO_DESK_REGION, COGNITO_DESK_ACCESS_KEY_ID and
// COGNITO_DESK_SECRET_ACCESS_KEY, runs one scenario (admin, admin-cleanup, guest, developer, errors,
// credentials-provider) and prints ONE JSON document with what the SDK observed. Credentials and
// tokens are never printed: only prefixes, lengths and decoded, non-secret JWT claims.
// tests/service/test_js_sdk.py drives it and asserts the output; any unexpected failure exits 1
// with the SDK error's name and message on stderr.

import {
  CognitoIdentityClient,
  CreateIdentityPoolCommand,
  DeleteIdentityPoolCommand,
  DescribeIdentityPoolCommand,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  GetIdentityPoolRolesCommand,
  GetOpenIdTokenForDeveloperIdentityCommand,
  ListTagsForResourceCommand,
  SetIdentityPoolRolesCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateIdentityPoolCommand,
  paginateListIdentityPools,
} from "@aws-sdk/client-cognito-identity";
import { CreateRoleCommand, DeleteRoleCommand, GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromCognitoIdentityPool } from "@aws-sdk/credential-providers";

const ENV = {
  endpoint: process.env.COGNITO_DESK_ENDPOINT,
  region: process.env.COGNITO_DESK_REGION,
  accessKeyId: process.env.COGNITO_DESK_ACCESS_KEY_ID,
  secretAccessKey: process.env.COGNITO_DESK_SECRET_ACCESS_KEY,
};
const WRONG_SECRET = "wrong-secret-for-the-js-sdk-scenario-0000";
const COGNITO_PROVIDER = "cognito-identity.amazonaws.com";

// --- clients -------------------------------------------------------------------------------------

/** Every request the clients send, after signing: command, whether it carries SigV4, header names. */
const requests = [];

function recordRequests(client) {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const headers = Object.keys(args.request.headers).map((name) => name.toLowerCase()).sort();
      requests.push({ command: context.commandName, signed: headers.includes("authorization"), headers });
      return next(args);
    },
    { step: "deserialize", name: "recordRequests", override: true },
  );
  return client;
}

/** The requests sent so far: command and signed flag of each, and every header name any of them had. */
function traffic() {
  return {
    sent: requests.map(({ command, signed }) => ({ command, signed })),
    headerNames: [...new Set(requests.flatMap((request) => request.headers))].sort(),
  };
}

function config(credentials) {
  return { endpoint: ENV.endpoint, region: ENV.region, maxAttempts: 1, ...(credentials && { credentials }) };
}

const admin = { accessKeyId: ENV.accessKeyId, secretAccessKey: ENV.secretAccessKey };

/** A cognito-identity client with NO usable credentials: any attempt to sign fails loudly. */
function publicClient() {
  return recordRequests(new CognitoIdentityClient(config(async () => {
    throw new Error("the public client was asked for credentials: the SDK tried to sign a public operation");
  })));
}

const adminCognito = () => recordRequests(new CognitoIdentityClient(config(admin)));
const stsWith = (credentials) => recordRequests(new STSClient(config(credentials)));

function vended(credentials) {
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretKey,
    sessionToken: credentials.SessionToken,
  };
}

// --- output helpers ------------------------------------------------------------------------------

/** A response without the SDK's $metadata. */
function body(response) {
  const { $metadata, ...rest } = response;
  return rest;
}

/** What is safe to print about a Credentials structure. */
function describeCredentials(credentials, now = Date.now()) {
  const expiration = credentials.Expiration ?? credentials.expiration;
  const keyId = credentials.AccessKeyId ?? credentials.accessKeyId;
  return {
    accessKeyIdPrefix: keyId.slice(0, 4),
    accessKeyIdLength: keyId.length,
    secretKeyLength: (credentials.SecretKey ?? credentials.secretAccessKey).length,
    sessionTokenLength: (credentials.SessionToken ?? credentials.sessionToken ?? "").length,
    expirationType: expiration instanceof Date ? "Date" : typeof expiration,
    expirationIso: expiration instanceof Date ? expiration.toISOString() : null,
    secondsLeft: expiration instanceof Date ? Math.round((expiration.getTime() - now) / 1000) : null,
  };
}

function jwtClaims(token) {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
}

async function caller(sts) {
  return body(await sts.send(new GetCallerIdentityCommand({})));
}

/** The error a call fails with, as the SDK exposes it; a call that succeeds is a scenario failure. */
async function failure(call) {
  try {
    await call();
  } catch (error) {
    if (!error.$metadata) throw error;
    return {
      name: error.name,
      message: error.message,
      fault: error.$fault,
      exceptionClass: error.constructor.name,
      httpStatusCode: error.$metadata.httpStatusCode,
      requestId: error.$metadata.requestId ?? null,
    };
  }
  throw new Error("expected the call to fail, but it succeeded");
}

function trustPolicy(poolId, amr) {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{
      Effect: "Allow",
      Principal: { Federated: COGNITO_PROVIDER },
      Action: ["sts:AssumeRoleWithWebIdentity"],
      Condition: {
        StringEquals: { [`${COGNITO_PROVIDER}:aud`]: poolId },
        "ForAnyValue:StringLike": { [`${COGNITO_PROVIDER}:amr`]: amr },
      },
    }],
  });
}

// --- scenarios -----------------------------------------------------------------------------------

async function adminScenario() {
  const ci = adminCognito();
  const iam = recordRequests(new IAMClient(config(admin)));
  const identity = await caller(stsWith(admin));
  const suffix = Date.now().toString(36);
  const created = body(await ci.send(new CreateIdentityPoolCommand({
    IdentityPoolName: `js sdk pool ${suffix}`,
    AllowUnauthenticatedIdentities: true,
    AllowClassicFlow: false,
    DeveloperProviderName: "login.js.example",
    IdentityPoolTags: { team: "qa", sdk: "js-v3" },
  })));
  const poolId = created.IdentityPoolId;
  const described = body(await ci.send(new DescribeIdentityPoolCommand({ IdentityPoolId: poolId })));

  const extra = [];
  for (const n of [1, 2]) {
    const pool = await ci.send(new CreateIdentityPoolCommand({
      IdentityPoolName: `js sdk paging ${n} ${suffix}`, AllowUnauthenticatedIdentities: false,
    }));
    extra.push(pool.IdentityPoolId);
  }
  const pageSizes = [];
  const listed = [];
  for await (const page of paginateListIdentityPools({ client: ci, pageSize: 2 }, { MaxResults: 2 })) {
    pageSizes.push(page.IdentityPools.length);
    listed.push(...page.IdentityPools.filter((p) => [poolId, ...extra].includes(p.IdentityPoolId)));
  }

  const updated = body(await ci.send(new UpdateIdentityPoolCommand({
    IdentityPoolId: poolId,
    IdentityPoolName: `js sdk pool renamed ${suffix}`,
    AllowUnauthenticatedIdentities: false,
    AllowClassicFlow: false,
    DeveloperProviderName: "login.js.example",
  })));

  const roles = {};
  for (const amr of ["unauthenticated", "authenticated"]) {
    const { Role } = await iam.send(new CreateRoleCommand({
      RoleName: `js-${amr.slice(0, 5)}-${poolId.split(":")[1].slice(0, 18)}`,
      AssumeRolePolicyDocument: trustPolicy(poolId, amr),
      Description: `JS SDK ${amr} role`,
    }));
    roles[amr] = {
      Arn: Role.Arn,
      RoleName: Role.RoleName,
      Path: Role.Path,
      createDateType: Role.CreateDate instanceof Date ? "Date" : typeof Role.CreateDate,
      trustPolicy: JSON.parse(decodeURIComponent(Role.AssumeRolePolicyDocument)),
    };
  }
  await ci.send(new SetIdentityPoolRolesCommand({
    IdentityPoolId: poolId,
    Roles: { unauthenticated: roles.unauthenticated.Arn, authenticated: roles.authenticated.Arn },
  }));
  const poolRoles = body(await ci.send(new GetIdentityPoolRolesCommand({ IdentityPoolId: poolId })));

  const arn = `arn:aws:cognito-identity:${ENV.region}:${identity.Account}:identitypool/${poolId}`;
  await ci.send(new TagResourceCommand({ ResourceArn: arn, Tags: { stage: "test", owner: "js" } }));
  const tagged = body(await ci.send(new ListTagsForResourceCommand({ ResourceArn: arn })));
  await ci.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["sdk"] }));
  const untagged = body(await ci.send(new ListTagsForResourceCommand({ ResourceArn: arn })));

  const deleted = {};
  for (const id of extra) {
    await ci.send(new DeleteIdentityPoolCommand({ IdentityPoolId: id }));
    deleted[id] = await failure(() => ci.send(new DescribeIdentityPoolCommand({ IdentityPoolId: id })));
  }
  return {
    caller: identity, created, described, paging: { pageSizes, listed }, updated,
    describedAfterUpdate: body(await ci.send(new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }))),
    roles, poolRoles, tagged, untagged, deleted, ...traffic(),
  };
}

async function adminCleanupScenario({ pool, roles }) {
  const ci = adminCognito();
  const iam = recordRequests(new IAMClient(config(admin)));
  await ci.send(new DeleteIdentityPoolCommand({ IdentityPoolId: pool }));
  const poolAfter = await failure(() => ci.send(new DescribeIdentityPoolCommand({ IdentityPoolId: pool })));
  const rolesAfter = {};
  for (const name of roles.split(",")) {
    await iam.send(new DeleteRoleCommand({ RoleName: name }));
    rolesAfter[name] = await failure(() => iam.send(new GetRoleCommand({ RoleName: name })));
  }
  return { poolAfter, rolesAfter };
}

async function guestScenario({ pool }) {
  const ci = publicClient();
  const { IdentityId } = await ci.send(new GetIdCommand({ IdentityPoolId: pool }));
  const answer = await ci.send(new GetCredentialsForIdentityCommand({ IdentityId }));
  const credentials = describeCredentials(answer.Credentials);
  return {
    identityId: IdentityId,
    credentialsIdentityId: answer.IdentityId,
    credentials,
    caller: await caller(stsWith(vended(answer.Credentials))),
    ...traffic(),
  };
}

async function developerScenario({ pool, provider, user }) {
  const token = await adminCognito().send(new GetOpenIdTokenForDeveloperIdentityCommand({
    IdentityPoolId: pool, Logins: { [provider]: user }, TokenDuration: 1200,
  }));
  const claims = jwtClaims(token.Token);
  const answer = await publicClient().send(new GetCredentialsForIdentityCommand({
    IdentityId: token.IdentityId, Logins: { [COGNITO_PROVIDER]: token.Token },
  }));
  return {
    identityId: token.IdentityId,
    token: { length: token.Token.length, aud: claims.aud, sub: claims.sub, amr: claims.amr,
             lifetime: claims.exp - claims.iat },
    credentialsIdentityId: answer.IdentityId,
    credentials: describeCredentials(answer.Credentials),
    caller: await caller(stsWith(vended(answer.Credentials))),
    ...traffic(),
  };
}

async function errorsScenario({ missing, closed }) {
  const ci = adminCognito();
  const wrongSecret = { accessKeyId: ENV.accessKeyId, secretAccessKey: WRONG_SECRET };
  const unknownKey = { accessKeyId: "AKIAJSSDKUNKNOWNKEY0", secretAccessKey: WRONG_SECRET };
  const signedWith = (credentials) => recordRequests(new CognitoIdentityClient(config(credentials)));
  const describe = (client, id) => client.send(new DescribeIdentityPoolCommand({ IdentityPoolId: id }));
  return {
    missingPool: await failure(() => describe(ci, missing)),
    guestsNotAllowed: await failure(() => publicClient().send(new GetIdCommand({ IdentityPoolId: closed }))),
    wrongSecret: await failure(() => describe(signedWith(wrongSecret), closed)),
    unknownAccessKey: await failure(() => describe(signedWith(unknownKey), closed)),
    badPoolId: await failure(() => describe(ci, "us-east-1_AbCdEf")),
    stsWrongSecret: await failure(() => caller(stsWith(wrongSecret))),
    iamMissingRole: await failure(() => recordRequests(new IAMClient(config(admin)))
      .send(new GetRoleCommand({ RoleName: "js-sdk-no-such-role" }))),
  };
}

async function credentialsProviderScenario({ pool }) {
  const provider = fromCognitoIdentityPool({
    identityPoolId: pool,
    clientConfig: { endpoint: ENV.endpoint, region: ENV.region, maxAttempts: 1 },
  });
  const first = await provider();
  const second = await provider();
  return {
    identityIds: [first.identityId, second.identityId],
    credentials: describeCredentials(first),
    caller: await caller(stsWith(provider)),
  };
}

const SCENARIOS = {
  admin: adminScenario,
  "admin-cleanup": adminCleanupScenario,
  guest: guestScenario,
  developer: developerScenario,
  errors: errorsScenario,
  "credentials-provider": credentialsProviderScenario,
};

async function main() {
  const [name, ...rest] = process.argv.slice(2);
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`unknown scenario ${name}; one of: ${Object.keys(SCENARIOS).join(", ")}`);
  const missing = Object.entries(ENV).filter(([, value]) => !value).map(([key]) => key);
  if (missing.length) throw new Error(`missing environment: ${missing.join(", ")}`);
  const args = Object.fromEntries(rest.map((arg) => arg.split(/=(.*)/s).slice(0, 2)));
  process.stdout.write(`${JSON.stringify(await scenario(args), null, 1)}\n`);
}

main().catch((error) => {
  process.stderr.write(`scenario failed: ${error.name}: ${error.message}\n`);
  process.exit(1);
});
