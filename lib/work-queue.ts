import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { EventSourceMapping, type Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
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
 *
 * The dead-letter queue is where a failed message ends up, which is why the Serverless pack's
 * failure destinations (an event source mapping `OnFailure`, a function `DeadLetterConfig`) are
 * acknowledged here rather than added: neither applies to a function fed by SQS.
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
    const maxReceiveCount = props.maxReceiveCount ?? 5;

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
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });

    const source = new SqsEventSource(this.queue, {
      batchSize: props.batchSize ?? 5,
      maxBatchingWindow: props.maxBatchingWindow,
      reportBatchItemFailures: true,
    });
    props.consumer.addEventSource(source);
    acknowledgeSqsFailureHandling(props.consumer, source, this.deadLetterQueue, maxReceiveCount);

    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: `${props.purpose} failed ${maxReceiveCount} times and sit in the dead-letter queue`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}

/**
 * The Serverless pack asks for failure destinations that SQS-fed functions do not use: Lambda
 * supports an event source mapping `OnFailure` destination only for stream and Kafka sources,
 * and a function's `DeadLetterConfig` only for asynchronous invocations. For an SQS source the
 * queue's redrive policy is the failure destination, and the dead-letter queue at its end does
 * not need a redrive policy of its own.
 */
function acknowledgeSqsFailureHandling(
  consumer: LambdaFunction,
  source: SqsEventSource,
  deadLetterQueue: Queue,
  maxReceiveCount: number,
): void {
  const mapping = consumer.node.children.find(
    (c): c is EventSourceMapping =>
      c instanceof EventSourceMapping && c.eventSourceMappingId === source.eventSourceMappingId,
  );
  if (mapping === undefined) {
    throw new Error(`${consumer.node.path} has no event source mapping for its SQS source`);
  }
  Validations.of(mapping).acknowledge({
    id: 'Serverless-LambdaEventSourceMappingDestination',
    reason: `Lambda supports an OnFailure destination on event source mappings for Kinesis, DynamoDB Streams and Kafka only, not SQS; for this SQS source the queue's redrive policy moves a message to the encrypted dead-letter queue (with an alarm) after ${maxReceiveCount} failed receives.`,
  });
  Validations.of(consumer).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason: `A function DeadLetterConfig only receives failed asynchronous invocations; this function is invoked synchronously by the event source mapping of its SQS queue, whose redrive policy sends failed messages to the queue's dead-letter queue after ${maxReceiveCount} receives.`,
  });
  Validations.of(deadLetterQueue).acknowledge({
    id: 'Serverless-SQSRedrivePolicy',
    reason:
      'This queue is itself the dead-letter queue of a work queue: a redrive policy would only move failed messages on to yet another queue; they stay here for 14 days, an alarm fires on the first one, and they can be moved back to the source queue with a redrive.',
  });
}
