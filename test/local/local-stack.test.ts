import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CopyObjectCommand,
  GetObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
} from '@aws-sdk/client-s3';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  applyLocalEnv,
  type LocalStack,
  localStackOptionsFromEnv,
  startLocalStack,
} from '../../functions/local/local-stack.js';
import { listSentEmails } from '../../functions/local/outbox.js';
import { decodeS3EventKey, type ObjectCreated, toS3EventRecord } from '../../functions/local/s3-events.js';
import { BUCKETS, TABLES } from '../../functions/shared/definitions.js';

const freePorts = { s3Port: 0, dynamodbPort: 0, sesPort: 0 };

const temporaryDir = () => mkdtemp(join(tmpdir(), 'kpi-local-stack-'));

function nextObjectCreated(stack: LocalStack, key: string): Promise<ObjectCreated> {
  return new Promise((resolve) => {
    const stopListening = stack.onObjectCreated((created) => {
      if (created.key !== key) return;
      stopListening();
      resolve(created);
    });
  });
}

const md5 = (body: string) => createHash('md5').update(body).digest('hex');

describe('the local stack', () => {
  let dataDir: string;
  let stack: LocalStack;
  let restoreEnv: () => void;
  // Created with default configuration: they find the emulators through the environment only.
  let s3: S3Client;
  let dynamodb: DynamoDBClient;
  let ses: SESv2Client;

  beforeAll(async () => {
    dataDir = await temporaryDir();
    stack = await startLocalStack({ dataDir, ...freePorts, persist: false });
    restoreEnv = applyLocalEnv(stack);
    s3 = new S3Client({});
    dynamodb = new DynamoDBClient({});
    ses = new SESv2Client({});
  });

  afterAll(async () => {
    for (const client of [s3, dynamodb, ses]) client?.destroy();
    restoreEnv?.();
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('listens on the free ports it was given and reports them', () => {
    for (const endpoint of Object.values(stack.endpoints)) {
      expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(Number(new URL(endpoint).port)).toBeGreaterThan(0);
    }
  });

  it('exposes the endpoints, credentials, tables and buckets as environment variables', () => {
    expect(stack.env).toMatchObject({
      AWS_ENDPOINT_URL_S3: stack.endpoints.s3,
      AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodb,
      AWS_ENDPOINT_URL_SESV2: stack.endpoints.ses,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      LEDGER_TABLE: 'kpi-ledger',
      EXPORTS_BUCKET: 'exports',
      CURATED_BUCKET: 'curated',
      KPI_RUNTIME_MODE: 'local',
      KPI_OUTBOX_DIR: join(stack.dataDir, 'outbox'),
    });
  });

  it('creates the exports and curated buckets', async () => {
    const { Buckets } = await s3.send(new ListBucketsCommand({}));
    expect(Buckets?.map((bucket) => bucket.Name).sort()).toEqual(
      Object.values(BUCKETS)
        .map((bucket) => bucket.localName)
        .sort(),
    );
  });

  it.each(Object.values(TABLES))(
    'creates table $localName with the keys and indexes of the definitions',
    async (table) => {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table.localName }));

      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(Table?.KeySchema).toEqual([
        { AttributeName: table.partitionKey, KeyType: 'HASH' },
        { AttributeName: table.sortKey, KeyType: 'RANGE' },
      ]);
      expect(Table?.AttributeDefinitions?.every((attribute) => attribute.AttributeType === 'S')).toBe(true);
      expect(
        (Table?.GlobalSecondaryIndexes ?? []).map(({ IndexName, KeySchema, Projection }) => ({
          IndexName,
          KeySchema,
          Projection,
        })),
      ).toEqual(
        table.indexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      );
    },
  );

  it('sends S3 requests path-style to the IP endpoint', async () => {
    const requests: { hostname?: string; path?: string }[] = [];
    const client = new S3Client({});
    client.middlewareStack.add(
      (next) => async (args) => {
        requests.push(args.request as { hostname?: string; path?: string });
        return next(args);
      },
      { step: 'finalizeRequest' },
    );
    await client.send(new PutObjectCommand({ Bucket: 'exports', Key: 'config/path-style.txt', Body: 'x' }));
    client.destroy();

    expect(requests[0]).toMatchObject({ hostname: '127.0.0.1', path: '/exports/config/path-style.txt' });
  });

  it('stores a streamed upload byte for byte (no aws-chunked encoding)', async () => {
    const lines = ['call_id,started_at\n', '1,2024-05-01T08:00:00Z\n', '2,2024-05-01T08:05:00Z\n'];
    const body = lines.join('');

    await s3.send(
      new PutObjectCommand({
        Bucket: 'exports',
        Key: 'cdr/demo/streamed.csv',
        Body: Readable.from(lines.map((line) => Buffer.from(line))),
        ContentLength: Buffer.byteLength(body),
      }),
    );

    const stored = await s3.send(new GetObjectCommand({ Bucket: 'exports', Key: 'cdr/demo/streamed.csv' }));
    expect(await stored.Body?.transformToString()).toBe(body);
  });

  it('tells listeners about an object put with a space and + in its key', async () => {
    const key = 'cdr/demo/red flower+2024-05-01.csv';
    const body = 'call_id,started_at\n1,2024-05-01T08:00:00Z\n';
    const created = nextObjectCreated(stack, key);

    await s3.send(new PutObjectCommand({ Bucket: BUCKETS.exports.localName, Key: key, Body: body }));

    expect(await created).toMatchObject({
      bucket: 'exports',
      key,
      size: Buffer.byteLength(body),
      eTag: md5(body),
      eventName: 'ObjectCreated:Put',
      awsRegion: 'us-east-1',
    });
    const record = toS3EventRecord(await created);
    expect(record.s3.object.key).toBe('cdr/demo/red+flower%2B2024-05-01.csv');
    const stored = await s3.send(
      new GetObjectCommand({ Bucket: record.s3.bucket.name, Key: decodeS3EventKey(record.s3.object.key) }),
    );
    expect(await stored.Body?.transformToString()).toBe(body);
  });

  it('gives each later write of the same key a greater sequencer, even within a millisecond', async () => {
    const key = 'roster/demo/roster.csv';
    const sequencers: string[] = [];
    const stopListening = stack.onObjectCreated((created) => {
      if (created.key === key) sequencers.push(created.sequencer);
    });

    await Promise.all(
      [1, 2, 3].map((version) =>
        s3.send(new PutObjectCommand({ Bucket: 'exports', Key: key, Body: `agent,team\nv${version},t\n` })),
      ),
    );
    await vi.waitFor(() => expect(sequencers).toHaveLength(3));
    stopListening();

    expect(new Set(sequencers).size).toBe(3);
    expect([...sequencers].sort()).toEqual(sequencers);
  });

  it('reports copied objects with their eTag and size', async () => {
    const body = 'question,score\n';
    await s3.send(new PutObjectCommand({ Bucket: 'exports', Key: 'survey/demo/original.csv', Body: body }));
    const created = nextObjectCreated(stack, 'survey/demo/copy.csv');

    await s3.send(
      new CopyObjectCommand({
        Bucket: 'exports',
        Key: 'survey/demo/copy.csv',
        CopySource: 'exports/survey/demo/original.csv',
      }),
    );

    expect(await created).toMatchObject({
      eventName: 'ObjectCreated:Copy',
      eTag: md5(body),
      size: Buffer.byteLength(body),
    });
  });

  it('lists a bucket page by page (s3rver continuation tokens)', async () => {
    const keys = ['qa/paged/1.csv', 'qa/paged/2.csv', 'qa/paged/3.csv'];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: 'exports', Key: key, Body: key }));

    const listed: string[] = [];
    const pages = paginateListObjectsV2(
      { client: s3, pageSize: 1 },
      { Bucket: 'exports', Prefix: 'qa/paged/' },
    );
    for await (const page of pages) listed.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));

    expect(listed).toEqual(keys);
  });

  it('stores and queries DynamoDB items, including through an index', async () => {
    const documents = DynamoDBDocumentClient.from(dynamodb);
    const item = {
      pk: 'CENTER#demo#DAY#2024-05-01',
      sk: 'KPI#aht',
      series: 'demo#aht',
      date: '2024-05-01',
      value: 312.5,
    };

    await documents.send(new PutCommand({ TableName: process.env[TABLES.kpis.envVar], Item: item }));

    const { Item } = await documents.send(
      new GetCommand({ TableName: TABLES.kpis.localName, Key: { pk: item.pk, sk: item.sk } }),
    );
    expect(Item).toEqual(item);
    const { Items } = await documents.send(
      new QueryCommand({
        TableName: TABLES.kpis.localName,
        IndexName: 'by-series',
        KeyConditionExpression: 'series = :series',
        ExpressionAttributeValues: { ':series': 'demo#aht' },
      }),
    );
    expect(Items).toEqual([item]);
  });

  it('accepts a raw MIME email through SESv2 SendEmail and shows it in the emulator store', async () => {
    const subject = 'Exceptions for demo – 2024-05-01';
    const mime = [
      'From: KPI reports <reports@example.com>',
      'To: Centre manager <manager@example.com>',
      `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Average handle time was 312 s against a target of 280 s.',
      '',
    ].join('\r\n');

    const { MessageId } = await ses.send(
      new SendEmailCommand({ Content: { Raw: { Data: Buffer.from(mime) } } }),
    );

    const sent = (await listSentEmails(stack.endpoints.ses)).find((email) => email.messageId === MessageId);
    // The emulator keeps addresses as mailparser re-renders them (display names quoted).
    expect(sent).toMatchObject({
      from: expect.stringContaining('<reports@example.com>'),
      destination: { to: [expect.stringContaining('<manager@example.com>')] },
      subject,
    });
    expect(sent?.body.text).toContain('312 s against a target of 280 s');
  });
});

describe('a persisted local stack', () => {
  it('keeps tables and objects between runs and releases its ports when stopped', async () => {
    const dataDir = await temporaryDir();
    const listeningServers = () =>
      process.getActiveResourcesInfo().filter((resource) => resource === 'TCPServerWrap').length;
    const serversBefore = listeningServers();
    const item = { pk: 'CENTER#demo', sk: 'CONFIG', timezone: 'Europe/Berlin' };

    const first = await startLocalStack({ dataDir, ...freePorts });
    const restoreEnv = applyLocalEnv(first);
    const s3 = new S3Client({});
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    await s3.send(new PutObjectCommand({ Bucket: 'exports', Key: 'config/centers/demo.json', Body: '{}' }));
    await documents.send(new PutCommand({ TableName: TABLES.centers.localName, Item: item }));
    s3.destroy();
    documents.destroy();
    restoreEnv();
    await first.stop();
    expect(listeningServers()).toBe(serversBefore);

    const second = await startLocalStack({ dataDir, ...freePorts });
    const restoreEnvAgain = applyLocalEnv(second);
    const s3Again = new S3Client({});
    const documentsAgain = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    try {
      const object = await s3Again.send(
        new GetObjectCommand({ Bucket: 'exports', Key: 'config/centers/demo.json' }),
      );
      expect(await object.Body?.transformToString()).toBe('{}');
      const { Item } = await documentsAgain.send(
        new GetCommand({ TableName: TABLES.centers.localName, Key: { pk: item.pk, sk: item.sk } }),
      );
      expect(Item).toEqual(item);
    } finally {
      s3Again.destroy();
      documentsAgain.destroy();
      restoreEnvAgain();
      await second.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
    expect(listeningServers()).toBe(serversBefore);
  });

  it('refuses to start twice on one data directory', async () => {
    const dataDir = await temporaryDir();
    const running = await startLocalStack({ dataDir, ...freePorts });
    try {
      await expect(startLocalStack({ dataDir, ...freePorts })).rejects.toThrow(/in use by process/);
    } finally {
      await running.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('names the emulator whose port is taken', async () => {
    const dataDir = await temporaryDir();
    const running = await startLocalStack({ dataDir, ...freePorts, persist: false });
    try {
      const dynamodbPort = Number(new URL(running.endpoints.dynamodb).port);
      await expect(startLocalStack({ dataDir, ...freePorts, dynamodbPort, persist: false })).rejects.toThrow(
        `DynamoDB emulator could not listen on 127.0.0.1:${dynamodbPort}: EADDRINUSE`,
      );
    } finally {
      await running.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('local stack options', () => {
  it('default to the documented ports and data directory', () => {
    expect(localStackOptionsFromEnv({})).toEqual({
      dataDir: '.local',
      s3Port: 4568,
      dynamodbPort: 4567,
      sesPort: 8005,
    });
  });

  it('follow the KPI_* variables', () => {
    expect(
      localStackOptionsFromEnv({
        KPI_DATA_DIR: '/tmp/kpi',
        KPI_S3_PORT: '0',
        KPI_DYNAMODB_PORT: '9000',
        KPI_SES_PORT: '9001',
      }),
    ).toEqual({ dataDir: '/tmp/kpi', s3Port: 0, dynamodbPort: 9000, sesPort: 9001 });
  });

  it('reject a port that is not a number', () => {
    expect(() => localStackOptionsFromEnv({ KPI_S3_PORT: 'http' })).toThrow(
      'KPI_S3_PORT must be a port number',
    );
  });
});
