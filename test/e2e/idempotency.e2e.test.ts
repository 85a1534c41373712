/**
 * architecture.md rule 2 (idempotent by source identity) and rule 5 (crash-safe): the same S3
 * event delivered three times — with new SQS message ids each time — leaves every stored item
 * equal to a single delivery.
 */

import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler, createIngestService } from '../../functions/handlers/ingest.js';
import { toS3EventRecord, toSqsEvent } from '../../functions/local/s3-events.js';
import { TABLES } from '../../functions/shared/definitions.js';
import { startTestPipeline, type TestPipeline } from '../support/pipeline.js';

let p: TestPipeline;
beforeAll(async () => {
  p = await startTestPipeline();
});
afterAll(async () => {
  await p?.cleanup();
});

async function snapshot(): Promise<unknown> {
  const db = new DynamoDBClient({});
  const s3 = new S3Client({});
  const tables: Record<string, unknown> = {};
  for (const t of Object.values(TABLES)) {
    const r = await db.send(new ScanCommand({ TableName: t.localName }));
    tables[t.localName] = (r.Items ?? []).map((i) => JSON.stringify(i)).sort();
  }
  const objects = await s3.send(new ListObjectsV2Command({ Bucket: 'curated' }));
  return { tables, curated: (objects.Contents ?? []).map((o) => `${o.Key} ${o.ETag}`).sort() };
}

describe('rule 2: idempotent by S3 object identity', () => {
  it('counts a re-delivered S3 event once', async () => {
    const csv = [
      'contact_id,direction,queue,agent_id,caller,initiated_at,queue_seconds,talk_seconds,outcome,last_updated_at',
      'a1,inbound,sales,A1,555-0101,2026-11-20T09:00:00Z,3,60,answered,2026-11-20T09:02:00Z',
      'a2,inbound,sales,,555-0102,2026-11-20T09:05:00Z,30,0,abandoned,2026-11-20T09:06:00Z',
    ].join('\n');
    await p.put('cdr/idem/one.csv', csv);
    await p.idle();
    await new Promise((r) => setTimeout(r, 300));
    await p.idle();
    const once = await snapshot();

    const handler = createIngestHandler(() => createIngestService({ notify: async () => {} }));
    const record = toS3EventRecord({
      bucket: 'exports',
      key: 'cdr/idem/one.csv',
      size: csv.length,
      eTag: 'ignored-the-object-is-read-from-the-bucket',
      sequencer: '0A',
      eventName: 'ObjectCreated:Put',
      eventTime: new Date().toISOString(),
      awsRegion: 'us-east-1',
    });
    for (let i = 0; i < 3; i++) {
      const r = await handler(toSqsEvent([record]));
      expect(r.batchItemFailures).toEqual([]);
    }
    await p.idle();
    expect(await snapshot()).toEqual(once);
  });

  it('treats an identical re-upload of the same key as the same object', async () => {
    const csv =
      'contact_id,direction,initiated_at,outcome,queue,queue_seconds\nb1,inbound,2026-11-21T10:00:00Z,abandoned,q,12\n';
    await p.put('cdr/idem/two.csv', csv);
    await p.idle();
    await new Promise((r) => setTimeout(r, 300));
    await p.idle();
    const once = await snapshot();
    await p.put('cdr/idem/two.csv', csv);
    await new Promise((r) => setTimeout(r, 300));
    await p.idle();
    expect(await snapshot()).toEqual(once);
  });
});
