/**
 * Accumulates NDJSON lines and compresses them in ~1 MiB slices into a multi-member gzip
 * body, so memory holds compressed output rather than every row as a string.
 */
import { constants, gzipSync } from 'node:zlib';

const SLICE_CHARS = 1 << 20;

export class GzipNdjsonBuffer {
  private pending: string[] = [];
  private pendingChars = 0;
  private readonly parts: Buffer[] = [];
  count = 0;

  push(line: string): void {
    this.pending.push(line);
    this.pendingChars += line.length + 1;
    this.count++;
    if (this.pendingChars >= SLICE_CHARS) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const text = `${this.pending.join('\n')}\n`;
    // Level 1: curated data is re-read often and written once; speed matters more than bytes.
    this.parts.push(gzipSync(text, { level: constants.Z_BEST_SPEED }));
    this.pending = [];
    this.pendingChars = 0;
  }

  body(): Buffer {
    this.flush();
    return Buffer.concat(this.parts);
  }
}
