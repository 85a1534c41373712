/**
 * The analysts' read-only API (interfaces.md §4). One hono app serves Lambda (API Gateway)
 * and local mode. GET/HEAD/OPTIONS only; errors are `{ error: { code, message } }` and never
 * carry a stack trace. Every list is paginated with `limit` and an opaque `next`, in JSON and
 * CSV alike (CSV pages carry the token in a `Link: rel="next"` header).
 */
import { randomUUID } from 'node:crypto';
import { createRoute, OpenAPIHono, type z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { InvalidPageTokenError } from '../adapters/page-token.js';
import type { CenterStore, ExceptionStore, KpiItem, KpiStore, LedgerStore } from '../app/ports.js';
import {
  type CenterConfig,
  centerConfigJsonSchema,
  defaultCenterConfig,
  resolveParameters,
} from '../domain/config.js';
import { targetsInForce } from '../domain/exceptions/evaluate.js';
import type { KpiException } from '../domain/exceptions/model.js';
import { UNROUTED_CENTER } from '../domain/ingest/object-key.js';
import { METRICS, metricsAtScope, type Scope } from '../domain/kpi/catalog.js';
import { localDayBounds } from '../domain/time.js';
import { toCsv } from './csv.js';
import {
  CursorMismatchError,
  decodeCursor,
  encodeCursor,
  listingId,
  positionCount,
  positionString,
  resumed,
} from './cursor.js';
import { DEFAULT_LIMIT, MAX_LIMIT, MAX_RANGE_DAYS, RETRY_AFTER_SECONDS } from './limits.js';
import {
  CenterConfigInForceSchema,
  CenterParam,
  CentersQuery,
  CentersSchema,
  DefinitionsQuery,
  DefinitionsSchema,
  ErrorSchema,
  ExceptionsQuery,
  ExceptionsSchema,
  FilesQuery,
  FilesSchema,
  JsonSchemaDocument,
  KpiDaySchema,
  KpiQuery,
  KpiRangeSchema,
  NoQuery,
  type TargetsInForceSchema,
} from './schemas.js';

type TargetsInForce = z.infer<typeof TargetsInForceSchema>;

export interface ApiDeps {
  kpis: KpiStore;
  exceptions: ExceptionStore;
  ledger: LedgerStore;
  centers: CenterStore;
  now?: () => Date;
  /** Where unexpected errors go (with their correlation id); never into a response. */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** Store requests made in parallel for the days of a KPI range. */
const DAY_FETCH_CONCURRENCY = 10;

/**
 * Store pages one exceptions request reads at most while filling a page through its filters; a
 * page can therefore hold fewer than `limit` items even when `next` is not null.
 */
const MAX_EXCEPTION_STORE_PAGES = 10;

/** DynamoDB error names that mean "slow down" (the SDK has already retried them). */
const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

type ErrorCode = z.infer<typeof ErrorSchema>['error']['code'];

/** A request the API refuses: 400 (a bad parameter) or 404 (an unknown centre). */
class ApiError extends Error {
  constructor(
    readonly status: 400 | 404,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const badRequest = (message: string) => new ApiError(400, 'bad_request', message);

function isThrottling(err: unknown): boolean {
  const e = err as { name?: string; $retryable?: { throttling?: boolean } } | null;
  return THROTTLING_ERRORS.has(e?.name ?? '') || e?.$retryable?.throttling === true;
}

// ---- OpenAPI building blocks -----------------------------------------------------------

const errorContent = { 'application/json': { schema: ErrorSchema } };
const LINK_HEADER = {
  Link: {
    description: 'On every page but the last: `<?…&next=…>; rel="next"`, the query of the next page',
    schema: { type: 'string' as const },
  },
};
const commonErrors = {
  400: {
    content: errorContent,
    description: 'A bad parameter; the message names it and the form it expects',
  },
  403: {
    content: errorContent,
    description:
      'In AWS only, from API Gateway: the request is not SigV4-signed, the signature is invalid or expired, or the caller may not execute-api:Invoke this API',
  },
  429: {
    content: errorContent,
    description:
      'Throttled (the stage limits in AWS, or the data store): retry after the Retry-After header (seconds)',
    headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' as const } } },
  },
  500: {
    content: errorContent,
    description: 'Unexpected failure: a generic message and a correlation id, never a stack trace',
  },
};
const centerErrors = { ...commonErrors, 404: { content: errorContent, description: 'Unknown centre' } };
const csvContent = {
  'text/csv': { schema: { type: 'string' as const, description: 'RFC 4180, header row' } },
};

// ---- helpers -----------------------------------------------------------------------------

function wantsCsv(c: Context, format: string | undefined): boolean {
  return format === 'csv' || (format === undefined && (c.req.header('accept') ?? '').includes('text/csv'));
}

/** `<?query-with-next>; rel="next"`: a query-only reference, right whatever stage prefix the URL has. */
function linkHeader(c: Context, next: string | null): Record<string, string> {
  if (next === null) return {};
  const params = new URL(c.req.url).searchParams;
  params.set('next', next);
  return { link: `<?${params.toString()}>; rel="next"` };
}

function csvResponse(c: Context, body: string, next: string | null) {
  return c.body(body, 200, { 'content-type': 'text/csv; charset=utf-8', ...linkHeader(c, next) });
}

/** A day is complete once the centre's local time is past its end plus the grace (interfaces.md §5). */
export function isComplete(date: string, config: CenterConfig, now: Date): boolean {
  const grace = resolveParameters(config).completion_grace_minutes * 60_000;
  return now.getTime() >= localDayBounds(date, config.timezone).end + grace;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** `date`, or `from` and `to`: the inclusive range asked for, or a 400 saying what is wrong. */
function dateRange(q: { date?: string; from?: string; to?: string }): { from: string; to: string } {
  if (q.date && (q.from || q.to)) throw badRequest('give either date, or from and to — not both');
  if (q.date) return { from: q.date, to: q.date };
  if (q.from && q.to) {
    if (q.to < q.from) throw badRequest(`to (${q.to}) must not be before from (${q.from})`);
    if (daysBetween(q.from, q.to) > MAX_RANGE_DAYS)
      throw badRequest(`from/to may span at most ${MAX_RANGE_DAYS} days, both included`);
    return { from: q.from, to: q.to };
  }
  if (q.from || q.to) throw badRequest('from and to go together: give both (YYYY-MM-DD)');
  throw badRequest('date (YYYY-MM-DD), or from and to (YYYY-MM-DD), is required');
}

const METRIC_NAMES = new Set(METRICS.map((m) => m.name));

/** The `metric` filter as a set, or a 400 naming the metrics the catalog does not have. */
function metricFilter(metric: string | undefined): Set<string> | null {
  if (!metric) return null;
  const names = metric.split(',');
  const unknown = names.filter((n) => !METRIC_NAMES.has(n));
  if (unknown.length > 0)
    throw badRequest(
      `metric: unknown metric ${unknown.join(', ')} (the names are listed by /v1/definitions)`,
    );
  return new Set(names);
}

/** Byte-wise order (not locale order), so a cursor compares the way the list was sorted. */
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Runs `fn` over `items` with at most `concurrency` calls in flight, keeping the order. */
async function mapLimited<T, R>(items: readonly T[], concurrency: number, fn: (t: T) => Promise<R>) {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += concurrency)
    out.push(...(await Promise.all(items.slice(i, i + concurrency).map(fn))));
  return out;
}

/** CSV columns of KPI records: catalog metrics of the scope (all without one), in catalog order. */
function kpiColumns(scope: Scope | undefined, metrics: Set<string> | null, rows: KpiItem[]): string[] {
  const catalog = (scope ? metricsAtScope(scope) : METRICS).map((m) => m.name);
  const extra = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))].filter((n) => !catalog.includes(n));
  return [...catalog, ...extra.sort()].filter((n) => !metrics || metrics.has(n));
}

const EXCEPTION_CSV_COLUMNS = [
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
];

const FILE_CSV_COLUMNS = [
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
  'quarantine_key',
  'received_at',
  'processed_at',
];

const DEFINITION_CSV_COLUMNS = [
  'name',
  'title',
  'unit',
  'scopes',
  'better',
  'side',
  'volume',
  'denominator',
  'description',
];

// ---- the app -----------------------------------------------------------------------------

export function createApi(deps: ApiDeps) {
  const now = deps.now ?? (() => new Date());
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (result.success) return;
      const issue = result.error.issues[0];
      const param = String(issue?.path[0] ?? '');
      let message = issue?.message ?? 'invalid request';
      if (param && c.req.queries(param) && (c.req.queries(param)?.length ?? 0) > 1)
        message = `${param} must be given once`;
      else if (param && !message.includes(param)) message = `${param}: ${message}`;
      return c.json({ error: { code: 'bad_request' as const, message } }, 400);
    },
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'sigv4', {
    type: 'apiKey',
    name: 'Authorization',
    in: 'header',
    description:
      'In AWS: AWS Signature Version 4 (IAM) on every request, service name execute-api (e.g. awscurl --service execute-api). Local mode has no authentication.',
    'x-amazon-apigateway-authtype': 'awsSigv4',
  });

  app.use('*', async (c, next) => {
    const m = c.req.method;
    if (m !== 'GET' && m !== 'HEAD' && m !== 'OPTIONS') {
      return c.json(
        {
          error: {
            code: 'method_not_allowed' as const,
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
    if (err instanceof InvalidPageTokenError || err instanceof CursorMismatchError)
      return c.json({ error: { code: 'bad_request' as const, message: err.message } }, 400);
    if (isThrottling(err))
      return c.json(
        {
          error: {
            code: 'throttled' as const,
            message: `too many requests: the data store is throttling; retry after ${RETRY_AFTER_SECONDS} s`,
          },
        },
        429,
        { 'retry-after': String(RETRY_AFTER_SECONDS) },
      );
    // The API Gateway request id when there is one, so the response, the access log and the function log meet.
    const env = c.env as { requestContext?: { requestId?: string } } | undefined;
    const correlation = env?.requestContext?.requestId ?? randomUUID();
    deps.log?.('api error', {
      correlation_id: correlation,
      method: c.req.method,
      path: c.req.path,
      error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
    });
    return c.json(
      { error: { code: 'internal_error' as const, message: 'internal error', correlation_id: correlation } },
      500,
    );
  });

  app.notFound((c) =>
    c.json({ error: { code: 'not_found' as const, message: `no such path: ${c.req.path}` } }, 404),
  );

  /**
   * The centre's configuration, or 404 when nothing is known of it: no configuration, no
   * ingested object and no day with data. Point reads only, whatever the number of centres.
   */
  async function knownCenter(center: string) {
    const stored = await deps.centers.getConfig(center);
    if (!stored) {
      const [files, days] = await Promise.all([
        deps.ledger.list(center, { limit: 1 }),
        deps.centers.listDays(center),
      ]);
      if (center === UNROUTED_CENTER || (files.items.length === 0 && days.length === 0))
        throw new ApiError(404, 'unknown_center', `unknown centre: ${center}`);
    }
    return { config: stored?.config ?? defaultCenterConfig(), stored };
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/centers',
      operationId: 'listCenters',
      tags: ['centres'],
      summary: 'Centres with data',
      description: 'Sorted by centre id, with time zone and the latest complete day that has data.',
      request: { query: CentersQuery },
      responses: {
        200: {
          content: { 'application/json': { schema: CentersSchema }, ...csvContent },
          headers: LINK_HEADER,
          description: 'Centres with data',
        },
        ...commonErrors,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const limit = q.limit ?? DEFAULT_LIMIT;
      const listing = listingId(['centers']);
      const position = decodeCursor(q.next, listing);
      const after = position ? positionString(position, 'after') : '';
      const rest = (await deps.centers.listCenters())
        .filter((s) => s.center !== UNROUTED_CENTER && s.center > after)
        .sort((a, b) => byCodePoint(a.center, b.center));
      const page = rest.slice(0, limit);
      const last = page[page.length - 1];
      const next = rest.length > limit && last ? encodeCursor(listing, { after: last.center }) : null;
      const t = now();
      const items = await mapLimited(page, DAY_FETCH_CONCURRENCY, async (s) => {
        const config = (await deps.centers.getConfig(s.center))?.config ?? defaultCenterConfig();
        const dates = await deps.kpis.dates(s.center);
        return {
          center: s.center,
          timezone: config.timezone,
          latest_complete_day: dates.find((d) => isComplete(d, config, t)) ?? null,
          last_ingest_at: s.last_ingest_at,
        };
      });
      if (wantsCsv(c, q.format))
        return csvResponse(
          c,
          toCsv(['center', 'timezone', 'latest_complete_day', 'last_ingest_at'], items),
          next,
        );
      return c.json({ items, next }, 200, linkHeader(c, next));
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/centers/{center}/kpis',
      operationId: 'getKpis',
      tags: ['kpis'],
      summary: 'KPI records of one day, or per day of a range',
      description: `With \`date\`: one day (\`KpiDay\`). With \`from\` and \`to\` (at most ${MAX_RANGE_DAYS} days): the days of the range that have data (\`KpiRange\`), for trends. \`scope\` and \`id\` select the records, \`metric\` the metrics in them. \`limit\` counts KPI records (CSV rows).`,
      request: { params: CenterParam, query: KpiQuery },
      responses: {
        200: {
          content: {
            'application/json': { schema: KpiDaySchema.or(KpiRangeSchema) },
            'text/csv': {
              schema: {
                type: 'string' as const,
                description:
                  'date,complete,scope,id then one column per metric of the scope in catalog order; empty cell = null',
              },
            },
          },
          headers: LINK_HEADER,
          description: 'KPI records of one day (date) or per day of a range (from/to)',
        },
        ...centerErrors,
      },
    }),
    async (c) => {
      const { center } = c.req.valid('param');
      const q = c.req.valid('query');
      const { from, to } = dateRange(q);
      if (q.id !== undefined && !q.scope)
        throw badRequest('id needs scope (center, queue, team, agent or hour)');
      const metrics = metricFilter(q.metric);
      const { config } = await knownCenter(center);
      const limit = q.limit ?? DEFAULT_LIMIT;
      const listing = listingId(['kpis', center, from, to, q.scope ?? null, q.id ?? null]);
      const position = decodeCursor(q.next, listing);
      const startDate = position ? positionString(position, 'd') : from;
      let offset = position ? positionCount(position, 'o') : 0;
      if (startDate < from || startDate > to) throw new InvalidPageTokenError();

      const dates = q.date
        ? [q.date]
        : (await deps.kpis.dates(center, { from, to })).sort(byCodePoint).filter((d) => d >= startDate);
      const pick = (i: KpiItem): KpiItem =>
        metrics
          ? { ...i, metrics: Object.fromEntries(Object.entries(i.metrics).filter(([k]) => metrics.has(k))) }
          : i;
      const t = now();
      const days: Array<{
        center: string;
        date: string;
        timezone: string;
        complete: boolean;
        version: number;
        computed_at: string | null;
        items: KpiItem[];
      }> = [];
      let remaining = limit;
      let next: string | null = null;
      fill: for (let i = 0; i < dates.length; i += DAY_FETCH_CONCURRENCY) {
        const batch = await mapLimited(
          dates.slice(i, i + DAY_FETCH_CONCURRENCY),
          DAY_FETCH_CONCURRENCY,
          async (date) => {
            const header = await deps.kpis.getHeader(center, date);
            return {
              date,
              header,
              items: header ? await deps.kpis.getItems(center, date, q.scope, q.id) : [],
            };
          },
        );
        for (const [j, { date, header, items }] of batch.entries()) {
          if (!header && !q.date) continue;
          const taken = items.slice(offset, offset + remaining);
          days.push({
            center,
            date,
            timezone: config.timezone,
            complete: isComplete(date, config, t),
            version: header?.version ?? 0,
            computed_at: header?.computed_at ?? null,
            items: taken.map(pick),
          });
          remaining -= taken.length;
          if (offset + taken.length < items.length) {
            next = encodeCursor(listing, { d: date, o: offset + taken.length });
            break fill;
          }
          offset = 0;
          const following = dates[i + j + 1];
          if (remaining === 0) {
            next = following ? encodeCursor(listing, { d: following, o: 0 }) : null;
            break fill;
          }
        }
      }

      if (wantsCsv(c, q.format)) {
        const rows = days.flatMap((d) => d.items.map((i) => ({ date: d.date, complete: d.complete, ...i })));
        const columns = kpiColumns(q.scope, metrics, rows);
        return csvResponse(
          c,
          toCsv(
            ['date', 'complete', 'scope', 'id', ...columns],
            rows.map((r) => ({ date: r.date, complete: r.complete, scope: r.scope, id: r.id, ...r.metrics })),
          ),
          next,
        );
      }
      if (q.date) {
        const [day] = days;
        if (!day) throw new Error('a single-date KPI page has its day');
        return c.json({ ...day, next }, 200, linkHeader(c, next));
      }
      return c.json({ center, from, to, timezone: config.timezone, days, next }, 200, linkHeader(c, next));
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/centers/{center}/exceptions',
      operationId: 'listExceptions',
      tags: ['exceptions'],
      summary: 'Exceptions with their drill-down, for one day or a range',
      description:
        'Sorted by date, scope, id, metric. `scope`, `id` and `metric` filter the exceptions; a page is filled through the filters, but reads a bounded part of the range, so a page may hold fewer than `limit` items while `next` is not null: follow `next` until it is null. With `date` the response also names the evaluation the exceptions come from and the metrics that recovered.',
      request: { params: CenterParam, query: ExceptionsQuery },
      responses: {
        200: {
          content: {
            'application/json': { schema: ExceptionsSchema },
            'text/csv': {
              schema: { type: 'string' as const, description: EXCEPTION_CSV_COLUMNS.join(',') },
            },
          },
          headers: LINK_HEADER,
          description: 'Exceptions (exceptions.md §3)',
        },
        ...centerErrors,
      },
    }),
    async (c) => {
      const { center } = c.req.valid('param');
      const q = c.req.valid('query');
      const { from, to } = dateRange(q);
      if (q.id !== undefined && !q.scope) throw badRequest('id needs scope (center, queue or team)');
      const metrics = metricFilter(q.metric);
      await knownCenter(center);
      const limit = q.limit ?? DEFAULT_LIMIT;
      const listing = listingId([
        'exceptions',
        center,
        from,
        to,
        q.scope ?? null,
        q.id ?? null,
        q.metric ?? null,
      ]);
      const position = decodeCursor(q.next, listing);
      const matches = (e: { scope: string; id: string; metric: string }) =>
        (!q.scope || e.scope === q.scope) &&
        (q.id === undefined || e.id === q.id) &&
        (!metrics || metrics.has(e.metric));

      // Position = the store token a store page started from (null: the first) and how many of its
      // items were consumed. Store pages hold `limit` items, so a consumed count stays below 1,000
      // and re-reading a page from its token gives the same page.
      let start = position && position.s !== null ? positionString(position, 's') : undefined;
      let skip = position ? positionCount(position, 'k', MAX_LIMIT) : 0;
      const items: KpiException[] = [];
      let next: string | null = null;
      for (let pages = 1; ; pages++) {
        const resumeFrom = start;
        const page = await resumed(resumeFrom, () =>
          deps.exceptions.listExceptions(center, from, to, {
            limit: Math.max(limit, skip + 1),
            next: resumeFrom,
          }),
        );
        let i = skip;
        for (; i < page.items.length && items.length < limit; i++) {
          const e = page.items[i];
          if (e && matches(e)) items.push(e);
        }
        if (i < page.items.length) {
          next = encodeCursor(listing, { s: resumeFrom ?? null, k: i });
          break;
        }
        if (page.next === null) break;
        if (items.length === limit || pages >= MAX_EXCEPTION_STORE_PAGES) {
          next = encodeCursor(listing, { s: page.next, k: 0 });
          break;
        }
        start = page.next;
        skip = 0;
      }

      if (wantsCsv(c, q.format))
        return csvResponse(
          c,
          toCsv(EXCEPTION_CSV_COLUMNS, items as unknown as Array<Record<string, unknown>>),
          next,
        );
      if (!q.date) return c.json({ center, items, next }, 200, linkHeader(c, next));
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
                targets: day.targets as TargetsInForce,
                counts: day.counts,
              }
            : null,
          recovered: (day?.recovered ?? []).filter(matches),
          items,
          next,
        },
        200,
        linkHeader(c, next),
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/centers/{center}/files',
      operationId: 'listFiles',
      tags: ['ledger'],
      summary: 'The ingestion ledger',
      description:
        'Per object version: kind, format, status, row counts (rows_read = rows_accepted + rows_quarantined + rows_duplicate), days touched and reason. Without `date`: all objects, newest first; with `date`: the objects whose records touch that centre-day. The pseudo-centre `_unrouted` holds objects whose key names no centre.',
      request: { params: CenterParam, query: FilesQuery },
      responses: {
        200: {
          content: {
            'application/json': { schema: FilesSchema },
            'text/csv': { schema: { type: 'string' as const, description: FILE_CSV_COLUMNS.join(',') } },
          },
          headers: LINK_HEADER,
          description: 'Ledger entries',
        },
        ...centerErrors,
      },
    }),
    async (c) => {
      const { center } = c.req.valid('param');
      const q = c.req.valid('query');
      if (center !== UNROUTED_CENTER) await knownCenter(center);
      const listing = listingId(['files', center, q.date ?? null]);
      const position = decodeCursor(q.next, listing);
      const storeToken = position ? positionString(position, 's') : undefined;
      const page = await resumed(storeToken, () =>
        deps.ledger.list(center, { date: q.date, limit: q.limit ?? DEFAULT_LIMIT, next: storeToken }),
      );
      const items = page.items.map(({ center: _c, etag: _e, received_day: _r, ...rest }) => rest);
      const next = page.next === null ? null : encodeCursor(listing, { s: page.next });
      if (wantsCsv(c, q.format)) return csvResponse(c, toCsv(FILE_CSV_COLUMNS, items), next);
      return c.json({ center, items, next }, 200, linkHeader(c, next));
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/centers/{center}/config',
      operationId: 'getCenterConfig',
      tags: ['centres'],
      summary: 'The configuration, parameters and targets in force',
      request: { params: CenterParam, query: NoQuery },
      responses: {
        200: {
          content: { 'application/json': { schema: CenterConfigInForceSchema } },
          description:
            'The configuration, parameters and targets in force: the preset merged with the centre targets, the per-queue/team overrides and the min-volume guards',
        },
        ...centerErrors,
      },
    }),
    async (c) => {
      const { center } = c.req.valid('param');
      const { config, stored } = await knownCenter(center);
      const parameters = resolveParameters(config);
      return c.json(
        {
          center,
          source_key: stored?.source_key ?? null,
          updated_at: stored?.updated_at ?? null,
          config,
          parameters,
          // The domain types min_volume loosely; targetsInForce always fills the fixed shape.
          targets: targetsInForce(config, parameters) as TargetsInForce,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/definitions',
      operationId: 'listDefinitions',
      tags: ['catalog'],
      summary: 'The metric catalog',
      description:
        'Every metric: unit, scopes, which direction is good, its volume. A fixed list: not paginated.',
      request: { query: DefinitionsQuery },
      responses: {
        200: {
          content: { 'application/json': { schema: DefinitionsSchema }, ...csvContent },
          description: 'The metric catalog',
        },
        ...commonErrors,
      },
    }),
    (c) => {
      const items = METRICS.map((m) => ({ ...m, scopes: [...m.scopes] }));
      if (wantsCsv(c, c.req.valid('query').format))
        return csvResponse(
          c,
          toCsv(DEFINITION_CSV_COLUMNS, items as unknown as Array<Record<string, unknown>>),
          null,
        );
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/schemas/center-config.json',
      operationId: 'getCenterConfigSchema',
      tags: ['catalog'],
      summary: 'JSON Schema of config/centers/{center}.json',
      request: { query: NoQuery },
      responses: {
        200: {
          content: { 'application/json': { schema: JsonSchemaDocument } },
          description:
            'A JSON Schema (draft 2020-12) document, generated from the schema ingestion validates with',
        },
        ...commonErrors,
      },
    }),
    (c) => c.json(centerConfigJsonSchema() as Record<string, unknown>, 200),
  );

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Contact-centre KPI read API',
      version: '1.0.0',
      description: [
        'Read-only access to daily KPIs, exceptions and the ingestion ledger (interfaces.md §4).',
        'Rates are fractions, durations seconds, never rounded; null when undefined.',
        'GET and HEAD only (OPTIONS lists them); any other method is answered 405 with an Error body.',
        'Unknown query parameters are a 400 naming them. Lists take `limit` (default 100, at most 1000) and an opaque `next`; `Accept: text/csv` or `format=csv` returns the same rows as CSV.',
        'In AWS every route requires IAM (SigV4) authorisation and the stage is throttled (429); local mode has no authentication.',
      ].join('\n\n'),
    },
    security: [{ sigv4: [] }],
    tags: [
      { name: 'centres', description: 'Centres and their configuration' },
      { name: 'kpis', description: 'Daily KPI records at centre, queue, team, agent and hour scope' },
      { name: 'exceptions', description: 'Targets breached, with causes' },
      { name: 'ledger', description: 'What was ingested, with row counts and reasons' },
      { name: 'catalog', description: 'Metric definitions and the configuration schema' },
    ],
  });

  return app;
}
