// dpop.mjs ISSUER runs panva/openid-client's DPoP support (RFC 9449; pinned in package.json)
// against the OpenID provider at ISSUER and prints one JSON object naming what each step saw.
// It exits non-zero at the first step that fails.
//
// Clients it expects: "ci" (secret ci-secret, scope openid allowed) for client credentials, and
// "app", public, redirect http://127.0.0.1/cb (any port), for the authorization code flow. The
// default user is alice. With the server asking for DPoP nonces, openid-client answers
// use_dpop_nonce by itself; the output is the same.
import * as client from 'openid-client';
import * as jose from 'jose';

const issuer = new URL(process.argv[2]);
const insecure = { execute: [client.allowInsecureRequests] }; // the issuer is http://127.0.0.1
const userinfo = new URL('/userinfo', issuer);
const out = {};

const payload = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url'));
const thumbprint = async (pair) => jose.calculateJwkThumbprint(await jose.exportJWK(pair.publicKey));

// challenge is what a refused resource request's WWW-Authenticate said, as openid-client
// parsed it: the scheme, the error and the algs of the first challenge.
async function challenge(what, fn) {
  try {
    await fn();
  } catch (err) {
    const c = err.cause?.[0];
    if (!c) throw new Error(`${what}: refused without a WWW-Authenticate challenge: ${err}`);
    return { status: err.status, scheme: c.scheme, error: c.parameters.error, algs: c.parameters.algs };
  }
  throw new Error(`${what} was accepted`);
}

async function refused(what, fn) {
  try {
    await fn();
  } catch (err) {
    return err.error ?? err.code ?? String(err);
  }
  throw new Error(`${what} was accepted`);
}

// Client credentials with a DPoP key: a DPoP-bound token whose cnf.jkt is the key's
// thumbprint, accepted at /userinfo with a proof, refused as Bearer with a DPoP challenge.
const ci = await client.discovery(issuer, 'ci', 'ci-secret', client.ClientSecretBasic('ci-secret'), insecure);
out.algs = ci.serverMetadata().dpop_signing_alg_values_supported;
const key = await client.randomDPoPKeyPair('ES256');
const dpop = client.getDPoPHandle(ci, key);
const cc = await client.clientCredentialsGrant(ci, { scope: 'openid' }, { DPoP: dpop });
out.client_credentials = { token_type: cc.token_type, jkt_matches: payload(cc.access_token).cnf?.jkt === (await thumbprint(key)) };
const res = await client.fetchProtectedResource(ci, cc.access_token, userinfo, 'GET', undefined, undefined, { DPoP: dpop });
out.userinfo_cc = { status: res.status, sub: (await res.json()).sub };
out.as_bearer = await challenge('a DPoP-bound token as Bearer', () => client.fetchProtectedResource(ci, cc.access_token, userinfo, 'GET'));
const other = client.getDPoPHandle(ci, await client.randomDPoPKeyPair('ES256'));
out.other_key = await challenge('a proof by another key', () =>
  client.fetchProtectedResource(ci, cc.access_token, userinfo, 'GET', undefined, undefined, { DPoP: other }));

// Authorization code with PKCE for the public client app, with a DPoP key (EdDSA this time):
// the tokens are bound, userinfo works with proofs, the refresh token is bound to the key
// (RFC 9449 §5: a public client's), so a refresh with another key is refused.
const app = await client.discovery(issuer, 'app', undefined, client.None(), insecure);
const appKey = await client.randomDPoPKeyPair('EdDSA');
const appDPoP = client.getDPoPHandle(app, appKey);
const verifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const url = client.buildAuthorizationUrl(app, {
  redirect_uri: 'http://127.0.0.1:49153/cb',
  scope: 'openid email offline_access',
  code_challenge: await client.calculatePKCECodeChallenge(verifier),
  code_challenge_method: 'S256',
  state,
});
const auth = await fetch(url, { redirect: 'manual' }); // follow the headless login's redirect by reading it
if (auth.status !== 302) throw new Error(`authorize answered ${auth.status}: ${await auth.text()}`);
const code = await client.authorizationCodeGrant(app, new URL(auth.headers.get('location')),
  { pkceCodeVerifier: verifier, expectedState: state }, undefined, { DPoP: appDPoP });
const sub = code.claims().sub;
out.code = { token_type: code.token_type, sub, jkt_matches: payload(code.access_token).cnf?.jkt === (await thumbprint(appKey)), refresh: Boolean(code.refresh_token) };
out.userinfo_code = { sub: (await client.fetchUserInfo(app, code.access_token, sub, { DPoP: appDPoP })).sub };
out.refresh_other_key = await refused('a refresh with another DPoP key', () =>
  client.refreshTokenGrant(app, code.refresh_token, undefined, { DPoP: client.getDPoPHandle(app, key) }));
const refreshed = await client.refreshTokenGrant(app, code.refresh_token, undefined, { DPoP: appDPoP });
out.refresh = { token_type: refreshed.token_type, jkt_matches: payload(refreshed.access_token).cnf?.jkt === (await thumbprint(appKey)) };

console.log(JSON.stringify(out));
