/**
 * Bad parameters get a 400 whose message names the parameter and the form it expects, on every
 * endpoint, against the local pipeline; forged and replayed `next` tokens included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePageToken, encodePageToken } from '../../functions/adapters/page-token.js';
import { type ApiClient, CENTER, DAYS, startApiPipeline } from './api-client.js';

let api: ApiClient;
beforeAll(async () => {
  api = await startApiPipeline();
});
afterAll(async () => {
  await api?.cleanup();
});

const kpis = `/v1/centers/${CENTER}/kpis`;
const exceptions = `/v1/centers/${CENTER}/exceptions`;
const files = `/v1/centers/${CENTER}/files`;

async function expect400(path: string, message: RegExp): Promise<void> {
  const r = await api.get<{ error: { code: string; message: string } }>(path);
  expect(r.status, `${path}: ${r.text}`).toBe(400);
  expect(r.body.error.code, path).toBe('bad_request');
  expect(r.body.error.message, path).toMatch(message);
  expect(r.text, path).not.toMatch(/\bat .+:\d+:\d+/);
}

describe('dates and ranges', () => {
  it.each([
    [`${kpis}?date=2026-02-30`, /^date must be a calendar date YYYY-MM-DD$/],
    [`${kpis}?date=20261103`, /^date must be a calendar date YYYY-MM-DD$/],
    [`${kpis}?from=2026-11-1&to=2026-11-30`, /^from must be a calendar date YYYY-MM-DD$/],
    [`${kpis}?from=2026-11-10&to=2026-11-01`, /to \(2026-11-01\) must not be before from \(2026-11-10\)/],
    [`${kpis}?from=2025-11-01&to=2026-11-02`, /from\/to may span at most 366 days/],
    [`${kpis}`, /date \(YYYY-MM-DD\), or from and to \(YYYY-MM-DD\), is required/],
    [`${kpis}?from=2026-11-01`, /from and to go together/],
    [`${kpis}?date=${DAYS[0]}&from=${DAYS[0]}&to=${DAYS[1]}`, /either date, or from and to/],
    [`${exceptions}?date=2026-13-01`, /^date must be a calendar date YYYY-MM-DD$/],
    [`${exceptions}?from=2026-11-10&to=2026-11-01`, /to .* must not be before from/],
    [`${exceptions}?from=2025-01-01&to=2026-11-01`, /366 days/],
    [`${files}?date=yesterday`, /^date must be a calendar date YYYY-MM-DD$/],
  ])('refuses %s', expect400);

  it('accepts a range of exactly 366 days', async () => {
    const r = await api.get(`${kpis}?from=2025-11-03&to=2026-11-03&scope=center`);
    expect(r.status).toBe(200);
  });
});

describe('scope, id, metric and format', () => {
  it.each([
    [`${kpis}?date=${DAYS[0]}&scope=galaxy`, /^scope must be one of center, queue, team, agent, hour$/],
    [`${exceptions}?date=${DAYS[0]}&scope=agent`, /^scope must be one of center, queue, team$/],
    [`${kpis}?date=${DAYS[0]}&id=A`, /id needs scope/],
    [`${kpis}?date=${DAYS[0]}&metric=nope,aht_seconds`, /^metric: unknown metric nope/],
    [`${kpis}?date=${DAYS[0]}&metric=AHT%20seconds`, /^metric must be metric names separated by commas/],
    [`${exceptions}?date=${DAYS[0]}&metric=speed`, /^metric: unknown metric speed/],
    [`${kpis}?date=${DAYS[0]}&format=xlsx`, /^format must be json or csv$/],
    ['/v1/definitions?format=xml', /^format must be json or csv$/],
    [`${kpis}?date=${DAYS[0]}&scope=team&scope=queue`, /^scope must be given once$/],
  ])('refuses %s', expect400);
});

describe('limit', () => {
  it.each([
    ['0', kpis, `&date=${DAYS[0]}`],
    ['5000', kpis, `&date=${DAYS[0]}`],
    ['-1', exceptions, `&date=${DAYS[0]}`],
    ['ten', files, ''],
    ['1.5', '/v1/centers', ''],
  ])('refuses limit=%s (%s)', async (limit, path, rest) => {
    await expect400(`${path}?limit=${limit}${rest}`, /^limit must be a whole number from 1 to 1000$/);
  });

  it('accepts limit=1000', async () => {
    expect((await api.get(`${files}?limit=1000`)).status).toBe(200);
  });
});

describe('next', () => {
  it.each([
    [kpis, `date=${DAYS[0]}`],
    [exceptions, `date=${DAYS[1]}`],
    [files, ''],
    ['/v1/centers', ''],
  ])('refuses a forged token on %s', async (path, query) => {
    await expect400(
      `${path}?${query}&next=eyJvZmZzZXQiOjEwfQ.forged`,
      /^next must be a token returned by a previous page of this listing$/,
    );
    await expect400(`${path}?${query}&next=`, /^next must be a token returned by a previous page/);
  });

  it('refuses a token whose checksum is right but whose store position is made up', async () => {
    const page = await api.get<{ next: string }>(`${files}?limit=1`);
    const token = decodePageToken(page.body.next) as { l: string; p: { s: string } };
    const forged = encodePageToken({ ...token, p: { s: encodePageToken({ pk: 'south', sk: 'obj#x' }) } });
    await expect400(`${files}?limit=1&next=${forged}`, /^next must be a token returned by a previous page/);
    const offset = encodePageToken({ ...token, p: { d: '1999-01-01', o: -3 } });
    await expect400(`${kpis}?date=${DAYS[0]}&next=${offset}`, /next/);
  });

  it('refuses a token replayed with other parameters', async () => {
    const page = await api.get<{ next: string }>(`${kpis}?date=${DAYS[0]}&scope=agent&limit=1`);
    expect(page.body.next).not.toBeNull();
    await expect400(
      `${kpis}?date=${DAYS[0]}&scope=queue&limit=1&next=${page.body.next}`,
      /^next belongs to another listing/,
    );
    await expect400(
      `/v1/centers/south/kpis?date=${DAYS[0]}&scope=agent&next=${page.body.next}`,
      /another listing/,
    );
  });

  it('accepts the token with another limit or format', async () => {
    const page = await api.get<{ next: string }>(`${kpis}?date=${DAYS[0]}&scope=agent&limit=1`);
    const r = await api.get(`${kpis}?date=${DAYS[0]}&scope=agent&limit=2&format=csv&next=${page.body.next}`);
    expect(r.status).toBe(200);
    expect(r.text.split('\r\n')[1]).toMatch(new RegExp(`^${DAYS[0]},true,agent,A1,`));
  });
});

describe('unknown parameters and path parameters', () => {
  it.each([
    [
      `${kpis}?date=${DAYS[0]}&scop=team`,
      /^unknown query parameter scop: this endpoint takes date, from, to, scope, id, metric, limit, next, format$/,
    ],
    [`/v1/centers/${CENTER}/config?format=csv`, /^unknown query parameter format: this endpoint takes none$/],
    ['/v1/centers?page=2', /^unknown query parameter page/],
    [`/v1/centers/not.a.centre/kpis?date=${DAYS[0]}`, /^center must be 1–64 letters, digits, "_" or "-"$/],
    [`/v1/centers/${'x'.repeat(65)}/files`, /^center must be 1–64/],
  ])('refuses %s', expect400);
});
