/**
 * Turns an object stored in the local S3 emulator into the event the deployed ingest function
 * receives: S3 notifies an SQS queue, Lambda polls it, so the handler gets an SQS event whose
 * message bodies are S3 event notifications (one S3 record per message, as S3 sends them).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { S3Event, S3EventRecord, SQSEvent, SQSRecord } from 'aws-lambda';
import { decodeS3EventKey, encodeS3EventKey } from '../shared/s3-event-key.js';

export { decodeS3EventKey, encodeS3EventKey };

/** An object the local S3 emulator stored; `key` is the plain key, not URL-encoded. */
export interface ObjectCreated {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** MD5 hex without quotes, as in S3 notifications. */
  readonly eTag: string;
  /** Hex string; for one key, a later write has a greater sequencer. */
  readonly sequencer: string;
  /** `ObjectCreated:Put`, `ObjectCreated:Post` (form or multipart upload) or `ObjectCreated:Copy`. */
  readonly eventName: string;
  readonly eventTime: string;
  readonly awsRegion: string;
}

// Stands in for the AWS account in ARNs; the emulators do not have accounts.
const LOCAL_ACCOUNT_ID = '000000000000';

export function toS3EventRecord(created: ObjectCreated): S3EventRecord {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: created.awsRegion,
    eventTime: created.eventTime,
    eventName: created.eventName,
    userIdentity: { principalId: 'AWS:LOCAL' },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: {
      'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
      'x-amz-id-2': randomBytes(48).toString('base64'),
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'local-object-created',
      bucket: {
        name: created.bucket,
        ownerIdentity: { principalId: 'LOCAL' },
        arn: `arn:aws:s3:::${created.bucket}`,
      },
      object: {
        key: encodeS3EventKey(created.key),
        size: created.size,
        eTag: created.eTag,
        sequencer: created.sequencer,
      },
    },
  };
}

/**
 * One SQS message per S3 record, as a Lambda SQS event source delivers them.
 * `queueArn` defaults to a local queue in the region of each record.
 */
export function toSqsEvent(records: readonly S3EventRecord[], queueArn?: string): SQSEvent {
  const sentTimestamp = String(Date.now());
  return {
    Records: records.map((record): SQSRecord => {
      const body = JSON.stringify({ Records: [record] } satisfies S3Event);
      return {
        messageId: randomUUID(),
        receiptHandle: randomBytes(32).toString('base64'),
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: sentTimestamp,
          SenderId: 'AROALOCALS3NOTIFICATIONS',
          ApproximateFirstReceiveTimestamp: sentTimestamp,
        },
        messageAttributes: {},
        md5OfBody: createHash('md5').update(body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn ?? `arn:aws:sqs:${record.awsRegion}:${LOCAL_ACCOUNT_ID}:kpi-ingest-local`,
        awsRegion: record.awsRegion,
      };
    }),
  };
}
