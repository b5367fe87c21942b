// verify.mjs ALG KEYFILE TOKEN
//
// Verifies a compact JWT with node's jose, allowing only ALG, and prints its payload as JSON
// alone on stdout. KEYFILE is a PEM public key (SPKI, PKCS#1 or an X.509 certificate), a JWK, a
// JWKS, or for HS* a file of raw secret bytes or an oct JWK. TOKEN "-" reads it from stdin.
// jose also checks exp and nbf against the current time. Exit 1 when the token is invalid
// (signature, algorithm, claims), 2 on a usage or key error.

import { jwtVerify, errors } from 'jose';
import {
  checkAlg,
  die,
  loadVerificationKey,
  readStdin,
  UsageError,
  EXIT_INVALID,
  EXIT_USAGE,
} from './lib.mjs';

async function main(argv) {
  if (argv.length !== 3) {
    throw new UsageError('usage: verify.mjs ALG KEYFILE TOKEN');
  }
  const [alg, keyFile, tokenArg] = argv;
  checkAlg(alg);
  const key = await loadVerificationKey(alg, keyFile);
  const token = (tokenArg === '-' ? (await readStdin()).toString('utf8') : tokenArg).trim();
  let result;
  try {
    result = await jwtVerify(token, key, { algorithms: [alg] });
  } catch (err) {
    if (err instanceof errors.JOSEError && !(err instanceof errors.JWKInvalid)
      && !(err instanceof errors.JWKSInvalid)) {
      die(EXIT_INVALID, `token is invalid: ${err.code}: ${err.message}`);
    }
    throw new UsageError(`verifying with ${keyFile}: ${err.message}`);
  }
  process.stdout.write(`${JSON.stringify(result.payload)}\n`);
}

main(process.argv.slice(2)).catch((err) => die(EXIT_USAGE, err));
