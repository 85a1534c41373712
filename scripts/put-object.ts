/**
 * `npm run put -- <file> <key>`: upload a file into the local exports bucket (no AWS CLI
 * needed), e.g. `npm run put -- calls.csv cdr/demo/2026-11-22.csv`.
 */
import { readFile } from 'node:fs/promises';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BUCKETS, LOCAL_DEFAULTS } from '../functions/shared/definitions.js';

const [file, key] = process.argv.slice(2);
if (!file || !key) {
  console.error('usage: npm run put -- <file> <key>   (key like cdr/demo/calls.csv)');
  process.exit(2);
}
const port = process.env[LOCAL_DEFAULTS.s3Port.envVar] || String(LOCAL_DEFAULTS.s3Port.value);
const s3 = new S3Client({
  region: 'us-east-1',
  endpoint: `http://127.0.0.1:${port}`,
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
await s3.send(
  new PutObjectCommand({ Bucket: BUCKETS.exports.localName, Key: key, Body: await readFile(file) }),
);
console.log(`put s3://${BUCKETS.exports.localName}/${key}`);
