/**
 * The whole pipeline in one process (interfaces.md §5): the emulators, the same ingest and
 * rollup handlers the Lambda functions run (fed SQS-shaped events), and the read API.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { documentClient } from '../adapters/aws.js';
import { DynamoCenterStore } from '../adapters/dynamo-centers.js';
import { DynamoExceptionStore } from '../adapters/dynamo-exceptions.js';
import { DynamoKpiStore } from '../adapters/dynamo-kpis.js';
import { DynamoLedgerStore } from '../adapters/dynamo-ledger.js';
import { tableName } from '../adapters/env.js';
import { createApi } from '../api/app.js';
import type { SweepResult } from '../app/evaluate-service.js';
import { createEvaluateHandler, createEvaluateService } from '../handlers/evaluate.js';
import { createIngestHandler, createIngestService } from '../handlers/ingest.js';
import { createRollupHandler, createRollupService } from '../handlers/rollup.js';
import { BUCKETS, ENV } from '../shared/definitions.js';
import { LocalDayChangeQueue } from './day-change-queue.js';
import { applyLocalEnv, type LocalStack, type LocalStackOptions, startLocalStack } from './local-stack.js';
import { type ObjectCreated, toS3EventRecord, toSqsEvent } from './s3-events.js';

export interface LocalPipelineOptions extends LocalStackOptions {
  /** @default 3000; 0 picks a free port. */
  readonly apiPort?: number;
  /** Quiet period before changed days are rolled up. @default 500 ms */
  readonly rollupQuietMs?: number;
  /**
   * How often the evaluation sweep runs (the schedule in AWS); 0 = only when `evaluate()` is
   * called. @default 2000 ms
   */
  readonly evaluateIntervalMs?: number;
  /** The clock of the evaluation (which days are complete, which is the report day). */
  readonly now?: () => Date;
  readonly log?: (line: string) => void;
}

export interface LocalPipeline {
  readonly stack: LocalStack;
  readonly apiUrl: string;
  /** Resolves once every object created so far is ingested and every changed day rolled up. */
  idle(): Promise<void>;
  /** Waits for idle, then runs one evaluation sweep (as the schedule does in AWS). */
  evaluate(): Promise<SweepResult>;
  stop(): Promise<void>;
}

/** The HMAC key for caller tokens in local mode: generated once, kept in the data dir. */
async function localCallerKey(dataDir: string): Promise<string> {
  const file = join(dataDir, 'caller-token.key');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const key = randomBytes(32).toString('hex');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}

export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const log = options.log ?? (() => {});
  const stack = await startLocalStack(options);
  const restoreEnv = applyLocalEnv(stack);
  process.env[ENV.callerTokenKey] = await localCallerKey(stack.dataDir);

  const rollupHandler = createRollupHandler(createRollupService);
  const dayQueue = new LocalDayChangeQueue(rollupHandler, options.rollupQuietMs ?? 500, (e) =>
    log(`rollup failed: ${e instanceof Error ? e.message : String(e)}`),
  );
  const ingestService = createIngestService(dayQueue);
  const ingestHandler = createIngestHandler(() => ingestService);

  // Objects are ingested one at a time, in the order they were written, like a FIFO consumer.
  let ingesting: Promise<void> = Promise.resolve();
  const exportsBucket = BUCKETS.exports.localName;
  const unsubscribe = stack.onObjectCreated((created: ObjectCreated) => {
    if (created.bucket !== exportsBucket) return;
    ingesting = ingesting.then(async () => {
      const event = toSqsEvent([toS3EventRecord(created)]);
      for (let attempt = 1; attempt <= 5; attempt++) {
        const r = await ingestHandler(event);
        if (r.batchItemFailures.length === 0) return;
        log(`ingest of ${created.key} failed (attempt ${attempt} of 5)`);
      }
      log(`ingest of ${created.key} gave up after 5 attempts (in AWS it would now be in the DLQ)`);
    });
  });

  const db = documentClient();
  const api = createApi({
    kpis: new DynamoKpiStore(db, tableName('kpis')),
    exceptions: new DynamoExceptionStore(db, tableName('exceptions')),
    ledger: new DynamoLedgerStore(db, tableName('ledger')),
    centers: new DynamoCenterStore(db, tableName('centers')),
    log: (message, fields) => log(`${message} ${JSON.stringify(fields)}`),
  });
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: api.fetch, port: options.apiPort ?? 3000, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const apiUrl = `http://${host}:${port}`;
  process.env[ENV.apiBaseUrl] = apiUrl;

  const evaluateHandler = createEvaluateHandler(() => evaluateService);
  const evaluateService = createEvaluateService({ now: options.now });
  const idle = async () => {
    // Ingest can signal days, and rollups never create objects in the exports bucket, so two rounds settle it.
    for (let i = 0; i < 2; i++) {
      await ingesting;
      await dayQueue.idle();
    }
  };
  // One sweep at a time, and only between bursts of work: a day is never evaluated mid-rollup.
  let sweeps: Promise<unknown> = Promise.resolve();
  let pendingSweeps = 0;
  const evaluate = (): Promise<SweepResult> => {
    pendingSweeps++;
    const run = sweeps.then(async () => {
      try {
        await idle();
        return await evaluateHandler();
      } finally {
        pendingSweeps--;
      }
    });
    sweeps = run.catch(() => undefined);
    return run;
  };
  const interval = options.evaluateIntervalMs ?? 2000;
  const timer =
    interval > 0
      ? setInterval(() => {
          if (pendingSweeps > 0) return;
          evaluate()
            .then((r) => {
              for (const d of r.evaluated) {
                const sent = d.emails.filter((e) => e.action === 'sent' || e.action === 'restated').length;
                if (sent > 0 || d.exceptions > 0)
                  log(`evaluated ${d.center} ${d.date}: ${d.exceptions} exception(s), ${sent} email(s) sent`);
              }
            })
            .catch((e) => log(`evaluation failed: ${e instanceof Error ? e.message : String(e)}`));
        }, interval)
      : undefined;

  let stopped = false;
  return {
    stack,
    apiUrl,
    idle,
    evaluate,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      await sweeps;
      delete process.env[ENV.apiBaseUrl];
      unsubscribe();
      dayQueue.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stack.stop();
      restoreEnv();
    },
  };
}
