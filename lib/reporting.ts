import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { ConfigurationSet, ConfigurationSetTlsPolicy, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../functions/shared/definitions.js';
import { KpiFunction } from './kpi-function.js';
import type { KpiStorage } from './storage.js';

/**
 * Files the evaluate function reads next to its bundle: the resvg WebAssembly module that turns
 * the trend charts into PNG, and every file of `functions/report/assets/` (the chart font and
 * its licence, which travels with the font).
 */
export const EVALUATE_ASSETS = [
  'node_modules/@resvg/resvg-wasm/index_bg.wasm',
  'functions/report/assets/DejaVuSans.ttf',
  'functions/report/assets/LICENSE-DejaVu.txt',
] as const;

export interface ReportingProps {
  readonly storage: KpiStorage;
  /**
   * Address the digests are sent from (a `SenderEmail` parameter value). The deployer verifies
   * it, or its domain, in SES.
   */
  readonly senderEmail: string;
  /**
   * Base URL of the read API (no trailing slash), for the drill-down links in the digests.
   * @default - the digests show API paths only
   */
  readonly apiBaseUrl?: string;
  /**
   * How often the sweep runs.
   * @default Duration.minutes(15)
   */
  readonly sweepInterval?: Duration;
  /**
   * Memory of the evaluate function. It reloads the day's records for the drill-down breakdowns
   * (as much as the rollup holds: ≈ 470 MB for a 1M-contact day) and renders charts in
   * WebAssembly, so it gets the rollup's full vCPU.
   * @default 1769
   */
  readonly memorySize?: number;
  /**
   * Timeout of the evaluate function; keep it below `sweepInterval`.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * Concurrent executions reserved for the evaluate function, and the most it may run. One keeps
   * a sweep from racing another; it needs the account to keep 100 unreserved executions after the
   * reservation, which accounts still on a reduced concurrency quota do not have.
   * @default 1
   */
  readonly reservedConcurrency?: number;
}

/**
 * Evaluation and the email digests (exceptions.md §4): a schedule invokes the evaluate function,
 * which sweeps for complete, settled centre-days waiting for evaluation, evaluates them, stores
 * the exceptions and sends each recipient's digest through SES (send-once ledger).
 *
 * One fixed-rate schedule serves every time zone: the sweep works out, per centre and in the
 * centre's own IANA zone, which days are complete (day end + `completion_grace_minutes`, with
 * DST days of 23 or 25 hours) and settled, so no per-zone cron is needed and a centre added to
 * the configuration is picked up by the next sweep without a deployment. The interval bounds
 * how late a digest goes out after its day becomes ready. A failed or missed sweep leaves its
 * centre-days pending for the next one, so a sweep is not retried by Lambda; failures raise an
 * alarm instead, and Lambda leaves a record of each failed or expired sweep (error, condition,
 * event) in a failure queue. Sending is exactly-once through the send ledger, not through the
 * schedule.
 *
 * SES: a configuration set that suppresses bounced and complaining addresses, with reputation
 * metrics and TLS required. The sender identity is not created here: an email identity resource
 * would send a verification mail at every deployment to a new account or region and would be
 * deleted with the stack, while the identity (often the organisation's domain, with DKIM records
 * in its DNS) belongs to whoever owns the address; the deployer verifies it once in SES.
 */
export class Reporting extends Construct {
  public readonly handler: KpiFunction;
  public readonly configurationSet: ConfigurationSet;
  public readonly schedule: Rule;
  /** Sweep invocations EventBridge could not deliver to the function after its retries. */
  public readonly deadLetterQueue: Queue;
  /** In alarm while the dead-letter queue holds a message. */
  public readonly deadLetterAlarm: Alarm;
  /**
   * On-failure destination of the function's asynchronous invocations: Lambda's record of each
   * sweep it accepted but did not complete (the invocation failed, or it expired in Lambda's
   * queue before it could run).
   */
  public readonly failureQueue: Queue;
  /** In alarm while the failure queue holds a record. */
  public readonly failureAlarm: Alarm;
  /** In alarm when a sweep fails. */
  public readonly errorAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ReportingProps) {
    super(scope, id);
    const { tables } = props.storage;
    const sweepInterval = props.sweepInterval ?? Duration.minutes(15);

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      reputationMetrics: true,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      sendingEnabled: true,
    });

    this.handler = new KpiFunction(this, 'EvaluateFunction', {
      handlerModule: 'evaluate',
      description: 'Evaluates complete, settled centre-days and sends the exception digests',
      memorySize: props.memorySize ?? 1769,
      timeout: props.timeout ?? Duration.minutes(5),
      reservedConcurrentExecutions: props.reservedConcurrency ?? 1,
      assets: EVALUATE_ASSETS,
    })
      .bindTable(tables.kpis, 'read')
      .bindTable(tables.ledger, 'read')
      .bindTable(tables.centers, 'readWrite')
      .bindTable(tables.exceptions, 'readWrite')
      .bindTable(tables.sends, 'readWrite')
      .bindBucket(props.storage.curated, 'read')
      .bindEmailSender(props.senderEmail, this.configurationSet);
    if (props.apiBaseUrl !== undefined) {
      this.handler.addEnvironment(ENV.apiBaseUrl, props.apiBaseUrl);
    }
    // The next sweep is the retry; an event older than one interval is superseded by it. The
    // failure record is for diagnosis, not for replaying the event: it carries the error, and it
    // also reports an event that expired in Lambda's queue, which the Errors alarm never sees.
    this.failureQueue = new Queue(this, 'EvaluateFailureQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.handler.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: sweepInterval,
      onFailure: new SqsDestination(this.failureQueue),
    });
    Validations.of(this.failureQueue).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself a dead-letter queue: it is the on-failure destination where Lambda puts the record of each evaluate invocation that failed or expired unprocessed.',
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This queue is itself the end of the line for failed sweeps (the on-failure destination of the evaluate function): a redrive policy would only move the records on to yet another queue; they stay here for 14 days with an alarm.',
      },
    );
    Validations.of(this.handler).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        "Failed asynchronous invocations go to the on-failure destination of the function's event invoke config (the failure queue), which AWS offers in place of a DeadLetterConfig; a DeadLetterConfig would send the same events again, without the error.",
    });

    this.deadLetterQueue = new Queue(this, 'ScheduleDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.schedule = new Rule(this, 'SweepSchedule', {
      description: 'Runs the evaluation sweep; the function works out each centre-day in its own time zone',
      schedule: Schedule.rate(sweepInterval),
      targets: [
        new LambdaFunction(this.handler, {
          retryAttempts: 3,
          maxEventAge: sweepInterval,
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
    Validations.of(this.deadLetterQueue).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself a dead-letter queue: the target of the sweep schedule sends the events it could not deliver to the evaluate function here.',
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This queue is itself the dead-letter queue of the sweep schedule target: a redrive policy would only move undeliverable sweep events on to yet another queue; they stay here for 14 days with an alarm.',
      },
    );

    this.deadLetterAlarm = new Alarm(this, 'ScheduleDeadLetterAlarm', {
      alarmDescription: 'A scheduled evaluation sweep could not be delivered to the evaluate function',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.failureAlarm = new Alarm(this, 'EvaluateFailureAlarm', {
      alarmDescription:
        'A sweep failed or expired before it ran; the failure queue holds its invocation record (error and condition)',
      metric: this.failureQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.errorAlarm = new Alarm(this, 'EvaluateErrorAlarm', {
      alarmDescription: 'An evaluation sweep failed; its centre-days stay pending until a sweep succeeds',
      metric: this.handler.metricErrors({ period: Duration.minutes(5) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
