/**
 * KPI records in DynamoDB (table `kpis`):
 * - header pk=`{center}#{date}` sk=`#day`          — version, computed_at, digest, token
 * - item   pk=`{center}#{date}` sk=`{scope}#{id}`  — metrics, with `series`=`{center}#{scope}#{id}` and `date` for the by-series index
 * Items are overwritten as a whole, never incremented (architecture.md rule 1). Without
 * transactions (dynalite has none) the header is written last, so its version names the
 * newest complete set.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { KpiDayHeader, KpiItem, KpiStore, Scope } from '../app/ports.js';
import { TABLES } from '../shared/definitions.js';
import { batchWriteAll } from './batch-write.js';
import { queryAll } from './dynamo-query.js';

const BY_SERIES = TABLES.kpis.indexes[0].name;
const HEADER_SK = '#day';

export class DynamoKpiStore implements KpiStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getHeader(center: string, date: string): Promise<KpiDayHeader | null> {
    const r = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: `${center}#${date}`, sk: HEADER_SK } }),
    );
    return (r.Item?.header as KpiDayHeader | undefined) ?? null;
  }

  async getItems(center: string, date: string, scope?: Scope, id?: string): Promise<KpiItem[]> {
    const pk = `${center}#${date}`;
    if (scope && id !== undefined) {
      const r = await this.db.send(
        new GetCommand({ TableName: this.table, Key: { pk, sk: `${scope}#${id}` } }),
      );
      return r.Item ? [toItem(r.Item)] : [];
    }
    const rows = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: scope ? 'pk = :pk AND begins_with(sk, :p)' : 'pk = :pk',
      ExpressionAttributeValues: scope ? { ':pk': pk, ':p': `${scope}#` } : { ':pk': pk },
    });
    return rows.filter((r) => r.sk !== HEADER_SK).map(toItem);
  }

  async putDay(
    header: Omit<KpiDayHeader, 'version'>,
    items: KpiItem[],
  ): Promise<{ header: KpiDayHeader; changed: boolean }> {
    const pk = `${header.center}#${header.date}`;
    const previous = await this.getHeader(header.center, header.date);
    if (previous && previous.digest === header.digest) {
      // Same content: keep the version, only note the token the day was recomputed from.
      const kept = { ...previous, token: header.token };
      await this.db.send(
        new PutCommand({ TableName: this.table, Item: { pk, sk: HEADER_SK, header: kept } }),
      );
      return { header: kept, changed: false };
    }
    const version = (previous?.version ?? 0) + 1;
    const stored: KpiDayHeader = { ...header, version };
    const existing = previous ? await this.getItems(header.center, header.date) : [];
    const keep = new Set(items.map((i) => `${i.scope}#${i.id}`));
    const writes: Array<Record<string, unknown>> = items.map((i) => ({
      PutRequest: {
        Item: {
          pk,
          sk: `${i.scope}#${i.id}`,
          series: `${header.center}#${i.scope}#${i.id}`,
          date: header.date,
          scope: i.scope,
          id: i.id,
          metrics: i.metrics,
          version,
          computed_at: header.computed_at,
        },
      },
    }));
    for (const old of existing) {
      const sk = `${old.scope}#${old.id}`;
      if (!keep.has(sk)) writes.push({ DeleteRequest: { Key: { pk, sk } } });
    }
    await batchWriteAll(this.db, this.table, writes);
    await this.db.send(
      new PutCommand({ TableName: this.table, Item: { pk, sk: HEADER_SK, header: stored } }),
    );
    return { header: stored, changed: true };
  }

  async dates(center: string, opts: { from?: string; to?: string } = {}): Promise<string[]> {
    const rows = await queryAll(this.db, {
      TableName: this.table,
      IndexName: BY_SERIES,
      KeyConditionExpression: 'series = :s AND #d BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#d': 'date' },
      ExpressionAttributeValues: {
        ':s': `${center}#center#${center}`,
        ':from': opts.from ?? '0000-00-00',
        ':to': opts.to ?? '9999-99-99',
      },
      ScanIndexForward: false,
      ProjectionExpression: '#d',
    });
    return rows.map((r) => r.date as string);
  }

  async series(center: string, scope: Scope, id: string, from: string, to: string) {
    const rows = await queryAll(this.db, {
      TableName: this.table,
      IndexName: BY_SERIES,
      KeyConditionExpression: 'series = :s AND #d BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#d': 'date' },
      ExpressionAttributeValues: { ':s': `${center}#${scope}#${id}`, ':from': from, ':to': to },
    });
    return rows.map((r) => ({
      date: r.date as string,
      item: toItem(r),
      version: r.version as number,
      computed_at: r.computed_at as string,
    }));
  }
}

function toItem(r: Record<string, unknown>): KpiItem {
  return { scope: r.scope as Scope, id: r.id as string, metrics: r.metrics as Record<string, number | null> };
}
