// keygen.mjs ALG OUTDIR
//
// Generates a key for ALG with node's jose and writes it into OUTDIR (created 0700 if missing;
// existing files are replaced). For RS*, PS*, ES* and EdDSA (Ed25519): private.pem (PKCS#8),
// public.pem (SPKI), private.jwk.json, public.jwk.json and public.jwks.json (a set holding the
// public JWK). For HS*: secret.bin (raw bytes of the hash size) and secret.jwk.json (oct JWK).
// Every JWK carries alg, use "sig" and its RFC 7638 thumbprint as kid. Private files are 0600.
// The paths written are printed on stdout, one per line.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  generateSecret,
} from 'jose';
import { checkAlg, die, isHMAC, UsageError, EXIT_USAGE } from './lib.mjs';

function write(dir, name, data, mode) {
  const path = join(dir, name);
  writeFileSync(path, data, { mode });
  process.stdout.write(`${path}\n`);
}

function json(value) {
  return `${JSON.stringify(value, null, 2)}\n`;
}

async function main(argv) {
  if (argv.length !== 2) {
    throw new UsageError('usage: keygen.mjs ALG OUTDIR');
  }
  const [alg, dir] = argv;
  checkAlg(alg);
  mkdirSync(dir, { recursive: true, mode: 0o700 });

  if (isHMAC(alg)) {
    const secret = await generateSecret(alg, { extractable: true });
    const jwk = await exportJWK(secret);
    const oct = { kty: 'oct', k: jwk.k, alg, use: 'sig' };
    oct.kid = await calculateJwkThumbprint(oct);
    write(dir, 'secret.bin', Buffer.from(jwk.k, 'base64url'), 0o600);
    write(dir, 'secret.jwk.json', json(oct), 0o600);
    return;
  }

  const options = { extractable: true };
  if (alg === 'EdDSA') options.crv = 'Ed25519';
  const { privateKey, publicKey } = await generateKeyPair(alg, options);
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub);
  const meta = { alg, use: 'sig', kid };
  const priv = { ...(await exportJWK(privateKey)), ...meta };
  Object.assign(pub, meta);

  write(dir, 'private.pem', await exportPKCS8(privateKey), 0o600);
  write(dir, 'public.pem', await exportSPKI(publicKey), 0o644);
  write(dir, 'private.jwk.json', json(priv), 0o600);
  write(dir, 'public.jwk.json', json(pub), 0o644);
  write(dir, 'public.jwks.json', json({ keys: [pub] }), 0o644);
}

main(process.argv.slice(2)).catch((err) => die(EXIT_USAGE, err));
