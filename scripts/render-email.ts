/**
 * Renders a realistic sample digest and screenshots it at laptop and phone widths, to look at
 * the email before a manager does: `npx tsx scripts/render-email.ts`.
 *
 * Writes .local/email-preview/{email.html, email.eml, laptop.png, phone.png}; email.html has
 * the cid: images inlined as data: URIs so a browser can show it.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { KpiException, RecoveredMetric } from '../functions/domain/exceptions/model.js';
import { type DigestInput, exceptionKey, renderDigest } from '../functions/domain/report/digest.js';
import { addDays } from '../functions/domain/time.js';
import { renderTrendPng } from '../functions/report/chart.js';
import { composeMime } from '../functions/report/mime.js';

const OUT = join(process.cwd(), '.local', 'email-preview');
const CENTER = 'demo';
const DATE = '2026-11-22';

const base = {
  date: DATE,
  center: CENTER,
  status: 'breached' as const,
  targets_version: 'sample',
  contributions: {},
};

const exceptions: KpiException[] = [
  {
    ...base,
    metric: 'service_level',
    scope: 'center',
    id: CENTER,
    actual: 0.712,
    target: { gte: 0.8 },
    bound: 0.8,
    severity: 'major',
    state: 'new',
    streak: 1,
    volume: 18234,
    suspect_data: true,
    verdict: 'concentrated',
    causes: [
      {
        kind: 'hours',
        hours: [
          { id: '10', value: 0.41, volume: 1641, share_of_gap: 0.4 },
          { id: '11', value: 0.52, volume: 1702, share_of_gap: 0.31 },
        ],
      },
      {
        kind: 'staffing',
        hour: '10',
        offered: 1641,
        aht_seconds: 312,
        agents_needed: 158,
        agents_staffed: 121,
      },
      { kind: 'driver', name: 'offered', actual: 18234, baseline: 14102, change: 0.293 },
      { kind: 'driver', name: 'agents_active', actual: 131, baseline: 134, change: -0.022 },
      {
        kind: 'data_quality',
        findings: ['cdr/demo/2026-11-22-b.csv: 3.2 % of rows quarantined (412 of 12 870)'],
        rejected_objects: [],
        quarantine_heavy_objects: [
          { key: 'cdr/demo/2026-11-22-b.csv', rows_read: 12870, rows_quarantined: 412 },
        ],
        missing_hours: [],
      },
    ],
    summary:
      'Service level 71.2 % (target ≥ 80.0 %). Concentrated in 10:00–12:00, which explain 71 % of the gap; offered was 29 % above a usual Sunday with 2 % fewer agents.',
  },
  {
    ...base,
    metric: 'aht_seconds',
    scope: 'team',
    id: 'B',
    actual: 412,
    target: { between: [180, 330] },
    bound: 330,
    severity: 'critical',
    state: 'continuing',
    streak: 3,
    volume: 2310,
    suspect_data: false,
    verdict: 'concentrated',
    causes: [
      {
        kind: 'segment',
        dimension: 'agent',
        id: 'A0132',
        value: 611,
        volume_share: 0.11,
        status: 'breached',
        share_of_gap: 0.44,
      },
      {
        kind: 'segment',
        dimension: 'agent',
        id: 'A0177',
        value: 540,
        volume_share: 0.12,
        status: 'breached',
        share_of_gap: 0.33,
      },
      {
        kind: 'segment',
        dimension: 'agent',
        id: 'A0145',
        value: 402,
        volume_share: 0.09,
        status: 'breached',
        share_of_gap: 0.08,
      },
      { kind: 'driver', name: 'avg_acw_seconds', actual: 95, baseline: 48, change: 0.979 },
      { kind: 'driver', name: 'avg_talk_seconds', actual: 281, baseline: 262, change: 0.073 },
      { kind: 'driver', name: 'avg_hold_seconds', actual: 36, baseline: 33, change: 0.091 },
    ],
    summary:
      'Average handle time 412 s (target 180–330 s), third day running. Concentrated: agents A0132 and A0177 (23 % of calls) explain 77 % of the gap; wrap-up is twice its usual length.',
  },
  {
    ...base,
    metric: 'csat_avg',
    scope: 'queue',
    id: 'billing',
    actual: 3.62,
    target: { gte: 4 },
    bound: 4,
    severity: 'major',
    state: 'continuing',
    streak: 2,
    volume: 214,
    suspect_data: false,
    verdict: 'mixed',
    causes: [
      {
        kind: 'double_loop',
        csat_p25: 3.4,
        agents: [
          { id: 'A0211', qa_pass_rate: 1, qa_evaluations: 6, csat_avg: 2.9, csat_responses: 17 },
          { id: 'A0188', qa_pass_rate: 0.857, qa_evaluations: 7, csat_avg: 3.25, csat_responses: 12 },
        ],
      },
      { kind: 'driver', name: 'csat_responses', actual: 214, baseline: 236, change: -0.093 },
    ],
    summary:
      'Average CSAT 3.62 (target ≥ 4). Mixed across agents; two agents pass QA while their customers score them in the bottom quarter.',
  },
];

const recovered: RecoveredMetric[] = [
  {
    metric: 'abandon_rate',
    scope: 'queue',
    id: 'sales',
    actual: 0.041,
    target: { lte: 0.05 },
    previous_streak: 2,
  },
];

/** A plausible 14-day series ending at the exception's value, with one day missing. */
function series(e: KpiException): Array<{ date: string; value: number | null }> {
  const from = addDays(DATE, -13);
  const t = e.target;
  const good = 'gte' in t ? t.gte * 1.04 : 'lte' in t ? t.lte * 0.9 : (t.between[0] + t.between[1]) / 2;
  return Array.from({ length: 14 }, (_, i) => {
    const date = addDays(from, i);
    if (i === 6) return { date, value: null };
    if (i === 13) return { date, value: e.actual };
    const drift = e.state === 'continuing' && i >= 14 - e.streak ? (e.actual - good) * 0.8 : 0;
    return { date, value: good + Math.sin(i * 1.7) * Math.abs(good) * 0.03 + drift };
  });
}

/** The HTML part of an .eml with its cid: images inlined (enough MIME for our own messages). */
function htmlOfEml(eml: string): string {
  const parts: Array<{ headers: string; body: string }> = [];
  for (const m of eml.matchAll(/boundary="?([^";\r\n]+)"?/g)) {
    for (const chunk of eml.split(`--${m[1]}`).slice(1)) {
      const at = chunk.indexOf('\r\n\r\n');
      if (at > 0) parts.push({ headers: chunk.slice(0, at), body: chunk.slice(at + 4) });
    }
  }
  const decode = (p: { headers: string; body: string }): Buffer => {
    if (/content-transfer-encoding:\s*base64/i.test(p.headers))
      return Buffer.from(p.body.replace(/\s+/g, ''), 'base64');
    if (/content-transfer-encoding:\s*quoted-printable/i.test(p.headers))
      return Buffer.from(
        p.body
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
        'latin1',
      );
    return Buffer.from(p.body);
  };
  const htmlPart = parts.find((p) => /content-type:\s*text\/html/i.test(p.headers));
  if (!htmlPart) throw new Error('no text/html part in the message');
  let html = decode(htmlPart).toString('utf8');
  for (const p of parts) {
    const cid = /content-id:\s*<([^>]+)>/i.exec(p.headers)?.[1];
    if (cid) html = html.replaceAll(`cid:${cid}`, `data:image/png;base64,${decode(p).toString('base64')}`);
  }
  return html;
}

async function screenshots(html: string): Promise<void> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  try {
    for (const [name, width, isMobile] of [
      ['laptop', 1280, false],
      ['phone', 375, true],
    ] as const) {
      const page = await browser.newPage({
        viewport: { width, height: 800 },
        isMobile,
        deviceScaleFactor: 1,
      });
      await page.setContent(html, { waitUntil: 'load' });
      // A string expression: this project compiles without the DOM types.
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - window.innerWidth',
      );
      await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
      console.log(`${name}: ${width}px wide, horizontal overflow ${overflow}px`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  // `--eml file.eml`: look at a message the pipeline really sent (e.g. from the outbox).
  const emlAt = process.argv.indexOf('--eml');
  if (emlAt > 0) {
    const file = process.argv[emlAt + 1];
    if (!file) throw new Error('--eml needs a file');
    const html = htmlOfEml(await readFile(file, 'utf8'));
    await writeFile(join(OUT, 'email.html'), html);
    await screenshots(html);
    console.log(`Wrote ${OUT}/{email.html,laptop.png,phone.png} from ${file}`);
    return;
  }
  const images: Array<{ cid: string; filename: string; content: Buffer }> = [];
  const charts: Record<string, string> = {};
  for (const [i, e] of exceptions.entries()) {
    const content = await renderTrendPng({ metric: e.metric, target: e.target, points: series(e) });
    const cid = `trend-${i}@kpi.local`;
    charts[exceptionKey(e)] = cid;
    images.push({ cid, filename: `trend-${e.metric}-${e.scope}-${i}.png`, content });
  }
  const input: DigestInput = {
    center: CENTER,
    date: DATE,
    recipient: 'ops-director@example.com',
    restated: null,
    exceptions,
    recovered,
    allClear: false,
    apiPath: `/v1/centers/${CENTER}/exceptions?date=${DATE}`,
    charts,
  };
  const digest = renderDigest(input);
  const eml = await composeMime({
    from: 'kpi-reports@example.com',
    to: input.recipient,
    subject: digest.subject,
    html: digest.html,
    text: digest.text,
    images,
  });
  let html = digest.html;
  for (const img of images) {
    html = html.replaceAll(`cid:${img.cid}`, `data:image/png;base64,${img.content.toString('base64')}`);
  }
  await writeFile(join(OUT, 'email.html'), html);
  await writeFile(join(OUT, 'email.eml'), eml);
  await writeFile(join(OUT, 'email.txt'), digest.text);

  await screenshots(html);
  console.log(`Subject: ${digest.subject}`);
  console.log(`Wrote ${OUT}/{email.html,email.eml,email.txt,laptop.png,phone.png}`);
}

await main();
