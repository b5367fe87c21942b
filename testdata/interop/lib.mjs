// Shared helpers of the node jose peer: argument checks, bounded reads and key loading.
// Every script prints its product alone on stdout and, on failure, one line on stderr with
// exit code 1 (the token was judged invalid) or 2 (usage or input error), as jwtkit does.

import { readFileSync, statSync } from 'node:fs';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import {
  importJWK,
  importPKCS8,
  importSPKI,
  importX509,
  createLocalJWKSet,
} from 'jose';

/** The JWS algorithms the peer covers. */
export const ALGS = [
  'HS256', 'HS384', 'HS512',
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512',
  'EdDSA',
];

/** Largest key file or stdin payload read, in bytes. */
export const MAX_INPUT = 1 << 20;

/** Exit codes shared with jwtkit. */
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

/** UsageError marks a failure that is the caller's input, not the token. */
export class UsageError extends Error {}

/** isHMAC tells whether alg is one of the HS algorithms. */
export function isHMAC(alg) {
  return alg.startsWith('HS');
}

/** checkAlg refuses an algorithm outside ALGS. */
export function checkAlg(alg) {
  if (!ALGS.includes(alg)) {
    throw new UsageError(`unsupported algorithm ${JSON.stringify(alg)}; use one of ${ALGS.join(', ')}`);
  }
}

/** readBounded reads a whole file, refusing one larger than MAX_INPUT. */
export function readBounded(path) {
  let size;
  try {
    size = statSync(path).size;
  } catch (err) {
    throw new UsageError(`reading ${path}: ${err.code ?? err.message}`);
  }
  if (size > MAX_INPUT) {
    throw new UsageError(`reading ${path}: file is larger than ${MAX_INPUT} bytes`);
  }
  return readFileSync(path);
}

/** readStdin reads all of standard input, refusing more than MAX_INPUT bytes. */
export async function readStdin() {
  const chunks = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    total += chunk.length;
    if (total > MAX_INPUT) {
      throw new UsageError(`reading stdin: input is larger than ${MAX_INPUT} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

// parseJSONKey returns the parsed JWK or JWKS in buf, or undefined when buf is not a JSON object
// with "kty" or "keys" (an HS secret file holds raw bytes).
function parseJSONKey(buf) {
  let value;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return undefined;
  }
  if (typeof value.kty === 'string' || Array.isArray(value.keys)) {
    return value;
  }
  return undefined;
}

// pemLabel returns the label of the first PEM block in text ("PRIVATE KEY", …) or undefined.
function pemLabel(text) {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text);
  return m ? m[1] : undefined;
}

// pickSigningJWK chooses the private key of a JWKS meant for alg: the one whose "alg" says so,
// else the only private key.
function pickSigningJWK(jwks, alg, path) {
  const priv = jwks.keys.filter(
    (k) => k !== null && typeof k === 'object' && ('d' in k || k.kty === 'oct'),
  );
  const named = priv.filter((k) => k.alg === alg);
  if (named.length === 1) return named[0];
  if (priv.length === 1) return priv[0];
  throw new UsageError(`${path}: cannot choose a signing key among ${priv.length} keys for ${alg}`);
}

/**
 * loadSigningKey reads the key that signs with alg from path: a PEM private key (PKCS#8, or
 * PKCS#1/SEC1 converted to PKCS#8), a private JWK or a JWKS holding one, or for HS* an oct JWK
 * or a file of raw secret bytes. It returns the key and the kid to put in the header, if any.
 */
export async function loadSigningKey(alg, path) {
  const buf = readBounded(path);
  const jwk = parseJSONKey(buf);
  try {
    if (jwk) {
      const one = Array.isArray(jwk.keys) ? pickSigningJWK(jwk, alg, path) : jwk;
      return { key: await importJWK(one, alg), kid: typeof one.kid === 'string' ? one.kid : undefined };
    }
    if (isHMAC(alg)) {
      if (buf.length === 0) throw new UsageError(`${path}: secret is empty`);
      return { key: new Uint8Array(buf), kid: undefined };
    }
    const text = buf.toString('utf8');
    const label = pemLabel(text);
    if (label === 'PRIVATE KEY') {
      return { key: await importPKCS8(text, alg), kid: undefined };
    }
    if (label === 'RSA PRIVATE KEY' || label === 'EC PRIVATE KEY') {
      const pkcs8 = createPrivateKey(text).export({ type: 'pkcs8', format: 'pem' });
      return { key: await importPKCS8(pkcs8, alg), kid: undefined };
    }
    throw new UsageError(`${path}: not a PEM private key or a JWK`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`loading signing key ${path} for ${alg}: ${err.message}`);
  }
}

/**
 * loadVerificationKey reads what verifies alg from path: a PEM public key (SPKI, PKCS#1 or an
 * X.509 certificate; a private key is reduced to its public half), a JWK, a JWKS (the key is
 * then chosen by the token's kid and alg), or for HS* an oct JWK or raw secret bytes.
 */
export async function loadVerificationKey(alg, path) {
  const buf = readBounded(path);
  const jwk = parseJSONKey(buf);
  try {
    if (jwk) {
      if (Array.isArray(jwk.keys)) return createLocalJWKSet(jwk);
      return await importJWK(jwk, alg);
    }
    if (isHMAC(alg)) {
      if (buf.length === 0) throw new UsageError(`${path}: secret is empty`);
      return new Uint8Array(buf);
    }
    const text = buf.toString('utf8');
    switch (pemLabel(text)) {
      case 'PUBLIC KEY':
        return await importSPKI(text, alg);
      case 'CERTIFICATE':
        return await importX509(text, alg);
      case 'RSA PUBLIC KEY':
      case 'PRIVATE KEY':
      case 'RSA PRIVATE KEY':
      case 'EC PRIVATE KEY': {
        const spki = createPublicKey(text).export({ type: 'spki', format: 'pem' });
        return await importSPKI(spki, alg);
      }
      default:
        throw new UsageError(`${path}: not a PEM public key, a JWK or a JWKS`);
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`loading verification key ${path} for ${alg}: ${err.message}`);
  }
}

/** die prints err as one line on stderr and exits with code. */
export function die(code, err) {
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`${process.argv[1]?.split('/').pop() ?? 'node'}: ${msg.replace(/\s+/g, ' ')}\n`);
  process.exit(code);
}

/** The JWE key-management algorithms and content encryptions the peer's scripts take. */
export const JWE_ALGS = [
  'RSA-OAEP', 'RSA-OAEP-256',
  'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW',
  'A128KW', 'A192KW', 'A256KW', 'A128GCMKW', 'A192GCMKW', 'A256GCMKW', 'dir',
  'PBES2-HS256+A128KW', 'PBES2-HS384+A192KW', 'PBES2-HS512+A256KW',
];
export const JWE_ENCS = ['A128GCM', 'A192GCM', 'A256GCM', 'A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512'];

/** checkJWEAlgs refuses a JWE alg or enc outside the lists. */
export function checkJWEAlgs(alg, enc) {
  if (!JWE_ALGS.includes(alg)) {
    throw new UsageError(`unsupported JWE alg ${JSON.stringify(alg)}; use one of ${JWE_ALGS.join(', ')}`);
  }
  if (!JWE_ENCS.includes(enc)) {
    throw new UsageError(`unsupported JWE enc ${JSON.stringify(enc)}; use one of ${JWE_ENCS.join(', ')}`);
  }
}

// jweKey reads the key of a JWE operation: raw password bytes for PBES2, else a JWK (for dir,
// imported under the enc; jose only checks the length).
async function jweKey(alg, path, publicHalf) {
  const buf = readBounded(path);
  if (alg.startsWith('PBES2-')) {
    if (buf.length === 0) throw new UsageError(`${path}: password is empty`);
    return new Uint8Array(buf);
  }
  const jwk = parseJSONKey(buf);
  if (!jwk || Array.isArray(jwk.keys)) throw new UsageError(`${path}: not a JWK`);
  const one = { ...jwk };
  delete one.alg;
  delete one.use;
  delete one.key_ops;
  if (publicHalf && one.kty !== 'oct') {
    for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi']) delete one[m];
  }
  try {
    return await importJWK(one, alg === 'dir' ? undefined : alg);
  } catch (err) {
    throw new UsageError(`loading ${path} for ${alg}: ${err.message}`);
  }
}

/** loadEncryptionKey reads what encrypts with alg from path (the public half of a key pair). */
export function loadEncryptionKey(alg, path) {
  return jweKey(alg, path, true);
}

/** loadDecryptionKey reads what decrypts alg from path. */
export function loadDecryptionKey(alg, path) {
  return jweKey(alg, path, false);
}
