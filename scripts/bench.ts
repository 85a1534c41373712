/**
 * `npm run bench [-- part …]`: the performance targets of architecture.md, measured next to
 * DuckDB (single-threaded) on the same machine in the same run. Not a test: machines are noisy.
 *
 * Parts (all by default, in this order):
 * - `rollup`: a generated 1,000,000-contact centre-day, every metric at every scope
 *   (scripts/bench/rollup.ts; BENCH_CONTACTS).
 * - `ingest`: a generated 1,000,000-row canonical CSV and the same contacts as Connect contact
 *   records, through `ingestObject` (scripts/bench/ingest.ts; BENCH_INGEST_ROWS, BENCH_RUNS,
 *   BENCH_CTR=0, BENCH_KEEP=1).
 */
import { ingestBench } from './bench/ingest.js';
import { rollupBench } from './bench/rollup.js';

const PARTS: Record<string, () => Promise<void>> = { rollup: rollupBench, ingest: ingestBench };

const asked = process.argv.slice(2).filter((a) => a !== '--');
const unknown = asked.filter((a) => !(a in PARTS));
if (unknown.length > 0) {
  console.error(`unknown bench part: ${unknown.join(', ')} (parts: ${Object.keys(PARTS).join(', ')})`);
  process.exit(2);
}
for (const part of asked.length > 0 ? asked : Object.keys(PARTS))
  await (PARTS[part] as () => Promise<void>)();
