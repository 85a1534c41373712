import {
  Aws,
  CfnOutput,
  CfnParameter,
  CfnResource,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { CuratedAnalytics } from './analytics.js';
import { Ingestion } from './ingestion.js';
import { Monitoring } from './monitoring.js';
import { API_STAGE, ReadApi } from './read-api.js';
import { Reporting } from './reporting.js';
import { Rollup } from './rollup.js';
import { KpiStorage } from './storage.js';

/**
 * The pipeline in AWS: exports bucket → SQS → ingest → curated records + ledger →
 * "centre-day changed" queue → rollup → KPI records, the read-only analyst API, the
 * scheduled evaluation that stores exceptions and emails the digests, the Glue tables and
 * Athena workgroup over the curated records, and the alarms with their notification topic.
 */
export class ContactCentreKpiStack extends Stack {
  public readonly storage: KpiStorage;
  public readonly ingestion: Ingestion;
  public readonly rollup: Rollup;
  public readonly readApi: ReadApi;
  public readonly reporting: Reporting;
  public readonly analytics: CuratedAnalytics;
  public readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.storage = new KpiStorage(this, 'Storage');
    this.rollup = new Rollup(this, 'Rollup', { storage: this.storage });
    this.ingestion = new Ingestion(this, 'Ingestion', {
      storage: this.storage,
      dayChangedQueue: this.rollup.queue.queue,
      accessLogsBucket: this.storage.accessLogsBucket,
    });
    this.readApi = new ReadApi(this, 'ReadApi', { storage: this.storage });

    const senderEmail = new CfnParameter(this, 'SenderEmail', {
      type: 'String',
      description:
        'Address the KPI digests are sent from. Verify it (or its domain) in Amazon SES in this account and region before the first digest is due; the stack does not create the identity.',
      allowedPattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
      constraintDescription: 'must be an email address such as kpi-reports@example.com',
    });
    const { api } = this.readApi;
    this.reporting = new Reporting(this, 'Reporting', {
      storage: this.storage,
      senderEmail: senderEmail.valueAsString,
      // api.url ends with a slash; the digests append paths that start with one.
      apiBaseUrl: Fn.join('', [
        'https://',
        api.restApiId,
        '.execute-api.',
        Aws.REGION,
        '.',
        Aws.URL_SUFFIX,
        '/',
        api.deploymentStage.stageName,
      ]),
    });
    this.analytics = new CuratedAnalytics(this, 'Analytics', {
      curatedBucket: this.storage.curated.bucket,
      accessLogsBucket: this.storage.accessLogsBucket,
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      functions: [
        { name: 'Ingest', fn: this.ingestion.handler },
        { name: 'Rollup', fn: this.rollup.handler },
        { name: 'Api', fn: this.readApi.handler },
        // Reporting raises its own alarm on a failed sweep.
        { name: 'Evaluate', fn: this.reporting.handler, errorAlarm: false },
      ],
    });
    this.monitoring.notifyAll();
    retainLogsOfCdkFunctions(this);

    new CfnOutput(this, 'ExportsBucketName', {
      description: 'Bucket the telephony systems write their exports to',
      value: this.ingestion.exports.bucket.bucketName,
    });
    new CfnOutput(this, 'CuratedBucketName', {
      description: 'Curated records (Athena-queryable layout)',
      value: this.storage.curated.bucket.bucketName,
    });
    new CfnOutput(this, 'ApiUrl', {
      description: 'Read-only analyst API (SigV4-signed requests)',
      value: this.readApi.api.url,
    });
    new CfnOutput(this, 'ConfigurationSetName', {
      description:
        'SES configuration set of the digests (bounce and complaint suppression, reputation metrics)',
      value: this.reporting.configurationSet.configurationSetName,
    });
    new CfnOutput(this, 'ApiStage', {
      description: 'Stage of the read API (part of its URL and of execute-api ARNs)',
      value: API_STAGE,
    });
    new CfnOutput(this, 'AnalystApiPolicyArn', {
      description: 'Managed policy to attach to analysts: execute-api:Invoke (GET, HEAD) on the read API',
      value: this.readApi.analystPolicy.managedPolicyArn,
    });
    new CfnOutput(this, 'GlueDatabaseName', {
      description:
        'Glue database of the curated records (tables contacts, surveys, qa_evaluations, agent_states, queue_events)',
      value: this.analytics.databaseName,
    });
    new CfnOutput(this, 'AthenaWorkGroupName', {
      description: 'Athena workgroup for the analysts (encrypted results, enforced configuration)',
      value: this.analytics.workGroup.ref,
    });
    new CfnOutput(this, 'AthenaResultsBucketName', {
      description: 'Where the workgroup writes query results (expired after 30 days)',
      value: this.analytics.resultsBucket.bucketName,
    });
    new CfnOutput(this, 'AnalystQueryPolicyArn', {
      description:
        'Managed policy to attach to analysts: Athena queries through the workgroup over the Glue tables',
      value: this.analytics.analystPolicy.managedPolicyArn,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'Every alarm of the stack notifies this topic: subscribe the on-call address to it',
      value: this.monitoring.topic.topicArn,
    });
  }
}

/**
 * Functions CDK adds on its own (the bucket-notifications custom resource) would log into a
 * group Lambda creates on first use, which never expires: give each a retained group with
 * retention, as every function of the pipeline has.
 */
function retainLogsOfCdkFunctions(stack: Stack): void {
  for (const c of stack.node.findAll()) {
    const cdkOwned =
      c instanceof CfnResource &&
      c.cfnResourceType === 'AWS::Lambda::Function' &&
      !(c instanceof CfnFunction);
    if (!cdkOwned) continue;
    const parent = c.node.scope;
    if (parent === undefined) continue;
    const logGroup = new LogGroup(stack, `${parent.node.id}LogGroup`, {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    c.addPropertyOverride('LoggingConfig', { LogGroup: logGroup.logGroupName });
  }
}
