import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../functions/shared/definitions.js';
import { type KpiBucketRef, KpiFunction } from './kpi-function.js';
import { SecureBucket } from './secure-bucket.js';
import type { KpiStorage } from './storage.js';
import { WorkQueue } from './work-queue.js';

export interface IngestionProps {
  readonly storage: KpiStorage;
  /** Queue that receives a "centre-day changed" message for every centre-day an object touched. */
  readonly dayChangedQueue: IQueue;
  /** Target of the exports bucket's server access logs. */
  readonly accessLogsBucket: IBucket;
  /**
   * Memory of the ingest function (rows are streamed; memory is bounded by the groups).
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Timeout of the ingest function.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * S3 event messages per invocation: small, because one object can hold a million rows.
   * @default 2
   */
  readonly batchSize?: number;
}

/**
 * Exports bucket → ObjectCreated → SQS (+ DLQ, alarm) → ingest function, which writes curated
 * records and the ingestion ledger and signals changed centre-days.
 */
export class Ingestion extends Construct {
  /** Where telephony systems drop their exports (interfaces.md §1). */
  public readonly exports: KpiBucketRef & { readonly bucket: SecureBucket };
  public readonly handler: KpiFunction;
  public readonly queue: WorkQueue;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    const { storage } = props;

    this.exports = {
      bucketId: 'exports',
      bucket: new SecureBucket(this, 'ExportsBucket', {
        serverAccessLogsBucket: props.accessLogsBucket,
        serverAccessLogsPrefix: 'exports/',
      }),
    };

    this.handler = new KpiFunction(this, 'IngestFunction', {
      handlerModule: 'ingest',
      description: 'Ingests telephony export objects into curated records and the ingestion ledger',
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.minutes(5),
    })
      .bindBucket(this.exports, 'read')
      .bindBucket(storage.curated, 'write')
      .bindTable(storage.tables.ledger, 'readWrite')
      .bindTable(storage.tables.centers, 'readWrite')
      .bindSecret(storage.callerTokenSecret, ENV.callerTokenSecretArn)
      .bindQueueSender(props.dayChangedQueue, ENV.dayChangedQueueUrl);

    this.queue = new WorkQueue(this, 'ObjectCreated', {
      consumer: this.handler,
      purpose: 'Export object events',
      batchSize: props.batchSize ?? 2,
    });
    // Every key is notified: objects under unknown prefixes must reach the ledger as rejected.
    this.exports.bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(this.queue.queue));
    acknowledgeNotificationsHandler(this);
  }
}

/**
 * `addEventNotification` puts a CDK-owned custom resource function into the stack that writes
 * the bucket's notification configuration; CDK always attaches a managed policy to its role.
 */
function acknowledgeNotificationsHandler(scope: Construct): void {
  const handler = Stack.of(scope).node.children.find((c) =>
    c.node.id.startsWith('BucketNotificationsHandler'),
  );
  if (handler === undefined) {
    throw new Error('no bucket notifications handler in the stack');
  }
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      'CDK adds AWSLambdaBasicExecutionRole to the role of its S3 bucket-notifications custom resource even when a role is supplied; the function runs only during deployments and its other permission is s3:PutBucketNotification on the exports bucket.',
  });
}
