/**
 * One measured ingest, run in a fresh process by scripts/bench/ingest.ts so that its peak RSS
 * is its own. Runs the real domain path: a file read stream (64 KiB chunks, like an S3 body)
 * → `ingestObject` (decode, detect, parse, validate, tokenise callers with the same HMAC
 * tokenizer the service uses, dedupe, serialise, gzip per centre-day) → the curated bodies
 * written to disk (where the service would PUT them to S3). Sends the figures to the parent.
 *
 * Usage (child only): ingest-measure.ts <file> <outDir>
 */
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CallerTokenizer } from '../../functions/domain/caller.js';
import { PARSERS } from '../../functions/domain/formats/registry.js';
import { ingestObject } from '../../functions/domain/ingest/ingest-object.js';
import { BENCH_CENTER, BENCH_NOW, BENCH_TZ } from './ingest-data.js';

export interface IngestMeasurement {
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  /** RSS (MB) after each tenth of the input bytes was handed to the parser. */
  rssByTenth: number[];
  rows_read: number;
  rows_accepted: number;
  rows_duplicate: number;
  rows_quarantined: number;
  groups: Array<{ kind: string; date: string | null; records: number; bytes: number }>;
}

async function* sampled(
  source: AsyncIterable<Buffer>,
  total: number,
  samples: number[],
): AsyncGenerator<Uint8Array> {
  let read = 0;
  let next = total / 10;
  for await (const chunk of source) {
    read += chunk.length;
    // Sampled before the chunk is parsed: the tenth sample comes after the last chunk.
    while (read > next && samples.length < 9) {
      samples.push(process.memoryUsage.rss() / 2 ** 20);
      next += total / 10;
    }
    yield chunk;
  }
  samples.push(process.memoryUsage.rss() / 2 ** 20);
}

async function measure(file: string, outDir: string, size: number): Promise<IngestMeasurement> {
  const tokenizer = new CallerTokenizer('bench-caller-token-key-0123456789', '86');
  const rssByTenth: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await ingestObject({
    kind: 'cdr',
    body: sampled(createReadStream(file, { highWaterMark: 64 * 1024 }), size, rssByTenth),
    parsers: PARSERS,
    ctx: {
      center: BENCH_CENTER,
      timezone: BENCH_TZ,
      tokenizeCaller: (raw) => tokenizer.token(raw),
      now: BENCH_NOW,
    },
  });
  await Promise.all(
    result.groups.map((g) => writeFile(join(outDir, `${g.kind}-${g.date ?? 'all'}.ndjson.gz`), g.body)),
  );
  if (result.quarantine) await writeFile(join(outDir, 'quarantine.ndjson.gz'), result.quarantine.body);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (result.status !== 'processed') throw new Error(`ingest rejected the file: ${result.reason}`);
  return {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    rssByTenth,
    rows_read: result.rows_read,
    rows_accepted: result.rows_accepted,
    rows_duplicate: result.rows_duplicate,
    rows_quarantined: result.rows_quarantined,
    groups: result.groups.map((g) => ({
      kind: g.kind,
      date: g.date,
      records: g.records,
      bytes: g.body.length,
    })),
  };
}

const [file, outDir, size] = process.argv.slice(2);
if (!file || !outDir || !size) throw new Error('usage: ingest-measure.ts <file> <outDir> <bytes>');
const m = await measure(file, outDir, Number(size));
// Run by hand (e.g. under --cpu-prof), it prints the figures instead.
if (process.send) process.send(m);
else console.log(JSON.stringify(m, null, 1));
