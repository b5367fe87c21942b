// encrypt.mjs ALG ENC KEYFILE < plaintext
//
// Encrypts stdin with node's jose as a compact JWE whose protected header is {alg, enc} and
// prints the token alone on stdout. KEYFILE is a public (or private: its public half is used)
// or oct JWK, or for PBES2-* a file of raw password bytes. Exit 2 on any usage or input error.

import { CompactEncrypt } from 'jose';
import { checkJWEAlgs, die, loadEncryptionKey, readStdin, UsageError, EXIT_USAGE } from './lib.mjs';

async function main(argv) {
  if (argv.length !== 3) {
    throw new UsageError('usage: encrypt.mjs ALG ENC KEYFILE < plaintext');
  }
  const [alg, enc, keyFile] = argv;
  checkJWEAlgs(alg, enc);
  const key = await loadEncryptionKey(alg, keyFile);
  const plaintext = await readStdin();
  const jwe = await new CompactEncrypt(new Uint8Array(plaintext))
    .setProtectedHeader({ alg, enc })
    .encrypt(key);
  process.stdout.write(`${jwe}\n`);
}

main(process.argv.slice(2)).catch((err) => die(EXIT_USAGE, err));
