/**
 * Request and response schemas of the read API. The handlers validate with these and
 * GET /openapi.json is generated from them, so the document cannot drift from the code.
 * Response objects are strict (`additionalProperties: false` in the document): a field the
 * handlers add without describing it here fails the conformance tests.
 */
import { z } from '@hono/zod-openapi';
import { CenterConfigSchema } from '../domain/config.js';
import { DATE_PATTERN, isValidDate } from '../domain/time.js';
import { CENTER_ID_PATTERN } from '../shared/definitions.js';
import { DEFAULT_LIMIT, MAX_LIMIT, MAX_RANGE_DAYS } from './limits.js';

export const SCOPE_VALUES = ['center', 'queue', 'team', 'agent', 'hour'] as const;
export const EXCEPTION_SCOPES = ['center', 'queue', 'team'] as const;

export const ErrorSchema = z
  .strictObject({
    error: z.strictObject({
      code: z
        .enum([
          'bad_request',
          'forbidden',
          'not_found',
          'unknown_center',
          'method_not_allowed',
          'throttled',
          'internal_error',
        ])
        .openapi({ example: 'bad_request' }),
      message: z.string().openapi({ example: 'date must be a calendar date YYYY-MM-DD' }),
      correlation_id: z
        .string()
        .optional()
        .openapi({ description: 'Only on 500: quote it to the operators; the logs hold the details.' }),
    }),
  })
  .openapi('Error', {
    description:
      'Every error. 400 names the bad parameter and the form it expects; no error carries a stack trace.',
  });

export const CenterParam = z.strictObject({
  center: z
    .string()
    .regex(CENTER_ID_PATTERN, 'center must be 1–64 letters, digits, "_" or "-"')
    .openapi({
      param: { name: 'center', in: 'path', description: 'Centre id, as in the export keys' },
      example: 'demo',
    }),
});

// ---- query parameters ------------------------------------------------------------------

const dateField = (name: string, description: string) => {
  const message = `${name} must be a calendar date YYYY-MM-DD`;
  return z
    .string()
    .regex(DATE_PATTERN, message)
    .refine(isValidDate, message)
    .optional()
    .openapi({ param: { name, in: 'query', description }, format: 'date', example: '2026-11-22' });
};

const LIMIT_MESSAGE = `limit must be a whole number from 1 to ${MAX_LIMIT}`;
const limitField = z
  .string()
  .regex(/^\d{1,9}$/, LIMIT_MESSAGE)
  .transform(Number)
  .refine((n) => n >= 1 && n <= MAX_LIMIT, LIMIT_MESSAGE)
  .optional()
  .openapi({
    param: {
      name: 'limit',
      in: 'query',
      description: `Most items per page (JSON and CSV alike); default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT}`,
    },
    type: 'integer',
    minimum: 1,
    maximum: MAX_LIMIT,
    default: DEFAULT_LIMIT,
  });

const nextField = z
  .string()
  .min(1, 'next must be a token returned by a previous page of this listing')
  .optional()
  .openapi({
    param: {
      name: 'next',
      in: 'query',
      description:
        'Opaque token from the `next` field (JSON) or the `Link: rel="next"` header (CSV) of the previous page; send it with the same other parameters',
    },
  });

const formatField = z
  .enum(['json', 'csv'], { message: 'format must be json or csv' })
  .optional()
  .openapi({
    param: {
      name: 'format',
      in: 'query',
      description: 'csv: the same rows as CSV (as does `Accept: text/csv`); takes precedence over Accept',
    },
  });

const metricField = z
  .string()
  .regex(
    /^[a-z0-9_]+(,[a-z0-9_]+)*$/,
    'metric must be metric names separated by commas, e.g. aht_seconds,fcr_rate',
  )
  .optional()
  .openapi({
    param: { name: 'metric', in: 'query', description: 'Only these metrics (names from /v1/definitions)' },
    example: 'aht_seconds,service_level',
  });

const idField = z
  .string()
  .min(1, 'id must not be empty')
  .optional()
  .openapi({
    param: { name: 'id', in: 'query', description: 'Queue, team, agent id or local hour (HH); needs scope' },
  });

/**
 * A query object that refuses parameters it does not know, so a typo (`scop=team`) is a 400
 * naming it instead of a silently unfiltered answer.
 */
function strictQuery<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape).join(', ') || 'none';
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown query parameter ${issue.keys.join(', ')}: this endpoint takes ${known}`
        : undefined,
  });
}

export const CentersQuery = strictQuery({ limit: limitField, next: nextField, format: formatField });

/** One day, or a range of days: the KPI and exception listings take either. */
const dayOrRange = {
  date: dateField('date', 'One day (or give from and to)'),
  from: dateField('from', 'First day of a range, inclusive'),
  to: dateField('to', `Last day of a range, inclusive; at most ${MAX_RANGE_DAYS} days after from`),
};

export const KpiQuery = strictQuery({
  ...dayOrRange,
  scope: z
    .enum(SCOPE_VALUES, { message: 'scope must be one of center, queue, team, agent, hour' })
    .optional()
    .openapi({ param: { name: 'scope', in: 'query', description: 'Only KPI records of this scope' } }),
  id: idField,
  metric: metricField,
  limit: limitField,
  next: nextField,
  format: formatField,
});

export const ExceptionsQuery = strictQuery({
  ...dayOrRange,
  scope: z
    .enum(EXCEPTION_SCOPES, { message: 'scope must be one of center, queue, team' })
    .optional()
    .openapi({ param: { name: 'scope', in: 'query', description: 'Only exceptions at this scope' } }),
  id: idField,
  metric: metricField,
  limit: limitField,
  next: nextField,
  format: formatField,
});

export const FilesQuery = strictQuery({
  date: dateField('date', 'Only the objects whose records touch this centre-day'),
  limit: limitField,
  next: nextField,
  format: formatField,
});

export const DefinitionsQuery = strictQuery({ format: formatField });
export const NoQuery = strictQuery({});

// ---- responses -------------------------------------------------------------------------

const nextToken = z
  .string()
  .nullable()
  .openapi({ description: 'Token for the next page (send it back as `next=`); null on the last page' });

export const CenterSchema = z
  .strictObject({
    center: z.string(),
    timezone: z.string().openapi({ example: 'Asia/Shanghai' }),
    latest_complete_day: z
      .string()
      .nullable()
      .openapi({ description: 'The latest complete day (centre time) that has data', format: 'date' }),
    last_ingest_at: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('Center');

export const CentersSchema = z
  .strictObject({ items: z.array(CenterSchema), next: nextToken })
  .openapi('Centers');

export const MetricsSchema = z.record(z.string(), z.number().nullable()).openapi('Metrics', {
  description:
    'Metric name → value: rates as fractions, durations in seconds, never rounded; null when undefined (e.g. no denominator)',
});

export const KpiItemSchema = z
  .strictObject({ scope: z.enum(SCOPE_VALUES), id: z.string(), metrics: MetricsSchema })
  .openapi('KpiItem');

const kpiDayFields = {
  center: z.string(),
  date: z.string().openapi({ format: 'date' }),
  timezone: z.string(),
  complete: z.boolean().openapi({
    description: 'Whether the centre-day is over (local day end plus completion_grace_minutes)',
  }),
  version: z
    .number()
    .int()
    .openapi({ description: 'Bumped whenever the day is restated; 0 when the day has no data' }),
  computed_at: z.string().nullable().openapi({ format: 'date-time', description: 'null when no data' }),
  items: z.array(KpiItemSchema),
};

export const KpiDaySchema = z.strictObject({ ...kpiDayFields, next: nextToken }).openapi('KpiDay');

export const KpiRangeDaySchema = z.strictObject(kpiDayFields).openapi('KpiRangeDay');

export const KpiRangeSchema = z
  .strictObject({
    center: z.string(),
    from: z.string().openapi({ format: 'date' }),
    to: z.string().openapi({ format: 'date' }),
    timezone: z.string(),
    days: z.array(KpiRangeDaySchema).openapi({
      description:
        'Days that have data, ascending. A page ends after `limit` KPI records, so a day cut at a page end continues (same date) on the next page.',
    }),
    next: nextToken,
  })
  .openapi('KpiRange');

export const LedgerEntrySchema = z
  .strictObject({
    key: z.string(),
    version: z.string(),
    kind: z.enum(['cdr', 'survey', 'qa', 'roster', 'agent-states', 'config']).nullable(),
    format: z.string().nullable(),
    encoding: z.string().nullable(),
    status: z.enum(['processing', 'processed', 'rejected', 'superseded']),
    rows_read: z.number().int(),
    rows_accepted: z.number().int(),
    rows_quarantined: z.number().int(),
    rows_duplicate: z.number().int(),
    days: z.array(z.string().openapi({ format: 'date' })),
    reason: z.string(),
    quarantine_key: z.string().nullable(),
    quarantine_reasons: z.record(z.string(), z.number()),
    received_at: z.string().openapi({ format: 'date-time' }),
    processed_at: z.string().nullable().openapi({ format: 'date-time' }),
    size: z.number(),
  })
  .openapi('LedgerEntry', {
    description: 'One object version: rows_read = rows_accepted + rows_quarantined + rows_duplicate',
  });

export const FilesSchema = z
  .strictObject({ center: z.string(), items: z.array(LedgerEntrySchema), next: nextToken })
  .openapi('Files');

export const DefinitionSchema = z
  .strictObject({
    name: z.string(),
    title: z.string(),
    description: z.string(),
    unit: z.enum(['count', 'fraction', 'seconds', 'rings', 'per_1000', 'score', 'agents', 'per_agent']),
    scopes: z.array(z.enum(SCOPE_VALUES)),
    better: z.enum(['higher', 'lower', 'range', 'none']),
    side: z.enum(['queue', 'agent', 'outbound', 'quality']),
    volume: z.string(),
    denominator: z.string().optional(),
  })
  .openapi('MetricDefinition');

export const DefinitionsSchema = z.strictObject({ items: z.array(DefinitionSchema) }).openapi('Definitions');

const TargetSchema = z
  .union([
    z.strictObject({ gte: z.number() }),
    z.strictObject({ lte: z.number() }),
    z.strictObject({ between: z.array(z.number()).length(2).openapi({ description: '[lower, upper]' }) }),
  ])
  .openapi('Target', { description: 'gte, lte or between (inclusive)' });

const MinVolumeSchema = z.strictObject({
  center: z.number(),
  queue: z.number(),
  team: z.number(),
  agent: z.number(),
  hour: z.number(),
  metrics: z.record(z.string(), z.number()),
});

export const TargetsInForceSchema = z
  .strictObject({
    preset: z.string(),
    center: z.record(z.string(), TargetSchema),
    overrides: z.array(
      z.strictObject({
        scope: z.enum(['queue', 'team']),
        id: z.string(),
        targets: z.record(z.string(), TargetSchema),
      }),
    ),
    min_volume: MinVolumeSchema,
  })
  .openapi('TargetsInForce', {
    description:
      'The preset merged with the centre targets, the per-queue/team overrides and the min-volume guards',
  });

export const ParametersSchema = z
  .strictObject({
    timezone: z.string(),
    short_abandon_seconds: z.number(),
    service_level_seconds: z.number(),
    ring_cycle_seconds: z.number(),
    fcr_window_seconds: z.number(),
    qa_pass_score: z.number(),
    completion_grace_minutes: z.number(),
    report_settle_seconds: z.number(),
    default_country_code: z.string().optional(),
    complaint_codes: z.array(z.string()),
    success_codes: z.array(z.string()),
    min_volume: MinVolumeSchema,
  })
  .openapi('Parameters', { description: 'Parameters in force, defaults filled in (kpis.md §4)' });

export const CenterConfigInForceSchema = z
  .strictObject({
    center: z.string(),
    source_key: z
      .string()
      .nullable()
      .openapi({ description: 'Export key of the document in force; null when the defaults apply' }),
    updated_at: z.string().nullable().openapi({ format: 'date-time' }),
    config: CenterConfigSchema,
    parameters: ParametersSchema,
    targets: TargetsInForceSchema,
  })
  .openapi('CenterConfigInForce');

export const JsonSchemaDocument = z.record(z.string(), z.unknown()).openapi('JsonSchemaDocument', {
  description:
    'A JSON Schema (draft 2020-12) document: validate config/centers/{center}.json against it before uploading',
});

export const ContributionSchema = z
  .strictObject({
    id: z.string(),
    value: z.number().nullable(),
    volume: z.number(),
    volume_share: z.number(),
    contribution: z.number(),
    share_of_gap: z.number(),
  })
  .openapi('Contribution', { description: 'One child of a split: volume_share × (value − bound)' });

const DIMENSIONS = ['queue', 'team', 'agent', 'hour'] as const;
const EVALUATION_STATUSES = ['not_applicable', 'insufficient_data', 'met', 'breached'] as const;

export const CauseSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('data_quality'),
      findings: z.array(z.string()),
      rejected_objects: z.array(z.strictObject({ key: z.string(), reason: z.string() })),
      quarantine_heavy_objects: z.array(
        z.strictObject({ key: z.string(), rows_read: z.number(), rows_quarantined: z.number() }),
      ),
      missing_hours: z.array(z.strictObject({ id: z.string(), baseline_offered: z.number() })),
    }),
    z.strictObject({
      kind: z.literal('segment'),
      dimension: z.enum(DIMENSIONS),
      id: z.string(),
      value: z.number().nullable(),
      volume_share: z.number(),
      status: z.enum(EVALUATION_STATUSES),
      share_of_gap: z.number(),
    }),
    z.strictObject({
      kind: z.literal('driver'),
      name: z.string(),
      actual: z.number().nullable(),
      baseline: z.number(),
      change: z.number().nullable(),
      basis: z.enum(['same_weekday', 'previous_7_days']).optional(),
    }),
    z.strictObject({
      kind: z.literal('hours'),
      hours: z.array(
        z.strictObject({
          id: z.string(),
          value: z.number().nullable(),
          volume: z.number(),
          share_of_gap: z.number(),
        }),
      ),
    }),
    z.strictObject({
      kind: z.literal('staffing'),
      hour: z.string(),
      offered: z.number(),
      aht_seconds: z.number(),
      agents_needed: z.number().nullable(),
      agents_staffed: z.number(),
    }),
    z.strictObject({
      kind: z.literal('agent'),
      id: z.string(),
      value: z.number(),
      volume: z.number(),
      distance: z.number(),
    }),
    z.strictObject({
      kind: z.literal('double_loop'),
      csat_p25: z.number(),
      agents: z.array(
        z.strictObject({
          id: z.string(),
          qa_pass_rate: z.number(),
          qa_evaluations: z.number(),
          csat_avg: z.number(),
          csat_responses: z.number(),
        }),
      ),
    }),
    z.strictObject({
      kind: z.literal('repeat_contacts'),
      dimension: z.enum(['queue', 'agent']),
      items: z.array(
        z.strictObject({
          id: z.string(),
          repeated: z.number(),
          fcr_eligible: z.number(),
          fcr_rate: z.number().nullable(),
        }),
      ),
    }),
  ])
  .openapi('Cause', {
    description: 'One cause of an exception; the fields depend on kind (exceptions.md §3)',
  });

export const ExceptionSchema = z
  .strictObject({
    date: z.string().openapi({ format: 'date' }),
    center: z.string(),
    metric: z.string(),
    scope: z.enum(EXCEPTION_SCOPES),
    id: z.string(),
    actual: z.number(),
    target: TargetSchema,
    bound: z.number(),
    status: z.literal('breached'),
    severity: z.enum(['minor', 'major', 'critical']),
    state: z.enum(['new', 'continuing']),
    streak: z.number().int(),
    volume: z.number(),
    suspect_data: z.boolean(),
    verdict: z.enum(['systemic', 'concentrated', 'mixed']).nullable(),
    contributions: z.strictObject(
      Object.fromEntries(DIMENSIONS.map((d) => [d, z.array(ContributionSchema).optional()])) as Record<
        (typeof DIMENSIONS)[number],
        z.ZodOptional<z.ZodArray<typeof ContributionSchema>>
      >,
    ),
    causes: z.array(CauseSchema),
    summary: z.string(),
    targets_version: z.string(),
  })
  .openapi('Exception');

export const RecoveredSchema = z
  .strictObject({
    metric: z.string(),
    scope: z.enum(EXCEPTION_SCOPES),
    id: z.string(),
    actual: z.number(),
    target: TargetSchema,
    previous_streak: z.number().int(),
  })
  .openapi('Recovered');

const EvaluatedScopes = ['center', 'queue', 'team', 'agent'] as const;

export const EvaluationSchema = z
  .strictObject({
    date: z.string().openapi({ format: 'date' }),
    kpi_version: z.number().int(),
    evaluated_at: z.string().openapi({ format: 'date-time' }),
    targets_version: z.string(),
    targets: TargetsInForceSchema,
    counts: z
      .record(z.enum(EvaluatedScopes), z.record(z.enum(EVALUATION_STATUSES), z.number()))
      .openapi({ description: 'Evaluations by status at each scope' }),
  })
  .openapi('Evaluation');

export const ExceptionsSchema = z
  .strictObject({
    center: z.string(),
    evaluation: EvaluationSchema.nullable().optional().openapi({
      description: 'With date: the evaluation the exceptions come from; null when not evaluated yet',
    }),
    recovered: z.array(RecoveredSchema).optional().openapi({
      description: 'With date: metrics that breached the day before and met their target on this day',
    }),
    items: z.array(ExceptionSchema),
    next: nextToken,
  })
  .openapi('Exceptions');
