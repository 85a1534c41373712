/** API function: API Gateway (REST, IAM-authorised) → the read-only hono app. */
import { Logger } from '@aws-lambda-powertools/logger';
import { handle } from 'hono/aws-lambda';
import { documentClient } from '../adapters/aws.js';
import { DynamoCenterStore } from '../adapters/dynamo-centers.js';
import { DynamoExceptionStore } from '../adapters/dynamo-exceptions.js';
import { DynamoKpiStore } from '../adapters/dynamo-kpis.js';
import { DynamoLedgerStore } from '../adapters/dynamo-ledger.js';
import { tableName } from '../adapters/env.js';
import { createApi } from '../api/app.js';

export const logger = new Logger({ serviceName: 'kpi-api' });

export function createApiFromEnv() {
  const db = documentClient();
  return createApi({
    kpis: new DynamoKpiStore(db, tableName('kpis')),
    exceptions: new DynamoExceptionStore(db, tableName('exceptions')),
    ledger: new DynamoLedgerStore(db, tableName('ledger')),
    centers: new DynamoCenterStore(db, tableName('centers')),
    log: (message, fields) => logger.error(message, fields),
  });
}

export const handler = handle(createApiFromEnv());
