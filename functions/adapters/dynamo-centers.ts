/**
 * Centre configuration and per-centre-day processing state in DynamoDB (table `centers`):
 * - pk=`{center}` sk=`config` — the validated document in force
 * - pk=`{center}` sk=`meta`   — centre summary (time zone, last ingest)
 * - pk=`{center}` sk=`day#{date}` — change token for the debounced rollup
 * - pk=`{center}` sk=`eval#{date}` — KPI version of the day and the version last evaluated
 */
import { randomUUID } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CenterStore, CenterSummary, DayState, PendingEvaluation } from '../app/ports.js';
import type { CenterConfig } from '../domain/config.js';
import { conditionally, queryAll } from './dynamo-query.js';

export class DynamoCenterStore implements CenterStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getConfig(center: string) {
    const r = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: center, sk: 'config' } }),
    );
    if (!r.Item) return null;
    return {
      config: r.Item.config as CenterConfig,
      source_key: r.Item.source_key as string,
      updated_at: r.Item.updated_at as string,
    };
  }

  async putConfig(center: string, config: CenterConfig, sourceKey: string): Promise<void> {
    const now = new Date().toISOString();
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: center, sk: 'config', config, source_key: sourceKey, updated_at: now },
      }),
    );
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: center, sk: 'meta' },
        UpdateExpression: 'SET #c = :c, #tz = :tz',
        ExpressionAttributeNames: { '#c': 'center', '#tz': 'timezone' },
        ExpressionAttributeValues: { ':c': center, ':tz': config.timezone },
      }),
    );
  }

  async markDaysChanged(center: string, days: string[], at: Date): Promise<void> {
    const iso = at.toISOString();
    for (const date of days) {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: center, sk: `day#${date}` },
          UpdateExpression: 'SET #c = :c, #d = :d, change_token = :t, changed_at = :at',
          ExpressionAttributeNames: { '#c': 'center', '#d': 'date' },
          ExpressionAttributeValues: { ':c': center, ':d': date, ':t': `${iso}#${randomUUID()}`, ':at': iso },
        }),
      );
    }
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: center, sk: 'meta' },
        UpdateExpression: 'SET #c = :c, last_ingest_at = :at, #tz = if_not_exists(#tz, :utc)',
        ExpressionAttributeNames: { '#c': 'center', '#tz': 'timezone' },
        ExpressionAttributeValues: { ':c': center, ':at': iso, ':utc': 'UTC' },
      }),
    );
  }

  async getDay(center: string, date: string): Promise<DayState | null> {
    const r = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: center, sk: `day#${date}` } }),
    );
    if (!r.Item) return null;
    return {
      center,
      date,
      change_token: r.Item.change_token as string,
      changed_at: r.Item.changed_at as string,
      computed_token: (r.Item.computed_token as string | undefined) ?? null,
    };
  }

  async markDayComputed(center: string, date: string, token: string): Promise<void> {
    await conditionally(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: center, sk: `day#${date}` },
          UpdateExpression: 'SET computed_token = :t',
          // Tokens start with an ISO timestamp, so they order by time: never move backwards.
          ConditionExpression: 'attribute_not_exists(computed_token) OR computed_token < :t',
          ExpressionAttributeValues: { ':t': token },
        }),
      ),
    );
  }

  async listCenters(): Promise<CenterSummary[]> {
    const out: CenterSummary[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.db.send(
        new ScanCommand({
          TableName: this.table,
          FilterExpression: 'sk = :meta',
          ExpressionAttributeValues: { ':meta': 'meta' },
          ExclusiveStartKey: start,
        }),
      );
      for (const i of r.Items ?? []) {
        out.push({
          center: i.center as string,
          timezone: (i.timezone as string | undefined) ?? 'UTC',
          last_ingest_at: (i.last_ingest_at as string | undefined) ?? null,
          days: [],
        });
      }
      start = r.LastEvaluatedKey;
    } while (start);
    return out.sort((a, b) => a.center.localeCompare(b.center));
  }

  async listDays(center: string): Promise<string[]> {
    const rows = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :c AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':c': center, ':p': 'day#' },
      ProjectionExpression: 'sk',
    });
    return rows.map((i) => (i.sk as string).slice(4)).sort();
  }

  async markEvaluationPending(center: string, date: string, kpiVersion: number): Promise<void> {
    await conditionally(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: center, sk: `eval#${date}` },
          UpdateExpression: 'SET #c = :c, #d = :d, kpi_version = :v',
          // Versions only grow: a slow writer must not replace a newer version.
          ConditionExpression: 'attribute_not_exists(kpi_version) OR kpi_version < :v',
          ExpressionAttributeNames: { '#c': 'center', '#d': 'date' },
          ExpressionAttributeValues: { ':c': center, ':d': date, ':v': kpiVersion },
        }),
      ),
    );
  }

  async listPendingEvaluations(center: string): Promise<PendingEvaluation[]> {
    const rows = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :c AND begins_with(sk, :p)',
      FilterExpression: 'attribute_not_exists(evaluated_version) OR evaluated_version < kpi_version',
      ExpressionAttributeValues: { ':c': center, ':p': 'eval#' },
    });
    return rows
      .map((i) => ({ center, date: i.date as string, kpi_version: i.kpi_version as number }))
      .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  }

  async clearEvaluationPending(center: string, date: string, kpiVersion: number): Promise<void> {
    await conditionally(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: center, sk: `eval#${date}` },
          UpdateExpression: 'SET evaluated_version = :v',
          // A newer KPI version that arrived during the evaluation stays pending.
          ConditionExpression: 'kpi_version = :v',
          ExpressionAttributeValues: { ':v': kpiVersion },
        }),
      ),
    );
  }
}
