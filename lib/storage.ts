import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { TABLES, type TableId } from '../functions/shared/definitions.js';
import type { KpiBucketRef, KpiTableRef } from './kpi-function.js';
import { SecureBucket } from './secure-bucket.js';

export interface KpiStorageProps {
  /**
   * How long server access logs of the data buckets are kept.
   * @default Duration.days(365)
   */
  readonly accessLogRetention?: Duration;
  /**
   * How long overwritten versions of curated objects are kept (curated records are rewritten
   * on every re-ingest of a source object, so old versions only serve recovery).
   * @default Duration.days(30)
   */
  readonly curatedNoncurrentVersionRetention?: Duration;
}

/**
 * The state of the pipeline: the five tables of `TABLES`, the curated records bucket, the
 * bucket that receives the data buckets' server access logs, and the caller-token HMAC key.
 * Everything here is retained when the stack is deleted.
 */
export class KpiStorage extends Construct {
  public readonly tables: { readonly [K in TableId]: KpiTableRef & { readonly table: Table } };
  public readonly curated: KpiBucketRef & { readonly bucket: SecureBucket };
  /** Target of server access logs of every data bucket of the stack. */
  public readonly accessLogsBucket: Bucket;
  /** HMAC key that turns caller numbers into tokens before anything is stored. */
  public readonly callerTokenSecret: Secret;

  constructor(scope: Construct, id: string, props: KpiStorageProps = {}) {
    super(scope, id);

    this.tables = {
      ledger: this.table('ledger'),
      kpis: this.table('kpis'),
      exceptions: this.table('exceptions'),
      centers: this.table('centers'),
      sends: this.table('sends'),
    };

    // Has no access logs of its own; cdk-nag (S1) accepts a bucket that is another bucket's log target.
    this.accessLogsBucket = new Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // The S3 logging service can only deliver into SSE-S3 buckets.
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: props.accessLogRetention ?? Duration.days(365),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
    });
    this.curated = {
      bucketId: 'curated',
      bucket: new SecureBucket(this, 'CuratedBucket', {
        serverAccessLogsBucket: this.accessLogsBucket,
        serverAccessLogsPrefix: 'curated/',
        lifecycleRules: [
          {
            id: 'expire-overwritten-curated-records',
            noncurrentVersionExpiration: props.curatedNoncurrentVersionRetention ?? Duration.days(30),
          },
        ],
      }),
    };

    this.callerTokenSecret = new Secret(this, 'CallerTokenSecret', {
      description: 'HMAC key for caller tokens (caller numbers are never stored in clear)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      // Losing the key would make every stored caller token unmatchable with new ones.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.callerTokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The HMAC key must stay stable: rotating it changes every caller token, which breaks repeat-caller and first-contact-resolution matching across days. It is read only by the ingest function.',
    });
  }

  private table(tableId: TableId): KpiTableRef & { readonly table: Table } {
    const definition = TABLES[tableId];
    const table = new Table(this, `${tableId.charAt(0).toUpperCase()}${tableId.slice(1)}Table`, {
      partitionKey: { name: definition.partitionKey, type: AttributeType.STRING },
      sortKey: { name: definition.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of definition.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      });
    }
    return { tableId, table };
  }
}
