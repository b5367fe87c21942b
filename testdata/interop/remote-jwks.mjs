// remote-jwks.mjs ISSUER AUDIENCE TYP < token
//
// Verifies the JWT on stdin the way a service configured with an issuer URL does with node's
// jose: it fetches ISSUER/.well-known/openid-configuration, requires its "issuer" to be ISSUER
// exactly and its jwks_uri to be set, then verifies the token with createRemoteJWKSet(jwks_uri)
// and jwtVerify, requiring iss = ISSUER, aud = AUDIENCE and the header typ = TYP (pass "" to
// skip the typ check). Prints the payload JSON alone on stdout. Exit 1 when the token is
// invalid, 2 on a usage, network or discovery error. Every request has a 10 s timeout.

import { createRemoteJWKSet, jwtVerify, errors } from 'jose';
import { die, readStdin, UsageError, EXIT_INVALID, EXIT_USAGE } from './lib.mjs';

const TIMEOUT_MS = 10_000;

async function discover(issuer) {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let res;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
  } catch (err) {
    throw new UsageError(`fetching ${url}: ${err.message}`);
  }
  if (!res.ok) throw new UsageError(`fetching ${url}: HTTP ${res.status}`);
  const doc = await res.json();
  if (doc.issuer !== issuer) {
    throw new UsageError(`discovery issuer ${JSON.stringify(doc.issuer)} is not ${JSON.stringify(issuer)}`);
  }
  if (typeof doc.jwks_uri !== 'string') throw new UsageError('discovery document has no jwks_uri');
  return doc;
}

async function main(argv) {
  if (argv.length !== 3) {
    throw new UsageError('usage: remote-jwks.mjs ISSUER AUDIENCE TYP < token');
  }
  const [issuer, audience, typ] = argv;
  const doc = await discover(issuer);
  const jwks = createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: TIMEOUT_MS });
  const token = (await readStdin()).toString('utf8').trim();
  const options = { issuer, audience };
  if (typ !== '') options.typ = typ;
  let result;
  try {
    result = await jwtVerify(token, jwks, options);
  } catch (err) {
    if (err instanceof errors.JOSEError && !(err instanceof errors.JWKSTimeout)
      && !(err instanceof errors.JWKSInvalid)) {
      die(EXIT_INVALID, `token is invalid: ${err.code}: ${err.message}`);
    }
    throw new UsageError(`verifying with ${doc.jwks_uri}: ${err.message}`);
  }
  process.stdout.write(`${JSON.stringify({ header: result.protectedHeader, payload: result.payload })}\n`);
}

// Exit at once: fetch keeps idle keep-alive connections open, which would hold the process for
// seconds. Writes to a pipe are synchronous on Linux, so nothing written is lost.
main(process.argv.slice(2)).then(() => process.exit(0), (err) => die(EXIT_USAGE, err));
