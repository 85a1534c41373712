import crypto, { type BinaryLike, type CipherKey } from 'node:crypto';
import type { TransformOptions } from 'node:stream';

/**
 * s3rver encrypts ListObjectsV2 continuation tokens with single DES, which OpenSSL 3 (Node 17+)
 * only offers with `--openssl-legacy-provider`, a flag that cannot be turned on at run time:
 * without it every truncated listing (more than 1000 keys, or a smaller MaxKeys) fails with
 * InternalError. Triple DES with the key repeated three times is single DES and is in the default
 * provider, so the `des` algorithm is redirected to it. s3rver looks these functions up on the
 * CommonJS module object at call time; other algorithms and ESM named imports are untouched.
 */
export function enableSingleDes(): void {
  if (singleDesAvailable()) return;
  const { createCipheriv, createDecipheriv } = crypto;
  Object.assign(crypto, {
    createCipheriv: (algorithm: string, key: CipherKey, iv: BinaryLike | null, options?: TransformOptions) =>
      algorithm === 'des'
        ? createCipheriv('des-ede3-cbc', repeatedThreeTimes(key), iv, options)
        : createCipheriv(algorithm, key, iv, options),
    createDecipheriv: (
      algorithm: string,
      key: CipherKey,
      iv: BinaryLike | null,
      options?: TransformOptions,
    ) =>
      algorithm === 'des'
        ? createDecipheriv('des-ede3-cbc', repeatedThreeTimes(key), iv, options)
        : createDecipheriv(algorithm, key, iv, options),
  });
}

function singleDesAvailable(): boolean {
  try {
    crypto.createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
}

function repeatedThreeTimes(key: CipherKey): Buffer {
  const bytes = Buffer.from(key as Uint8Array);
  return Buffer.concat([bytes, bytes, bytes]);
}
