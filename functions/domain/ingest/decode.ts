/**
 * Bytes → text: gzip by magic bytes (not by extension), then the text encoding: a BOM says
 * UTF-8/UTF-16; otherwise the first 64 KiB decide between UTF-8 and GB18030 (a superset of
 * GBK, common in Chinese telephony exports). Binary content is refused before parsing.
 */

import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { RejectedFileError } from '../formats/types.js';

const SNIFF_BYTES = 64 * 1024;

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030';

export interface DecodedText {
  encoding: TextEncodingName;
  gzip: boolean;
  /** Decoded text in chunks; throws RejectedFileError on corrupt gzip. */
  chunks: AsyncIterable<string>;
}

function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** Detect the text encoding of the first bytes of a file. */
export function detectEncoding(head: Uint8Array): { encoding: TextEncodingName; bomLength: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  // A multi-byte character may be cut at the end of the sample: leave up to 3 trailing bytes out.
  let end = head.length;
  if (head.length >= SNIFF_BYTES) {
    end = head.length - 1;
    while (end > head.length - 4 && end > 0 && ((head[end] ?? 0) & 0xc0) === 0x80) end--;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return { encoding: 'utf-8', bomLength: 0 };
  } catch {
    return { encoding: 'gb18030', bomLength: 0 };
  }
}

/** True when the sample looks like binary data rather than text in any supported encoding. */
export function looksBinary(head: Uint8Array, encoding: TextEncodingName): boolean {
  if (encoding === 'utf-16le' || encoding === 'utf-16be') return false;
  const n = Math.min(head.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = head[i] ?? 0;
    if (c === 0) return true;
    if (c < 0x09 || (c > 0x0d && c < 0x20)) control++;
  }
  return n > 0 && control / n > 0.1;
}

async function* bytesOf(source: AsyncIterable<Uint8Array>, gzip: boolean): AsyncGenerator<Uint8Array> {
  if (!gzip) {
    yield* source;
    return;
  }
  // 64 KiB pieces (not the default 16 KiB): a quarter of the trips through the async iterators and the decoder.
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  const input = Readable.from(source);
  input.on('error', (e) => gunzip.destroy(e));
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Uint8Array;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (e instanceof Error && 'code' in e && typeof e.code === 'string' && e.code.startsWith('Z_')) {
      throw new RejectedFileError(`truncated or corrupt gzip: ${msg}`);
    }
    throw e;
  }
}

/** Pull at least `n` bytes (or everything) from the front of a byte stream, keeping the rest readable. */
async function peek(
  source: AsyncIterable<Uint8Array>,
  n: number,
): Promise<{ head: Uint8Array; rest: AsyncIterable<Uint8Array> }> {
  const it = source[Symbol.asyncIterator]();
  const parts: Uint8Array[] = [];
  let size = 0;
  let done = false;
  while (size < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    parts.push(r.value);
    size += r.value.length;
  }
  const head = Buffer.concat(parts);
  const rest: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      if (head.length > 0) yield head;
      if (done) return;
      while (true) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    },
  };
  return { head, rest };
}

/**
 * Decode an object's bytes into text. Refuses empty objects, binary content and corrupt gzip
 * with a RejectedFileError that says why.
 */
export async function decodeObject(source: AsyncIterable<Uint8Array>): Promise<DecodedText> {
  const first = await peek(source, 2);
  if (first.head.length === 0) throw new RejectedFileError('empty object: no bytes');
  const gzip = isGzip(first.head);
  const plain = await peek(bytesOf(first.rest, gzip), SNIFF_BYTES);
  if (plain.head.length === 0) throw new RejectedFileError('empty object: gzip holds no data');
  const { encoding, bomLength } = detectEncoding(plain.head);
  if (looksBinary(plain.head, encoding)) {
    throw new RejectedFileError('binary content: this is not a text export (CSV, JSON or queue_log)');
  }
  async function* chunks(): AsyncGenerator<string> {
    const decoder = new TextDecoder(encoding);
    let skip = bomLength;
    for await (const bytes of plain.rest) {
      let b = bytes;
      if (skip > 0) {
        const cut = Math.min(skip, b.length);
        b = b.subarray(cut);
        skip -= cut;
      }
      const text = decoder.decode(b, { stream: true });
      if (text.length > 0) yield text;
    }
    const tail = decoder.decode();
    if (tail.length > 0) yield tail;
  }
  return { encoding, gzip, chunks: chunks() };
}
