import { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { kpiApp } from './kpi-app.js';

export interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}
export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

/** The stack as `bin/app.ts` builds it, its template, and lookups over the template's resources. */
export function kpiTemplate() {
  const { stack } = kpiApp();
  const template = Template.fromStack(stack);
  const resources: Record<string, CfnResource> = Object.fromEntries(
    Object.entries(template.toJSON().Resources as Record<string, Partial<CfnResource>>).map(([id, r]) => [
      id,
      { Type: r.Type ?? '', ...r, Properties: r.Properties ?? {} },
    ]),
  );

  function ofType(type: string): [string, CfnResource][] {
    return Object.entries(resources).filter(([, r]) => r.Type === type);
  }
  function props(id: string): Record<string, unknown> {
    const resource = resources[id];
    if (resource === undefined) throw new Error(`no resource ${id} in the template`);
    return resource.Properties;
  }
  function logicalId(construct: IConstruct): string {
    const cfn = construct.node.defaultChild;
    if (!CfnElement.isCfnElement(cfn))
      throw new Error(`${construct.node.path} has no CloudFormation resource`);
    return stack.getLogicalId(cfn);
  }
  /** All statements of the role's inline policies and of the AWS::IAM::Policy resources attached to it. */
  function roleStatements(roleId: string): Statement[] {
    const inline = (
      (props(roleId).Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]
    ).flatMap((p) => p.PolicyDocument.Statement);
    const attached = ofType('AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as unknown[]).some((r) => referencedId(r) === roleId))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    return [...inline, ...attached];
  }
  /** The statements of a function's execution role. */
  function functionStatements(fn: IConstruct): Statement[] {
    return roleStatements(referencedId(props(logicalId(fn)).Role));
  }
  /** A function's environment variables. */
  function environmentOf(fn: IConstruct): Record<string, unknown> {
    return (props(logicalId(fn)).Environment as { Variables: Record<string, unknown> }).Variables;
  }

  return {
    stack,
    template,
    resources,
    ofType,
    props,
    logicalId,
    roleStatements,
    functionStatements,
    environmentOf,
  };
}

/** The logical id inside `{ "Fn::GetAtt": [id, attr] }` or `{ "Ref": id }`. */
export function referencedId(value: unknown): string {
  const v = value as { 'Fn::GetAtt'?: [string, string]; Ref?: string };
  const id = v['Fn::GetAtt']?.[0] ?? v.Ref;
  if (id === undefined) throw new Error(`not a reference: ${JSON.stringify(value)}`);
  return id;
}

export function actionsOf(statement: Statement): string[] {
  return [statement.Action].flat();
}

/** The properties of an alarm that fires as soon as a queue holds a message (a dead-letter queue). */
export function queueNotEmptyAlarm(queueId: string): Record<string, unknown> {
  return {
    Namespace: 'AWS/SQS',
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
    ComparisonOperator: 'GreaterThanThreshold',
    Threshold: 0,
  };
}
