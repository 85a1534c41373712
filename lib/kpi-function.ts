import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnElement, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConfigurationSet } from 'aws-cdk-lib/aws-ses';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { BUCKETS, ENV, TABLES, type TableId } from '../functions/shared/definitions.js';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A bucket whose name reaches functions through the environment variable of `BUCKETS[bucketId]`. */
export interface KpiBucketRef {
  readonly bucketId: keyof typeof BUCKETS;
  readonly bucket: IBucket;
}

/** A table built from `TABLES[tableId]`; its name reaches functions through that entry's `envVar`. */
export interface KpiTableRef {
  readonly tableId: TableId;
  readonly table: ITable;
}

export type TableAccess = 'read' | 'readWrite';
export type BucketAccess = 'read' | 'write' | 'readWrite';

export interface KpiFunctionProps {
  /** Handler module under `functions/handlers/`, without extension (e.g. `ingest`). */
  readonly handlerModule: string;
  /** Short purpose, shown in the console. */
  readonly description: string;
  /**
   * Memory in MB (CPU scales with it; 1769 MB is one full vCPU).
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Maximum run time of one invocation.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Retention of the function's log group.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
  /**
   * Concurrent executions reserved for (and the most allowed to) the function.
   * @default - unreserved
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Files the function reads at run time, as paths relative to the project root; each is
   * copied next to the bundle (`index.mjs`) under its own file name.
   * @default - none
   */
  readonly assets?: readonly string[];
}

/**
 * The defaults every function of the pipeline shares: Node.js 24 on ARM64, X-Ray tracing,
 * its own log group with retention, source maps, an ESM bundle built by the local esbuild
 * (no Docker), and a role that starts empty: access is added only through the `bind*` methods,
 * each of which grants the access and sets the environment variable in one call.
 */
export class KpiFunction extends NodejsFunction {
  /** The function's own role, so grants never reach a shared or managed policy. */
  public readonly serviceRole: Role;

  constructor(scope: Construct, id: string, props: KpiFunctionProps) {
    // Created beside the function because NodejsFunction needs both in its constructor props.
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      // Logs outlive a stack deletion and expire through retention.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An own role instead of the default one keeps AWSLambdaBasicExecutionRole (logs:* on every
    // log group) off the function: it may write to its own log group only.
    const serviceRole = new Role(scope, `${id}ServiceRole`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.description}`,
    });
    logGroup.grantWrite(serviceRole);
    const assets = checkedAssets(props.assets ?? []);

    super(scope, id, {
      entry: `${PROJECT_ROOT}functions/handlers/${props.handlerModule}.ts`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      tracing: Tracing.ACTIVE,
      role: serviceRole,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: `kpi-${props.handlerModule}`,
      },
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        // Lets CommonJS dependencies call require() inside the ESM bundle.
        banner:
          "import { createRequire as __kpiCreateRequire } from 'node:module'; const require = __kpiCreateRequire(import.meta.url);",
        target: 'node24',
        minify: true,
        sourceMap: true,
        // The SDK versions the tests ran against, not whatever the runtime ships.
        bundleAwsSDK: true,
        ...(assets.length > 0 && {
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            // One explicit copy per file, so a missing file fails the bundling instead of the function.
            afterBundling: (inputDir: string, outputDir: string) =>
              assets.map((asset) => `cp "${inputDir}/${asset}" "${outputDir}/${basename(asset)}"`),
          },
        }),
      },
    });
    this.serviceRole = serviceRole;

    Validations.of(serviceRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions (Resource::* is the only form AWS accepts for them).',
    });
  }

  /** Grants read or read/write data access to a table and passes its name in `TABLES[id].envVar`. */
  bindTable({ tableId, table }: KpiTableRef, access: TableAccess): this {
    if (access === 'read') {
      table.grantReadData(this);
    } else {
      table.grantReadWriteData(this);
    }
    this.addEnvironment(TABLES[tableId].envVar, table.tableName);
    if (TABLES[tableId].indexes.length > 0) {
      Validations.of(this.serviceRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(table)}.Arn>/index/*]`,
        reason: `The ${tableId} table is queried through its global secondary indexes; <table>/index/* covers the indexes of this one table only.`,
      });
    }
    return this;
  }

  /**
   * Grants object access to a bucket and passes its name in `BUCKETS[id].envVar`. The actions
   * are listed one by one (the bucket grant helpers use wildcards such as `s3:GetObject*`);
   * the buckets are SSE-S3 encrypted, so no key grant is needed.
   */
  bindBucket({ bucketId, bucket }: KpiBucketRef, access: BucketAccess): this {
    const objectActions: string[] = [];
    if (access !== 'write') {
      // ListBucket also turns a missing key into 404 instead of 403 for GetObject/HeadObject.
      this.addToRolePolicy(
        new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
      );
      objectActions.push('s3:GetObject', 's3:GetObjectVersion');
    }
    if (access !== 'read') {
      objectActions.push('s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload');
    }
    this.addToRolePolicy(
      new PolicyStatement({ actions: objectActions, resources: [bucket.arnForObjects('*')] }),
    );
    this.addEnvironment(BUCKETS[bucketId].envVar, bucket.bucketName);
    Validations.of(this.serviceRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(bucket)}.Arn>/*]`,
      reason: `Object keys of the ${bucketId} bucket are not known in advance (they carry centre, date and source names), so object actions need <bucket>/*, limited to this one bucket.`,
    });
    return this;
  }

  /** Grants read access to a secret and passes its ARN in `envVar`. */
  bindSecret(secret: ISecret, envVar: string): this {
    secret.grantRead(this);
    this.addEnvironment(envVar, secret.secretArn);
    return this;
  }

  /** Grants sending to a queue and passes its URL in `envVar`. */
  bindQueueSender(queue: IQueue, envVar: string): this {
    queue.grantSendMessages(this);
    this.addEnvironment(envVar, queue.queueUrl);
    return this;
  }

  /**
   * Allows sending email through SES with `ses:SendRawEmail` only (the action SES v2 `SendEmail`
   * with raw MIME content is authorised as), only from `sender`, through `configurationSet`, and
   * passes both in `ENV.sesSender` and `ENV.sesConfigurationSet`. SES authorises a send on the
   * identity that covers the From address, which is either the address itself or its domain,
   * so both identity ARNs are listed; the `ses:FromAddress` condition keeps a domain identity
   * from lending its other addresses.
   */
  bindEmailSender(sender: string, configurationSet: IConfigurationSet): this {
    const stack = Stack.of(this);
    const identityArn = (identity: string) =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity });
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendRawEmail'],
        resources: [
          identityArn(sender),
          identityArn(Fn.select(1, Fn.split('@', sender))),
          stack.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: configurationSet.configurationSetName,
          }),
        ],
        conditions: { StringEquals: { 'ses:FromAddress': sender } },
      }),
    );
    this.addEnvironment(ENV.sesSender, sender);
    this.addEnvironment(ENV.sesConfigurationSet, configurationSet.configurationSetName);
    return this;
  }
}

/** Fails the synthesis on a missing asset or two assets that would land on the same file name. */
function checkedAssets(assets: readonly string[]): readonly string[] {
  const names = new Set<string>();
  for (const asset of assets) {
    if (!existsSync(`${PROJECT_ROOT}${asset}`)) {
      throw new Error(`function asset ${asset} does not exist under ${PROJECT_ROOT}`);
    }
    if (names.has(basename(asset))) {
      throw new Error(`two function assets are named ${basename(asset)}`);
    }
    names.add(basename(asset));
  }
  return assets;
}

/** Logical id of the CloudFormation resource behind an L2 construct (as cdk-nag prints it in findings). */
function logicalIdOf(resource: ITable | IBucket): string {
  const cfn = resource.node.defaultChild;
  if (!CfnElement.isCfnElement(cfn)) {
    throw new Error(`${resource.node.path} has no CloudFormation resource in this stack`);
  }
  return Stack.of(resource).getLogicalId(cfn);
}
