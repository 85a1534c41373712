/**
 * Rollup function: SQS "centre-day changed" messages → RollupService. Messages for a day that
 * was already computed from its newest change are skipped, so a burst of files costs one
 * recomputation per day; a failed day is retried alone (ReportBatchItemFailures).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { documentClient, s3Client } from '../adapters/aws.js';
import { DynamoCenterStore } from '../adapters/dynamo-centers.js';
import { DynamoKpiStore } from '../adapters/dynamo-kpis.js';
import { bucketName, tableName } from '../adapters/env.js';
import { S3CuratedStore } from '../adapters/s3-stores.js';
import { RollupService } from '../app/rollup-service.js';
import { isValidDate } from '../domain/time.js';
import { CENTER_ID_PATTERN, ENV } from '../shared/definitions.js';

export const logger = new Logger({ serviceName: 'kpi-rollup' });

export interface DayChangedMessage {
  center: string;
  date: string;
}

export function parseDayChanged(record: SQSRecord): DayChangedMessage {
  const m = JSON.parse(record.body) as Partial<DayChangedMessage>;
  if (
    typeof m.center !== 'string' ||
    !CENTER_ID_PATTERN.test(m.center) ||
    typeof m.date !== 'string' ||
    !isValidDate(m.date)
  ) {
    throw new Error('malformed day-changed message');
  }
  return { center: m.center, date: m.date };
}

export function createRollupService(): RollupService {
  const db = documentClient();
  return new RollupService({
    curated: new S3CuratedStore(s3Client(), bucketName('curated')),
    centers: new DynamoCenterStore(db, tableName('centers')),
    kpis: new DynamoKpiStore(db, tableName('kpis')),
    localMode: process.env[ENV.runtimeMode] === 'local',
    log: (message, fields) => logger.info(message, fields),
  });
}

export function createRollupHandler(service: () => RollupService) {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    const { center, date } = parseDayChanged(record);
    try {
      const outcome = await service().rollup(center, date);
      logger.info('rollup outcome', { center, date, outcome: outcome.outcome });
    } catch (e) {
      logger.error('rollup failed; the day will be retried', {
        center,
        date,
        error: e instanceof Error ? e.message : String(e),
      });
      throw e;
    }
  };
  return async (event: SQSEvent): Promise<SQSBatchResponse> =>
    processPartialResponse(event, recordHandler, processor, { throwOnFullBatchFailure: false });
}

let service: RollupService | undefined;
export const handler = createRollupHandler(() => {
  service ??= createRollupService();
  return service;
});
