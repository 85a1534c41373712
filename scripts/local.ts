/**
 * `npm start`: the whole pipeline locally (interfaces.md §5) — emulators on the documented
 * ports, the same handlers as in Lambda, the read API — until Ctrl-C.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { generateDemo } from '../functions/demo/generate.js';
import { reportDay } from '../functions/domain/completion.js';
import type { KpiException } from '../functions/domain/exceptions/model.js';
import { exceptionKey, foldSystemic, sortBySeverity } from '../functions/domain/report/digest.js';
import { formatValue } from '../functions/domain/report/format.js';
import { localStackOptionsFromEnv } from '../functions/local/local-stack.js';
import { LOCAL_DEFAULTS } from '../functions/shared/definitions.js';

function apiPort(): number {
  const v = process.env[LOCAL_DEFAULTS.apiPort.envVar];
  if (v === undefined || v === '') return LOCAL_DEFAULTS.apiPort.value;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`${LOCAL_DEFAULTS.apiPort.envVar} must be a port number`);
  return n;
}

// Local mode runs on the Node of the machine; the SDK's notice about its future minimum is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The handlers log every object as JSON (as in CloudWatch); on a terminal only warnings and errors, unless asked.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
// Imported after the variables above: the handlers' loggers read them when their modules load.
const { startLocalPipeline } = await import('../functions/local/local-pipeline.js');

type Pipeline = Awaited<ReturnType<typeof startLocalPipeline>>;

/** Sweeps until the demo's report day is evaluated, then prints its KPIs, exceptions and emails. */
async function evaluateDemo(pipeline: Pipeline, lastDay: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const r = await pipeline.evaluate();
    if (!r.waiting.some((w) => w.center === 'demo' && w.reason === 'not-settled')) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const get = async <T>(path: string): Promise<T> =>
    (await fetch(`${pipeline.apiUrl}${path}`)).json() as Promise<T>;
  type Item = { scope: string; id: string; metrics: Record<string, number | null> };
  const kpis = await get<{ items: Item[] }>(`/v1/centers/demo/kpis?date=${lastDay}&scope=center`);
  const center = kpis.items[0]?.metrics ?? {};
  const headline = [
    'offered',
    'answer_rate',
    'service_level',
    'aht_seconds',
    'fcr_rate',
    'csat_avg',
    'occupancy',
  ];
  console.log(`\nYesterday (${lastDay}) at the demo centre:`);
  for (const m of headline) console.log(`  ${m.padEnd(16)} ${formatValue(m, center[m] ?? null)}`);
  const ex = await get<{ items: KpiException[] }>(`/v1/centers/demo/exceptions?date=${lastDay}`);
  const { shown, alsoAt } = foldSystemic(sortBySeverity(ex.items));
  console.log(
    `\nExceptions (${ex.items.length}, most severe first; queues of a systemic centre exception folded under it):`,
  );
  for (const e of shown) {
    const folded = alsoAt.get(exceptionKey(e)) ?? [];
    const also = folded.length > 0 ? ` (+ ${folded.map((f) => `${f.scope} ${f.id}`).join(', ')})` : '';
    console.log(`  [${e.severity}] ${e.metric} at ${e.scope} ${e.id}${also}\n      ${e.summary}`);
  }
  const outbox = join(pipeline.stack.dataDir, 'outbox');
  const emails = existsSync(outbox) ? readdirSync(outbox).filter((f) => f.startsWith(lastDay)) : [];
  console.log(`\nMorning email${emails.length === 1 ? '' : 's'}:`);
  for (const f of emails) console.log(`  ${join(outbox, f)}`);
}

async function main(): Promise<void> {
  const started = Date.now();
  const options = localStackOptionsFromEnv();
  // A newcomer's first run (empty data dir) loads the demo centre, unless KPI_DEMO=0; --demo forces it.
  const fresh = !existsSync(join(resolve(options.dataDir), 's3'));
  const demo = process.argv.includes('--demo') || (fresh && process.env.KPI_DEMO !== '0');
  const pipeline = await startLocalPipeline({
    ...options,
    apiPort: apiPort(),
    log: (line) => console.log(`[pipeline] ${line}`),
  });
  const { endpoints, dataDir } = pipeline.stack;
  console.log(`
Contact-centre KPI pipeline — local mode (started in ${((Date.now() - started) / 1000).toFixed(1)} s)

  Read API         ${pipeline.apiUrl}            try: curl ${pipeline.apiUrl}/v1/centers
  S3 (exports)     ${endpoints.s3}   bucket "exports", credentials S3RVER / S3RVER
  DynamoDB         ${endpoints.dynamodb}
  SES v2 + viewer  ${endpoints.ses}
  Outbox (.eml)    ${join(dataDir, 'outbox')}
  Data dir         ${dataDir}

Drop export files into the bucket, e.g.
  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER aws --endpoint-url ${endpoints.s3} s3 cp calls.csv s3://exports/cdr/demo/calls.csv
then read  ${pipeline.apiUrl}/v1/centers/demo/files

Ctrl-C stops everything.`);

  if (demo) {
    const t0 = Date.now();
    const timezone = 'Asia/Shanghai';
    // The centre's report day: yesterday once it is complete (150-minute grace), else the day before.
    const lastDay = reportDay(Date.now(), timezone, 150);
    const files = generateDemo({ lastDay, timezone });
    const s3 = new S3Client({});
    console.log(
      `\nLoading the demo centre: ${files.length} export files, 5 weeks up to ${lastDay} (CSV, Amazon Connect, Asterisk queue_log) …`,
    );
    for (const [i, f] of files.entries()) {
      await s3.send(new PutObjectCommand({ Bucket: 'exports', Key: f.key, Body: f.body }));
      if ((i + 1) % 20 === 0 || i === files.length - 1)
        process.stdout.write(`  uploaded ${i + 1}/${files.length}\r`);
    }
    await pipeline.idle();
    console.log(
      `\nDemo loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s; evaluating complete days once the data has settled …`,
    );
    await evaluateDemo(pipeline, lastDay);
    console.log(`\nTry:
  curl -s ${pipeline.apiUrl}/v1/centers/demo/files
  curl -s '${pipeline.apiUrl}/v1/centers/demo/kpis?date=${lastDay}&scope=team'
  curl -s '${pipeline.apiUrl}/v1/centers/demo/exceptions?date=${lastDay}'
  open the .eml files in ${join(dataDir, 'outbox')} with a mail client, or the SES viewer at ${endpoints.ses}`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await pipeline.stop();
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
