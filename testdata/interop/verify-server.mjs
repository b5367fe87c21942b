// verify-server.mjs ISSUER AUDIENCE
//
// A tiny HTTP service that checks bearer tokens the way a node API does with jose: it
// discovers ISSUER (its "issuer" must be ISSUER exactly), then for each request verifies the
// Authorization: Bearer token with createRemoteJWKSet(jwks_uri) and jwtVerify, requiring
// iss = ISSUER and aud = AUDIENCE, and only the algorithms the issuer advertises. It answers
// 200 with {"sub": …} for a valid token and 401 otherwise. It listens on 127.0.0.1 on a free
// port, prints its URL alone on a line on stdout, and exits when stdin closes. Exit 2 on a
// usage or discovery error.

import { createServer } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { die, UsageError, EXIT_USAGE } from './lib.mjs';

const TIMEOUT_MS = 10_000;

async function main(argv) {
  if (argv.length !== 2) throw new UsageError('usage: verify-server.mjs ISSUER AUDIENCE');
  const [issuer, audience] = argv;
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
  if (!res.ok) throw new UsageError(`fetching ${url}: HTTP ${res.status}`);
  const doc = await res.json();
  if (doc.issuer !== issuer) throw new UsageError(`discovery issuer ${JSON.stringify(doc.issuer)} is not ${JSON.stringify(issuer)}`);
  if (typeof doc.jwks_uri !== 'string') throw new UsageError('discovery document has no jwks_uri');
  const algorithms = doc.id_token_signing_alg_values_supported;
  const jwks = createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: TIMEOUT_MS });
  const server = createServer(async (req, resp) => {
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer, audience, algorithms });
      resp.writeHead(200, { 'content-type': 'application/json' });
      resp.end(JSON.stringify({ sub: payload.sub ?? null }));
    } catch {
      resp.writeHead(401, { 'content-type': 'text/plain' });
      resp.end('unauthorized\n');
    }
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
  });
  process.stdin.on('end', () => server.close(() => process.exit(0)));
  process.stdin.resume();
}

main(process.argv.slice(2)).catch((err) => die(EXIT_USAGE, err));
