/**
 * End to end through the local stack: objects put into the emulated bucket reach the same
 * ingest handler Lambda runs, and the results are read back through the read API.
 */
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../functions/app/ports.js';
import { startTestPipeline, type TestPipeline } from '../support/pipeline.js';

/** A ledger entry as the API returns it. */
type FileEntry = Omit<LedgerEntry, 'center' | 'etag' | 'received_day'>;
interface KpiDay {
  version: number;
  items: Array<{ scope: string; id: string; metrics: Record<string, number | null> }>;
}

let p: TestPipeline;

async function fileEntry(center: string, key: string): Promise<FileEntry> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    await p.idle();
    const r = await p.get<{ items: FileEntry[] }>(`/v1/centers/${center}/files?limit=1000`);
    const found =
      r.status === 200
        ? r.body.items.find((i) => i.key === key && i.status !== 'processing' && i.status !== 'superseded')
        : undefined;
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ledger entry for ${key}`);
}

async function centerKpis(center: string, date: string): Promise<Record<string, number | null>> {
  await p.idle();
  const r = await p.get<KpiDay>(`/v1/centers/${center}/kpis?date=${date}&scope=center`);
  expect(r.status).toBe(200);
  return r.body.items[0]?.metrics ?? {};
}

beforeAll(async () => {
  p = await startTestPipeline();
  await p.put(
    'config/centers/sh01.json',
    JSON.stringify({ timezone: 'Asia/Shanghai', parameters: { default_country_code: '86' } }),
  );
  await fileEntry('sh01', 'config/centers/sh01.json');
});
afterAll(async () => {
  await p?.cleanup();
});

const CSV_HEADER =
  'contact_id,direction,queue,agent_id,caller,initiated_at,queue_seconds,ring_seconds,talk_seconds,hold_seconds,acw_seconds,outcome,disposition,last_updated_at';

describe('ingestion through the local bucket', () => {
  it('ingests a canonical CSV under a key with spaces and + and counts every row', async () => {
    const csv = [
      CSV_HEADER,
      'c1,inbound,sales,A1,13800000001,2026-11-20 09:00:05,10,3,120,10,30,answered,,2026-11-20 09:03:00',
      'c2,inbound,sales,,13800000002,2026-11-20 09:10:00,40,0,0,0,0,abandoned,,2026-11-20 09:11:00',
      'c3,inbound,sales,A2,013800000001,2026-11-20 09:30:00,5,2,200,0,20,answered,complaint,2026-11-20 09:35:00',
      'c4,inbound,support,A2,13800000003,2026-11-20 10:30:00,-5,2,200,0,20,answered,,2026-11-20 10:35:00',
      'c3,inbound,sales,A2,013800000001,2026-11-20 09:30:00,5,2,210,0,20,answered,complaint,2026-11-20 09:36:00',
    ].join('\r\n');
    await p.put('cdr/sh01/day 1+a.csv', csv);
    const e = await fileEntry('sh01', 'cdr/sh01/day 1+a.csv');
    expect(e).toMatchObject({
      status: 'processed',
      format: 'canonical-csv',
      rows_read: 5,
      rows_accepted: 3,
      rows_quarantined: 1,
      rows_duplicate: 1,
      days: ['2026-11-20'],
    });
    expect(e.reason).toContain('negative queue_seconds');
    const m = await centerKpis('sh01', '2026-11-20');
    // Hand-computed: offered c1,c2,c3 = 3; answered c1,c3; c3's later version (talk 210) wins.
    expect(m.offered).toBe(3);
    expect(m.answered).toBe(2);
    expect(m.service_level).toBeCloseTo(2 / 3, 12);
    expect(m.aht_seconds).toBe((120 + 10 + 30 + (210 + 0 + 20)) / 2);
    // 13800000001 and 013800000001 are the same caller once normalised to +86: c1 is repeated by c3.
    expect(m.fcr_rate).toBe(0.5);
  });

  it('reads a GBK-encoded CSV and keeps the Chinese queue names', async () => {
    const text = [
      CSV_HEADER,
      'g1,inbound,投诉,A9,13900000009,2026-11-21 08:00:00,3,1,60,0,10,answered,,2026-11-21 08:02:00',
    ].join('\n');
    await p.put('cdr/sh01/gbk.csv', iconv.encode(text, 'gbk'));
    const e = await fileEntry('sh01', 'cdr/sh01/gbk.csv');
    expect(e).toMatchObject({ status: 'processed', encoding: 'gb18030', rows_read: 1, rows_accepted: 1 });
    await p.idle();
    const r = await p.get<KpiDay>(`/v1/centers/sh01/kpis?date=2026-11-21&scope=queue`);
    expect(r.body.items.map((i) => i.id)).toEqual(['投诉']);
  });

  it('ingests Amazon Connect contact records written concatenated and gzipped', async () => {
    const rec = (id: string, method: string, connected: boolean, updated: string) => ({
      ContactId: id,
      InitiationMethod: method,
      Channel: 'VOICE',
      InitiationTimestamp: '2026-11-21T02:00:00Z',
      LastUpdateTimestamp: updated,
      CustomerEndpoint: { Address: '+8613700000001', Type: 'TELEPHONE_NUMBER' },
      Queue: {
        Name: 'billing',
        Duration: 12,
        EnqueueTimestamp: '2026-11-21T02:00:01Z',
        DequeueTimestamp: '2026-11-21T02:00:13Z',
      },
      Agent: connected
        ? {
            Username: 'jane',
            ConnectedToAgentTimestamp: '2026-11-21T02:00:15Z',
            AgentInteractionDuration: 100,
            CustomerHoldDuration: 5,
            AfterContactWorkDuration: 15,
          }
        : null,
    });
    const body = [
      rec('k1', 'INBOUND', true, '2026-11-21T02:05:00Z'),
      rec('k2', 'INBOUND', false, '2026-11-21T02:05:00Z'),
      rec('k1', 'INBOUND', true, '2026-11-21T02:06:00Z'),
    ]
      .map((r) => JSON.stringify(r))
      .join('');
    await p.put('cdr/sh01/connect/2026/11/21/part-1', gzipSync(body));
    const e = await fileEntry('sh01', 'cdr/sh01/connect/2026/11/21/part-1');
    expect(e).toMatchObject({
      status: 'processed',
      format: 'connect-ctr',
      rows_read: 3,
      rows_accepted: 2,
      rows_duplicate: 1,
      rows_quarantined: 0,
    });
  });

  it('ingests an Asterisk queue_log and assembles its calls', async () => {
    // 2026-11-22 09:00:00 Asia/Shanghai = 1795309200 epoch seconds.
    const t = 1795309200;
    const lines = [
      `${t}|NONE|NONE|NONE|QUEUESTART||`,
      `${t + 1}|q1|support|NONE|ENTERQUEUE||13811112222|1`,
      `${t + 9}|q1|support|SIP/8007|CONNECT|8|q1.1|2`,
      `${t + 129}|q1|support|SIP/8007|COMPLETECALLER|8|120|1`,
      `${t + 200}|q2|support|NONE|ENTERQUEUE||13833334444|1`,
      `${t + 230}|q2|support|NONE|ABANDON|1|1|30`,
      `${t + 230}|q2|support|NONE|ABANDON|1|1|30`,
    ].join('\n');
    await p.put('cdr/sh01/queue_log', lines);
    const e = await fileEntry('sh01', 'cdr/sh01/queue_log');
    expect(e).toMatchObject({
      status: 'processed',
      format: 'asterisk-queue-log',
      rows_read: 7,
      rows_accepted: 6,
      rows_duplicate: 1,
      rows_quarantined: 0,
    });
    const m = await centerKpis('sh01', '2026-11-22');
    expect(m.offered).toBe(2);
    expect(m.answered).toBe(1);
    expect(m.abandoned).toBe(1);
    expect(m.avg_talk_seconds).toBe(120);
  });

  it.each([
    ['an empty object', 'cdr/sh01/empty.csv', '', 'empty'],
    [
      'a truncated gzip',
      'cdr/sh01/trunc.csv.gz',
      gzipSync(`${CSV_HEADER}\n${'x,'.repeat(5000)}`).subarray(0, 60),
      'gzip',
    ],
    [
      'a binary file',
      'cdr/sh01/blob.bin',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2, 3, 0, 0, 7]),
      'binary',
    ],
    [
      'a CSV missing a required column',
      'cdr/sh01/nocol.csv',
      'contact_id,direction,initiated_at\nx,inbound,2026-11-20 10:00:00',
      'outcome',
    ],
    ['an unknown prefix', 'misc/sh01/a.csv', 'a,b\n1,2', 'unknown prefix'],
  ])('rejects %s with the reason in the ledger', async (_what, key, body, reason) => {
    await p.put(key, body);
    const center = key.startsWith('misc/') ? '_unrouted' : 'sh01';
    const e = await fileEntry(center, key);
    expect(e.status).toBe('rejected');
    expect(e.reason.toLowerCase()).toContain(reason);
  });

  it('processes a header-only file with zero rows', async () => {
    await p.put('cdr/sh01/header-only.csv', `${CSV_HEADER}\n`);
    const e = await fileEntry('sh01', 'cdr/sh01/header-only.csv');
    expect(e).toMatchObject({ status: 'processed', rows_read: 0, rows_accepted: 0 });
  });

  it('keeps the previous configuration when a new one fails the schema', async () => {
    await p.put('config/centers/sh01.json', JSON.stringify({ timezone: 'Mars/Olympus' }));
    const e = await fileEntry('sh01', 'config/centers/sh01.json');
    expect(e.status).toBe('rejected');
    expect(e.reason).toContain('timezone');
    const r = await p.get<{ config: { timezone: string } }>('/v1/centers/sh01/config');
    expect(r.body.config.timezone).toBe('Asia/Shanghai');
  });

  it('replaces everything an old version of a key contributed when the key is re-uploaded', async () => {
    const v1 = [
      CSV_HEADER,
      'r1,inbound,sales,A1,1,2026-11-10 09:00:00,3,1,60,0,10,answered,,2026-11-10 09:02:00',
      'r2,inbound,sales,A1,2,2026-11-11 09:00:00,3,1,60,0,10,answered,,2026-11-11 09:02:00',
    ].join('\n');
    const v2 = [
      CSV_HEADER,
      'r1,inbound,sales,A1,1,2026-11-10 09:00:00,3,1,90,0,10,answered,,2026-11-10 09:02:00',
    ].join('\n');
    await p.put('cdr/sh01/fix.csv', v1);
    expect((await fileEntry('sh01', 'cdr/sh01/fix.csv')).days).toEqual(['2026-11-10', '2026-11-11']);
    expect((await centerKpis('sh01', '2026-11-11')).handled).toBe(1);
    await p.put('cdr/sh01/fix.csv', v2);
    const deadline = Date.now() + 20_000;
    while ((await fileEntry('sh01', 'cdr/sh01/fix.csv')).days.length !== 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect((await centerKpis('sh01', '2026-11-10')).avg_talk_seconds).toBe(90);
    // r2 existed only in the old version: day 11 has no contact left.
    const m11 = await centerKpis('sh01', '2026-11-11');
    expect(m11.handled ?? 0).toBe(0);
    const all = await p.get<{ items: FileEntry[] }>('/v1/centers/sh01/files?limit=1000');
    const versions = all.body.items
      .filter((i) => i.key === 'cdr/sh01/fix.csv')
      .map((i) => i.status)
      .sort();
    expect(versions).toEqual(['processed', 'superseded']);
  });
});
