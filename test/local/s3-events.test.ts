import { createHash } from 'node:crypto';
import type { S3Event } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeS3EventKey,
  encodeS3EventKey,
  type ObjectCreated,
  toS3EventRecord,
  toSqsEvent,
} from '../../functions/local/s3-events.js';

const objectCreated = (overrides: Partial<ObjectCreated> = {}): ObjectCreated => ({
  bucket: 'exports',
  key: 'cdr/demo/2024-05-01.csv',
  size: 1234,
  eTag: 'd41d8cd98f00b204e9800998ecf8427e',
  sequencer: '0000018F2A3B4C5D',
  eventName: 'ObjectCreated:Put',
  eventTime: '2024-05-02T01:00:00.000Z',
  awsRegion: 'us-east-1',
  ...overrides,
});

describe('S3 event keys', () => {
  it('encodes the documented example "red flower.jpg" as "red+flower.jpg"', () => {
    expect(encodeS3EventKey('red flower.jpg')).toBe('red+flower.jpg');
  });

  it('encodes spaces as +, + as %2B, % as %25 and non-ASCII as UTF-8 escapes, keeping /', () => {
    expect(encodeS3EventKey('cdr/demo/red flower+50% 中文.csv')).toBe(
      'cdr/demo/red+flower%2B50%25+%E4%B8%AD%E6%96%87.csv',
    );
  });

  it('percent-encodes reserved characters such as = : ( ) ~', () => {
    expect(encodeS3EventKey('cdr/demo/dt=2024-05-01/file (1):~x.csv')).toBe(
      'cdr/demo/dt%3D2024-05-01/file+%281%29%3A%7Ex.csv',
    );
  });

  it('decodes a key containing spaces, +, % and 中文 back to itself', () => {
    const key = 'survey/demo/a b+c%d 中文.csv';
    expect(decodeS3EventKey(encodeS3EventKey(key))).toBe(key);
    expect(decodeS3EventKey('survey/demo/a+b%2Bc%25d+%E4%B8%AD%E6%96%87.csv')).toBe(key);
  });

  it('round-trips any key', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), (key) => {
        const encoded = encodeS3EventKey(key);
        expect(encoded).toMatch(/^[A-Za-z0-9%+/*._-]*$/);
        expect(decodeS3EventKey(encoded)).toBe(key);
      }),
    );
  });
});

describe('S3 event records', () => {
  it('describe the created object with its key URL-encoded', () => {
    const record = toS3EventRecord(objectCreated({ key: 'cdr/demo/red flower.csv' }));

    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: '2024-05-02T01:00:00.000Z',
      eventName: 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: 'exports', arn: 'arn:aws:s3:::exports' },
        object: {
          key: 'cdr/demo/red+flower.csv',
          size: 1234,
          eTag: 'd41d8cd98f00b204e9800998ecf8427e',
          sequencer: '0000018F2A3B4C5D',
        },
      },
    });
  });
});

describe('SQS events', () => {
  it('carry one S3 notification per message, as S3 sends them to the queue', () => {
    const records = [
      toS3EventRecord(objectCreated({ key: 'cdr/demo/a b.csv' })),
      toS3EventRecord(objectCreated({ key: 'qa/demo/c+d.csv' })),
    ];

    const event = toSqsEvent(records);

    expect(event.Records).toHaveLength(2);
    const keys = event.Records.map((message) => {
      const notification = JSON.parse(message.body) as S3Event;
      expect(notification.Records).toHaveLength(1);
      return decodeS3EventKey(notification.Records[0]?.s3.object.key ?? '');
    });
    expect(keys).toEqual(['cdr/demo/a b.csv', 'qa/demo/c+d.csv']);
  });

  it('have the attributes a Lambda SQS event source sets', () => {
    const [message] = toSqsEvent([toS3EventRecord(objectCreated())]).Records;

    expect(message).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:kpi-ingest-local',
      awsRegion: 'us-east-1',
      messageAttributes: {},
      attributes: { ApproximateReceiveCount: '1' },
    });
    expect(message?.md5OfBody).toBe(
      createHash('md5')
        .update(message?.body ?? '')
        .digest('hex'),
    );
    expect(message?.messageId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('use the queue ARN given', () => {
    const queueArn = 'arn:aws:sqs:eu-west-1:123456789012:ingest';
    const [message] = toSqsEvent([toS3EventRecord(objectCreated())], queueArn).Records;
    expect(message?.eventSourceARN).toBe(queueArn);
  });
});
