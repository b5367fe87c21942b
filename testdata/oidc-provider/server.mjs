// A real OAuth 2.0 / OpenID Connect server for jwtkit's integration tests, built on
// panva/oidc-provider (pinned in package.json).
//
//   node server.mjs [port] [--watch-stdin] [--mtls DIR]
//
// It listens on 127.0.0.1 (port 0, the default, picks a free one), prints its issuer URL on
// stdout as one line once it accepts connections, and runs until killed (SIGTERM or SIGINT), or,
// with --watch-stdin, until its stdin closes, so it cannot outlive a test process that dies.
// Nothing else is written on stdout; diagnostics go to stderr.
//
// What it offers:
//   - the client-credentials grant, for the three clients in clients.json: one authenticating
//     with client_secret_basic, one with client_secret_post, one with private_key_jwt (its public
//     key derived from client-key.pem; tests sign assertions with the private half);
//   - access tokens that are JWTs (RFC 9068, signed ES256 with a key generated at start and
//     published at the jwks_uri). oidc-provider issues JWT access tokens only for a resource
//     server (features.resourceIndicators), so there is one, clients.json's "resource", and
//     defaultResource makes it the resource of every request that names none: a plain
//     client-credentials request without `resource` still gets a JWT whose aud is that resource.
//     A request naming any other resource gets the server's invalid_target error;
//   - scopes: clients may have "read:users write:users"; "admin:users" is a scope the server
//     knows but no client may have, so asking for it gives the server's own invalid_scope error.
//     An unknown client or a wrong secret gives its invalid_client error;
//   - for the people-facing flows, clients.json's "native_clients": public clients (auth method
//     none) or confidential ones allowed the authorization code (PKCE), refresh token and device
//     code grants, with a loopback redirect URI whose port may vary (RFC 8252 §7.3, application
//     type native). A refresh token is issued with every code or device grant. The login and
//     consent steps are /interaction/:uid, which approves the request at once for the test user
//     "jwtkit-test-user", so an HTTP client that follows redirects plays the browser; a request
//     whose login_hint is "deny" is refused with access_denied instead. The device flow's
//     verification page is oidc-provider's own /device form;
//   - DPoP (RFC 9449) with the server's nonces required, the token revocation endpoint (RFC 7009), and
//     the authorization response iss parameter (RFC 9207), which oidc-provider 8 always sends;
//   - with --mtls DIR, mutual TLS (RFC 8705): a second listener on 127.0.0.1, TLS with
//     DIR/server.pem and DIR/server.key, asks for client certificates (DIR/ca.pem is the CA
//     that tls_client_auth trusts) and serves the same provider; discovery names its token and
//     revocation endpoints in mtls_endpoint_aliases (oidc-provider 8.8.1 does not publish that
//     member, so it is added through the discovery option). DIR/clients.json is an array of
//     client metadata registered for the client-credentials grant with tls_client_auth
//     (matched by tls_client_auth_subject_dn) or self_signed_tls_client_auth (jwks with the
//     certificate in x5c); their access tokens are bound to the certificate (cnf.x5t#S256);
//   - the jwt-bearer grant (RFC 7523 §2.1), which oidc-provider does not ship: registered here
//     with provider.registerGrantType for the clients clients.json's "jwt_bearer" names. The
//     assertion must be signed by the trusted issuer's key (jwt_bearer.key_file, verified with
//     jose), have that iss, an aud of the token endpoint or the issuer, a sub, an exp at most
//     5 minutes ahead and a jti not seen before; the access token is for the assertion's sub.
import { createHash, createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createTLSServer } from 'node:https';

import { jwtVerify } from 'jose';
import Provider, { errors } from 'oidc-provider';

const here = new URL('.', import.meta.url);
const args = process.argv.slice(2);
const watchStdin = args.includes('--watch-stdin');
// --mtls DIR: also listen with TLS (DIR/server.pem, DIR/server.key), asking for client
// certificates, and register DIR/clients.json's mutual TLS clients (RFC 8705).
const mtlsIndex = args.indexOf('--mtls');
const mtlsDir = mtlsIndex >= 0 ? args[mtlsIndex + 1] : undefined;
if (mtlsIndex >= 0 && (mtlsDir === undefined || mtlsDir.startsWith('--'))) {
  console.error('server.mjs: --mtls needs a directory');
  process.exit(2);
}
const portArg = args.find((a, i) => !a.startsWith('--') && (mtlsIndex < 0 || i !== mtlsIndex + 1));
const port = portArg === undefined ? 0 : Number(portArg);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`server.mjs: invalid port ${JSON.stringify(portArg)}`);
  process.exit(2);
}

const setup = JSON.parse(readFileSync(new URL('clients.json', here), 'utf8'));

// The provider's signing key, fresh for every run.
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'oidc-provider-es256', alg: 'ES256', use: 'sig' };

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const bearer = setup.jwt_bearer;
const bearerKey = createPublicKey(readFileSync(new URL(bearer.key_file, here)));

// jwtBearerHandler is the RFC 7523 §2.1 grant: a JWT assertion from the trusted issuer buys an
// access token (a JWT for the resource server) whose sub is the assertion's sub.
async function jwtBearerHandler(ctx, next) {
  const { client, params, provider } = ctx.oidc;
  const issuer = provider.issuer;
  let claims;
  try {
    ({ payload: claims } = await jwtVerify(params.assertion, bearerKey, {
      issuer: bearer.issuer,
      audience: [`${issuer}/token`, issuer],
      algorithms: [bearer.alg],
      requiredClaims: ['sub', 'exp', 'jti'],
    }));
  } catch (err) {
    throw new errors.InvalidGrant(`assertion refused: ${err.code ?? 'invalid'}`);
  }
  const now = Math.floor(Date.now() / 1000);
  if (claims.exp - now > 300) {
    throw new errors.InvalidGrant('assertion refused: exp is more than 5 minutes ahead');
  }
  if (!await provider.ReplayDetection.unique(bearer.issuer, claims.jti, claims.exp)) {
    throw new errors.InvalidGrant('assertion refused: jti already used');
  }
  const scope = params.scope ?? client.scope;
  const grant = new provider.Grant({ accountId: claims.sub, clientId: client.clientId });
  grant.addResourceScope(setup.resource, scope);
  const grantId = await grant.save();
  const resourceServer = new provider.ResourceServer(setup.resource, {
    scope, audience: setup.resource, accessTokenTTL: 300, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } },
  });
  const token = new provider.AccessToken({
    accountId: claims.sub, client, grantId, gty: 'jwt_bearer', scope, resourceServer,
  });
  const value = await token.save();
  ctx.body = {
    access_token: value, expires_in: token.expiration, token_type: token.tokenType, scope,
  };
  await next();
}

function nativeClientMetadata(c) {
  const meta = {
    client_id: c.client_id,
    application_type: 'native',
    grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    response_types: ['code'],
    redirect_uris: c.redirect_uris,
    token_endpoint_auth_method: c.token_endpoint_auth_method,
    scope: `openid offline_access ${setup.allowed_scope}`,
  };
  if (c.client_secret !== undefined) {
    meta.client_secret = c.client_secret;
  }
  return meta;
}

function clientMetadata(c) {
  const meta = {
    client_id: c.client_id,
    grant_types: bearer.clients.includes(c.client_id) ? ['client_credentials', JWT_BEARER] : ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: c.token_endpoint_auth_method,
    scope: setup.allowed_scope,
  };
  if (c.client_secret !== undefined) {
    meta.client_secret = c.client_secret;
  }
  if (c.key_file !== undefined) {
    const pub = createPublicKey(readFileSync(new URL(c.key_file, here)));
    meta.jwks = { keys: [{ ...pub.export({ format: 'jwk' }), kid: c.kid, alg: c.alg, use: 'sig' }] };
    meta.token_endpoint_auth_signing_alg = c.alg;
  }
  return meta;
}

const testUser = 'jwtkit-test-user';

// finishInteraction approves the pending login or consent prompt for the test user at once (or
// refuses it when the authorization request's login_hint is "deny"), then lets oidc-provider
// redirect the user agent on.
async function finishInteraction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params } = details;
  let result;
  if (params.login_hint === 'deny') {
    result = { error: 'access_denied', error_description: 'the test user said no' };
  } else if (prompt.name === 'login') {
    result = { login: { accountId: testUser } };
  } else {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    result = { consent: { grantId: await grant.save() } };
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

// peerCertificate is the TLS client certificate of the request, undefined over plain http or
// when the client sent none.
function peerCertificate(ctx) {
  const socket = ctx.req.socket;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const peer = socket.getPeerCertificate();
  if (!peer || !peer.raw) return undefined;
  return new X509Certificate(peer.raw);
}

const mtls = mtlsDir === undefined ? undefined : {
  clients: JSON.parse(readFileSync(`${mtlsDir}/clients.json`, 'utf8')),
  server: createTLSServer({
    cert: readFileSync(`${mtlsDir}/server.pem`),
    key: readFileSync(`${mtlsDir}/server.key`),
    ca: readFileSync(`${mtlsDir}/ca.pem`),
    requestCert: true,
    rejectUnauthorized: false,
  }),
};

function mtlsClientMetadata(c) {
  return {
    ...c,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: setup.allowed_scope,
    tls_client_certificate_bound_access_tokens: true,
  };
}

const server = createServer();
const listening = [new Promise((resolve) => { server.listen(port, '127.0.0.1', resolve); })];
if (mtls) listening.push(new Promise((resolve) => { mtls.server.listen(0, '127.0.0.1', resolve); }));
Promise.all(listening).then(() => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [...setup.clients.map(clientMetadata), ...setup.native_clients.map(nativeClientMetadata),
      ...(mtls ? mtls.clients.map(mtlsClientMetadata) : [])],
    discovery: mtls ? {
      mtls_endpoint_aliases: {
        token_endpoint: `https://127.0.0.1:${mtls.server.address().port}/token`,
        revocation_endpoint: `https://127.0.0.1:${mtls.server.address().port}/token/revocation`,
      },
    } : {},
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    jwks: { keys: [signingKey] },
    scopes: ['openid', 'offline_access', ...setup.allowed_scope.split(' '), setup.disallowed_scope],
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt',
      ...(mtls ? ['tls_client_auth', 'self_signed_tls_client_auth'] : [])],
    enabledJWA: {
      clientAuthSigningAlgValues: ['HS256', 'HS384', 'HS512', 'ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'EdDSA'],
      dPoPSigningAlgValues: ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'],
      idTokenSigningAlgValues: ['ES256'],
    },
    // Only an ES256 key exists, so ID tokens (never issued here) would be ES256 too.
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    cookies: { keys: ['jwtkit-oidc-provider-test-cookie-key'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
      mTLS: {
        enabled: mtls !== undefined,
        certificateBoundAccessTokens: true,
        tlsClientAuth: true,
        selfSignedTlsClientAuth: true,
        getCertificate: peerCertificate,
        // The listener asks for a certificate but lets the handshake finish without a trusted
        // one, so that the self-signed method works too; tls_client_auth needs the test CA's.
        certificateAuthorized: (ctx) => ctx.req.socket.authorized === true,
        certificateSubjectMatches: (ctx, property, expected) => property === 'tls_client_auth_subject_dn'
          && peerCertificate(ctx)?.subject === expected,
      },
      // Nonces on (RFC 9449 §8): every DPoP proof needs the server's nonce, so clients must
      // handle use_dpop_nonce. Requests without DPoP are not affected.
      dPoP: { enabled: true, nonceSecret: createHash('sha256').update('jwtkit-dpop-nonce').digest(), requireNonce: () => true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? setup.resource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resourceIndicator) => {
          if (resourceIndicator !== setup.resource) {
            throw new errors.InvalidTarget(`unknown resource ${resourceIndicator}`);
          }
          return {
            scope: `${setup.allowed_scope} ${setup.disallowed_scope}`,
            audience: setup.resource,
            accessTokenTTL: 300,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    ttl: {
      ClientCredentials: 300,
      AccessToken: 300,
      DeviceCode: 120,
    },
  });
  provider.registerGrantType(JWT_BEARER, jwtBearerHandler, ['assertion', 'scope']);
  provider.on('server_error', (_ctx, err) => console.error('server_error:', err));
  const callback = provider.callback();
  if (mtls) mtls.server.on('request', callback);
  server.on('request', (req, res) => {
    if (req.method === 'GET' && /^\/interaction\/[^/?]+$/.test(req.url)) {
      finishInteraction(provider, req, res).catch((err) => {
        console.error('interaction:', err);
        res.statusCode = 500;
        res.end('interaction failed');
      });
      return;
    }
    callback(req, res);
  });
  process.stdout.write(`${issuer}\n`);
});

function stop() {
  server.close();
  server.closeAllConnections();
  if (mtls) {
    mtls.server.close();
    mtls.server.closeAllConnections();
  }
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (watchStdin) {
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}
