// decrypt.mjs ALG ENC KEYFILE < token
//
// Decrypts the compact JWE on stdin with node's jose, allowing only ALG and ENC, and writes the
// plaintext alone on stdout. KEYFILE is a private or oct JWK, or for PBES2-* a file of raw
// password bytes; PBES2 counts up to 1,000,000 are accepted (jose's default cap is 10,000).
// Exit 1 when the token does not decrypt, 2 on a usage or input error.

import { compactDecrypt } from 'jose';
import { checkJWEAlgs, die, loadDecryptionKey, readStdin, UsageError, EXIT_INVALID, EXIT_USAGE } from './lib.mjs';

async function main(argv) {
  if (argv.length !== 3) {
    throw new UsageError('usage: decrypt.mjs ALG ENC KEYFILE < token');
  }
  const [alg, enc, keyFile] = argv;
  checkJWEAlgs(alg, enc);
  const key = await loadDecryptionKey(alg, keyFile);
  const token = (await readStdin()).toString('utf8').trim();
  let result;
  try {
    result = await compactDecrypt(token, key, {
      keyManagementAlgorithms: [alg],
      contentEncryptionAlgorithms: [enc],
      maxPBES2Count: 1_000_000,
    });
  } catch (err) {
    die(EXIT_INVALID, err);
  }
  process.stdout.write(Buffer.from(result.plaintext));
}

main(process.argv.slice(2)).catch((err) => die(EXIT_USAGE, err));
