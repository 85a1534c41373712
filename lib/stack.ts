import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Ingestion } from './ingestion.js';
import { ReadApi } from './read-api.js';
import { Rollup } from './rollup.js';
import { KpiStorage } from './storage.js';

/**
 * The pipeline in AWS: exports bucket → SQS → ingest → curated records + ledger →
 * "centre-day changed" queue → rollup → KPI records, and the read-only analyst API.
 */
export class ContactCentreKpiStack extends Stack {
  public readonly storage: KpiStorage;
  public readonly ingestion: Ingestion;
  public readonly rollup: Rollup;
  public readonly readApi: ReadApi;

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
  }
}
