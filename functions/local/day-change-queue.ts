/**
 * Local stand-in for the day-changed SQS queue: collects "centre-day changed" signals and,
 * after a short quiet period, hands them to the rollup handler as an SQS event — the same
 * shape the deployed rollup function receives.
 */
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DayChangeNotifier } from '../app/ports.js';

export class LocalDayChangeQueue implements DayChangeNotifier {
  private readonly pending = new Map<string, { center: string; date: string }>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly deliver: (event: SQSEvent) => Promise<SQSBatchResponse>,
    private readonly quietMs = 500,
    private readonly onError: (e: unknown) => void = (e) => console.error(e),
  ) {}

  async notify(center: string, days: string[]): Promise<void> {
    for (const date of days) this.pending.set(`${center}#${date}`, { center, date });
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.quietMs);
  }

  private flush(): void {
    this.timer = undefined;
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.running = this.running.then(async () => {
      for (let i = 0; i < batch.length; i += 10) {
        const event: SQSEvent = {
          Records: batch.slice(i, i + 10).map((m) => ({
            messageId: randomUUID(),
            receiptHandle: randomUUID(),
            body: JSON.stringify(m),
            attributes: {
              ApproximateReceiveCount: '1',
              SentTimestamp: String(Date.now()),
              SenderId: 'local',
              ApproximateFirstReceiveTimestamp: String(Date.now()),
            },
            messageAttributes: {},
            md5OfBody: '',
            eventSource: 'aws:sqs',
            eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:day-changed',
            awsRegion: 'us-east-1',
          })),
        };
        try {
          const r = await this.deliver(event);
          // A failed day is signalled again, as SQS would redeliver it.
          for (const f of r.batchItemFailures) {
            const rec = event.Records.find((x) => x.messageId === f.itemIdentifier);
            if (rec) {
              const m = JSON.parse(rec.body) as { center: string; date: string };
              this.pending.set(`${m.center}#${m.date}`, m);
            }
          }
        } catch (e) {
          this.onError(e);
        }
      }
      if (this.pending.size > 0 && !this.timer) this.timer = setTimeout(() => this.flush(), this.quietMs * 4);
      if (this.pending.size === 0 && !this.timer) for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  /** Resolves when nothing is pending or running (tests and the demo loader wait on it). */
  idle(): Promise<void> {
    if (this.pending.size === 0 && !this.timer) return this.running;
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
