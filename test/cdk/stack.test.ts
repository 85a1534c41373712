import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { BUCKETS, ENV, TABLES, type TableId } from '../../functions/shared/definitions.js';
import { actionsOf, kpiTemplate, referencedId, type Statement } from './template.js';

const { stack, template, resources, ofType, props, logicalId, roleStatements, environmentOf } = kpiTemplate();

const ourFunctions = ofType('AWS::Lambda::Function').filter(
  // The CDK-owned custom resource that writes the bucket notification configuration.
  ([id]) => !id.startsWith('BucketNotificationsHandler'),
);
const eventSourceMappings = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
const exportsBucketId = logicalId(stack.ingestion.exports.bucket);
const curatedBucketId = logicalId(stack.storage.curated.bucket);
const accessLogsBucketId = logicalId(stack.storage.accessLogsBucket);

describe('buckets', () => {
  it('keeps every bucket private, encrypted, versioned and retained with the stack deleted', () => {
    const buckets = ofType('AWS::S3::Bucket');
    expect(buckets.map(([id]) => id).sort()).toEqual(
      [accessLogsBucketId, curatedBucketId, exportsBucketId].sort(),
    );
    for (const [, bucket] of buckets) {
      expect(bucket.Properties).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
      });
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('denies every request that does not use TLS, on every bucket', () => {
    for (const [bucketId] of ofType('AWS::S3::Bucket')) {
      const statements = ofType('AWS::S3::BucketPolicy')
        .filter(([, p]) => referencedId(p.Properties.Bucket) === bucketId)
        .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('logs access to the exports and curated buckets into the access-log bucket', () => {
    for (const bucketId of [exportsBucketId, curatedBucketId]) {
      expect(props(bucketId).LoggingConfiguration).toEqual({
        DestinationBucketName: { Ref: accessLogsBucketId },
        LogFilePrefix: expect.any(String),
      });
    }
  });

  it('queues an event for every object created in the exports bucket, whatever its key', () => {
    const ingestQueueId = logicalId(stack.ingestion.queue.queue);
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: exportsBucketId },
      NotificationConfiguration: {
        QueueConfigurations: [
          { Events: ['s3:ObjectCreated:*'], QueueArn: { 'Fn::GetAtt': [ingestQueueId, 'Arn'] } },
        ],
        EventBridgeConfiguration: Match.absent(),
      },
    });
  });
});

describe('queues', () => {
  it('feeds the ingest and rollup functions from queues', () => {
    const consumers = eventSourceMappings.map((m) => referencedId(m.FunctionName)).sort();
    expect(consumers).toEqual([logicalId(stack.ingestion.handler), logicalId(stack.rollup.handler)].sort());
  });

  it.each([
    ['ingest', () => stack.ingestion.handler],
    ['rollup', () => stack.rollup.handler],
  ])(
    'gives the %s function an encrypted queue, a dead-letter queue after at least 5 receives, and 6x its timeout of visibility',
    (_name, fn) => {
      const functionId = logicalId(fn());
      const mapping = eventSourceMappings.find((m) => referencedId(m.FunctionName) === functionId);
      const queue = props(referencedId(mapping?.EventSourceArn));
      expect(queue.SqsManagedSseEnabled).toBe(true);
      const redrive = queue.RedrivePolicy as { maxReceiveCount: number; deadLetterTargetArn: unknown };
      expect(redrive.maxReceiveCount).toBeGreaterThanOrEqual(5);
      expect(props(referencedId(redrive.deadLetterTargetArn)).SqsManagedSseEnabled).toBe(true);
      const timeout = props(functionId).Timeout as number;
      expect(queue.VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * timeout);
    },
  );

  it('retries only the failed records of a batch', () => {
    for (const mapping of eventSourceMappings) {
      expect(mapping.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    }
  });

  it('raises an alarm as soon as a message lands in a dead-letter queue', () => {
    const deadLetterQueueIds = ofType('AWS::SQS::Queue').flatMap(([, q]) => {
      const redrive = q.Properties.RedrivePolicy as { deadLetterTargetArn: unknown } | undefined;
      return redrive ? [referencedId(redrive.deadLetterTargetArn)] : [];
    });
    expect(deadLetterQueueIds).toHaveLength(2);
    for (const dlqId of deadLetterQueueIds) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
      });
    }
  });

  it('denies access to every queue without TLS', () => {
    for (const [queueId, queue] of ofType('AWS::SQS::Queue')) {
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      const statements = ofType('AWS::SQS::QueuePolicy')
        .filter(([, p]) => (p.Properties.Queues as unknown[]).some((q) => referencedId(q) === queueId))
        .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });
});

describe('functions', () => {
  it('runs every function on Node.js 24 on ARM64 with active tracing and its own log group with retention', () => {
    expect(ourFunctions).toHaveLength(4);
    for (const [, fn] of ourFunctions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
      });
      const logGroupId = referencedId((fn.Properties.LoggingConfig as { LogGroup: unknown }).LogGroup);
      expect(props(logGroupId).RetentionInDays).toEqual(expect.any(Number));
    }
  });

  it('runs no function with the managed AWSLambdaBasicExecutionRole (logs go to its own log group only)', () => {
    for (const [, fn] of ourFunctions) {
      expect(props(referencedId(fn.Properties.Role)).ManagedPolicyArns).toBeUndefined();
    }
  });

  it.each([
    [
      'ingest',
      () => stack.ingestion.handler,
      [
        BUCKETS.exports.envVar,
        BUCKETS.curated.envVar,
        TABLES.ledger.envVar,
        TABLES.centers.envVar,
        ENV.callerTokenSecretArn,
        ENV.dayChangedQueueUrl,
      ],
    ],
    [
      'rollup',
      () => stack.rollup.handler,
      [BUCKETS.curated.envVar, TABLES.kpis.envVar, TABLES.centers.envVar, TABLES.ledger.envVar],
    ],
    [
      'api',
      () => stack.readApi.handler,
      [TABLES.kpis.envVar, TABLES.exceptions.envVar, TABLES.ledger.envVar, TABLES.centers.envVar],
    ],
    [
      'evaluate',
      () => stack.reporting.handler,
      [
        TABLES.kpis.envVar,
        TABLES.ledger.envVar,
        TABLES.centers.envVar,
        TABLES.exceptions.envVar,
        TABLES.sends.envVar,
        BUCKETS.curated.envVar,
        ENV.sesSender,
        ENV.sesConfigurationSet,
        ENV.apiBaseUrl,
      ],
    ],
  ])('passes the %s function the names of exactly the resources it may use', (_name, fn, expected) => {
    const variables = environmentOf(fn());
    const resourceVariables = Object.keys(variables).filter(
      (v) => v !== 'NODE_OPTIONS' && v !== 'POWERTOOLS_SERVICE_NAME',
    );
    expect(resourceVariables.sort()).toEqual([...expected].sort());
  });
});

describe('tables', () => {
  it('has exactly the tables of definitions.ts', () => {
    expect(ofType('AWS::DynamoDB::Table')).toHaveLength(Object.keys(TABLES).length);
  });

  it.each(Object.keys(TABLES) as TableId[])(
    'builds the %s table from definitions.ts, on demand, with point-in-time recovery, encrypted and retained',
    (tableId) => {
      const definition = TABLES[tableId];
      const id = logicalId(stack.storage.tables[tableId].table);
      const table = resources[id];
      expect(table?.DeletionPolicy).toBe('Retain');
      const keySchema = (pk: string, sk: string) => [
        { AttributeName: pk, KeyType: 'HASH' },
        { AttributeName: sk, KeyType: 'RANGE' },
      ];
      const attributes = new Set([
        definition.partitionKey,
        definition.sortKey,
        ...definition.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
      ]);
      const p = props(id);
      expect(p).toMatchObject({
        KeySchema: keySchema(definition.partitionKey, definition.sortKey),
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      });
      expect(p.AttributeDefinitions).toEqual(
        expect.arrayContaining([...attributes].map((a) => ({ AttributeName: a, AttributeType: 'S' }))),
      );
      expect(p.AttributeDefinitions).toHaveLength(attributes.size);
      const indexes = (p.GlobalSecondaryIndexes ?? []) as { IndexName: string; KeySchema: unknown }[];
      expect(indexes.map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema }))).toEqual(
        definition.indexes.map((i) => ({
          IndexName: i.name,
          KeySchema: keySchema(i.partitionKey, i.sortKey),
        })),
      );
    },
  );
});

describe('caller-token secret', () => {
  it('is a generated random key that survives a stack deletion', () => {
    const secret = resources[logicalId(stack.storage.callerTokenSecret)];
    expect(secret?.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64 });
    expect(secret?.DeletionPolicy).toBe('Retain');
  });
});

describe('read API', () => {
  it('requires IAM authorisation on every method, the root included', () => {
    const methods = ofType('AWS::ApiGateway::Method');
    const apiId = logicalId(stack.readApi.api);
    expect(methods.map(([, m]) => m.Properties.ResourceId)).toContainEqual({
      'Fn::GetAtt': [apiId, 'RootResourceId'],
    });
    for (const [, method] of methods) {
      expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
    }
  });

  it('throttles the stage and logs access and execution without request or response data', () => {
    const [stage, ...others] = ofType('AWS::ApiGateway::Stage');
    expect(others).toHaveLength(0);
    const p = stage?.[1].Properties ?? {};
    const [settings] = p.MethodSettings as Record<string, unknown>[];
    expect(settings).toMatchObject({
      HttpMethod: '*',
      ResourcePath: '/*',
      ThrottlingRateLimit: expect.any(Number),
      ThrottlingBurstLimit: expect.any(Number),
      DataTraceEnabled: false,
      LoggingLevel: 'INFO',
      MetricsEnabled: true,
    });
    const accessLogGroupId = referencedId((p.AccessLogSetting as { DestinationArn: unknown }).DestinationArn);
    expect(props(accessLogGroupId).RetentionInDays).toEqual(expect.any(Number));
  });

  it("gives the API function's role read-only access to the kpi, exception, ledger and centre tables and nothing else", () => {
    const roleId = referencedId(props(logicalId(stack.readApi.handler)).Role);
    expect(props(roleId).ManagedPolicyArns).toBeUndefined();
    const statements = roleStatements(roleId);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);

    const actions = statements.flatMap(actionsOf);
    const services = new Set(actions.map((a) => a.split(':')[0]));
    expect([...services].sort()).toEqual(['dynamodb', 'logs', 'xray']);
    const readActions = [
      'dynamodb:BatchGetItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:DescribeTable',
      'dynamodb:GetItem',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:Query',
      'dynamodb:Scan',
    ];
    for (const action of actions.filter((a) => a.startsWith('dynamodb:'))) {
      expect(readActions).toContain(action);
    }

    const dynamoResources = JSON.stringify(
      statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:'))).map((s) => s.Resource),
    );
    const readable = (Object.keys(TABLES) as TableId[]).filter((t) =>
      dynamoResources.includes(`"${logicalId(stack.storage.tables[t].table)}"`),
    );
    expect(readable.sort()).toEqual(['centers', 'exceptions', 'kpis', 'ledger']);
  });
});
