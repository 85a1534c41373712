import { Aws, CfnOutput, CfnParameter, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Ingestion } from './ingestion.js';
import { ReadApi } from './read-api.js';
import { Reporting } from './reporting.js';
import { Rollup } from './rollup.js';
import { KpiStorage } from './storage.js';

/**
 * The pipeline in AWS: exports bucket → SQS → ingest → curated records + ledger →
 * "centre-day changed" queue → rollup → KPI records, the read-only analyst API, and the
 * scheduled evaluation that stores exceptions and emails the digests.
 */
export class ContactCentreKpiStack extends Stack {
  public readonly storage: KpiStorage;
  public readonly ingestion: Ingestion;
  public readonly rollup: Rollup;
  public readonly readApi: ReadApi;
  public readonly reporting: Reporting;

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
  }
}
