// rp.mjs ISSUER runs panva/openid-client (pinned in package.json) as a relying party against
// the OpenID provider at ISSUER through every flow jwtkit serve implements, and prints one JSON
// object naming what each step saw. It exits non-zero at the first step that fails.
//
// Clients it expects: "app", public, redirect http://127.0.0.1/cb (any port); "web",
// confidential (secret web-secret, client_secret_post by default), redirect http://127.0.0.1/cb;
// "ci" (secret ci-secret, scope read:users) for client credentials. The default user is alice
// with an email claim. The device flow's polling interval is 1 s. For the jwt-bearer grant:
// "svc" (its key, a private JWK, on stdin as {"svc": …, "idp": …}) and the trusted issuer
// https://idp.test (the "idp" key); without stdin those flows are left out.
import * as client from 'openid-client';
import * as jose from 'jose';

const issuer = new URL(process.argv[2]);
const insecure = { execute: [client.allowInsecureRequests] }; // the issuer is http://127.0.0.1
const out = {};

async function login(config, redirectUri) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  // Follow the authorization redirect as a test does: read it, do not go there.
  const res = await fetch(url, { redirect: 'manual' });
  if (res.status !== 302) throw new Error(`authorize answered ${res.status}: ${await res.text()}`);
  const callback = new URL(res.headers.get('location'));
  return client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
}

async function refused(what, fn) {
  try {
    await fn();
  } catch (err) {
    return err.error ?? err.code ?? String(err);
  }
  throw new Error(`${what} was accepted`);
}

const web = await client.discovery(issuer, 'web', 'web-secret', undefined, insecure);
out.discovery = {
  issuer: web.serverMetadata().issuer,
  iss_parameter: web.serverMetadata().authorization_response_iss_parameter_supported,
};

const t1 = await login(web, 'http://127.0.0.1/cb');
const claims = t1.claims();
out.code = { sub: claims.sub, aud: claims.aud, email: claims.email, refresh: Boolean(t1.refresh_token) };
out.userinfo = await client.fetchUserInfo(web, t1.access_token, claims.sub);

const t2 = await client.refreshTokenGrant(web, t1.refresh_token);
out.refresh = { rotated: t2.refresh_token !== t1.refresh_token, id_token: Boolean(t2.id_token) };
out.introspect_live = (await client.tokenIntrospection(web, t2.access_token)).active;
out.reuse = await refused('a reused refresh token', () => client.refreshTokenGrant(web, t1.refresh_token));
out.introspect_after_reuse = (await client.tokenIntrospection(web, t2.access_token)).active;

const t3 = await login(web, 'http://127.0.0.1/cb');
await client.tokenRevocation(web, t3.access_token);
out.introspect_revoked = (await client.tokenIntrospection(web, t3.access_token)).active;
await client.tokenRevocation(web, t3.refresh_token);
out.refresh_revoked = await refused('a revoked refresh token', () => client.refreshTokenGrant(web, t3.refresh_token));

const app = await client.discovery(issuer, 'app', undefined, client.None(), insecure);
const t4 = await login(app, 'http://127.0.0.1:49153/cb');
const t5 = await client.refreshTokenGrant(app, t4.refresh_token);
out.public = { sub: t4.claims().sub, refreshed: Boolean(t5.access_token) };

const ci = await client.discovery(issuer, 'ci', 'ci-secret', client.ClientSecretBasic('ci-secret'), insecure);
const cc = await client.clientCredentialsGrant(ci, { scope: 'read:users' });
out.client_credentials = { scope: cc.scope, token_type: cc.token_type };

// RFC 8693: the service "web" exchanges alice's access token for one to call another API.
const t6 = await login(web, 'http://127.0.0.1/cb');
const ex = await client.genericGrantRequest(web, 'urn:ietf:params:oauth:grant-type:token-exchange', {
  subject_token: t6.access_token,
  subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  audience: 'https://orders.test',
  scope: 'email',
});
out.token_exchange = { issued_token_type: ex.issued_token_type, scope: ex.scope };
out.token_exchange_foreign = await refused('a foreign subject token', () =>
  client.genericGrantRequest(web, 'urn:ietf:params:oauth:grant-type:token-exchange', {
    subject_token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0.',
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  }));

// RFC 8628: the public client "app" as a device; alice approves through
// verification_uri_complete while openid-client polls (the server's interval is 1 s).
const dev = await client.initiateDeviceAuthorization(app, { scope: 'openid email' });
const approval = new Promise((resolve) => setTimeout(resolve, 1500)).then(async () => {
  const res = await fetch(`${dev.verification_uri_complete}&login_hint=alice`);
  if (res.status !== 200) throw new Error(`approval answered ${res.status}: ${await res.text()}`);
});
const dt = await client.pollDeviceAuthorizationGrant(app, dev);
await approval;
out.device = {
  user_code: /^[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}$/.test(dev.user_code),
  verification_uri: dev.verification_uri === new URL('/device', issuer).href,
  sub: dt.claims().sub,
  scope: dt.scope,
};
out.device_reuse = await refused('a reused device code', () => client.pollDeviceAuthorizationGrant(app, dev));
const denied = await client.initiateDeviceAuthorization(web, { scope: 'openid' });
await fetch(`${denied.verification_uri_complete}&action=deny`);
out.device_denied = await refused('a denied device code', () => client.pollDeviceAuthorizationGrant(web, denied));

// RFC 7523 §2.1: assertions signed with jose by the keys on stdin ({"svc": JWK, "idp": JWK}).
let input = '';
for await (const chunk of process.stdin) input += chunk;
if (input.trim() !== '') {
  const keys = JSON.parse(input);
  const bearer = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
  const sign = async (jwk, iss, sub) =>
    new jose.SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: jwk.kid })
      .setIssuer(iss)
      .setSubject(sub)
      .setAudience(web.serverMetadata().token_endpoint)
      .setIssuedAt()
      .setExpirationTime('2m')
      .setJti(crypto.randomUUID())
      .sign(await jose.importJWK(jwk, 'ES256'));
  const payload = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url'));
  // svc's own assertion is its credential: no other client authentication.
  const svc = await client.discovery(issuer, 'svc', undefined, client.None(), insecure);
  const own = await sign(keys.svc, 'svc', 'carol');
  const jb = payload((await client.genericGrantRequest(svc, bearer, { assertion: own })).access_token);
  out.jwt_bearer = { sub: jb.sub, client_id: jb.client_id, scope: jb.scope };
  const trusted = await sign(keys.idp, 'https://idp.test', 'dave');
  const jt = payload((await client.genericGrantRequest(web, bearer, { assertion: trusted, scope: 'openid' })).access_token);
  out.jwt_bearer_trusted = { sub: jt.sub, client_id: jt.client_id };
  out.jwt_bearer_replay = await refused('a replayed assertion', () => client.genericGrantRequest(svc, bearer, { assertion: own }));
}

console.log(JSON.stringify(out));
