/**
 * The ingestion ledger in DynamoDB. Items (table `ledger`):
 * - entry  pk=`{center}`        sk=`obj#{key}#{version}`  — with `center` and `received_sort` for the by-received index
 * - day    pk=`{center}#{date}` sk=`{key}#{version}`      — one per day the version touches (and its received day if rejected)
 * - key    pk=`{center}`        sk=`ptr#{key}`            — the version last ingested and what it wrote
 * The entry itself is stored as the `entry` map on entry and day items.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { KeyPointer, LedgerEntry, LedgerPage, LedgerStore } from '../app/ports.js';
import { TABLES } from '../shared/definitions.js';
import { decodePageToken, encodePageToken } from './page-token.js';

const BY_RECEIVED = TABLES.ledger.indexes[0].name;

function dayItemsOf(entry: LedgerEntry): string[] {
  return entry.status === 'rejected' ? [entry.received_day] : entry.days;
}

export class DynamoLedgerStore implements LedgerStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getPointer(center: string, key: string): Promise<KeyPointer | null> {
    const r = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: center, sk: `ptr#${key}` } }),
    );
    return (r.Item?.pointer as KeyPointer | undefined) ?? null;
  }

  async setPointer(center: string, key: string, pointer: KeyPointer): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.table, Item: { pk: center, sk: `ptr#${key}`, pointer } }),
    );
  }

  async put(entry: LedgerEntry): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: entry.center,
          sk: `obj#${entry.key}#${entry.version}`,
          center: entry.center,
          received_sort: `${entry.received_at}#${entry.key}#${entry.version}`,
          entry,
        },
      }),
    );
    for (const day of dayItemsOf(entry)) {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `${entry.center}#${day}`, sk: `${entry.key}#${entry.version}`, entry },
        }),
      );
    }
  }

  async markSuperseded(center: string, key: string, version: string): Promise<void> {
    const r = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: center, sk: `obj#${key}#${version}` } }),
    );
    const entry = r.Item?.entry as LedgerEntry | undefined;
    // Rewritten even when already superseded: a crash may have left its day items unwritten (rule 5).
    if (!entry) return;
    await this.put({ ...entry, status: 'superseded' });
  }

  async list(center: string, opts: { date?: string; limit: number; next?: string }): Promise<LedgerPage> {
    const start = opts.next ? decodePageToken(opts.next) : undefined;
    const r = opts.date
      ? await this.db.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `${center}#${opts.date}` },
            Limit: opts.limit,
            ExclusiveStartKey: start,
          }),
        )
      : await this.db.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: BY_RECEIVED,
            KeyConditionExpression: 'center = :c',
            ExpressionAttributeValues: { ':c': center },
            ScanIndexForward: false,
            Limit: opts.limit,
            ExclusiveStartKey: start,
          }),
        );
    return {
      items: (r.Items ?? []).map((i) => i.entry as LedgerEntry),
      next: r.LastEvaluatedKey ? encodePageToken(r.LastEvaluatedKey) : null,
    };
  }

  async forDay(center: string, date: string): Promise<LedgerEntry[]> {
    const out: LedgerEntry[] = [];
    let next: string | undefined;
    do {
      const page = await this.list(center, { date, limit: 1000, next });
      out.push(...page.items);
      next = page.next ?? undefined;
    } while (next);
    return out;
  }
}
