import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { BUCKETS, ENV, TABLES, type TableId } from '../../functions/shared/definitions.js';
import { actionsOf, kpiTemplate, queueNotEmptyAlarm, referencedId, type Statement } from './template.js';

const {
  stack,
  template,
  resources,
  ofType,
  props,
  logicalId,
  roleStatements,
  functionStatements,
  environmentOf,
} = kpiTemplate();

const ourFunctions = ofType('AWS::Lambda::Function').filter(
  // The CDK-owned custom resource that writes the bucket notification configuration.
  ([id]) => !id.startsWith('BucketNotificationsHandler'),
);
const eventSourceMappings = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
const exportsBucketId = logicalId(stack.ingestion.exports.bucket);
const curatedBucketId = logicalId(stack.storage.curated.bucket);
const accessLogsBucketId = logicalId(stack.storage.accessLogsBucket);
const resultsBucketId = logicalId(stack.analytics.resultsBucket);

describe('buckets', () => {
  it('keeps every bucket private, encrypted, versioned and retained with the stack deleted', () => {
    const buckets = ofType('AWS::S3::Bucket');
    expect(buckets.map(([id]) => id).sort()).toEqual(
      [accessLogsBucketId, curatedBucketId, exportsBucketId, resultsBucketId].sort(),
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

  it('logs access to the exports, curated and query-results buckets into the access-log bucket', () => {
    for (const bucketId of [exportsBucketId, curatedBucketId, resultsBucketId]) {
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
      template.hasResourceProperties('AWS::CloudWatch::Alarm', queueNotEmptyAlarm(dlqId));
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

describe('read API hardening', () => {
  const apiId = logicalId(stack.readApi.api);
  const gatewayResponse = (type: string) =>
    ofType('AWS::ApiGateway::GatewayResponse').find(([, r]) => r.Properties.ResponseType === type)?.[1]
      .Properties;

  it('answers its own throttling with 429, Retry-After and the API error shape', () => {
    expect(gatewayResponse('THROTTLED')).toEqual({
      RestApiId: { Ref: apiId },
      ResponseType: 'THROTTLED',
      StatusCode: '429',
      ResponseParameters: { 'gatewayresponse.header.Retry-After': "'1'" },
      ResponseTemplates: {
        'application/json': '{"error":{"code":"throttled","message":$context.error.messageString}}',
      },
    });
  });

  it('answers IAM refusals with 403 and failures before the function with a correlation id, never a stack trace', () => {
    for (const type of [
      'ACCESS_DENIED',
      'MISSING_AUTHENTICATION_TOKEN',
      'INVALID_SIGNATURE',
      'EXPIRED_TOKEN',
    ]) {
      expect(gatewayResponse(type), type).toMatchObject({
        StatusCode: '403',
        ResponseTemplates: { 'application/json': expect.stringContaining('"code":"forbidden"') },
      });
    }
    expect(gatewayResponse('DEFAULT_4XX')?.ResponseTemplates).toEqual({
      'application/json': '{"error":{"code":"bad_request","message":$context.error.messageString}}',
    });
    expect(gatewayResponse('DEFAULT_5XX')?.ResponseTemplates).toEqual({
      'application/json':
        '{"error":{"code":"internal_error","message":$context.error.messageString,"correlation_id":"$context.requestId"}}',
    });
  });

  it('integrates every method with the function (so it can answer 405) on the root and every path', () => {
    const methods = ofType('AWS::ApiGateway::Method').map(([, m]) => m.Properties);
    expect(methods).toHaveLength(2);
    for (const m of methods) {
      expect(m).toMatchObject({
        HttpMethod: 'ANY',
        AuthorizationType: 'AWS_IAM',
        Integration: { Type: 'AWS_PROXY' },
      });
    }
  });

  it("keeps the caller-token secret out of the API function's reach", () => {
    const secretId = logicalId(stack.storage.callerTokenSecret);
    const statements = functionStatements(stack.readApi.handler);
    expect(JSON.stringify(statements)).not.toContain(secretId);
    expect(
      statements.flatMap(actionsOf).filter((a) => /^(secretsmanager|kms|s3|sqs|ses):/.test(a) || a === '*'),
    ).toEqual([]);
    expect(Object.keys(environmentOf(stack.readApi.handler))).not.toContain(ENV.callerTokenSecretArn);
    // Only the ingest function may read it.
    const readers = ofType('AWS::Lambda::Function').filter(([, fn]) =>
      JSON.stringify(roleStatements(referencedId(fn.Properties.Role))).includes(secretId),
    );
    expect(readers.map(([id]) => id)).toEqual([logicalId(stack.ingestion.handler)]);
  });

  it('offers analysts a policy that invokes GET and HEAD on this API’s stage only', () => {
    const policy = props(logicalId(stack.readApi.analystPolicy));
    const statements = (policy.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toBe('execute-api:Invoke');
    const resources = JSON.stringify(statements[0]?.Resource);
    expect(resources).toContain(`{"Ref":"${apiId}"}`);
    expect(resources).toContain('/prod/GET/*');
    expect(resources).toContain('/prod/HEAD/*');
    expect(resources).not.toMatch(/POST|PUT|DELETE|PATCH|\/\*\/\*/);
  });
});

describe('log retention', () => {
  it('gives every log group a retention and keeps it when the stack is deleted', () => {
    const groups = ofType('AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThanOrEqual(7);
    for (const [id, group] of groups) {
      expect(group.Properties.RetentionInDays, id).toEqual(expect.any(Number));
      expect(group.DeletionPolicy, id).toBe('Retain');
    }
  });

  it('sends every function’s logs, the CDK-owned ones included, to a group with retention', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(5);
    for (const [id, fn] of functions) {
      const group = referencedId(
        (fn.Properties.LoggingConfig as { LogGroup: unknown } | undefined)?.LogGroup ?? {},
      );
      expect(props(group).RetentionInDays, id).toEqual(expect.any(Number));
    }
  });

  it('creates the API Gateway execution log group, with retention, before the stage can write to it', () => {
    const apiId = logicalId(stack.readApi.api);
    const [executionLogs] = ofType('AWS::Logs::LogGroup').filter(([, g]) =>
      JSON.stringify(g.Properties.LogGroupName ?? '').includes('API-Gateway-Execution-Logs_'),
    );
    expect(executionLogs?.[1].Properties.LogGroupName).toEqual({
      'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: apiId }, '/prod']],
    });
    const stage = ofType('AWS::ApiGateway::Stage')[0]?.[0] ?? '';
    expect((resources[stage] as unknown as { DependsOn?: string[] }).DependsOn).toContain(executionLogs?.[0]);
  });
});

describe('alarms', () => {
  const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  const functionAlarms = (metric: string) =>
    alarms
      .filter((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === metric)
      .map((a) => referencedId((a.Dimensions as { Value: unknown }[])[0]?.Value))
      .sort();
  const pipelineFunctions = () =>
    [stack.ingestion.handler, stack.rollup.handler, stack.readApi.handler, stack.reporting.handler]
      .map((f) => logicalId(f))
      .sort();

  it('raises an alarm on any error and any throttle of every function', () => {
    expect(functionAlarms('Errors')).toEqual(pipelineFunctions());
    expect(functionAlarms('Throttles')).toEqual(pipelineFunctions());
    for (const a of alarms.filter((x) => x.Namespace === 'AWS/Lambda')) {
      expect(a).toMatchObject({ Statistic: 'Sum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    }
  });

  it('raises an alarm when the API answers 5XX', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('notifies one encrypted topic of every alarm, the dead-letter alarms included', () => {
    const topicId = logicalId(stack.monitoring.topic);
    expect(alarms.length).toBeGreaterThanOrEqual(12);
    for (const a of alarms) {
      expect(a.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(a.OKActions).toEqual([{ Ref: topicId }]);
    }
    const keyId = referencedId(props(topicId).KmsMasterKeyId);
    expect(props(keyId).EnableKeyRotation).toBe(true);
    const keyStatements = (props(keyId).KeyPolicy as { Statement: Statement[] }).Statement;
    expect(keyStatements).toContainEqual(
      expect.objectContaining({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Effect: 'Allow' }),
    );
    const topicStatements = ofType('AWS::SNS::TopicPolicy').flatMap(
      ([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
    expect(topicStatements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sns:Publish',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
      }),
    );
    expect(topicStatements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });
});

describe('outputs', () => {
  it('gives a deployer the buckets, the API, the analysts’ policies, the Athena names and the alarm topic', () => {
    expect(Object.keys(template.toJSON().Outputs)).toEqual(
      expect.arrayContaining([
        'ExportsBucketName',
        'CuratedBucketName',
        'ApiUrl',
        'ApiStage',
        'AnalystApiPolicyArn',
        'GlueDatabaseName',
        'AthenaWorkGroupName',
        'AthenaResultsBucketName',
        'AnalystQueryPolicyArn',
        'AlarmTopicArn',
        'ConfigurationSetName',
      ]),
    );
    template.hasOutput('ExportsBucketName', { Value: { Ref: exportsBucketId } });
    template.hasOutput('AlarmTopicArn', { Value: { Ref: logicalId(stack.monitoring.topic) } });
  });
});
