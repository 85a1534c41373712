/**
 * Ingest function: SQS (S3 ObjectCreated notifications) → IngestService. Each SQS record is
 * processed on its own; a failed record is reported back (ReportBatchItemFailures) so only it
 * is retried, and after maxReceiveCount it lands in the DLQ.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import type { S3Event, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { callerKeyProvider, documentClient, SqsDayChangeNotifier, s3Client } from '../adapters/aws.js';
import { DynamoCenterStore } from '../adapters/dynamo-centers.js';
import { DynamoLedgerStore } from '../adapters/dynamo-ledger.js';
import { bucketName, tableName } from '../adapters/env.js';
import { S3CuratedStore, S3ExportSource } from '../adapters/s3-stores.js';
import { IngestService } from '../app/ingest-service.js';
import type { DayChangeNotifier } from '../app/ports.js';
import { PARSERS } from '../domain/formats/registry.js';
import { decodeS3EventKey } from '../shared/s3-event-key.js';

export const logger = new Logger({ serviceName: 'kpi-ingest' });

export function createIngestService(notifier: DayChangeNotifier): IngestService {
  const db = documentClient();
  return new IngestService({
    source: new S3ExportSource(s3Client()),
    curated: new S3CuratedStore(s3Client(), bucketName('curated')),
    ledger: new DynamoLedgerStore(db, tableName('ledger')),
    centers: new DynamoCenterStore(db, tableName('centers')),
    notifier,
    parsers: PARSERS,
    callerKey: callerKeyProvider(),
    log: (message, fields) => logger.info(message, fields),
  });
}

/** The S3 objects named by one SQS message (an S3 event notification; test events name none). */
export function objectsOf(record: SQSRecord): Array<{ bucket: string; key: string }> {
  const body = JSON.parse(record.body) as Partial<S3Event> & { Event?: string };
  if (body.Event === 's3:TestEvent' || !Array.isArray(body.Records)) return [];
  return body.Records.filter((r) => r.eventName?.startsWith('ObjectCreated')).map((r) => ({
    bucket: r.s3.bucket.name,
    key: decodeS3EventKey(r.s3.object.key),
  }));
}

export function createIngestHandler(service: () => IngestService) {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    for (const { bucket, key } of objectsOf(record)) {
      logger.appendKeys({ bucket, key });
      try {
        const outcome = await service().ingest(bucket, key);
        logger.info('ingest outcome', {
          outcome: outcome.outcome,
          center: outcome.center,
          version: outcome.version,
        });
      } catch (e) {
        // Only the message: an error never carries row content, so no phone number reaches the log.
        logger.error('ingest failed; the message will be retried', {
          error: e instanceof Error ? e.message : String(e),
        });
        throw e;
      } finally {
        logger.removeKeys(['bucket', 'key']);
      }
    }
  };
  return async (event: SQSEvent): Promise<SQSBatchResponse> =>
    processPartialResponse(event, recordHandler, processor, { throwOnFullBatchFailure: false });
}

let service: IngestService | undefined;
export const handler = createIngestHandler(() => {
  service ??= createIngestService(new SqsDayChangeNotifier());
  return service;
});
