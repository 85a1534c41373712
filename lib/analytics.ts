import { Aws, CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { RecordKind } from '../functions/domain/records.js';
import { SecureBucket } from './secure-bucket.js';

/** A Glue column: name and Hive type. */
export interface GlueColumn {
  readonly name: string;
  readonly type: string;
  readonly comment?: string;
}

/** A table over one kind of curated record; partitioned by centre and local date. */
export interface CuratedTableDefinition {
  /** Top-level prefix of the kind in the curated bucket (`{kind}/center=…/date=…/`). */
  readonly kind: RecordKind;
  readonly comment: string;
  /** The record's fields as written in the NDJSON, without `center` (a partition key). */
  readonly columns: readonly GlueColumn[];
}

const SOURCE_LINE: GlueColumn = {
  name: 'source_line',
  type: 'bigint',
  comment: 'Line or record number in the source export',
};
const EPOCH_MS = 'epoch milliseconds, UTC: from_unixtime(x / 1000)';

/**
 * The curated record kinds that have a date partition, as Athena tables. The roster (no date
 * level, and names and emails of staff) and the quarantine (raw rows) are deliberately left out.
 * Columns follow `functions/domain/records.ts`; caller numbers exist only as HMAC tokens there.
 */
export const CURATED_TABLES = {
  contacts: {
    kind: 'contacts',
    comment:
      'Canonical contact segments (kpis.md §1), one object per source export and centre-day; deduplicate by contact_id on the latest last_updated_at',
    columns: [
      { name: 'contact_id', type: 'string' },
      { name: 'direction', type: 'string', comment: 'inbound, transfer or outbound' },
      { name: 'channel', type: 'string', comment: 'voice, chat or email' },
      { name: 'queue', type: 'string' },
      { name: 'agent_id', type: 'string', comment: "'' when never connected to an agent" },
      {
        name: 'caller_token',
        type: 'string',
        comment: "HMAC-SHA256 token of the E.164 caller number; '' when withheld",
      },
      { name: 'initiated_at', type: 'double', comment: EPOCH_MS },
      { name: 'queue_seconds', type: 'double' },
      { name: 'ring_seconds', type: 'double' },
      { name: 'talk_seconds', type: 'double' },
      { name: 'hold_seconds', type: 'double' },
      { name: 'acw_seconds', type: 'double' },
      {
        name: 'outcome',
        type: 'string',
        comment: 'answered, abandoned, connected, no_answer, busy or failed',
      },
      { name: 'disposition', type: 'string' },
      { name: 'last_updated_at', type: 'double', comment: EPOCH_MS },
      {
        name: 'team_hint',
        type: 'string',
        comment: 'Amazon Connect hierarchy group (team fallback); null otherwise',
      },
      SOURCE_LINE,
    ],
  },
  surveys: {
    kind: 'surveys',
    comment: 'Post-contact survey responses, by local day of responded_at',
    columns: [
      { name: 'contact_id', type: 'string' },
      { name: 'responded_at', type: 'double', comment: EPOCH_MS },
      { name: 'score', type: 'int', comment: '1–5' },
      { name: 'complaint', type: 'boolean' },
      { name: 'agent_id', type: 'string' },
      { name: 'queue', type: 'string' },
      SOURCE_LINE,
    ],
  },
  qa_evaluations: {
    kind: 'qa',
    comment: 'QA evaluations, by local day of evaluated_at',
    columns: [
      { name: 'evaluation_id', type: 'string' },
      { name: 'contact_id', type: 'string' },
      { name: 'agent_id', type: 'string' },
      { name: 'evaluated_at', type: 'double', comment: EPOCH_MS },
      { name: 'score', type: 'double', comment: '0–100' },
      { name: 'fatal', type: 'boolean' },
      { name: 'form', type: 'string' },
      SOURCE_LINE,
    ],
  },
  agent_states: {
    kind: 'agent_states',
    comment: 'Agent staffed/break intervals, clipped to local days',
    columns: [
      { name: 'agent_id', type: 'string' },
      { name: 'state', type: 'string', comment: 'staffed or break' },
      { name: 'start', type: 'double', comment: EPOCH_MS },
      { name: 'end', type: 'double', comment: EPOCH_MS },
      SOURCE_LINE,
    ],
  },
  queue_events: {
    kind: 'queue_events',
    comment: 'Asterisk queue_log events as ingested (callers tokenised); calls are assembled at rollup',
    columns: [
      { name: 'at', type: 'double', comment: EPOCH_MS },
      { name: 'callid', type: 'string' },
      { name: 'queue', type: 'string' },
      { name: 'agent', type: 'string' },
      { name: 'event', type: 'string' },
      { name: 'data', type: 'array<string>', comment: 'Event fields; never a raw caller number' },
      { name: 'caller_token', type: 'string', comment: 'ENTERQUEUE only' },
      SOURCE_LINE,
    ],
  },
} as const satisfies Record<string, CuratedTableDefinition>;

export type CuratedTableName = keyof typeof CURATED_TABLES;

export interface CuratedAnalyticsProps {
  /** The curated records bucket (layout in docs/storage.md). */
  readonly curatedBucket: IBucket;
  /** Target of the query-results bucket's server access logs. */
  readonly accessLogsBucket: IBucket;
  /**
   * Glue database name (lower case, digits and `_`).
   * @default - the stack name in snake case, e.g. `contact_centre_kpi_stack`
   */
  readonly databaseName?: string;
  /**
   * First date partition projection generates (earlier data is not queryable through the tables).
   * @default '2020-01-01'
   */
  readonly firstDate?: string;
  /**
   * How long query results are kept.
   * @default Duration.days(30)
   */
  readonly resultRetention?: Duration;
  /**
   * Most bytes one query may scan before Athena cancels it (a cost guard).
   * @default 100 GiB
   */
  readonly bytesScannedCutoffPerQuery?: number;
}

/**
 * For questions the API does not answer (architecture.md, "Scale, on paper"): a Glue database
 * with one table per dated kind of curated record, and an Athena workgroup for the analysts.
 *
 * The tables use partition projection (centre and date are computed from the query, not listed
 * in the catalog), so no crawler or `MSCK REPAIR TABLE` is ever needed and a new centre-day is
 * queryable the moment its first object lands. The centre is `injected`: centre ids are not
 * known in advance, so every query names the centre(s) in its WHERE clause, which also keeps
 * scans to one centre's prefixes. Dates are projected from `firstDate` to tomorrow (UTC), which
 * covers the local dates of centres east of UTC.
 *
 * The workgroup enforces its configuration: results are written SSE-S3 encrypted into a private
 * bucket of this stack that expires them, on engine version 3, with a per-query scan cutoff.
 * `analystPolicy` grants what a SQL client needs to query through the workgroup, and S3 read
 * access to exactly the tables' prefixes of the curated bucket (not the quarantine or roster).
 */
export class CuratedAnalytics extends Construct {
  public readonly database: CfnDatabase;
  public readonly databaseName: string;
  public readonly tables: { readonly [K in CuratedTableName]: CfnTable };
  public readonly resultsBucket: SecureBucket;
  public readonly workGroup: CfnWorkGroup;
  /** Attach to the analysts' IAM role, group or user to query the tables through the workgroup. */
  public readonly analystPolicy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: CuratedAnalyticsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const bucket = props.curatedBucket;
    this.databaseName = props.databaseName ?? snakeCase(stack.stackName);

    this.database = new CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: {
        name: this.databaseName,
        description:
          'Curated contact-centre records (gzip NDJSON in the curated bucket), partitioned by centre and date',
      },
    });

    const tables: Partial<Record<CuratedTableName, CfnTable>> = {};
    for (const [name, definition] of Object.entries(CURATED_TABLES) as [
      CuratedTableName,
      CuratedTableDefinition,
    ][]) {
      const location = `s3://${bucket.bucketName}/${definition.kind}/`;
      const table = new CfnTable(this, `${pascalCase(name)}Table`, {
        catalogId: Aws.ACCOUNT_ID,
        databaseName: this.databaseName,
        tableInput: {
          name,
          description: definition.comment,
          tableType: 'EXTERNAL_TABLE',
          partitionKeys: [
            { name: 'center', type: 'string', comment: 'Centre id' },
            { name: 'date', type: 'string', comment: 'Local date in the centre time zone, YYYY-MM-DD' },
          ],
          parameters: {
            classification: 'json',
            compressionType: 'gzip',
            'projection.enabled': 'true',
            'projection.center.type': 'injected',
            'projection.date.type': 'date',
            'projection.date.format': 'yyyy-MM-dd',
            'projection.date.range': `${props.firstDate ?? '2020-01-01'},NOW+1DAYS`,
            'projection.date.interval': '1',
            'projection.date.interval.unit': 'DAYS',
            'storage.location.template': `${location}center=\${center}/date=\${date}/`,
          },
          storageDescriptor: {
            location,
            columns: definition.columns.map((c) => ({ ...c })),
            inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
            outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
            compressed: true,
            // One JSON object per line; a field a record leaves out (team_hint, caller_token) reads as null.
            serdeInfo: {
              serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
              parameters: { 'ignore.malformed.json': 'false' },
            },
          },
        },
      });
      table.node.addDependency(this.database);
      tables[name] = table;
    }
    this.tables = tables as { readonly [K in CuratedTableName]: CfnTable };

    this.resultsBucket = new SecureBucket(this, 'QueryResultsBucket', {
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'athena-results/',
      lifecycleRules: [
        {
          id: 'expire-query-results',
          expiration: props.resultRetention ?? Duration.days(30),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
    });

    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: `${stack.stackName}-analysts`,
      description: 'Queries over the curated contact-centre records; results encrypted and expired',
      state: 'ENABLED',
      // Lets a stack deletion remove the workgroup together with analysts' saved queries.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery ?? 100 * 1024 ** 3,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
          expectedBucketOwner: Aws.ACCOUNT_ID,
        },
      },
    });

    this.analystPolicy = this.buildAnalystPolicy(bucket);
  }

  private buildAnalystPolicy(curated: IBucket): ManagedPolicy {
    const stack = Stack.of(this);
    const workGroupArn = stack.formatArn({
      service: 'athena',
      resource: 'workgroup',
      resourceName: this.workGroup.name,
    });
    const glue = (resource: string, resourceName?: string) =>
      stack.formatArn({ service: 'glue', resource, resourceName });
    const prefixes = Object.values(CURATED_TABLES).map((t) => `${t.kind}/`);
    const policy = new ManagedPolicy(this, 'AnalystQueryPolicy', {
      description:
        'Query the curated contact-centre records with Athena through the analysts workgroup (read-only)',
      statements: [
        new PolicyStatement({
          sid: 'QueryThroughTheWorkgroup',
          actions: [
            'athena:StartQueryExecution',
            'athena:StopQueryExecution',
            'athena:GetQueryExecution',
            'athena:GetQueryResults',
            'athena:GetQueryResultsStream',
            'athena:BatchGetQueryExecution',
            'athena:ListQueryExecutions',
            'athena:GetWorkGroup',
          ],
          resources: [workGroupArn],
        }),
        new PolicyStatement({
          sid: 'ReadTheTableDefinitions',
          actions: [
            'glue:GetDatabase',
            'glue:GetTable',
            'glue:GetTables',
            'glue:GetPartition',
            'glue:GetPartitions',
          ],
          resources: [
            glue('catalog'),
            glue('database', this.databaseName),
            ...Object.keys(CURATED_TABLES).map((t) => glue('table', `${this.databaseName}/${t}`)),
          ],
        }),
        new PolicyStatement({
          sid: 'ListTheTablePrefixes',
          actions: ['s3:ListBucket'],
          resources: [curated.bucketArn],
          conditions: { StringLike: { 's3:prefix': prefixes.map((p) => `${p}*`) } },
        }),
        new PolicyStatement({
          sid: 'ReadTheTableObjects',
          actions: ['s3:GetObject'],
          resources: prefixes.map((p) => curated.arnForObjects(`${p}*`)),
        }),
        new PolicyStatement({
          sid: 'LocateTheBuckets',
          actions: ['s3:GetBucketLocation'],
          resources: [curated.bucketArn, this.resultsBucket.bucketArn],
        }),
        new PolicyStatement({
          sid: 'ListQueryResults',
          actions: ['s3:ListBucket', 's3:ListBucketMultipartUploads'],
          resources: [this.resultsBucket.bucketArn],
        }),
        new PolicyStatement({
          sid: 'WriteAndReadQueryResults',
          actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
          resources: [this.resultsBucket.arnForObjects('results/*')],
        }),
      ],
    });
    const curatedId = logicalIdOf(curated);
    const resultsId = logicalIdOf(this.resultsBucket);
    Validations.of(policy).acknowledge(
      ...prefixes.map((p) => ({
        id: `AwsSolutions-IAM5[Resource::<${curatedId}.Arn>/${p}*]`,
        reason: `Curated object keys under ${p} carry the centre, the date and a source hash, so reading the ${p.slice(0, -1)} table needs ${p}*; the quarantine and roster prefixes stay unreadable.`,
      })),
      {
        id: `AwsSolutions-IAM5[Resource::<${resultsId}.Arn>/results/*]`,
        reason:
          'Athena names each query result object after the query id, so reading and writing results needs results/* in this stack’s own query-results bucket.',
      },
    );
    return policy;
  }
}

/** `ContactCentreKpiStack` → `contact_centre_kpi_stack` (Glue names are lower case). */
function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase();
}

function pascalCase(name: string): string {
  return name
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** Logical id of the CloudFormation resource behind an L2 construct (as cdk-nag prints it). */
function logicalIdOf(resource: IBucket): string {
  const cfn = resource.node.defaultChild;
  if (!CfnElement.isCfnElement(cfn)) throw new Error(`${resource.node.path} has no CloudFormation resource`);
  return Stack.of(resource).getLogicalId(cfn);
}
