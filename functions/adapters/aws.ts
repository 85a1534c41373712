/**
 * AWS SDK clients from the standard configuration: region, credentials and endpoints come
 * from the environment (AWS_ENDPOINT_URL_S3 / _DYNAMODB / _SESV2 …), so local mode runs the
 * same code against emulators (architecture.md rule 9).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DayChangeNotifier } from '../app/ports.js';
import { ENV } from '../shared/definitions.js';
import { ConfigurationError, requireEnv } from './env.js';

let s3: S3Client | undefined;
let ddb: DynamoDBDocumentClient | undefined;

export function s3Client(): S3Client {
  s3 ??= new S3Client({});
  return s3;
}

export function documentClient(): DynamoDBDocumentClient {
  ddb ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
  return ddb;
}

/** The HMAC key for caller tokens: given directly (local mode, tests) or from Secrets Manager (AWS), read once. */
export function callerKeyProvider(): () => Promise<string> {
  let cached: Promise<string> | undefined;
  return () => {
    cached ??= (async () => {
      const direct = process.env[ENV.callerTokenKey];
      if (direct) return direct;
      const arn = process.env[ENV.callerTokenSecretArn];
      if (!arn)
        throw new ConfigurationError(
          `set ${ENV.callerTokenSecretArn} (AWS) or ${ENV.callerTokenKey} (local)`,
        );
      const r = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
      if (!r.SecretString) throw new ConfigurationError('caller token secret has no string value');
      return r.SecretString;
    })();
    return cached;
  };
}

/** Sends "centre-day changed" messages to the rollup queue. */
export class SqsDayChangeNotifier implements DayChangeNotifier {
  private readonly sqs = new SQSClient({});
  private readonly queueUrl = requireEnv(ENV.dayChangedQueueUrl);

  async notify(center: string, days: string[]): Promise<void> {
    for (let i = 0; i < days.length; i += 10) {
      const batch = days.slice(i, i + 10);
      const r = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((date, j) => ({ Id: String(j), MessageBody: JSON.stringify({ center, date }) })),
        }),
      );
      if (r.Failed && r.Failed.length > 0)
        throw new Error(`could not signal ${r.Failed.length} changed day(s)`);
    }
  }
}
