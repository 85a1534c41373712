/**
 * architecture.md rule 4 (nothing lost): a poison object goes to the DLQ after its retries
 * without blocking the others, and a partial batch failure retries only the failed record
 * (ReportBatchItemFailures). The real ingest handler (Powertools batch processor) and services
 * run against the emulators; the poison is an ExportSource that cannot read one key. The queue
 * is a small stand-in for the ingest SQS queue as lib/work-queue.ts configures it: a failed
 * message is received again until maxReceiveCount, then moved to the DLQ.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../functions/app/ports.js';
import { createIngestHandler } from '../../functions/handlers/ingest.js';
import { TABLES } from '../../functions/shared/definitions.js';
import { callsOn, canonicalCsv, connectNdjson, queueLog } from './fixtures.js';
import { comparable, PoisonSource, type Rig, scanAll, startRig } from './harness.js';

/** lib/work-queue.ts: `maxReceiveCount: props.maxReceiveCount ?? 5` for the ingest queue. */
const MAX_RECEIVE_COUNT = 5;

const FILES: Record<string, string> = {
  'cdr/batch/one.csv': canonicalCsv(callsOn('2026-11-20', 6, 'one')),
  'cdr/batch/two.json': connectNdjson(callsOn('2026-11-20', 4, 'two', { queue: 'support' })),
  'cdr/batch/queue_log': queueLog(callsOn('2026-11-20', 5, 'three', { queue: 'billing' })),
};
const POISON = 'cdr/batch/two.json';

let rig: Rig;
let clean: Rig;
beforeAll(async () => {
  [rig, clean] = await Promise.all([startRig(), startRig()]);
});
afterAll(async () => {
  await Promise.all([rig?.stop(), clean?.stop()]);
});
beforeEach(async () => {
  await Promise.all([rig.wipe(), clean.wipe()]);
  for (const r of [rig, clean]) for (const [key, body] of Object.entries(FILES)) await r.put(key, body);
});

/** The ingest handler of one Lambda instance whose source cannot read the poisoned keys. */
function poisonedHandler(r: Rig) {
  let source: PoisonSource | undefined;
  const { ingest } = r.services({
    source: (real) => {
      source = new PoisonSource(real);
      return source;
    },
  });
  return { handler: createIngestHandler(() => ingest), source: source as PoisonSource };
}

const keyOf = (record: SQSRecord) =>
  decodeURIComponent((JSON.parse(record.body).Records[0].s3.object.key as string).replace(/\+/g, ' '));

async function ledgerEntries(r: Rig): Promise<string[]> {
  return (await scanAll(r.clients.db, TABLES.ledger.localName))
    .filter((i) => String(i.sk).startsWith('obj#'))
    .map((i) => i.entry as LedgerEntry)
    .map((e) => `${e.key} ${e.status}`)
    .sort();
}

/** A stand-in for the ingest queue: visible messages, receive counts, redrive to the DLQ. */
class QueueModel {
  private readonly visible: SQSRecord[] = [];
  readonly dlq: SQSRecord[] = [];
  readonly receives = new Map<string, number>();

  send(event: SQSEvent): void {
    this.visible.push(...event.Records);
  }

  /** One poll: up to `batchSize` messages, each received once more. */
  receive(batchSize: number): SQSEvent {
    const records = this.visible.splice(0, batchSize).map((r) => {
      const count = (this.receives.get(r.messageId) ?? 0) + 1;
      this.receives.set(r.messageId, count);
      return { ...r, attributes: { ...r.attributes, ApproximateReceiveCount: String(count) } };
    });
    return { Records: records };
  }

  /** Successful messages are deleted; a failed one becomes visible again, or goes to the DLQ. */
  settle(event: SQSEvent, response: SQSBatchResponse): void {
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    for (const r of event.Records) {
      if (!failed.has(r.messageId)) continue;
      if ((this.receives.get(r.messageId) ?? 0) >= MAX_RECEIVE_COUNT) this.dlq.push(r);
      else this.visible.push(r);
    }
  }

  get size(): number {
    return this.visible.length;
  }
}

describe('rule 4: a poison object reaches the DLQ after its retries without blocking the others', () => {
  it('rule 4: a batch with one unreadable object reports exactly that record as failed and processes the others', async () => {
    const { handler, source } = poisonedHandler(rig);
    source.poisoned.add(POISON);
    const event = rig.sqsEvent(Object.keys(FILES));
    const response = await handler(event);
    const poisonRecord = event.Records.find((r) => keyOf(r) === POISON);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: poisonRecord?.messageId }]);
    expect(await ledgerEntries(rig)).toEqual([
      'cdr/batch/one.csv processed',
      'cdr/batch/queue_log processed',
    ]);
  });

  it('rule 4: redelivered up to maxReceiveCount, the poison lands in the DLQ while later objects are ingested once each', async () => {
    const { handler, source } = poisonedHandler(rig);
    source.poisoned.add(POISON);
    const queue = new QueueModel();
    queue.send(rig.sqsEvent([POISON, 'cdr/batch/one.csv']));
    // Objects keep arriving while the poison is retried.
    const late = ['cdr/batch/queue_log'];
    for (let poll = 0; queue.size > 0; poll++) {
      if (poll > 20) throw new Error('the queue never drained');
      if (poll === 2) queue.send(rig.sqsEvent(late));
      const event = queue.receive(2);
      queue.settle(event, await handler(event));
    }
    expect(queue.dlq.map(keyOf)).toEqual([POISON]);
    expect(queue.dlq[0]?.attributes.ApproximateReceiveCount).toBe(String(MAX_RECEIVE_COUNT));
    // The poison was tried exactly maxReceiveCount times, every other object exactly once.
    const opens = new Map<string, number>();
    for (const k of source.opened) opens.set(k, (opens.get(k) ?? 0) + 1);
    expect(Object.fromEntries(opens)).toEqual({
      [POISON]: MAX_RECEIVE_COUNT,
      'cdr/batch/one.csv': 1,
      'cdr/batch/queue_log': 1,
    });
    expect(await ledgerEntries(rig)).toEqual([
      'cdr/batch/one.csv processed',
      'cdr/batch/queue_log processed',
    ]);
  });
});

describe('rule 4: a partial batch failure retries only the failed record', () => {
  it('rule 4: after the failure, only the failed record is redelivered, and the state is a clean run’s', async () => {
    const keys = Object.keys(FILES);
    // The clean run: the same batch, nothing failing.
    const cleanHandler = createIngestHandler(() => clean.services().ingest);
    expect((await cleanHandler(clean.sqsEvent(keys))).batchItemFailures).toEqual([]);
    await clean.drainRollups();

    const { handler, source } = poisonedHandler(rig);
    source.poisoned.add(POISON);
    const event = rig.sqsEvent(keys);
    const first = await handler(event);
    expect(first.batchItemFailures).toHaveLength(1);

    // The fault is gone (a transient error): SQS redelivers the failed message alone.
    source.poisoned.clear();
    source.opened.length = 0;
    const failed = new Set(first.batchItemFailures.map((f) => f.itemIdentifier));
    const redelivery: SQSEvent = { Records: event.Records.filter((r) => failed.has(r.messageId)) };
    expect(redelivery.Records.map(keyOf)).toEqual([POISON]);
    expect((await handler(redelivery)).batchItemFailures).toEqual([]);
    expect(source.opened).toEqual([POISON]);
    // (Had the day been rolled up in between, its KPIs would carry one restatement more: a
    // late file changes them. The day's signals are still pending here, as in a busy queue.)
    await rig.drainRollups();
    expect(comparable(await rig.snapshot())).toEqual(comparable(await clean.snapshot()));
  });
});
