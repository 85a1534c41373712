/**
 * The Glue tables over the curated records and the analysts' Athena workgroup: partitioned by
 * centre and date with partition projection over the curated layout, JSON SerDe over the gzip
 * NDJSON, columns of the curated records (tokenised callers only), encrypted results.
 */
import { describe, expect, it } from 'vitest';
import { curatedPrefix } from '../../functions/adapters/s3-stores.js';
import type { ContactRecord } from '../../functions/domain/records.js';
import { CURATED_TABLES } from '../../lib/analytics.js';
import { actionsOf, kpiTemplate, referencedId, type Statement } from './template.js';

const { stack, ofType, props, logicalId } = kpiTemplate();
const curatedBucketId = logicalId(stack.storage.curated.bucket);
const resultsBucketId = logicalId(stack.analytics.resultsBucket);

interface TableInput {
  Name: string;
  TableType: string;
  PartitionKeys: Array<{ Name: string; Type: string }>;
  Parameters: Record<string, unknown>;
  StorageDescriptor: {
    Location: unknown;
    Columns: Array<{ Name: string; Type: string }>;
    InputFormat: string;
    OutputFormat: string;
    Compressed: boolean;
    SerdeInfo: { SerializationLibrary: string };
  };
}

const tables = new Map(
  ofType('AWS::Glue::Table').map(([, t]) => {
    const input = t.Properties.TableInput as TableInput;
    return [input.Name, { databaseName: t.Properties.DatabaseName, input }] as const;
  }),
);

/** `s3://{curated bucket}/{suffix}`, as the template joins it. */
const curatedUrl = (suffix: string) => ({ 'Fn::Join': ['', ['s3://', { Ref: curatedBucketId }, suffix]] });

/** A contact record with every field the type has, so the test fails when a field is added. */
const CONTACT: Required<ContactRecord> = {
  contact_id: 'c1',
  direction: 'inbound',
  channel: 'voice',
  center: 'north',
  queue: 'sales',
  agent_id: 'A1',
  caller_token: 'tok',
  initiated_at: 0,
  queue_seconds: 0,
  ring_seconds: 0,
  talk_seconds: 0,
  hold_seconds: 0,
  acw_seconds: 0,
  outcome: 'answered',
  disposition: '',
  last_updated_at: 0,
  team_hint: '',
};

describe('Glue database', () => {
  it('is one database named after the stack, holding one table per dated kind of curated record', () => {
    const databases = ofType('AWS::Glue::Database');
    expect(databases).toHaveLength(1);
    expect(databases[0]?.[1].Properties.DatabaseInput).toMatchObject({ Name: 'contact_centre_kpi_stack' });
    expect([...tables.keys()].sort()).toEqual([
      'agent_states',
      'contacts',
      'qa_evaluations',
      'queue_events',
      'surveys',
    ]);
    for (const t of tables.values()) expect(t.databaseName).toBe('contact_centre_kpi_stack');
  });
});

describe.each(Object.entries(CURATED_TABLES))('the %s table', (name, definition) => {
  const table = tables.get(name);
  const input = table?.input as TableInput;

  it('is partitioned by centre and date (strings), over its prefix of the curated bucket', () => {
    expect(input.TableType).toBe('EXTERNAL_TABLE');
    expect(input.PartitionKeys.map(({ Name, Type }) => ({ Name, Type }))).toEqual([
      { Name: 'center', Type: 'string' },
      { Name: 'date', Type: 'string' },
    ]);
    expect(input.StorageDescriptor.Location).toEqual(curatedUrl(`/${definition.kind}/`));
  });

  it('projects its partitions from the query, following the layout the ingest writes', () => {
    expect(input.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.center.type': 'injected',
      'projection.date.type': 'date',
      'projection.date.format': 'yyyy-MM-dd',
      'projection.date.range': '2020-01-01,NOW+1DAYS',
      'projection.date.interval': '1',
      'projection.date.interval.unit': 'DAYS',
    });
    // The same prefix the curated store writes, with the partition values as placeholders.
    const placeholder = (name: string) => `\${${name}}`;
    const prefix = curatedPrefix(placeholder('center'), definition.kind, placeholder('date'));
    expect(input.Parameters['storage.location.template']).toEqual(curatedUrl(`/${prefix}`));
  });

  it('reads gzip NDJSON with the OpenX JSON SerDe', () => {
    expect(input.StorageDescriptor).toMatchObject({
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      Compressed: true,
      SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
    });
    expect(input.Parameters).toMatchObject({ classification: 'json', compressionType: 'gzip' });
  });

  it('has no column for a raw phone number', () => {
    for (const c of input.StorageDescriptor.Columns)
      expect(c.Name).not.toMatch(/phone|number|^caller$|^ani$/);
  });
});

describe('the contacts table', () => {
  it('has a column per field of the curated contact record (the centre is a partition key) and its source line', () => {
    const contacts = tables.get('contacts');
    if (!contacts) throw new Error('no contacts table');
    const columns = contacts.input.StorageDescriptor.Columns.map((c) => c.Name);
    const fields = Object.keys(CONTACT).filter((f) => f !== 'center');
    expect(columns).toEqual([...fields, 'source_line']);
    expect(columns).toContain('caller_token');
  });
});

describe('Athena workgroup', () => {
  const workGroupId = stack.getLogicalId(stack.analytics.workGroup);

  it('enforces its configuration: SSE-S3 encrypted results in the stack’s results bucket, engine 3, a scan cutoff', () => {
    expect(props(workGroupId).WorkGroupConfiguration).toEqual({
      EnforceWorkGroupConfiguration: true,
      PublishCloudWatchMetricsEnabled: true,
      BytesScannedCutoffPerQuery: expect.any(Number),
      EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
      ResultConfiguration: {
        OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: resultsBucketId }, '/results/']] },
        EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        ExpectedBucketOwner: { Ref: 'AWS::AccountId' },
      },
    });
  });

  it('expires query results', () => {
    const rules = (props(resultsBucketId).LifecycleConfiguration as { Rules: Array<Record<string, unknown>> })
      .Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({ Id: 'expire-query-results', ExpirationInDays: 30 }),
    );
  });
});

describe("the analysts' query policy", () => {
  const statements = (
    props(logicalId(stack.analytics.analystPolicy)).PolicyDocument as { Statement: Statement[] }
  ).Statement;
  const s3Statements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));

  it('reads exactly the tables’ prefixes of the curated bucket, never the quarantine or the roster, and writes nothing there', () => {
    const curatedObjects = s3Statements
      .filter(
        (s) =>
          JSON.stringify(s.Resource).includes(`"${curatedBucketId}"`) &&
          actionsOf(s).includes('s3:GetObject'),
      )
      .flatMap((s) => [s.Resource].flat().map((r) => JSON.stringify(r)));
    const prefixes = Object.values(CURATED_TABLES).map((t) => t.kind);
    expect(curatedObjects).toHaveLength(prefixes.length);
    for (const p of prefixes) expect(curatedObjects.some((r) => r.includes(`/${p}/*`))).toBe(true);
    const all = JSON.stringify(statements);
    expect(all).not.toMatch(/quarantine|roster/);
    const curatedActions = s3Statements
      .filter((s) => JSON.stringify(s.Resource).includes(`"${curatedBucketId}"`))
      .flatMap(actionsOf);
    expect([...new Set(curatedActions)].sort()).toEqual([
      's3:GetBucketLocation',
      's3:GetObject',
      's3:ListBucket',
    ]);
  });

  it('runs queries through the analysts workgroup only and reads the Glue definitions of this database', () => {
    const athena = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('athena:')));
    expect(athena).toHaveLength(1);
    expect(JSON.stringify(athena[0]?.Resource)).toContain(':workgroup/ContactCentreKpiStack-analysts');
    const glue = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('glue:')));
    expect(glue.flatMap(actionsOf).every((a) => /^glue:Get/.test(a))).toBe(true);
    expect(JSON.stringify(glue[0]?.Resource)).toContain('contact_centre_kpi_stack');
  });

  it('writes query results only under results/ of the results bucket', () => {
    const writes = s3Statements.filter((s) => actionsOf(s).includes('s3:PutObject'));
    expect(writes).toHaveLength(1);
    const resource = writes[0]?.Resource as { 'Fn::Join': [string, unknown[]] } | undefined;
    expect(referencedId(resource?.['Fn::Join'][1][0])).toBe(resultsBucketId);
    expect(JSON.stringify(writes[0]?.Resource)).toContain('/results/*');
  });
});
