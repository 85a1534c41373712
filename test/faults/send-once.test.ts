/**
 * architecture.md rule 7 (send once) and exceptions.md §4 "Exactly once", through the whole local
 * pipeline and the SES emulator: sweeps of the evaluation running at the same time (two
 * schedules firing, a retried invocation) and again afterwards send one digest per recipient;
 * when SES refuses a message, its claim in the send ledger is released and the next sweep sends
 * it — once. test/e2e/report.e2e.test.ts covers re-evaluation after a re-upload and [Restated].
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCenterStore } from '../../functions/adapters/dynamo-centers.js';
import { DynamoExceptionStore } from '../../functions/adapters/dynamo-exceptions.js';
import { DynamoKpiStore } from '../../functions/adapters/dynamo-kpis.js';
import { DynamoLedgerStore } from '../../functions/adapters/dynamo-ledger.js';
import { DynamoSendLedger } from '../../functions/adapters/dynamo-sends.js';
import { S3CuratedStore } from '../../functions/adapters/s3-stores.js';
import { OutboxMailer, SesMailer } from '../../functions/adapters/ses-mailer.js';
import { EvaluateService, type SweepResult } from '../../functions/app/evaluate-service.js';
import type { Mailer, SendRecord } from '../../functions/app/ports.js';
import { ReportService } from '../../functions/app/report-service.js';
import { reportDay } from '../../functions/domain/completion.js';
import { createEvaluateService } from '../../functions/handlers/evaluate.js';
import { LOCAL_SENDER } from '../../functions/local/local-stack.js';
import { listSentEmails } from '../../functions/local/outbox.js';
import { renderTrendPng } from '../../functions/report/chart.js';
import { BUCKETS, TABLES } from '../../functions/shared/definitions.js';
import { startTestPipeline, type TestPipeline } from '../support/pipeline.js';
import { clientsFor, scanAll } from './harness.js';

// The centre's "yesterday" now: the only day that is emailed (settling is measured on the real clock).
const REPORT_DAY = reportDay(Date.now(), 'UTC', 150);
const HEADER =
  'contact_id,direction,queue,agent_id,caller,initiated_at,queue_seconds,talk_seconds,acw_seconds,outcome';
const RECIPIENTS = ['director@example.com', 'lead-b@example.com', 'lead-a@example.com'];

/** 120 answered calls; team B (a third of them) wraps up in 300 s instead of 20 s: AHT breaches at centre and team B. */
function dayCsv(): string {
  const rows = [HEADER];
  for (let i = 0; i < 120; i++) {
    const team = i % 3 === 0 ? 'B' : 'A';
    const at = `${REPORT_DAY}T${String(9 + Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z`;
    rows.push(
      `c${i},inbound,sales,${team}${i % 2},+1555${String(i).padStart(7, '0')},${at},5,100,${team === 'B' ? 300 : 20},answered`,
    );
  }
  return `${rows.join('\n')}\n`;
}

const config = JSON.stringify({
  timezone: 'UTC',
  preset: 'recommended',
  parameters: { report_settle_seconds: 0 },
  recipients: [
    { email: RECIPIENTS[0], scopes: [{ scope: 'center' }] },
    { email: RECIPIENTS[1], scopes: [{ scope: 'team', id: 'B' }] },
    // Nothing in team A's scopes: recorded as "nothing", never emailed.
    { email: RECIPIENTS[2], scopes: [{ scope: 'team', id: 'A' }] },
  ],
});

let p: TestPipeline;
beforeAll(async () => {
  p = await startTestPipeline();
});
afterAll(async () => {
  await p?.cleanup();
});

async function loadCentre(center: string): Promise<void> {
  await p.put(`config/centers/${center}.json`, config);
  await p.put(`roster/${center}/roster.csv`, 'agent_id,team\nA0,A\nA1,A\nB0,B\nB1,B\n');
  await p.put(`cdr/${center}/${REPORT_DAY}.csv`, dayCsv());
  await p.idle();
}

/** The digests of a centre: .eml files in the outbox, and what the SES emulator accepted (by recipient). */
async function sent(center: string): Promise<{ outbox: string[]; ses: string[] }> {
  let files: string[] = [];
  try {
    files = await readdir(join(p.stack.dataDir, 'outbox'));
  } catch {
    // no outbox yet
  }
  const ses = (await listSentEmails(p.stack.endpoints.ses))
    .filter((m) => m.subject.includes(`[${center}] `))
    .flatMap((m) => m.destination.to)
    .sort();
  return { outbox: files.filter((f) => f.includes(`_${center}_`)).sort(), ses };
}

async function sendRecords(center: string): Promise<SendRecord[]> {
  const items = await scanAll(clientsFor(p.stack).db, TABLES.sends.localName);
  return items
    .filter((i) => i.pk === `${center}#${REPORT_DAY}`)
    .map((i) => i.record as SendRecord)
    .sort((a, b) => (a.recipient < b.recipient ? -1 : 1));
}

const ONE_EACH = (center: string) => ({
  outbox: [
    `${REPORT_DAY}_${center}_${RECIPIENTS[0]}_0.eml`,
    `${REPORT_DAY}_${center}_${RECIPIENTS[1]}_0.eml`,
  ],
  ses: [RECIPIENTS[0], RECIPIENTS[1]],
});

const sentBy = (results: SweepResult[], center: string) =>
  results
    .flatMap((r) => r.evaluated.filter((d) => d.center === center))
    .flatMap((d) =>
      d.emails.filter((e) => e.action === 'sent' || e.action === 'restated').map((e) => e.recipient),
    )
    .sort();

/** The evaluation as the evaluate function wires it, with a mailer of the test's choosing. */
function evaluateServiceWith(mailer: Mailer): EvaluateService {
  const { s3, db } = clientsFor(p.stack);
  const kpis = new DynamoKpiStore(db, TABLES.kpis.localName);
  return new EvaluateService({
    centers: new DynamoCenterStore(db, TABLES.centers.localName),
    kpis,
    ledger: new DynamoLedgerStore(db, TABLES.ledger.localName),
    curated: new S3CuratedStore(s3, BUCKETS.curated.localName),
    exceptions: new DynamoExceptionStore(db, TABLES.exceptions.localName),
    reports: new ReportService({
      kpis,
      sends: new DynamoSendLedger(db, TABLES.sends.localName),
      mailer,
      charts: { trendPng: renderTrendPng },
      sender: LOCAL_SENDER,
    }),
    localMode: true,
  });
}

describe('rule 7: send once — an evaluation run twice sends one email', () => {
  it('rule 7: two sweeps at the same time, then one more after them: one digest per recipient in scope', async () => {
    const center = 'twice';
    await loadCentre(center);
    // Two evaluate functions (the schedule firing while a retried invocation runs), wired as in Lambda.
    const [a, b] = [createEvaluateService(), createEvaluateService()];
    const together = await Promise.all([a.sweep(), b.sweep()]);
    // Both sweeps evaluated the day; the send ledger let exactly one of them send each digest.
    expect(
      together.map((r) => r.evaluated.some((d) => d.center === center && d.date === REPORT_DAY)),
    ).toEqual([true, true]);
    const after = [await p.evaluate()];
    expect(sentBy([...together, ...after], center)).toEqual([RECIPIENTS[0], RECIPIENTS[1]]);
    expect(await sent(center)).toEqual(ONE_EACH(center));
    expect((await sendRecords(center)).map((r) => [r.recipient, r.seq, r.status])).toEqual([
      [RECIPIENTS[0], 0, 'sent'],
      [RECIPIENTS[2], 0, 'nothing'],
      [RECIPIENTS[1], 0, 'sent'],
    ]);
  });

  it.each([1, 2])(
    'rule 7: SES refuses send #%i — the claim is released, the sweep fails, and the next sweep sends the missing digest exactly once',
    async (refused) => {
      const center = `refused${refused}`;
      await loadCentre(center);
      const ses = new OutboxMailer(new SesMailer(undefined), join(p.stack.dataDir, 'outbox'));
      let sends = 0;
      const refusing: Mailer = {
        async send(email) {
          if (++sends === refused)
            throw Object.assign(new Error('Email address is not verified'), { name: 'MessageRejected' });
          return ses.send(email);
        },
      };
      await expect(evaluateServiceWith(refusing).sweep()).rejects.toThrow('not verified');
      // Nothing is left claimed as "sending"; what went out before the refusal is recorded as sent.
      const records = await sendRecords(center);
      expect(records.filter((r) => r.status === 'sending')).toEqual([]);
      expect(records.filter((r) => r.status === 'sent').map((r) => r.recipient)).toEqual(
        refused === 1 ? [] : [RECIPIENTS[0]],
      );
      expect((await sent(center)).ses).toEqual(refused === 1 ? [] : [RECIPIENTS[0]]);

      const retried = [await p.evaluate(), await p.evaluate()];
      expect(sentBy(retried, center)).toEqual(
        refused === 1 ? [RECIPIENTS[0], RECIPIENTS[1]] : [RECIPIENTS[1]],
      );
      expect(await sent(center)).toEqual(ONE_EACH(center));
    },
  );

  it('rule 7: SES times out after the request may have been accepted — the claim stays, and no later sweep sends it again', async () => {
    const center = 'timeout';
    await loadCentre(center);
    const ses = new OutboxMailer(new SesMailer(undefined), join(p.stack.dataDir, 'outbox'));
    let sends = 0;
    const timingOut: Mailer = {
      async send(email) {
        if (++sends === 1) {
          // The message reached SES (so it may be delivered), but the answer never came back.
          await ses.send(email);
          throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: {} });
        }
        return ses.send(email);
      },
    };
    await expect(evaluateServiceWith(timingOut).sweep()).rejects.toThrow('socket hang up');
    const retried = [await p.evaluate(), await p.evaluate()];
    // Only the second recipient's digest goes out on the retry; the first is never sent twice.
    expect(sentBy(retried, center)).toEqual([RECIPIENTS[1]]);
    expect((await sent(center)).ses).toEqual([RECIPIENTS[0], RECIPIENTS[1]]);
    expect(
      (await sendRecords(center)).filter((r) => r.recipient === RECIPIENTS[0]).map((r) => r.status),
    ).toEqual(['sending']);
  });
});
