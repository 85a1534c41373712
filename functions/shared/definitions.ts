/**
 * One definition of table keys, bucket names/prefixes and environment variable names,
 * shared by the CDK stack, the local stack, the handlers and the tests so they cannot drift.
 * No AWS SDK imports here.
 */

export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export interface TableDefinition {
  /** Environment variable through which functions receive the physical table name. */
  readonly envVar: string;
  /** Table name used in local mode (the CDK stack lets CloudFormation name tables). */
  readonly localName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly indexes: readonly IndexDefinition[];
}

/** All keys are strings (`S`). */
export const TABLES = {
  /** Ingestion ledger: one item per object version (+ day index items and a current-version pointer). */
  ledger: {
    envVar: 'LEDGER_TABLE',
    localName: 'kpi-ledger',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [{ name: 'by-received', partitionKey: 'center', sortKey: 'received_sort' }],
  },
  /** KPI records: one item per centre-day-scope-id plus a day header item. */
  kpis: {
    envVar: 'KPI_TABLE',
    localName: 'kpi-records',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [{ name: 'by-series', partitionKey: 'series', sortKey: 'date' }],
  },
  /** Evaluations and exceptions per centre-day. */
  exceptions: {
    envVar: 'EXCEPTION_TABLE',
    localName: 'kpi-exceptions',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [],
  },
  /** Centre configuration and per-centre-day processing state. */
  centers: {
    envVar: 'CENTER_TABLE',
    localName: 'kpi-centers',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [],
  },
  /** Send-once ledger for emails (conditional writes). */
  sends: {
    envVar: 'SEND_TABLE',
    localName: 'kpi-sends',
    partitionKey: 'pk',
    sortKey: 'sk',
    indexes: [],
  },
} as const satisfies Record<string, TableDefinition>;

export type TableId = keyof typeof TABLES;

export const BUCKETS = {
  exports: { envVar: 'EXPORTS_BUCKET', localName: 'exports' },
  curated: { envVar: 'CURATED_BUCKET', localName: 'curated' },
} as const;

/** Top-level prefixes of the exports bucket (interfaces.md §1). */
export const EXPORT_PREFIXES = ['cdr', 'survey', 'qa', 'roster', 'agent-states', 'config'] as const;

export const ENV = {
  /** Secrets Manager secret holding the HMAC key for caller tokens (AWS). */
  callerTokenSecretArn: 'CALLER_TOKEN_SECRET_ARN',
  /** HMAC key given directly (local mode and tests). */
  callerTokenKey: 'CALLER_TOKEN_KEY',
  /** SQS queue that receives "centre-day changed" signals (AWS). */
  dayChangedQueueUrl: 'DAY_CHANGED_QUEUE_URL',
  /** `local` in local mode. */
  runtimeMode: 'KPI_RUNTIME_MODE',
  /** Verified SES identity (address) the digests are sent from. */
  sesSender: 'SES_SENDER',
  /** SES configuration set (bounce/complaint suppression, event destinations). */
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  /** Local mode: every sent message is also written here as an .eml file. */
  outboxDir: 'KPI_OUTBOX_DIR',
  /** Base URL of the read-only API, for the drill-down links in emails (optional). */
  apiBaseUrl: 'KPI_API_BASE_URL',
} as const;

/** Local-mode defaults (interfaces.md §5), each overridable by the variable named. */
export const LOCAL_DEFAULTS = {
  s3Port: { envVar: 'KPI_S3_PORT', value: 4568 },
  dynamodbPort: { envVar: 'KPI_DYNAMODB_PORT', value: 4567 },
  apiPort: { envVar: 'KPI_API_PORT', value: 3000 },
  sesPort: { envVar: 'KPI_SES_PORT', value: 8005 },
  dataDir: { envVar: 'KPI_DATA_DIR', value: '.local' },
} as const;

/** A centre id (interfaces.md §1). */
export const CENTER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
