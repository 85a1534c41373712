/**
 * The embedded local stack: S3 (s3rver), DynamoDB (dynalite) and SES v2 (aws-ses-v2-local)
 * emulators in this process, provisioned from the shared definitions through the real AWS SDK,
 * so handlers run unchanged against them (architecture rule 9, interfaces.md §5).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  type KeySchemaElement,
  ResourceInUseException,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { BUCKETS, ENV, LOCAL_DEFAULTS, TABLES, type TableDefinition } from '../shared/definitions.js';
import type { ObjectCreated } from './s3-events.js';
import { enableSingleDes } from './single-des.js';

export interface LocalStackOptions {
  /** Emulator data (`dynamodb/`, `s3/`) and the outbox live here; relative to the working directory. */
  readonly dataDir: string;
  /** @default 4568 (`LOCAL_DEFAULTS.s3Port`); 0 picks a free port. */
  readonly s3Port?: number;
  /** @default 4567 (`LOCAL_DEFAULTS.dynamodbPort`); 0 picks a free port. */
  readonly dynamodbPort?: number;
  /** @default 8005 (`LOCAL_DEFAULTS.sesPort`); 0 picks a free port. */
  readonly sesPort?: number;
  /** Address the emulators listen on and endpoints point to; an IP, so the SDK uses path-style S3 URLs. @default 127.0.0.1 */
  readonly host?: string;
  /** Keep tables and objects in `dataDir` between runs; otherwise in memory and a temporary directory. @default true */
  readonly persist?: boolean;
}

export type ObjectCreatedListener = (created: ObjectCreated) => void | Promise<void>;

export interface LocalStack {
  readonly endpoints: { readonly s3: string; readonly dynamodb: string; readonly ses: string };
  /** Absolute data directory. */
  readonly dataDir: string;
  readonly region: string;
  /** What a process needs for SDK clients and handlers to use this stack (see `applyLocalEnv`). */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Calls `listener` for every object created in any bucket, in write order, once the object is
   * stored (for a put, before the writer sees the response). A listener that throws or rejects is
   * logged, not retried. Returns a function that removes the listener.
   */
  onObjectCreated(listener: ObjectCreatedListener): () => void;
  /** Stops the emulators after pending notifications are delivered; safe to call twice. */
  stop(): Promise<void>;
}

// Loaded through require: its `exports.default` reaches an ESM default import as
// `default.default` under Node but as `default` under vitest.
const { default: startSesEmulator } = createRequire(import.meta.url)('aws-ses-v2-local') as {
  default: (config: { host: string; port: number }) => Promise<Server>;
};

const LOCAL_REGION = 'us-east-1';
// s3rver checks signatures against this key pair; dynalite and aws-ses-v2-local accept any.
const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** Stack options from the KPI_* variables of interfaces.md §5, falling back to the documented defaults. */
export function localStackOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): LocalStackOptions {
  const port = ({ envVar, value }: { envVar: string; value: number }): number => {
    const configured = env[envVar];
    if (configured === undefined || configured === '') return value;
    const parsed = Number(configured);
    if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) {
      throw new Error(`${envVar} must be a port number, got "${configured}"`);
    }
    return parsed;
  };
  return {
    dataDir: env[LOCAL_DEFAULTS.dataDir.envVar] || LOCAL_DEFAULTS.dataDir.value,
    s3Port: port(LOCAL_DEFAULTS.s3Port),
    dynamodbPort: port(LOCAL_DEFAULTS.dynamodbPort),
    sesPort: port(LOCAL_DEFAULTS.sesPort),
  };
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const persist = options.persist ?? true;
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const unlock = persist ? await lockDataDir(dataDir) : async () => {};
  const s3Directory = persist ? join(dataDir, 's3') : await mkdtemp(join(tmpdir(), 'kpi-s3-'));

  enableSingleDes();
  const s3rver = new S3rver({ directory: s3Directory, silent: true });
  // Served by our own server: s3rver.run() leaves a listen error as an unhandled 'error' event.
  const s3Server = createServer(s3rver.callback());
  // createTableMs 0: tables are ACTIVE at once instead of after dynalite's default 500 ms.
  const dynamodbServer = dynalite({ createTableMs: 0, ...(persist && { path: join(dataDir, 'dynamodb') }) });
  const started = await Promise.allSettled([
    listen(s3Server, options.s3Port ?? LOCAL_DEFAULTS.s3Port.value, host, 'S3'),
    listen(dynamodbServer, options.dynamodbPort ?? LOCAL_DEFAULTS.dynamodbPort.value, host, 'DynamoDB'),
    startSes(options.sesPort ?? LOCAL_DEFAULTS.sesPort.value, host),
  ]);
  const [s3, dynamodb, ses] = started;
  if (s3.status === 'rejected' || dynamodb.status === 'rejected' || ses.status === 'rejected') {
    await Promise.allSettled([
      s3.status === 'fulfilled' && close(s3Server),
      dynamodb.status === 'fulfilled' && close(dynamodbServer),
      ses.status === 'fulfilled' && close(ses.value.server),
      !persist && rm(s3Directory, { recursive: true, force: true }),
      unlock(),
    ]);
    throw started.find((result) => result.status === 'rejected')?.reason;
  }

  const endpoints = {
    s3: endpointUrl(host, s3.value),
    dynamodb: endpointUrl(host, dynamodb.value),
    ses: endpointUrl(host, ses.value.port),
  };
  const listeners = new Set<ObjectCreatedListener>();
  const nextSequencer = monotonicSequencer();
  // A chain, so listeners see writes in order even when an eTag has to be looked up.
  let deliveries = Promise.resolve();
  s3rver.on('event', ({ Records }) => {
    for (const { eventName, s3: notification } of Records) {
      if (!eventName.startsWith('ObjectCreated:')) continue;
      const { bucket, object } = notification;
      const sequencer = nextSequencer();
      const eventTime = new Date().toISOString();
      deliveries = deliveries
        .then(async () => {
          // s3rver omits the eTag (and may omit the size) of copies; the stored metadata has both.
          const stored =
            object.eTag === undefined || object.size === undefined
              ? await s3rver.store.getMetadata(bucket.name, object.key)
              : undefined;
          const created: ObjectCreated = {
            bucket: bucket.name,
            key: object.key,
            size: object.size ?? Number(stored?.['content-length']),
            eTag: object.eTag ?? JSON.parse(stored?.etag ?? '""'),
            sequencer,
            eventName,
            eventTime,
            awsRegion: LOCAL_REGION,
          };
          for (const listener of listeners) notify(listener, created);
        })
        // Keeps the chain going for later writes (the object may be gone before its lookup).
        .catch((error: unknown) => {
          console.error(`Local S3 notification for s3://${bucket.name}/${object.key} failed`, error);
        });
    }
  });

  const stop = once(async () => {
    await deliveries;
    await Promise.all([close(s3Server), close(dynamodbServer), close(ses.value.server)]);
    if (!persist) await rm(s3Directory, { recursive: true, force: true });
    await unlock();
  });

  try {
    await provision(endpoints);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    endpoints,
    dataDir,
    region: LOCAL_REGION,
    env: localEnv(endpoints, dataDir),
    onObjectCreated(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop,
  };
}

/**
 * Points SDK clients created afterwards with default configuration (`new S3Client({})` …) at the
 * stack, through the standard `AWS_ENDPOINT_URL_<SERVICE>` variables, and sets the table, bucket
 * and local-mode variables. Returns a function that restores the previous environment.
 */
export function applyLocalEnv(
  stack: Pick<LocalStack, 'env'>,
  env: NodeJS.ProcessEnv = process.env,
): () => void {
  // AWS_PROFILE would win over the key pair in the SDK's credential chain and fail s3rver's
  // signature check; the other two would send a stray token or ignore the endpoint variables.
  const cleared = ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'];
  const previous = new Map([...Object.keys(stack.env), ...cleared].map((name) => [name, env[name]]));
  for (const name of cleared) delete env[name];
  Object.assign(env, stack.env);
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
  };
}

/** The sender of local digests (the SES emulator accepts any address). */
export const LOCAL_SENDER = 'kpi-reports@example.com';

function localEnv(endpoints: LocalStack['endpoints'], dataDir: string): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SESV2: endpoints.ses,
    // Otherwise the SDK sends streamed uploads aws-chunked with trailing checksums, which
    // s3rver stores verbatim, and validates response checksums s3rver does not send.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    ...Object.fromEntries(Object.values(TABLES).map((table) => [table.envVar, table.localName])),
    ...Object.fromEntries(Object.values(BUCKETS).map((bucket) => [bucket.envVar, bucket.localName])),
    [ENV.runtimeMode]: 'local',
    [ENV.outboxDir]: join(dataDir, 'outbox'),
    [ENV.sesSender]: LOCAL_SENDER,
  };
}

/** Creates the buckets and tables that do not exist yet, with the SDK clients handlers use. */
async function provision(endpoints: LocalStack['endpoints']): Promise<void> {
  const clientConfig = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const s3 = new S3Client({ ...clientConfig, endpoint: endpoints.s3, forcePathStyle: true });
  const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: endpoints.dynamodb });
  try {
    await Promise.all([
      ...Object.values(BUCKETS).map((bucket) => createBucket(s3, bucket.localName)),
      ...Object.values(TABLES).map((table) => createTable(dynamodb, table)),
    ]);
  } finally {
    s3.destroy();
    dynamodb.destroy();
  }
}

async function createBucket(s3: S3Client, name: string): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: name }));
  } catch (error) {
    // s3rver answers BucketAlreadyExists for its own buckets; AWS would say …OwnedByYou.
    const existing = ['BucketAlreadyExists', 'BucketAlreadyOwnedByYou'];
    if (!(error instanceof Error && existing.includes(error.name))) throw error;
  }
}

async function createTable(dynamodb: DynamoDBClient, table: TableDefinition): Promise<void> {
  try {
    await dynamodb.send(new CreateTableCommand(tableInput(table)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  assertKeySchema(table, await activeTable(dynamodb, table.localName));
}

function tableInput(table: TableDefinition): CreateTableCommandInput {
  const keyAttributes = new Set([table.partitionKey, table.sortKey]);
  for (const index of table.indexes) keyAttributes.add(index.partitionKey).add(index.sortKey);
  return {
    TableName: table.localName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...keyAttributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: keySchema(table),
    ...(table.indexes.length > 0 && {
      GlobalSecondaryIndexes: table.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: keySchema(index),
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  };
}

function keySchema(keys: { partitionKey: string; sortKey: string }) {
  return [
    { AttributeName: keys.partitionKey, KeyType: 'HASH' as const },
    { AttributeName: keys.sortKey, KeyType: 'RANGE' as const },
  ];
}

// dynalite rejects writes to a CREATING table; with createTableMs 0 this is one or two polls.
async function activeTable(dynamodb: DynamoDBClient, tableName: string): Promise<TableDescription> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    const active =
      Table?.TableStatus === 'ACTIVE' &&
      (Table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (Table && active) return Table;
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 10));
  }
  throw new Error(`Local table ${tableName} did not become ACTIVE`);
}

/** A table kept from an earlier run must still match the definitions, or handlers fail obscurely. */
function assertKeySchema(table: TableDefinition, description: TableDescription): void {
  const expected = schemaSignature(
    keySchema(table),
    table.indexes.map((index) => ({ IndexName: index.name, KeySchema: keySchema(index) })),
  );
  const actual = schemaSignature(description.KeySchema ?? [], description.GlobalSecondaryIndexes ?? []);
  if (actual !== expected) {
    throw new Error(
      `Local table ${table.localName} is "${actual}", the definitions say "${expected}"; ` +
        'delete the dynamodb directory in the data directory to recreate it',
    );
  }
}

function schemaSignature(
  keys: readonly KeySchemaElement[],
  indexes: readonly { IndexName?: string; KeySchema?: KeySchemaElement[] }[],
): string {
  const describe = (schema: readonly KeySchemaElement[]) =>
    schema.map((key) => `${key.AttributeName} ${key.KeyType}`).join(', ');
  const described = indexes.map((index) => `${index.IndexName} (${describe(index.KeySchema ?? [])})`);
  return [describe(keys), ...described.sort()].join('; ');
}

function notify(listener: ObjectCreatedListener, created: ObjectCreated): void {
  Promise.resolve()
    .then(() => listener(created))
    .catch((error: unknown) => {
      console.error(`Local S3 notification for s3://${created.bucket}/${created.key} failed`, error);
    });
}

/**
 * Sequencers that grow with every write, even within one millisecond (s3rver's own are
 * `Date.now()` in hex, so two quick writes of one key would tie), and across restarts.
 */
function monotonicSequencer(): () => string {
  let last = 0n;
  return () => {
    const now = BigInt(Date.now()) << 16n;
    last = now > last ? now : last + 1n;
    return last.toString(16).toUpperCase().padStart(16, '0');
  };
}

/**
 * One stack per persisted data directory: a second dynalite on a locked LevelDB does not fail
 * to start, it crashes the process on its first request.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockFile = join(dataDir, 'local-stack.pid');
  try {
    await writeFile(lockFile, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number(await readFile(lockFile, 'utf8'));
    if (isRunning(holder)) throw new Error(`${dataDir} is in use by process ${holder} (another npm start?)`);
    await writeFile(lockFile, String(process.pid));
  }
  return () => rm(lockFile, { force: true });
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function startSes(port: number, host: string): Promise<{ server: Server; port: number }> {
  const server = await startSesEmulator({ port, host });
  // Its listen callback also receives listen errors and resolves anyway.
  if (!server.listening) throw new Error(`SES emulator could not listen on ${host}:${port} (port in use?)`);
  return { server, port: (server.address() as AddressInfo).port };
}

function listen(server: Server, port: number, host: string, service: string): Promise<number> {
  return new Promise((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(`${service} emulator could not listen on ${host}:${port}: ${error.code}`, { cause: error }),
      ),
    );
    server.listen(port, host, () => resolveListen((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolveClose, reject) =>
    server.close((error) => (error ? reject(error) : resolveClose())),
  );
}

function endpointUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function once(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= action();
    return running;
  };
}
