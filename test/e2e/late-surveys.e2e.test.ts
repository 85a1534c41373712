/**
 * Surveys and QA evaluations arrive days after their contact (kpis.md §3): a response dated on
 * day D to a contact of an earlier day joins that contact's day and is not an unmatched survey
 * of D; an evaluation on D of an earlier contact is not an unknown-contact evaluation of D.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPipeline, type TestPipeline } from '../support/pipeline.js';

const CENTER = 'late';
const EARLIER = '2026-11-17';
const DAY = '2026-11-20';

let p: TestPipeline;
beforeAll(async () => {
  p = await startTestPipeline();
  await p.put(
    `cdr/${CENTER}/calls.csv`,
    [
      'contact_id,direction,queue,agent_id,caller,initiated_at,queue_seconds,talk_seconds,outcome',
      `old-1,inbound,sales,A1,+15550100001,${EARLIER}T09:00:00Z,3,60,answered`,
      `new-1,inbound,sales,A1,+15550100002,${DAY}T09:00:00Z,3,60,answered`,
    ].join('\n'),
  );
  await p.put(
    `survey/${CENTER}/responses.csv`,
    [
      'contact_id,responded_at,score',
      `old-1,${DAY}T10:00:00Z,5`, // three days after its contact
      `nobody,${DAY}T11:00:00Z,1`, // matches no contact at all
    ].join('\n'),
  );
  await p.put(
    `qa/${CENTER}/evaluations.csv`,
    ['evaluation_id,contact_id,agent_id,evaluated_at,score', `e1,old-1,A1,${DAY}T12:00:00Z,90`].join('\n'),
  );
  await p.idle();
});
afterAll(async () => {
  await p?.cleanup();
});

type Day = { items: Array<{ metrics: Record<string, number | null> }> };
const centre = async (date: string) =>
  (await p.get<Day>(`/v1/centers/${CENTER}/kpis?date=${date}&scope=center`)).body.items[0]?.metrics ?? {};

describe('late surveys and evaluations', () => {
  it('joins a response to its earlier contact and counts only the truly unmatched one on its day', async () => {
    const earlier = await centre(EARLIER);
    expect(earlier.csat_responses).toBe(1);
    expect(earlier.csat_avg).toBe(5);
    const day = await centre(DAY);
    expect(day.csat_responses).toBe(0);
    expect(day.unmatched_surveys).toBe(1);
  });

  it('counts an evaluation of an earlier contact on the contact’s day only', async () => {
    expect((await centre(EARLIER)).qa_evaluations).toBe(1);
    expect((await centre(DAY)).qa_evaluations).toBe(0);
  });
});
