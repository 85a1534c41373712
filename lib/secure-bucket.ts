import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  type LifecycleRule,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface SecureBucketProps {
  /** Bucket that receives this bucket's server access logs. */
  readonly serverAccessLogsBucket: IBucket;
  /** Key prefix of this bucket's access logs in `serverAccessLogsBucket`. */
  readonly serverAccessLogsPrefix: string;
  /**
   * Lifecycle rules in addition to aborting incomplete multipart uploads after 7 days.
   * @default - none
   */
  readonly lifecycleRules?: LifecycleRule[];
}

/**
 * A data bucket with the secure defaults in one place: private (all public access blocked,
 * ACLs disabled), TLS 1.2+ only, S3-managed encryption, versioned, server access logging,
 * retained when the stack is deleted, and no EventBridge notifications.
 */
export class SecureBucket extends Bucket {
  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id, {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      serverAccessLogsPrefix: props.serverAccessLogsPrefix,
      eventBridgeEnabled: false,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        ...(props.lifecycleRules ?? []),
      ],
    });
  }
}
