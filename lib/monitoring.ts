import { Aws, Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface MonitoredFunction {
  /** Short name for the alarm ids and descriptions, e.g. `Ingest`. */
  readonly name: string;
  readonly fn: IFunction;
  /**
   * Whether to add an Errors alarm; off for a function whose construct already has one.
   * @default true
   */
  readonly errorAlarm?: boolean;
}

export interface MonitoringProps {
  /** The pipeline's functions: each gets a Throttles alarm and, unless it has one, an Errors alarm. */
  readonly functions: readonly MonitoredFunction[];
  /**
   * Period over which a single error or throttle raises an alarm.
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

/**
 * Alarms and where they go: an Errors and a Throttles alarm per function (a throttled function
 * means its queue backs up or, for the API, analysts get 429s), and one SNS topic, encrypted with
 * a customer managed key CloudWatch may use, that every alarm of the stack notifies — the
 * dead-letter and 5XX alarms of the other constructs included (`notifyAll`). Subscribe the
 * on-call address to `topic` after deploying.
 */
export class Monitoring extends Construct {
  public readonly topic: Topic;
  public readonly errorAlarms: Alarm[] = [];
  public readonly throttleAlarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);

    // CloudWatch cannot publish to a topic encrypted with the AWS managed SNS key.
    const key = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the alarm notifications topic of the contact-centre KPI pipeline',
      enableKeyRotation: true,
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: 'Contact-centre KPI pipeline alarms',
      masterKey: key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
          },
        },
      }),
    );

    for (const { name, fn, errorAlarm } of props.functions) {
      if (errorAlarm !== false) {
        this.errorAlarms.push(
          new Alarm(this, `${name}ErrorAlarm`, {
            alarmDescription: `The ${name.toLowerCase()} function failed (its event is retried; repeated failures end in a dead-letter queue)`,
            metric: fn.metricErrors({ period, statistic: 'Sum' }),
            threshold: 0,
            comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
        );
      }
      this.throttleAlarms.push(
        new Alarm(this, `${name}ThrottleAlarm`, {
          alarmDescription: `The ${name.toLowerCase()} function was throttled (account or reserved concurrency reached)`,
          metric: fn.metricThrottles({ period, statistic: 'Sum' }),
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
  }

  /** Sends the state changes of every alarm in the stack (this construct's and the others') to the topic. */
  notifyAll(): void {
    const action = new SnsAction(this.topic);
    for (const c of Stack.of(this).node.findAll()) {
      if (c instanceof Alarm) {
        c.addAlarmAction(action);
        c.addOkAction(action);
      }
    }
  }
}
