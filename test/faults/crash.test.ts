/**
 * architecture.md rule 5 (crash-safe): a crash at any point followed by a retry ends in the same
 * state as a clean run.
 *
 * The real IngestService and RollupService run on the real adapters (S3CuratedStore,
 * DynamoLedgerStore, DynamoKpiStore, DynamoCenterStore) against the emulators. The adapters' SDK
 * clients — and the day-changed notifier, an SQS send in AWS — are wrapped so that the invocation
 * dies at its N-th write, before the write is sent or after it landed with the response lost (a
 * timeout), and N goes over every write of the step: a crash falls between every two writes —
 * after the curated objects of one day but not the other, between a ledger entry and its day
 * index items, before the key's pointer moves, between the KPI items of a day and its header …
 * The retry is what AWS does next: SQS redelivers the message of the crashed invocation to a new
 * one (fresh services on the unwrapped clients). After a crashed and retried ingest, everything
 * stored and the days signalled are those of a clean ingest; after crashed and retried rollups,
 * everything stored is that of a clean run.
 *
 * The clean run is made step by step in a stack of its own; each crash run starts from the clean
 * run's state before the step, restored into the crash stack.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callsOn, canonicalCsv } from './fixtures.js';
import {
  comparable,
  type Dump,
  FaultPlan,
  InjectedCrash,
  type Rig,
  type Snapshot,
  startRig,
  steppingClock,
} from './harness.js';

const KEY = 'cdr/crash/day.csv';
/** Two days, a duplicate contact and a quarantined row: every kind of write an ingest makes. */
const V1 = canonicalCsv(
  [...callsOn('2026-11-20', 5, 'k'), ...callsOn('2026-11-21', 3, 'k')],
  [
    'k-2026-11-20-1,inbound,sales,A1,+8613800000001,2026-11-20T09:07:00Z,9,300,0,20,answered,2026-11-20T23:00:00Z',
    'bad,inbound,sales,A1,+8613800000009,2026-11-20T10:00:00Z,-4,60,0,0,answered,2026-11-20T10:02:00Z',
  ],
);
/** The corrected file: one day less (its curated object and KPI items must go), no bad row. */
const V2 = canonicalCsv(callsOn('2026-11-20', 6, 'k'));

interface Stage {
  /** The stored state and signals the step starts from. */
  before: Dump;
  /** What the clean step leaves. */
  after: Snapshot;
  signalled: string[];
}

let clean: Rig;
let rig: Rig;
/** The clean run step by step: V1's ingest, its rollups, V2's ingest, its rollups. */
const stages: Record<'ingest1' | 'rollup1' | 'ingest2' | 'rollup2', Stage> = {} as never;

async function step(name: keyof typeof stages, action: () => Promise<void>) {
  const before = await clean.dump();
  await action();
  stages[name] = {
    before,
    after: comparable(await clean.snapshot()),
    signalled: [...clean.pendingDays.keys()].sort(),
  };
}

beforeAll(async () => {
  // The crash stack's clock runs later than the clean one's, as a retry comes after the run it repeats.
  [clean, rig] = await Promise.all([
    startRig(),
    startRig({ clock: steppingClock('2026-11-24T05:00:00.000Z') }),
  ]);
  const { ingest, rollup } = clean.services();
  await clean.put(KEY, V1);
  await step('ingest1', async () => void (await ingest.ingest('exports', KEY)));
  await step('rollup1', () => clean.drainRollups(rollup));
  await clean.put(KEY, V2);
  await step('ingest2', async () => void (await ingest.ingest('exports', KEY)));
  await step('rollup2', () => clean.drainRollups(rollup));
});
afterAll(async () => {
  await Promise.all([clean?.stop(), rig?.stop()]);
});

type Mode = 'before' | 'after';

/**
 * For every write of a step: restore the state the step starts from, crash the step at that
 * write, retry, and compare with the clean step. Returns the writes of the step.
 */
async function crashEverywhere(
  stage: Stage,
  mode: Mode,
  run: (services: ReturnType<Rig['services']>) => Promise<void>,
  retry: (services: ReturnType<Rig['services']>) => Promise<void>,
): Promise<string[]> {
  for (let n = 0; ; n++) {
    await rig.restore(stage.before);
    const plan = new FaultPlan(n, mode);
    const faulty = rig.services({
      clients: { s3: plan.wrap(rig.clients.s3), db: plan.wrap(rig.clients.db) },
      notifier: plan.wrapNotifier(rig.notifier),
    });
    try {
      await run(faulty);
    } catch (e) {
      if (!(e instanceof InjectedCrash)) throw e;
    }
    await plan.settled();
    const what = `crash ${mode} write #${n} (${plan.trace[n]}) of ${plan.trace.join(', ')}`;
    if (plan.fired) await retry(rig.services());
    expect(comparable(await rig.snapshot()), what).toEqual(stage.after);
    expect([...rig.pendingDays.keys()].sort(), what).toEqual(stage.signalled);
    if (!plan.fired) return plan.trace;
  }
}

const ingest = (s: ReturnType<Rig['services']>) => s.ingest.ingest('exports', KEY).then(() => undefined);
const rollups = (s: ReturnType<Rig['services']>) => rig.drainRollups(s.rollup);

describe('rule 5: crash-safe — a crash at any write of the ingest, then the redelivered event', () => {
  it('rule 5: first ingest of a two-day file with a duplicate and a bad row, crash before each write: stores and signals what a clean ingest does', async () => {
    const writes = await crashEverywhere(stages.ingest1, 'before', ingest, ingest);
    // Ledger entry, curated objects of both days, quarantine, day marks, signal, day index, pointer.
    expect(writes).toEqual(expect.arrayContaining(['PutObjectCommand', 'UpdateCommand', 'NotifyCommand']));
    expect(writes.length).toBeGreaterThan(12);
  });

  // "After" (the write landed, the invocation died before the next one) differs from "before the
  // next write" only where something not counted as a write runs in between; the notifier is
  // counted, so it is run once, on the ingest with the most to undo.
  it.each<Mode>(['before', 'after'])(
    'rule 5: a new version replacing the old (a stale day and quarantine to delete, the old entry superseded), crash %s each write',
    async (mode) => {
      const writes = await crashEverywhere(stages.ingest2, mode, ingest, ingest);
      expect(writes).toContain('DeleteObjectsCommand');
    },
  );
});

describe('rule 5: crash-safe — a crash at any write of the rollups, then the redelivered day signals', () => {
  // The rollups after the new version have every kind of write the first ones have, and more: a
  // restated day (items replaced, version bumped) and a day emptied of its items (deletes).
  it('rule 5: the rollups after a new version (a restated day, a day emptied of its items, two days without data), crash before each write', async () => {
    const writes = await crashEverywhere(stages.rollup2, 'before', rollups, rollups);
    expect(writes).toContain('BatchWriteCommand');
  });
});
