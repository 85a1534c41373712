/** BatchWriteItem in chunks of 25, retrying unprocessed items with backoff. */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export async function batchWriteAll(
  db: DynamoDBDocumentClient,
  table: string,
  requests: Array<Record<string, unknown>>,
): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    let pending: Array<Record<string, unknown>> | undefined = requests.slice(i, i + 25);
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error('DynamoDB kept unprocessed items after 8 retries');
      if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      const r = await db.send(new BatchWriteCommand({ RequestItems: { [table]: pending as never } }));
      pending = r.UnprocessedItems?.[table] as Array<Record<string, unknown>> | undefined;
    }
  }
}
