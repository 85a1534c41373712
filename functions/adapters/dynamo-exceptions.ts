/**
 * Evaluations and exceptions in DynamoDB (table `exceptions`), one partition per centre so a
 * date range is one query:
 * - pk=`{center}` sk=`{date}#`                        — the day's evaluation without its exceptions
 * - pk=`{center}` sk=`{date}#x#{scope}#{id}#{metric}` — one exception with its drill-down
 * A day is replaced as a whole; the day item is written last, so it names a complete set.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ExceptionStore } from '../app/ports.js';
import type { DayEvaluation, KpiException } from '../domain/exceptions/model.js';
import { batchWriteAll } from './batch-write.js';
import { queryAll } from './dynamo-query.js';
import { decodePageToken, encodePageToken } from './page-token.js';

const dayKey = (date: string) => `${date}#`;
const exceptionKey = (e: KpiException) => `${e.date}#x#${e.scope}#${e.id}#${e.metric}`;

export class DynamoExceptionStore implements ExceptionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async putDay(evaluation: DayEvaluation): Promise<void> {
    const { exceptions, ...day } = evaluation;
    const existing = await this.exceptionKeys(evaluation.center, evaluation.date);
    const keep = new Set(exceptions.map(exceptionKey));
    const writes: Array<Record<string, unknown>> = exceptions.map((e) => ({
      PutRequest: { Item: { pk: e.center, sk: exceptionKey(e), exception: e } },
    }));
    for (const sk of existing)
      if (!keep.has(sk)) writes.push({ DeleteRequest: { Key: { pk: evaluation.center, sk } } });
    await batchWriteAll(this.db, this.table, writes);
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: evaluation.center, sk: dayKey(evaluation.date), day },
      }),
    );
  }

  private async exceptionKeys(center: string, date: string): Promise<string[]> {
    const rows = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :c AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':c': center, ':p': `${date}#x#` },
      ProjectionExpression: 'sk',
    });
    return rows.map((i) => i.sk as string);
  }

  async getDay(center: string, date: string): Promise<DayEvaluation | null> {
    const r = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: center, sk: dayKey(date) } }),
    );
    if (!r.Item) return null;
    const exceptions: KpiException[] = [];
    let next: string | undefined;
    do {
      const page = await this.listExceptions(center, date, date, { limit: 1000, next });
      exceptions.push(...page.items);
      next = page.next ?? undefined;
    } while (next);
    return { ...(r.Item.day as Omit<DayEvaluation, 'exceptions'>), exceptions };
  }

  async listExceptions(center: string, from: string, to: string, opts: { limit: number; next?: string }) {
    const items: KpiException[] = [];
    let start = opts.next ? decodePageToken(opts.next) : undefined;
    // Day items sit between the exceptions in the key range; a page is filled across them.
    do {
      const r = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :c AND sk BETWEEN :from AND :to',
          FilterExpression: 'attribute_exists(#e)',
          ExpressionAttributeNames: { '#e': 'exception' },
          ExpressionAttributeValues: { ':c': center, ':from': `${from}#x#`, ':to': `${to}#x#\uffff` },
          Limit: opts.limit - items.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const i of r.Items ?? []) items.push(i.exception as KpiException);
      start = r.LastEvaluatedKey;
    } while (start && items.length < opts.limit);
    return { items, next: start ? encodePageToken(start) : null };
  }
}
