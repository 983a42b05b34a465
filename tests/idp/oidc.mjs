// A real OpenID Provider (oidc-provider) for the test suite, on a loopback port.
//
// Usage: node oidc.mjs '<json config>'
//   config: { port?: number, clients: [client metadata], accounts: {id: {claim: value}}, claims: [names] }
// Listens on 127.0.0.1 (port 0 = any free port), with issuer http://127.0.0.1:<port>, and prints
// "listening http://127.0.0.1:<port>" once ready. Signing keys (RS256, PS256, ES256) are new for each run.
// Accounts: any login works; `sub` is the login, other id_token claims come from config.accounts and
// can be replaced per account with `PUT /test-accounts/<id>` (JSON body) — a test-only door.
// The process exits when its standard input closes (the test session that started it went away).
import { generateKeyPair, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { promisify } from 'node:util';

import Provider from 'oidc-provider';

const config = JSON.parse(process.argv[2] ?? '{}');
const accounts = new Map(Object.entries(config.accounts ?? {}));

// One key per id_token algorithm, each naming its `alg` (as most providers' JWKS do; PyJWT binds a JWK without
// `alg` to RS256 and would refuse a PS256 token with it).
async function signingKeys() {
  const tag = randomBytes(4).toString('hex');
  const generate = promisify(generateKeyPair);
  const pairs = await Promise.all([
    generate('rsa', { modulusLength: 2048 }), generate('rsa', { modulusLength: 2048 }),
    generate('ec', { namedCurve: 'P-256' }),
  ]);
  return ['RS256', 'PS256', 'ES256'].map((alg, i) => ({
    ...pairs[i].privateKey.export({ format: 'jwk' }), kid: `${alg.toLowerCase()}-${tag}`, alg, use: 'sig',
  }));
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

async function putAccount(req, res, id) {
  try {
    accounts.set(id, await readJson(req));
    res.writeHead(204).end();
  } catch (error) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
  }
}

const keys = await signingKeys();
const server = createServer();
server.listen(config.port ?? 0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: config.clients ?? [],
    jwks: { keys },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    // Every configured claim is released with the openid scope and put into the id_token itself.
    claims: { openid: ['sub', ...(config.claims ?? [])] },
    conformIdTokenClaims: false,
    enabledJWA: { idTokenSigningAlgValues: ['RS256', 'PS256', 'ES256'] },
    features: { devInteractions: { enabled: true } },
    async findAccount(ctx, id) {
      return { accountId: id, claims: async () => ({ ...(accounts.get(id) ?? {}), sub: id }) };
    },
  });
  const handle = provider.callback();
  server.on('request', (req, res) => {
    const account = req.url.match(/^\/test-accounts\/([^/?]+)$/);
    if (account && req.method === 'PUT') {
      putAccount(req, res, decodeURIComponent(account[1]));
    } else {
      handle(req, res);
    }
  });
  process.stdout.write(`listening ${issuer}\n`);
});

process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
