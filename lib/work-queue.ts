import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface WorkQueueProps {
  /** The function that consumes the queue; its timeout sizes the visibility timeout. */
  readonly consumer: LambdaFunction;
  /** What the messages are, for the alarm description. */
  readonly purpose: string;
  /**
   * Messages per invocation.
   * @default 5
   */
  readonly batchSize?: number;
  /**
   * How long Lambda gathers messages before invoking (debounces bursts).
   * @default - no batching window
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Receives before a message moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
}

/**
 * An SQS queue feeding one function: SQS-managed encryption, TLS only, a dead-letter queue
 * after `maxReceiveCount` receives with an alarm as soon as it holds a message, a visibility
 * timeout of six times the function timeout plus the batching window (AWS guidance, so a
 * message is not redelivered while a retried invocation still runs), and partial batch
 * responses so only failed records are retried.
 */
export class WorkQueue extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  /** In alarm while the dead-letter queue holds a message (a poison message needs attention). */
  public readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    const timeout = props.consumer.timeout;
    if (timeout === undefined) {
      throw new Error(`${props.consumer.node.path} needs an explicit timeout to size the queue`);
    }
    const batchingWindow = props.maxBatchingWindow ?? Duration.seconds(0);

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6 + batchingWindow.toSeconds()),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });

    props.consumer.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batchSize ?? 5,
        maxBatchingWindow: props.maxBatchingWindow,
        reportBatchItemFailures: true,
      }),
    );

    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: `${props.purpose} failed ${props.maxReceiveCount ?? 5} times and sit in the dead-letter queue`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
