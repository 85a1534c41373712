import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV, TABLES, type TableId } from '../../functions/shared/definitions.js';
import { EVALUATE_ASSETS } from '../../lib/reporting.js';
import { actionsOf, kpiTemplate, queueNotEmptyAlarm, referencedId } from './template.js';

const { stack, template, ofType, props, logicalId, roleStatements, functionStatements, environmentOf } =
  kpiTemplate();
const evaluateId = logicalId(stack.reporting.handler);
const configurationSetId = logicalId(stack.reporting.configurationSet);
const senderRef = { Ref: 'SenderEmail' };

/** `arn:${Partition}:ses:${Region}:${AccountId}:{resource}{name}`, as the template joins it. */
function sesArn(resource: string, name: unknown): unknown {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':ses:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:${resource}`,
        name,
      ],
    ],
  };
}

describe('evaluation schedule', () => {
  const ruleId = logicalId(stack.reporting.schedule);

  it('runs the sweep every 15 minutes, whatever the centres’ time zones', () => {
    expect(ofType('AWS::Events::Rule').map(([id]) => id)).toEqual([ruleId]);
    expect(props(ruleId)).toMatchObject({ ScheduleExpression: 'rate(15 minutes)', State: 'ENABLED' });
  });

  it('invokes the evaluate function with retries and a dead-letter queue for events it cannot deliver', () => {
    const targets = props(ruleId).Targets as {
      Arn: unknown;
      RetryPolicy: unknown;
      DeadLetterConfig: { Arn: unknown };
    }[];
    expect(targets).toHaveLength(1);
    const [target] = targets;
    if (target === undefined) throw new Error('the schedule has no target');
    expect(referencedId(target.Arn)).toBe(evaluateId);
    expect(target.RetryPolicy).toEqual({
      MaximumRetryAttempts: expect.any(Number),
      MaximumEventAgeInSeconds: expect.any(Number),
    });
    const dlqId = referencedId(target.DeadLetterConfig.Arn);
    expect(dlqId).toBe(logicalId(stack.reporting.deadLetterQueue));
    expect(props(dlqId).SqsManagedSseEnabled).toBe(true);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [evaluateId, 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
    });
  });

  it('raises an alarm when a sweep lands in the dead-letter queue and when a sweep fails', () => {
    const dlqId = logicalId(stack.reporting.deadLetterQueue);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', queueNotEmptyAlarm(dlqId));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: evaluateId } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });

  it('leaves retrying a failed sweep to the next one', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: evaluateId },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 900,
    });
  });

  it('records each sweep that failed or expired in Lambda in an encrypted queue, with an alarm', () => {
    const failureId = logicalId(stack.reporting.failureQueue);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: evaluateId },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failureId, 'Arn'] } } },
    });
    expect(props(failureId).SqsManagedSseEnabled).toBe(true);
    expect(failureId).not.toBe(logicalId(stack.reporting.deadLetterQueue));
    expect(
      functionStatements(stack.reporting.handler).some(
        (s) =>
          actionsOf(s).includes('sqs:SendMessage') &&
          JSON.stringify(s.Resource) === JSON.stringify({ 'Fn::GetAtt': [failureId, 'Arn'] }),
      ),
    ).toBe(true);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', queueNotEmptyAlarm(failureId));
  });
});

describe('evaluate function', () => {
  it('runs one sweep at a time, within the interval of the schedule', () => {
    const p = props(evaluateId);
    expect(p.ReservedConcurrentExecutions).toBe(1);
    expect(p.MemorySize).toBe(1769);
    expect(p.Timeout as number).toBeLessThan(15 * 60);
  });

  it('passes the sender, the configuration set and the read API base URL', () => {
    const variables = environmentOf(stack.reporting.handler);
    expect(variables[ENV.sesSender]).toEqual(senderRef);
    expect(variables[ENV.sesConfigurationSet]).toEqual({ Ref: configurationSetId });
    const apiUrl = JSON.stringify(variables[ENV.apiBaseUrl]);
    expect(apiUrl).toContain(`{"Ref":"${logicalId(stack.readApi.api)}"}`);
    expect(apiUrl).toContain(`{"Ref":"${logicalId(stack.readApi.api.deploymentStage)}"}`);
  });

  it('reads KPIs and the ledger, writes centre state, exceptions and the send ledger, and only reads curated records', () => {
    const statements = functionStatements(stack.reporting.handler);
    const tablesWith = (action: string) =>
      (Object.keys(TABLES) as TableId[]).filter((t) =>
        statements.some(
          (s) =>
            actionsOf(s).includes(action) &&
            JSON.stringify(s.Resource).includes(`"${logicalId(stack.storage.tables[t].table)}"`),
        ),
      );
    expect(tablesWith('dynamodb:Query').sort()).toEqual(['centers', 'exceptions', 'kpis', 'ledger', 'sends']);
    expect(tablesWith('dynamodb:PutItem').sort()).toEqual(['centers', 'exceptions', 'sends']);
    const s3Actions = statements.flatMap(actionsOf).filter((a) => a.startsWith('s3:'));
    expect(s3Actions.sort()).toEqual(['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket']);
  });

  it('bundles the resvg WebAssembly module and every file of functions/report/assets', () => {
    const assetDir = new URL('../../functions/report/assets/', import.meta.url);
    expect([...EVALUATE_ASSETS].sort()).toEqual(
      [
        'node_modules/@resvg/resvg-wasm/index_bg.wasm',
        ...readdirSync(assetDir).map((f) => `functions/report/assets/${f}`),
      ].sort(),
    );
    expect(EVALUATE_ASSETS.some((a) => a.endsWith('.ttf'))).toBe(true);
  });
});

describe('email sending', () => {
  it('may send raw email only, only as the SenderEmail address, only through the configuration set', () => {
    const sesStatements = functionStatements(stack.reporting.handler).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('ses:')),
    );
    const expectedResources = [
      sesArn('identity/', senderRef),
      sesArn('identity/', { 'Fn::Select': [1, { 'Fn::Split': ['@', senderRef] }] }),
      sesArn('configuration-set/', { Ref: configurationSetId }),
    ];
    expect(sesStatements).toEqual([
      {
        Effect: 'Allow',
        Action: 'ses:SendRawEmail',
        Resource: expect.arrayContaining(expectedResources),
        Condition: { StringEquals: { 'ses:FromAddress': senderRef } },
      },
    ]);
    expect(sesStatements[0]?.Resource).toHaveLength(expectedResources.length);
  });

  it('grants no other SES action, and SES to no other function', () => {
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      const roleId = referencedId(fn.Properties.Role);
      const statements = roleStatements(roleId);
      const sesActions = statements.flatMap(actionsOf).filter((a) => a.startsWith('ses:') || a === '*');
      expect(sesActions).toEqual(roleId === referencedId(props(evaluateId).Role) ? ['ses:SendRawEmail'] : []);
    }
  });

  it('suppresses bounced and complaining addresses, tracks reputation and requires TLS', () => {
    expect(props(configurationSetId)).toMatchObject({
      SuppressionOptions: { SuppressedReasons: expect.arrayContaining(['BOUNCE', 'COMPLAINT']) },
      ReputationOptions: { ReputationMetricsEnabled: true },
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
    });
  });

  it('takes the sender as a parameter and leaves verifying it to the deployer', () => {
    const parameter = template.toJSON().Parameters.SenderEmail as Record<string, string>;
    expect(parameter).toMatchObject({ Type: 'String', AllowedPattern: expect.any(String) });
    expect(parameter.Description).toMatch(/verify/i);
    const pattern = new RegExp(parameter.AllowedPattern ?? '');
    expect(pattern.test('kpi-reports@example.com')).toBe(true);
    expect(pattern.test('example.com')).toBe(false);
    expect(ofType('AWS::SES::EmailIdentity')).toEqual([]);
  });

  it('outputs the configuration set name', () => {
    template.hasOutput('ConfigurationSetName', { Value: { Ref: configurationSetId } });
  });
});
