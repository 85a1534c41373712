/**
 * Evaluate function: invoked by the schedule (every 15 minutes) — and in local mode by a timer —
 * it sweeps the centres for complete, settled days whose KPIs are not evaluated yet, stores their
 * exceptions and sends the morning digests (functions/app/evaluate-service.ts). A failure
 * throws (raising the error alarm) and leaves its days pending, so the next sweep retries them;
 * the send ledger keeps every email exactly-once across retries.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { documentClient, s3Client } from '../adapters/aws.js';
import { DynamoCenterStore } from '../adapters/dynamo-centers.js';
import { DynamoExceptionStore } from '../adapters/dynamo-exceptions.js';
import { DynamoKpiStore } from '../adapters/dynamo-kpis.js';
import { DynamoLedgerStore } from '../adapters/dynamo-ledger.js';
import { DynamoSendLedger } from '../adapters/dynamo-sends.js';
import { bucketName, tableName } from '../adapters/env.js';
import { S3CuratedStore } from '../adapters/s3-stores.js';
import { OutboxMailer, SesMailer } from '../adapters/ses-mailer.js';
import { EvaluateService, type SweepResult } from '../app/evaluate-service.js';
import type { Mailer } from '../app/ports.js';
import { ReportService } from '../app/report-service.js';
import { renderTrendPng } from '../report/chart.js';
import { ENV } from '../shared/definitions.js';

export const logger = new Logger({ serviceName: 'kpi-evaluate' });

export function createEvaluateService(opts: { now?: () => Date } = {}): EvaluateService {
  const db = documentClient();
  const kpis = new DynamoKpiStore(db, tableName('kpis'));
  const ses = new SesMailer(process.env[ENV.sesConfigurationSet] || undefined);
  const outbox = process.env[ENV.outboxDir];
  const mailer: Mailer = outbox ? new OutboxMailer(ses, outbox) : ses;
  const log = (message: string, fields: Record<string, unknown>) => logger.info(message, fields);
  return new EvaluateService({
    centers: new DynamoCenterStore(db, tableName('centers')),
    kpis,
    ledger: new DynamoLedgerStore(db, tableName('ledger')),
    curated: new S3CuratedStore(s3Client(), bucketName('curated')),
    exceptions: new DynamoExceptionStore(db, tableName('exceptions')),
    reports: new ReportService({
      kpis,
      sends: new DynamoSendLedger(db, tableName('sends')),
      mailer,
      charts: { trendPng: renderTrendPng },
      sender: process.env[ENV.sesSender] || undefined,
      apiBaseUrl: process.env[ENV.apiBaseUrl] || undefined,
      now: opts.now,
      log,
    }),
    localMode: process.env[ENV.runtimeMode] === 'local',
    now: opts.now,
    log,
  });
}

export function createEvaluateHandler(service: () => EvaluateService) {
  return async (): Promise<SweepResult> => {
    const result = await service().sweep();
    logger.info('sweep done', {
      evaluated: result.evaluated.map((d) => `${d.center}/${d.date} v${d.kpi_version}`),
      waiting: result.waiting.length,
    });
    return result;
  };
}

let service: EvaluateService | undefined;
export const handler = createEvaluateHandler(() => {
  service ??= createEvaluateService();
  return service;
});
