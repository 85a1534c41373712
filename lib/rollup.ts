import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { KpiFunction } from './kpi-function.js';
import type { KpiStorage } from './storage.js';
import { WorkQueue } from './work-queue.js';

export interface RollupProps {
  readonly storage: KpiStorage;
  /**
   * Memory of the rollup function (1769 MB is one full vCPU).
   * @default 1769
   */
  readonly memorySize?: number;
  /**
   * Timeout of the rollup function.
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
  /**
   * How long "centre-day changed" messages are gathered before a rollup runs, so an hourly
   * burst of files for one day recomputes that day once.
   * @default Duration.seconds(30)
   */
  readonly debounce?: Duration;
}

/**
 * "Centre-day changed" queue (+ DLQ, alarm) → rollup function, which recomputes every KPI of
 * the day from its curated records and overwrites the KPI records.
 */
export class Rollup extends Construct {
  public readonly handler: KpiFunction;
  /** Receives a message per changed centre-day; ingest sends to `queue.queue`. */
  public readonly queue: WorkQueue;

  constructor(scope: Construct, id: string, props: RollupProps) {
    super(scope, id);
    const { storage } = props;

    this.handler = new KpiFunction(this, 'RollupFunction', {
      handlerModule: 'rollup',
      description: 'Recomputes the KPIs of changed centre-days from their curated records',
      memorySize: props.memorySize ?? 1769,
      timeout: props.timeout ?? Duration.minutes(10),
    })
      .bindBucket(storage.curated, 'read')
      .bindTable(storage.tables.kpis, 'readWrite')
      .bindTable(storage.tables.centers, 'readWrite')
      .bindTable(storage.tables.ledger, 'read');

    this.queue = new WorkQueue(this, 'DayChanged', {
      consumer: this.handler,
      purpose: 'Centre-day changed signals',
      batchSize: 10,
      maxBatchingWindow: props.debounce ?? Duration.seconds(30),
    });
  }
}
