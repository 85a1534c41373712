/**
 * The send-once ledger (architecture.md rule 7) in DynamoDB (table `sends`):
 * pk=`{center}#{date}` sk=`{recipient}#{seq}` — written with a conditional put *before* the
 * message goes to SES, so a retry, a second evaluation or a concurrent sweep finds the entry
 * and sends nothing.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { SendLedger, SendRecord } from '../app/ports.js';
import { conditionally, queryAll } from './dynamo-query.js';

const pkOf = (r: { center: string; date: string }) => `${r.center}#${r.date}`;
const skOf = (recipient: string, seq: number) => `${recipient}#${String(seq).padStart(4, '0')}`;

export class DynamoSendLedger implements SendLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async history(center: string, date: string, recipient: string): Promise<SendRecord[]> {
    const rows = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
      ExpressionAttributeValues: { ':pk': pkOf({ center, date }), ':r': `${recipient}#` },
    });
    return rows.map((i) => i.record as SendRecord).sort((a, b) => a.seq - b.seq);
  }

  async reported(center: string, date: string): Promise<boolean> {
    const r = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pkOf({ center, date }) },
        Limit: 1,
      }),
    );
    return (r.Items?.length ?? 0) > 0;
  }

  async claim(record: SendRecord): Promise<boolean> {
    return conditionally(
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: pkOf(record), sk: skOf(record.recipient, record.seq), record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async markSent(record: SendRecord, messageId: string, at: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: pkOf(record), sk: skOf(record.recipient, record.seq) },
        UpdateExpression: 'SET #r.#s = :sent, #r.message_id = :m, #r.sent_at = :at',
        ExpressionAttributeNames: { '#r': 'record', '#s': 'status' },
        ExpressionAttributeValues: { ':sent': 'sent', ':m': messageId, ':at': at },
      }),
    );
  }

  async release(record: SendRecord): Promise<void> {
    await this.db.send(
      new DeleteCommand({
        TableName: this.table,
        Key: { pk: pkOf(record), sk: skOf(record.recipient, record.seq) },
        // Only our own unsent claim: never delete a record of a message that went out.
        ConditionExpression: '#r.claimed_at = :c AND #r.#s = :sending',
        ExpressionAttributeNames: { '#r': 'record', '#s': 'status' },
        ExpressionAttributeValues: { ':c': record.claimed_at, ':sending': 'sending' },
      }),
    );
  }
}
