/**
 * Request and response schemas of the read API. The handlers validate with these and
 * GET /openapi.json is generated from them, so the document cannot drift from the code.
 */
import { z } from '@hono/zod-openapi';
import { isValidDate } from '../domain/time.js';
import { CENTER_ID_PATTERN } from '../shared/definitions.js';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'bad_request' }),
      message: z.string().openapi({ example: 'date must be a calendar date YYYY-MM-DD' }),
      correlation_id: z.string().optional(),
    }),
  })
  .openapi('Error');

export const CenterParam = z.object({
  center: z
    .string()
    .regex(CENTER_ID_PATTERN, 'center must be 1–64 letters, digits, "_" or "-"')
    .openapi({ param: { name: 'center', in: 'path' }, example: 'demo' }),
});

const dateField = (name: string) =>
  z
    .string()
    .refine(isValidDate, `${name} must be a calendar date YYYY-MM-DD`)
    .openapi({ param: { name, in: 'query' }, example: '2026-11-22' });

export const SCOPE_VALUES = ['center', 'queue', 'team', 'agent', 'hour'] as const;

const limitField = z
  .string()
  .regex(/^\d+$/, 'limit must be a whole number from 1 to 1000')
  .transform(Number)
  .refine((n) => n >= 1 && n <= 1000, 'limit must be a whole number from 1 to 1000')
  .optional()
  .openapi({ param: { name: 'limit', in: 'query' }, example: '100' });

const formatField = z
  .enum(['json', 'csv'], { message: 'format must be json or csv' })
  .optional()
  .openapi({ param: { name: 'format', in: 'query' } });

const nextField = z
  .string()
  .optional()
  .openapi({ param: { name: 'next', in: 'query' } });

export const KpiQuery = z.object({
  date: dateField('date').optional(),
  from: dateField('from').optional(),
  to: dateField('to').optional(),
  scope: z
    .enum(SCOPE_VALUES, { message: 'scope must be one of center, queue, team, agent, hour' })
    .optional()
    .openapi({ param: { name: 'scope', in: 'query' } }),
  id: z
    .string()
    .min(1)
    .optional()
    .openapi({ param: { name: 'id', in: 'query' } }),
  metric: z
    .string()
    .regex(/^[a-z0-9_]+(,[a-z0-9_]+)*$/, 'metric must be metric names separated by commas')
    .optional()
    .openapi({ param: { name: 'metric', in: 'query' } }),
  limit: limitField,
  next: nextField,
  format: formatField,
});

export const FilesQuery = z.object({
  date: dateField('date').optional(),
  limit: limitField,
  next: nextField,
  format: formatField,
});

export const MetricsSchema = z.record(z.string(), z.number().nullable()).openapi('Metrics');

export const KpiItemSchema = z
  .object({ scope: z.enum(SCOPE_VALUES), id: z.string(), metrics: MetricsSchema })
  .openapi('KpiItem');

export const KpiDaySchema = z
  .object({
    center: z.string(),
    date: z.string(),
    timezone: z.string(),
    complete: z.boolean(),
    version: z.number().int(),
    computed_at: z.string(),
    items: z.array(KpiItemSchema),
    next: z.string().nullable(),
  })
  .openapi('KpiDay');

export const KpiRangeSchema = z
  .object({
    center: z.string(),
    from: z.string(),
    to: z.string(),
    timezone: z.string(),
    days: z.array(KpiDaySchema.omit({ next: true })),
    next: z.string().nullable(),
  })
  .openapi('KpiRange');

export const CenterSchema = z
  .object({
    center: z.string(),
    timezone: z.string(),
    latest_complete_day: z.string().nullable(),
    last_ingest_at: z.string().nullable(),
  })
  .openapi('Center');

export const LedgerEntrySchema = z
  .object({
    key: z.string(),
    version: z.string(),
    kind: z.string().nullable(),
    format: z.string().nullable(),
    encoding: z.string().nullable(),
    status: z.enum(['processing', 'processed', 'rejected', 'superseded']),
    rows_read: z.number().int(),
    rows_accepted: z.number().int(),
    rows_quarantined: z.number().int(),
    rows_duplicate: z.number().int(),
    days: z.array(z.string()),
    reason: z.string(),
    quarantine_key: z.string().nullable(),
    quarantine_reasons: z.record(z.string(), z.number()),
    received_at: z.string(),
    processed_at: z.string().nullable(),
    size: z.number(),
  })
  .openapi('LedgerEntry');

export const FilesSchema = z
  .object({ center: z.string(), items: z.array(LedgerEntrySchema), next: z.string().nullable() })
  .openapi('Files');

export const DefinitionSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    unit: z.string(),
    scopes: z.array(z.string()),
    better: z.string(),
    title: z.string(),
    side: z.string(),
    volume: z.string(),
    denominator: z.string().optional(),
  })
  .openapi('MetricDefinition');

export const ExceptionsQuery = z.object({
  date: dateField('date').optional(),
  from: dateField('from').optional(),
  to: dateField('to').optional(),
  scope: z
    .enum(['center', 'queue', 'team'], { message: 'scope must be one of center, queue, team' })
    .optional()
    .openapi({ param: { name: 'scope', in: 'query' } }),
  id: z
    .string()
    .min(1)
    .optional()
    .openapi({ param: { name: 'id', in: 'query' } }),
  metric: z
    .string()
    .regex(/^[a-z0-9_]+(,[a-z0-9_]+)*$/, 'metric must be metric names separated by commas')
    .optional()
    .openapi({ param: { name: 'metric', in: 'query' } }),
  limit: limitField,
  next: nextField,
  format: formatField,
});

const TargetSchema = z
  .union([
    z.object({ gte: z.number() }),
    z.object({ lte: z.number() }),
    z.object({ between: z.tuple([z.number(), z.number()]) }),
  ])
  .openapi('Target');

export const ContributionSchema = z
  .object({
    id: z.string(),
    value: z.number().nullable(),
    volume: z.number(),
    volume_share: z.number(),
    contribution: z.number(),
    share_of_gap: z.number(),
  })
  .openapi('Contribution');

export const CauseSchema = z
  .object({
    kind: z.enum([
      'data_quality',
      'segment',
      'driver',
      'hours',
      'staffing',
      'agent',
      'double_loop',
      'repeat_contacts',
    ]),
  })
  .catchall(z.unknown())
  .openapi('Cause', { description: 'One cause; the fields depend on kind (see exceptions.md §3)' });

export const ExceptionSchema = z
  .object({
    date: z.string(),
    center: z.string(),
    metric: z.string(),
    scope: z.enum(['center', 'queue', 'team']),
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
    contributions: z.record(z.string(), z.array(ContributionSchema)),
    causes: z.array(CauseSchema),
    summary: z.string(),
    targets_version: z.string(),
  })
  .openapi('Exception');

export const RecoveredSchema = z
  .object({
    metric: z.string(),
    scope: z.enum(['center', 'queue', 'team']),
    id: z.string(),
    actual: z.number(),
    target: TargetSchema,
    previous_streak: z.number().int(),
  })
  .openapi('Recovered');

export const ExceptionsSchema = z
  .object({
    center: z.string(),
    /** For a single date: the evaluation it comes from, or null when the day is not evaluated yet. */
    evaluation: z
      .object({
        date: z.string(),
        kpi_version: z.number().int(),
        evaluated_at: z.string(),
        targets_version: z.string(),
        targets: z.record(z.string(), z.unknown()),
        counts: z.record(z.string(), z.record(z.string(), z.number())),
      })
      .nullable()
      .optional(),
    recovered: z.array(RecoveredSchema).optional(),
    items: z.array(ExceptionSchema),
    next: z.string().nullable(),
  })
  .openapi('Exceptions');
