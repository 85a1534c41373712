import { type CfnElement, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type MethodOptions,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { RETRY_AFTER_SECONDS } from '../functions/api/limits.js';
import { KpiFunction } from './kpi-function.js';
import type { KpiStorage } from './storage.js';

export interface ReadApiProps {
  readonly storage: KpiStorage;
  /**
   * Steady-state requests per second of the stage (above it API Gateway answers 429).
   * @default 50
   */
  readonly throttlingRateLimit?: number;
  /**
   * Burst capacity of the stage.
   * @default 100
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Retention of the access and execution log groups.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly accessLogRetention?: RetentionDays;
}

/** Stage the API is deployed to (part of every URL and execute-api ARN). */
export const API_STAGE = 'prod';

/**
 * API Gateway's own error answers in the app's shape (`{ error: { code, message } }`): IAM
 * refusals (403), its throttling (429 with Retry-After, as the app answers when DynamoDB
 * throttles) and failures before the function answers (5XX, with the request id as correlation id).
 */
const GATEWAY_ERRORS: ReadonlyArray<{
  readonly id: string;
  readonly type: ResponseType;
  readonly statusCode?: string;
  readonly code: string;
  readonly headers?: Record<string, string>;
  readonly extra?: string;
}> = [
  { id: 'AccessDenied', type: ResponseType.ACCESS_DENIED, statusCode: '403', code: 'forbidden' },
  {
    id: 'MissingSignature',
    type: ResponseType.MISSING_AUTHENTICATION_TOKEN,
    statusCode: '403',
    code: 'forbidden',
  },
  { id: 'InvalidSignature', type: ResponseType.INVALID_SIGNATURE, statusCode: '403', code: 'forbidden' },
  { id: 'ExpiredToken', type: ResponseType.EXPIRED_TOKEN, statusCode: '403', code: 'forbidden' },
  {
    id: 'Throttled',
    type: ResponseType.THROTTLED,
    statusCode: '429',
    code: 'throttled',
    headers: { 'Retry-After': `'${RETRY_AFTER_SECONDS}'` },
  },
  { id: 'Default4xx', type: ResponseType.DEFAULT_4XX, code: 'bad_request' },
  {
    id: 'Default5xx',
    type: ResponseType.DEFAULT_5XX,
    code: 'internal_error',
    extra: ',"correlation_id":"$context.requestId"',
  },
];

/**
 * The analysts' read-only API (interfaces.md §4): a REST API whose every method, the root
 * included, requires IAM (SigV4) authorisation, throttled, with JSON access logs and execution
 * logs without request/response data. All methods (ANY) reach the function so that a signed
 * non-GET request gets the contract's 405 from the app instead of API Gateway's 403
 * "missing authentication token"; the function's role can only read the KPI, exception,
 * ledger and centre tables.
 */
export class ReadApi extends Construct {
  public readonly api: RestApi;
  public readonly handler: KpiFunction;
  /** In alarm when the API answered 5XX (the function catches its errors, so Lambda's Errors stays 0). */
  public readonly serverErrorAlarm: Alarm;
  /** Attach to the analysts' IAM role, group or user to call the API (GET and HEAD only). */
  public readonly analystPolicy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: ReadApiProps) {
    super(scope, id);
    const { tables } = props.storage;

    this.handler = new KpiFunction(this, 'ApiFunction', {
      handlerModule: 'api',
      description: 'Read-only analyst API over KPIs, exceptions and the ingestion ledger',
      memorySize: 1024,
      // API Gateway gives up after 29 s anyway.
      timeout: Duration.seconds(10),
    })
      .bindTable(tables.kpis, 'read')
      .bindTable(tables.exceptions, 'read')
      .bindTable(tables.ledger, 'read')
      .bindTable(tables.centers, 'read');

    const retention = props.accessLogRetention ?? RetentionDays.THREE_MONTHS;
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention, removalPolicy: RemovalPolicy.RETAIN });

    this.api = new RestApi(this, 'Api', {
      description: 'Contact-centre KPI read-only API (IAM auth)',
      endpointTypes: [EndpointType.REGIONAL],
      // Execution logging needs the account-level API Gateway CloudWatch role.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: API_STAGE,
        throttlingRateLimit: props.throttlingRateLimit ?? 50,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 100,
        loggingLevel: MethodLoggingLevel.INFO,
        // Request and response bodies could carry data; never log them.
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
      },
    });

    const methodOptions: MethodOptions = {
      authorizationType: AuthorizationType.IAM,
      requestValidator: this.api.addRequestValidator('RequestValidator', {
        validateRequestBody: true,
        validateRequestParameters: true,
      }),
    };
    const integration = new LambdaIntegration(this.handler, { allowTestInvoke: false });
    this.api.root.addMethod('ANY', integration, methodOptions);
    this.api.root.addResource('{proxy+}').addMethod('ANY', integration, methodOptions);
    Validations.of(this.handler).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'The function is only invoked synchronously, by the API Gateway proxy integration; a DeadLetterConfig applies to asynchronous invocations only. A failure is answered to the caller as a 5XX, which raises the ServerErrorAlarm; there is no event to keep.',
    });

    for (const e of GATEWAY_ERRORS) {
      this.api.addGatewayResponse(e.id, {
        type: e.type,
        statusCode: e.statusCode,
        responseHeaders: e.headers,
        templates: {
          'application/json': `{"error":{"code":"${e.code}","message":$context.error.messageString${e.extra ?? ''}}}`,
        },
      });
    }

    // API Gateway creates the execution log group on first use, without retention; creating it
    // first, under the name API Gateway uses, gives it one.
    const executionLogs = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: Fn.join('', ['API-Gateway-Execution-Logs_', this.api.restApiId, `/${API_STAGE}`]),
      retention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api.deploymentStage.node.addDependency(executionLogs);

    this.serverErrorAlarm = new Alarm(this, 'ServerErrorAlarm', {
      alarmDescription:
        'The read API answered 5XX (a failure in the function, a timeout or an integration error)',
      metric: this.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.analystPolicy = new ManagedPolicy(this, 'AnalystApiPolicy', {
      description: 'Call the read-only contact-centre KPI API (GET and HEAD on every path of its stage)',
      statements: [
        new PolicyStatement({
          actions: ['execute-api:Invoke'],
          resources: ['GET', 'HEAD'].map((m) => this.api.arnForExecuteApi(m, '/*', API_STAGE)),
        }),
      ],
    });
    const apiId = Stack.of(this).getLogicalId(this.api.node.defaultChild as CfnElement);
    Validations.of(this.analystPolicy).acknowledge(
      ...['GET', 'HEAD'].map((m) => ({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/${API_STAGE}/${m}/*]`,
        reason: `Every path of the read API is a read (centres, KPIs, exceptions, ledger, definitions), so analysts may ${m} any path of this one API's ${API_STAGE} stage; no other method or API is granted.`,
      })),
    );

    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-COG4',
        reason:
          'The API uses IAM (SigV4) authorisation on every method instead of a Cognito user pool: analysts call it with IAM credentials (interfaces.md §4).',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'No WAF web ACL: only IAM-signed requests reach the function, the stage is throttled, and the API is read-only; a web ACL can be associated later without changing the API.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The account-level role that lets API Gateway write execution logs; AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS documents for it and it grants CloudWatch Logs actions only.',
      },
    );
  }
}
