import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type MethodOptions,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
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
   * Retention of the access log group.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly accessLogRetention?: RetentionDays;
}

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

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.api = new RestApi(this, 'Api', {
      description: 'Contact-centre KPI read-only API (IAM auth)',
      endpointTypes: [EndpointType.REGIONAL],
      // Execution logging needs the account-level API Gateway CloudWatch role.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: 'prod',
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
