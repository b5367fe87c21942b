// sign.mjs ALG KEYFILE < payload.json
//
// Signs the JSON object on stdin as a JWT with node's jose and prints the compact token alone on
// stdout. KEYFILE is a PEM private key (PKCS#8; PKCS#1 and SEC1 are converted), a private JWK or
// JWKS, or for HS* a file of raw secret bytes or an oct JWK. The header is {alg, typ: "JWT"},
// plus the JWK's kid when it has one. Exit 2 on any usage or input error.

import { SignJWT } from 'jose';
import { checkAlg, die, loadSigningKey, readStdin, UsageError, EXIT_USAGE } from './lib.mjs';

async function main(argv) {
  if (argv.length !== 2) {
    throw new UsageError('usage: sign.mjs ALG KEYFILE < payload.json');
  }
  const [alg, keyFile] = argv;
  checkAlg(alg);
  const { key, kid } = await loadSigningKey(alg, keyFile);
  const input = await readStdin();
  let payload;
  try {
    payload = JSON.parse(input.toString('utf8'));
  } catch (err) {
    throw new UsageError(`payload on stdin is not JSON: ${err.message}`);
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new UsageError('payload on stdin must be a JSON object');
  }
  const header = { alg, typ: 'JWT' };
  if (kid !== undefined) header.kid = kid;
  const token = await new SignJWT(payload).setProtectedHeader(header).sign(key);
  process.stdout.write(`${token}\n`);
}

main(process.argv.slice(2)).catch((err) => die(EXIT_USAGE, err));
