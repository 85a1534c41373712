/**
 * The analysts' read-only API (interfaces.md §4). One hono app serves Lambda (API Gateway)
 * and local mode. GET/HEAD/OPTIONS only; errors are `{ error: { code, message } }` and never
 * carry a stack trace.
 */
import { randomUUID } from 'node:crypto';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { decodePageToken, encodePageToken, InvalidPageTokenError } from '../adapters/page-token.js';
import type { CenterStore, ExceptionStore, KpiItem, KpiStore, LedgerStore } from '../app/ports.js';
import {
  type CenterConfig,
  centerConfigJsonSchema,
  defaultCenterConfig,
  resolveParameters,
} from '../domain/config.js';
import { targetsInForce } from '../domain/exceptions/evaluate.js';
import { METRICS } from '../domain/kpi/catalog.js';
import { localDayBounds } from '../domain/time.js';
import { toCsv } from './csv.js';
import {
  CenterParam,
  CenterSchema,
  DefinitionSchema,
  ErrorSchema,
  ExceptionsQuery,
  ExceptionsSchema,
  FilesQuery,
  FilesSchema,
  KpiDaySchema,
  KpiQuery,
  KpiRangeSchema,
} from './schemas.js';

export interface ApiDeps {
  kpis: KpiStore;
  exceptions: ExceptionStore;
  ledger: LedgerStore;
  centers: CenterStore;
  now?: () => Date;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

const MAX_RANGE_DAYS = 366;

class ApiError extends Error {
  constructor(
    readonly status: 400 | 404 | 405 | 429,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const errorResponses = {
  400: {
    content: { 'application/json': { schema: ErrorSchema } },
    description: 'A bad parameter; the message names it and the expected form',
  },
  404: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Unknown centre' },
} as const;

function wantsCsv(c: Context, format: string | undefined): boolean {
  return format === 'csv' || (format === undefined && (c.req.header('accept') ?? '').includes('text/csv'));
}

function csvResponse(c: Context, body: string) {
  return c.body(body, 200, { 'content-type': 'text/csv; charset=utf-8' });
}

/** A day is complete once the centre's local time is past its end plus the grace (interfaces.md §5). */
export function isComplete(date: string, config: CenterConfig, now: Date): boolean {
  const grace = resolveParameters(config).completion_grace_minutes * 60_000;
  return now.getTime() >= localDayBounds(date, config.timezone).end + grace;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

export function createApi(deps: ApiDeps) {
  const now = deps.now ?? (() => new Date());
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        const where = issue?.path.join('.') ?? '';
        const msg = issue?.message ?? 'invalid request';
        return c.json(
          { error: { code: 'bad_request', message: msg.includes(where) ? msg : `${where}: ${msg}` } },
          400,
        );
      }
    },
  });

  app.use('*', async (c, next) => {
    const m = c.req.method;
    if (m !== 'GET' && m !== 'HEAD' && m !== 'OPTIONS') {
      return c.json(
        {
          error: {
            code: 'method_not_allowed',
            message: `${m} is not allowed: this API is read-only (GET, HEAD, OPTIONS)`,
          },
        },
        405,
        { allow: 'GET, HEAD, OPTIONS' },
      );
    }
    if (m === 'OPTIONS') return c.body(null, 204, { allow: 'GET, HEAD, OPTIONS' });
    await next();
  });

  app.onError((err, c) => {
    if (err instanceof ApiError)
      return c.json({ error: { code: err.code, message: err.message } }, err.status);
    if (err instanceof InvalidPageTokenError)
      return c.json({ error: { code: 'bad_request', message: err.message } }, 400);
    const correlation = randomUUID();
    deps.log?.('api error', {
      correlation_id: correlation,
      error: err instanceof Error ? err.message : String(err),
    });
    return c.json(
      { error: { code: 'internal_error', message: 'internal error', correlation_id: correlation } },
      500,
    );
  });

  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no such path: ${c.req.path}` } }, 404));

  async function knownCenter(center: string) {
    const centers = await deps.centers.listCenters();
    const found = centers.find((x) => x.center === center);
    if (!found) throw new ApiError(404, 'unknown_center', `unknown centre: ${center}`);
    const stored = await deps.centers.getConfig(center);
    return { summary: found, config: stored?.config ?? defaultCenterConfig(), stored };
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/centers',
      responses: {
        200: {
          content: { 'application/json': { schema: z.object({ items: z.array(CenterSchema) }) } },
          description: 'Centres with data',
        },
      },
    }),
    async (c) => {
      const t = now();
      const items = [];
      for (const s of await deps.centers.listCenters()) {
        const config = (await deps.centers.getConfig(s.center))?.config ?? defaultCenterConfig();
        const dates = await deps.kpis.dates(s.center);
        const latest = dates.find((d) => isComplete(d, config, t)) ?? null;
        items.push({
          center: s.center,
          timezone: config.timezone,
          latest_complete_day: latest,
          last_ingest_at: s.last_ingest_at,
        });
      }
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/centers/{center}/kpis',
      request: { params: CenterParam, query: KpiQuery },
      responses: {
        200: {
          content: {
            'application/json': { schema: z.union([KpiDaySchema, KpiRangeSchema]) },
            'text/csv': { schema: z.string() },
          },
          description: 'KPI records of one day (date) or per day of a range (from/to)',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { center } = c.req.valid('param');
      const q = c.req.valid('query');
      if (q.date && (q.from || q.to))
        throw new ApiError(400, 'bad_request', 'give either date, or from and to — not both');
      if (!q.date && !(q.from && q.to))
        throw new ApiError(400, 'bad_request', 'date (YYYY-MM-DD), or from and to (YYYY-MM-DD), is required');
      if (q.id && !q.scope)
        throw new ApiError(400, 'bad_request', 'id needs scope (center, queue, team, agent or hour)');
      const { config } = await knownCenter(center);
      const metrics = q.metric ? new Set(q.metric.split(',')) : null;
      const pick = (i: KpiItem): KpiItem =>
        metrics
          ? { ...i, metrics: Object.fromEntries(Object.entries(i.metrics).filter(([k]) => metrics.has(k))) }
          : i;
      const csv = wantsCsv(c, q.format);
      const t = now();
      const limit = q.limit ?? 100;

      if (q.date) {
        const header = await deps.kpis.getHeader(center, q.date);
        const all = header ? await deps.kpis.getItems(center, q.date, q.scope, q.id) : [];
        const offset = q.next ? Number(decodePageToken(q.next).offset) : 0;
        if (!Number.isInteger(offset) || offset < 0) throw new InvalidPageTokenError();
        const page = csv ? all : all.slice(offset, offset + limit);
        const next = !csv && offset + limit < all.length ? encodePageToken({ offset: offset + limit }) : null;
        const items = page.map(pick);
        if (csv) return csvResponse(c, kpiCsv(items.map((i) => ({ date: q.date as string, ...i }))));
        return c.json(
          {
            center,
            date: q.date,
            timezone: config.timezone,
            complete: isComplete(q.date, config, t),
            version: header?.version ?? 0,
            computed_at: header?.computed_at ?? '',
            items,
            next,
          },
          200,
        );
      }

      const from = q.from as string;
      const to = q.to as string;
      if (to < from) throw new ApiError(400, 'bad_request', 'to must not be before from');
      if (daysBetween(from, to) > MAX_RANGE_DAYS)
        throw new ApiError(400, 'bad_request', `from/to may span at most ${MAX_RANGE_DAYS} days`);
      const dates = (await deps.kpis.dates(center, { from, to })).sort();
      const start = q.next ? String(decodePageToken(q.next).after ?? '') : '';
      const todo = dates.filter((d) => d > start);
      const pageDates = csv ? todo : todo.slice(0, limit);
      const days = [];
      for (const date of pageDates) {
        const header = await deps.kpis.getHeader(center, date);
        if (!header) continue;
        const items = (await deps.kpis.getItems(center, date, q.scope, q.id)).map(pick);
        days.push({
          center,
          date,
          timezone: config.timezone,
          complete: isComplete(date, config, t),
          version: header.version,
          computed_at: header.computed_at,
          items,
        });
      }
      if (csv)
        return csvResponse(c, kpiCsv(days.flatMap((d) => d.items.map((i) => ({ date: d.date, ...i })))));
      const last = pageDates[pageDates.length - 1];
      const next = !csv && todo.length > pageDates.length && last ? encodePageToken({ after: last }) : null;
      return c.json({ center, from, to, timezone: config.timezone, days, next }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/centers/{center}/exceptions',
      request: { params: CenterParam, query: ExceptionsQuery },
      responses: {
        200: {
          content: { 'application/json': { schema: ExceptionsSchema }, 'text/csv': { schema: z.string() } },
          description:
            'Exceptions with their drill-down (exceptions.md §3) for one date or a from/to range, sorted by date, scope, id, metric',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { center } = c.req.valid('param');
      const q = c.req.valid('query');
      if (q.date && (q.from || q.to))
        throw new ApiError(400, 'bad_request', 'give either date, or from and to — not both');
      if (!q.date && !(q.from && q.to))
        throw new ApiError(400, 'bad_request', 'date (YYYY-MM-DD), or from and to (YYYY-MM-DD), is required');
      if (q.id && !q.scope) throw new ApiError(400, 'bad_request', 'id needs scope (center, queue or team)');
      const from = q.date ?? (q.from as string);
      const to = q.date ?? (q.to as string);
      if (to < from) throw new ApiError(400, 'bad_request', 'to must not be before from');
      if (daysBetween(from, to) > MAX_RANGE_DAYS)
        throw new ApiError(400, 'bad_request', `from/to may span at most ${MAX_RANGE_DAYS} days`);
      await knownCenter(center);
      const metrics = q.metric ? new Set(q.metric.split(',')) : null;
      const csv = wantsCsv(c, q.format);
      const page = await deps.exceptions.listExceptions(center, from, to, {
        limit: csv ? 100_000 : (q.limit ?? 100),
        next: q.next,
      });
      const items = page.items.filter(
        (e) =>
          (!q.scope || e.scope === q.scope) &&
          (q.id === undefined || e.id === q.id) &&
          (!metrics || metrics.has(e.metric)),
      );
      if (csv) {
        return csvResponse(
          c,
          toCsv(
            [
              'date',
              'metric',
              'scope',
              'id',
              'actual',
              'bound',
              'severity',
              'state',
              'streak',
              'volume',
              'verdict',
              'suspect_data',
              'summary',
            ],
            items as unknown as Array<Record<string, unknown>>,
          ),
        );
      }
      if (!q.date) return c.json({ center, items, next: page.next }, 200);
      const day = await deps.exceptions.getDay(center, q.date);
      return c.json(
        {
          center,
          evaluation: day
            ? {
                date: day.date,
                kpi_version: day.kpi_version,
                evaluated_at: day.evaluated_at,
                targets_version: day.targets_version,
                targets: day.targets as unknown as Record<string, unknown>,
                counts: day.counts as unknown as Record<string, Record<string, number>>,
              }
            : null,
          recovered: day?.recovered ?? [],
          items,
          next: page.next,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/centers/{center}/files',
      request: { params: CenterParam, query: FilesQuery },
      responses: {
        200: {
          content: { 'application/json': { schema: FilesSchema }, 'text/csv': { schema: z.string() } },
          description: 'The ingestion ledger: all objects newest first, or those touching one centre-day',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { center } = c.req.valid('param');
      const q = c.req.valid('query');
      if (center !== '_unrouted') await knownCenter(center);
      const page = await deps.ledger.list(center, { date: q.date, limit: q.limit ?? 100, next: q.next });
      const items = page.items.map(({ center: _c, etag: _e, received_day: _r, ...rest }) => rest);
      if (wantsCsv(c, q.format)) {
        return csvResponse(
          c,
          toCsv(
            [
              'key',
              'version',
              'kind',
              'format',
              'encoding',
              'status',
              'rows_read',
              'rows_accepted',
              'rows_quarantined',
              'rows_duplicate',
              'days',
              'reason',
              'received_at',
              'processed_at',
            ],
            items,
          ),
        );
      }
      return c.json({ center, items, next: page.next }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/centers/{center}/config',
      request: { params: CenterParam },
      responses: {
        200: {
          content: {
            'application/json': {
              schema: z.object({
                center: z.string(),
                source_key: z.string().nullable(),
                updated_at: z.string().nullable(),
                config: z.record(z.string(), z.unknown()),
                parameters: z.record(z.string(), z.unknown()),
                targets: z.record(z.string(), z.unknown()),
              }),
            },
          },
          description:
            'The configuration, parameters and targets in force: the preset merged with the centre targets, the per-queue/team overrides and the min-volume guards',
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { center } = c.req.valid('param');
      const { config, stored } = await knownCenter(center);
      return c.json(
        {
          center,
          source_key: stored?.source_key ?? null,
          updated_at: stored?.updated_at ?? null,
          config: config as unknown as Record<string, unknown>,
          parameters: resolveParameters(config) as unknown as Record<string, unknown>,
          targets: targetsInForce(config, resolveParameters(config)) as unknown as Record<string, unknown>,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/definitions',
      responses: {
        200: {
          content: { 'application/json': { schema: z.object({ items: z.array(DefinitionSchema) }) } },
          description: 'The metric catalog',
        },
      },
    }),
    (c) => c.json({ items: METRICS.map((m) => ({ ...m, scopes: [...m.scopes] })) }, 200),
  );

  app.get('/v1/schemas/center-config.json', (c) => c.json(centerConfigJsonSchema()));

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Contact-centre KPI read API',
      version: '1.0.0',
      description:
        'Read-only access to daily KPIs, exceptions and the ingestion ledger. In AWS every route requires IAM (SigV4) authorisation.',
    },
  });

  return app;
}

function kpiCsv(rows: Array<{ date: string } & KpiItem>): string {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))].sort();
  return toCsv(
    ['date', 'scope', 'id', ...names],
    rows.map((r) => ({ date: r.date, scope: r.scope, id: r.id, ...r.metrics })),
  );
}
