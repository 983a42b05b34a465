// A real SAML 2.0 IdP (saml-idp) for the test suite, on a loopback port.
//
// Usage: node saml.mjs '<json config>'
//   config: { port?: number, issuer, audience, acsUrl, certFile, keyFile, attributes: [names], user: {defaults} }
// Listens on 127.0.0.1 (port 0 = any free port) and prints "listening http://127.0.0.1:<port>" once ready.
// Every request starts from a fresh copy of config.user, so the values a login form posts (NameID,
// attributes; a repeated field gives a multi-valued attribute) apply to that one response only.
// saml-idp's own console output (which prints whole assertions) is silenced.
// The process exits when its standard input closes (the test session that started it went away).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

const { runServer } = createRequire(import.meta.url)('saml-idp');

const config = JSON.parse(process.argv[2] ?? '{}');

const profile = {
  // Each attribute is single-valued for saml-idp's mapper (which would split values on commas, and a
  // Role value is "<roleArn>,<providerArn>"); several values come from a repeated form field instead.
  metadata: (config.attributes ?? []).map((name) => ({
    id: name, optional: true, displayName: name, description: name, multiValue: false,
  })),
};
Object.defineProperty(profile, 'user', { enumerable: true, get: () => ({ ...config.user }) });
globalThis.samlIdpProfile = profile;

console.log = (...args) => {
  const text = stripVTControlCharacters(args.join(' '));
  const ready = text.match(/IdP server ready at\s+https?:\/\/[^:\s]+:(\d+)/);
  if (ready) {
    process.stdout.write(`listening http://127.0.0.1:${ready[1]}\n`);
  }
};

runServer({
  host: '127.0.0.1',
  port: config.port ?? 0,
  cert: config.certFile,
  key: config.keyFile,
  issuer: config.issuer,
  audience: config.audience,
  acsUrl: config.acsUrl,
  https: false,
  signResponse: true,
  configFile: fileURLToPath(new URL('saml-profile.cjs', import.meta.url)),
});

process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
