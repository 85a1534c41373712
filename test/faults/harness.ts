/**
 * Fault-injection rig for the architecture.md rule tests (test/faults): one local stack of the
 * real emulators (S3, DynamoDB, SES) with the real application services and adapters wired to
 * explicit SDK clients — not the process-wide clients of functions/adapters/aws.ts, so several
 * stacks can live in one test file — plus the two queues of the deployed shape (S3 events →
 * ingest, "centre-day changed" → rollup) as plain in-memory stand-ins, a way to crash an
 * invocation at its N-th write, and a comparable snapshot of everything the pipeline stores.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { DynamoCenterStore } from '../../functions/adapters/dynamo-centers.js';
import { DynamoKpiStore } from '../../functions/adapters/dynamo-kpis.js';
import { DynamoLedgerStore } from '../../functions/adapters/dynamo-ledger.js';
import { S3CuratedStore, S3ExportSource } from '../../functions/adapters/s3-stores.js';
import { IngestService } from '../../functions/app/ingest-service.js';
import type { DayChangeNotifier, ExportSource } from '../../functions/app/ports.js';
import { RollupService } from '../../functions/app/rollup-service.js';
import { PARSERS } from '../../functions/domain/formats/registry.js';
import { type LocalStack, startLocalStack } from '../../functions/local/local-stack.js';
import { toS3EventRecord, toSqsEvent } from '../../functions/local/s3-events.js';
import { BUCKETS, TABLES } from '../../functions/shared/definitions.js';

export const EXPORTS = BUCKETS.exports.localName;
export const CURATED = BUCKETS.curated.localName;
/** The same HMAC key in every stack, so caller tokens (and so curated objects) compare across stacks. */
export const CALLER_KEY = 'fault-suite-caller-token-key-0123456789abcdef';

export interface Clients {
  readonly s3: S3Client;
  readonly db: DynamoDBDocumentClient;
}

/** Thrown by a FaultPlan in place of the write it was told to crash at. */
export class InjectedCrash extends Error {
  constructor(readonly at: number) {
    super(`injected crash at write #${at}`);
    this.name = 'InjectedCrash';
  }
}

class NotifyCommand {
  constructor(
    readonly center: string,
    readonly days: string[],
  ) {}
}

const WRITE_COMMANDS = new Set([
  'NotifyCommand',
  'PutObjectCommand',
  'DeleteObjectCommand',
  'DeleteObjectsCommand',
  'CopyObjectCommand',
  'PutCommand',
  'UpdateCommand',
  'DeleteCommand',
  'BatchWriteCommand',
  'TransactWriteCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
]);

/**
 * Kills an invocation at its `crashAt`-th write (0-based) to S3 or DynamoDB: `before` the write
 * is sent (it never lands) or `after` it landed (the response is lost, as on a Lambda timeout).
 * From then on the process is dead: every later write of the same clients fails without being
 * sent. Writes already in flight finish; `settled()` waits for them.
 */
export class FaultPlan {
  writes = 0;
  fired = false;
  readonly trace: string[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    readonly crashAt: number,
    readonly mode: 'before' | 'after',
  ) {}

  wrap<T extends { send: (...args: never[]) => Promise<unknown> }>(client: T): T {
    return new Proxy(client, {
      get: (target, prop, receiver) => {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return (command: object, ...rest: unknown[]) => {
          const send = () => (target.send as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
          const name = command.constructor.name;
          if (!WRITE_COMMANDS.has(name)) return send();
          if (this.fired) return Promise.reject(new InjectedCrash(this.crashAt));
          const n = this.writes++;
          this.trace.push(name);
          if (n !== this.crashAt) return this.track(send());
          this.fired = true;
          if (this.mode === 'before') return Promise.reject(new InjectedCrash(n));
          return this.track(send()).then(() => {
            throw new InjectedCrash(n);
          });
        };
      },
    });
  }

  /** The notifier's send (an SQS SendMessageBatch in AWS) is a write too. */
  wrapNotifier(notifier: DayChangeNotifier): DayChangeNotifier {
    const wrapped = this.wrap({
      send: (command: NotifyCommand) => notifier.notify(command.center, command.days),
    });
    return { notify: (center, days) => wrapped.send(new NotifyCommand(center, days)) as Promise<void> };
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    const done = () => this.inFlight.delete(p);
    p.then(done, done);
    return p;
  }

  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}

/** An ExportSource whose `open` throws for the keys in `poisoned` (an object no retry can read). */
export class PoisonSource implements ExportSource {
  readonly poisoned = new Set<string>();
  readonly opened: string[] = [];

  constructor(private readonly inner: ExportSource) {}

  async open(bucket: string, key: string) {
    this.opened.push(key);
    if (this.poisoned.has(key)) throw new Error(`injected poison: ${key} cannot be read`);
    return this.inner.open(bucket, key);
  }

  identity(bucket: string, key: string) {
    return this.inner.identity(bucket, key);
  }
}

/** A clock that starts at `start` and moves 1 ms per reading: deterministic dates, ordered change tokens. */
export function steppingClock(start: string): () => Date {
  let t = Date.parse(start);
  return () => new Date(t++);
}

export interface Services {
  ingest: IngestService;
  rollup: RollupService;
  source: ExportSource;
}

export interface ServiceOptions {
  clients?: Clients;
  notifier?: DayChangeNotifier;
  source?: (real: ExportSource) => ExportSource;
}

export interface Rig {
  readonly stack: LocalStack;
  readonly clients: Clients;
  /** Day-changed signals sent and not yet rolled up: the rollup queue. */
  readonly pendingDays: Map<string, { center: string; date: string }>;
  readonly notifier: DayChangeNotifier;
  /** Services on the given clients (default: the stack's real ones). */
  services(opts?: ServiceOptions): Services;
  put(key: string, body: string | Uint8Array): Promise<void>;
  /** The SQS event a Lambda receives for these objects, one message per object (new message ids each call). */
  sqsEvent(keys: string[]): SQSEvent;
  /** Roll up every signalled day until none is left; a day whose rollup throws stays signalled. */
  drainRollups(rollup?: RollupService): Promise<void>;
  snapshot(): Promise<Snapshot>;
  /** Empties every table and the curated and exports buckets, and forgets the signals. */
  wipe(): Promise<void>;
  /** Everything stored (items, objects with their metadata) and the pending signals, to restore in any rig. */
  dump(): Promise<Dump>;
  /** Replaces everything stored by a dump: the state another run reached, without re-running it. */
  restore(dump: Dump): Promise<void>;
  stop(): Promise<void>;
}

export interface Dump {
  items: Record<string, Record<string, unknown>[]>;
  objects: Array<{
    bucket: string;
    key: string;
    body: Buffer;
    metadata: Record<string, string>;
    contentType?: string;
    contentEncoding?: string;
  }>;
  pendingDays: Array<{ center: string; date: string }>;
}

export function clientsFor(stack: LocalStack): Clients {
  const config = {
    region: stack.region,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  };
  const s3 = new S3Client({
    ...config,
    endpoint: stack.endpoints.s3,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...config, endpoint: stack.endpoints.dynamodb }),
    {
      marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
    },
  );
  return { s3, db };
}

/** Starts a bare local stack (no pipeline listening to the bucket: the test delivers events itself). */
export async function startRig(opts: { clock?: () => Date } = {}): Promise<Rig> {
  const dataDir = await mkdtemp(join(tmpdir(), 'kpi-faults-'));
  const stack = await startLocalStack({ dataDir, persist: false, s3Port: 0, dynamodbPort: 0, sesPort: 0 });
  const clients = clientsFor(stack);
  const clock = opts.clock ?? steppingClock('2026-11-24T03:00:00.000Z');
  const pendingDays = new Map<string, { center: string; date: string }>();
  const notifier: DayChangeNotifier = {
    async notify(center, days) {
      for (const date of days) pendingDays.set(`${center}#${date}`, { center, date });
    },
  };
  const services = (o: ServiceOptions = {}) => {
    const c = o.clients ?? clients;
    const real = new S3ExportSource(c.s3);
    const source = o.source ? o.source(real) : real;
    const curated = new S3CuratedStore(c.s3, CURATED);
    const centers = new DynamoCenterStore(c.db, TABLES.centers.localName);
    return {
      source,
      ingest: new IngestService({
        source,
        curated,
        ledger: new DynamoLedgerStore(c.db, TABLES.ledger.localName),
        centers,
        notifier: o.notifier ?? notifier,
        parsers: PARSERS,
        callerKey: async () => CALLER_KEY,
        now: clock,
      }),
      rollup: new RollupService({
        curated,
        centers,
        kpis: new DynamoKpiStore(c.db, TABLES.kpis.localName),
        localMode: true,
        now: clock,
      }),
    };
  };
  const defaultRollup = services().rollup;
  const wipe = async (): Promise<void> => {
    pendingDays.clear();
    await Promise.all([
      ...Object.values(TABLES).map(async (t) => {
        const items = await scanAll(clients.db, t.localName);
        const deletes = items.map((i) => ({ DeleteRequest: { Key: { pk: i.pk, sk: i.sk } } }));
        for (let i = 0; i < deletes.length; i += 25) {
          await clients.db.send(
            new BatchWriteCommand({ RequestItems: { [t.localName]: deletes.slice(i, i + 25) } }),
          );
        }
      }),
      ...[CURATED, EXPORTS].map(async (bucket) => {
        const keys = (await listObjects(clients.s3, bucket)).map((o) => o.key);
        if (keys.length === 0) return;
        await clients.s3.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
          }),
        );
      }),
    ]);
  };

  let eventSequence = 0;
  return {
    stack,
    clients,
    pendingDays,
    notifier,
    services,
    async put(key, body) {
      await clients.s3.send(new PutObjectCommand({ Bucket: EXPORTS, Key: key, Body: body }));
    },
    sqsEvent(keys) {
      return toSqsEvent(
        keys.map((key) =>
          toS3EventRecord({
            bucket: EXPORTS,
            key,
            size: 0,
            eTag: 'the-handler-reads-the-identity-from-the-bucket',
            sequencer: (++eventSequence).toString(16).padStart(16, '0'),
            eventName: 'ObjectCreated:Put',
            eventTime: '2026-11-24T03:00:00.000Z',
            awsRegion: stack.region,
          }),
        ),
      );
    },
    async drainRollups(rollup = defaultRollup) {
      for (let round = 0; pendingDays.size > 0; round++) {
        if (round > 20) throw new Error('rollups did not settle');
        for (const [k, { center, date }] of [...pendingDays]) {
          pendingDays.delete(k);
          try {
            await rollup.rollup(center, date);
          } catch (e) {
            pendingDays.set(k, { center, date });
            throw e;
          }
        }
      }
    },
    snapshot: () => takeSnapshot(clients),
    wipe,
    async dump() {
      const items: Dump['items'] = {};
      for (const t of Object.values(TABLES)) items[t.localName] = await scanAll(clients.db, t.localName);
      const objects: Dump['objects'] = [];
      for (const bucket of [CURATED, EXPORTS]) {
        for (const { key } of await listObjects(clients.s3, bucket)) {
          const r = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          objects.push({
            bucket,
            key,
            body: Buffer.from(await (r.Body as BodyBytes).transformToByteArray()),
            metadata: r.Metadata ?? {},
            contentType: r.ContentType,
            contentEncoding: r.ContentEncoding,
          });
        }
      }
      return { items, objects, pendingDays: [...pendingDays.values()] };
    },
    async restore(dump) {
      await wipe();
      await Promise.all([
        ...Object.entries(dump.items).map(async ([table, items]) => {
          for (let i = 0; i < items.length; i += 25) {
            await clients.db.send(
              new BatchWriteCommand({
                RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
              }),
            );
          }
        }),
        ...dump.objects.map((o) =>
          clients.s3.send(
            new PutObjectCommand({
              Bucket: o.bucket,
              Key: o.key,
              Body: o.body,
              Metadata: o.metadata,
              ContentType: o.contentType,
              ContentEncoding: o.contentEncoding,
            }),
          ),
        ),
      ]);
      for (const d of dump.pendingDays) pendingDays.set(`${d.center}#${d.date}`, d);
    },
    async stop() {
      clients.s3.destroy();
      clients.db.destroy();
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function scanAll(db: DynamoDBDocumentClient, table: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await db.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    out.push(...(r.Items ?? []));
    start = r.LastEvaluatedKey;
  } while (start);
  return out;
}

export async function listObjects(
  s3: S3Client,
  bucket: string,
): Promise<Array<{ key: string; etag: string }>> {
  const out: Array<{ key: string; etag: string }> = [];
  let token: string | undefined;
  do {
    const r = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of r.Contents ?? []) out.push({ key: o.Key ?? '', etag: o.ETag ?? '' });
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

type BodyBytes = { transformToByteArray(): Promise<Uint8Array> };

export async function readObject(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await (r.Body as BodyBytes).transformToByteArray());
}

/** Everything the pipeline stores: every item of every table and every curated object (key and ETag). */
export interface Snapshot {
  tables: Record<string, string[]>;
  curated: string[];
}

export async function takeSnapshot(clients: Clients): Promise<Snapshot> {
  const [curated, ...scans] = await Promise.all([
    listObjects(clients.s3, CURATED),
    ...Object.values(TABLES).map((t) => scanAll(clients.db, t.localName)),
  ]);
  const tables: Record<string, string[]> = {};
  Object.values(TABLES).forEach((t, i) => {
    tables[t.localName] = (scans[i] ?? []).map((item) => stableJson(item)).sort();
  });
  return { tables, curated: curated.map((o) => `${o.key} ${o.etag}`) };
}

/** JSON with object keys sorted, so equal items print equally whatever their attribute order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * A snapshot of two different runs made comparable: instants (received_at, change tokens,
 * computed_at …) and random ids differ between any two runs and are masked. What the change
 * tokens say is kept: whether each day's KPIs were computed from its latest change.
 */
export function comparable(s: Snapshot): Snapshot {
  const tables: Record<string, string[]> = {};
  for (const [name, items] of Object.entries(s.tables)) {
    tables[name] = items
      .map((json) => {
        const item = JSON.parse(json) as Record<string, unknown>;
        if (name === TABLES.centers.localName && String(item.sk).startsWith('day#')) {
          const { change_token, computed_token } = item;
          delete item.change_token;
          delete item.computed_token;
          item.computed =
            computed_token === undefined ? 'never' : computed_token === change_token ? 'latest' : 'stale';
        }
        return stableJson(item).replace(ISO_TIME, '<time>').replace(UUID, '<uuid>');
      })
      .sort();
  }
  return { tables, curated: s.curated };
}
