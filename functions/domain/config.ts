/**
 * Centre configuration (interfaces.md §3), parameters (kpis.md §4) and target presets
 * (kpis.md §5). The zod schema is the single source: the published JSON Schema and the
 * OpenAPI document are generated from it.
 */
import { z } from 'zod';
import { isValidTimeZone } from './time.js';

export const TargetSchema = z
  .union([
    z.strictObject({ gte: z.number() }),
    z.strictObject({ lte: z.number() }),
    z
      .strictObject({ between: z.tuple([z.number(), z.number()]) })
      .refine((t) => t.between[0] <= t.between[1], {
        message: 'between: lower bound must not exceed upper bound',
      }),
  ])
  .meta({ description: 'A target: gte, lte or between (inclusive).' });
export type Target = z.infer<typeof TargetSchema>;

export const TargetsSchema = z.record(z.string().regex(/^[a-z0-9_]+$/), TargetSchema);
export type Targets = z.infer<typeof TargetsSchema>;

export const ParametersSchema = z.strictObject({
  short_abandon_seconds: z.number().nonnegative().optional(),
  service_level_seconds: z.number().nonnegative().optional(),
  ring_cycle_seconds: z.number().positive().optional(),
  fcr_window_seconds: z.number().nonnegative().optional(),
  qa_pass_score: z.number().min(0).max(100).optional(),
  completion_grace_minutes: z.number().nonnegative().optional(),
  report_settle_seconds: z.number().nonnegative().optional(),
  default_country_code: z
    .string()
    .regex(/^[1-9][0-9]{0,3}$/)
    .optional(),
  min_volume: z
    .strictObject({
      center: z.number().int().nonnegative().optional(),
      queue: z.number().int().nonnegative().optional(),
      team: z.number().int().nonnegative().optional(),
      agent: z.number().int().nonnegative().optional(),
      hour: z.number().int().nonnegative().optional(),
      /** Per-metric overrides. */
      metrics: z.record(z.string(), z.number().int().nonnegative()).optional(),
    })
    .optional(),
});

export const PRESET_NAMES = ['industry', 'recommended', 'gartner'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

const ScopeRefSchema = z.union([
  z.strictObject({ scope: z.literal('center') }),
  z.strictObject({ scope: z.enum(['queue', 'team']), id: z.string().min(1) }),
]);

export const CenterConfigSchema = z
  .strictObject({
    timezone: z
      .string()
      .refine(isValidTimeZone, { message: 'timezone must be an IANA time zone such as Asia/Shanghai' })
      .default('UTC'),
    preset: z.enum(PRESET_NAMES).default('recommended'),
    parameters: ParametersSchema.default({}),
    targets: TargetsSchema.default({}),
    overrides: z
      .array(
        z.strictObject({
          scope: z.enum(['queue', 'team']),
          id: z.string().min(1),
          targets: TargetsSchema,
        }),
      )
      .default([]),
    recipients: z
      .array(
        z.strictObject({
          email: z.email(),
          scopes: z.array(ScopeRefSchema).min(1),
          all_clear: z.boolean().optional(),
        }),
      )
      .default([]),
    complaint_codes: z.array(z.string()).default(['complaint']),
    success_codes: z.array(z.string()).default(['success', 'sale']),
  })
  .meta({ title: 'Centre configuration', description: 'config/centers/{center}.json (interfaces.md §3)' });

export type CenterConfig = z.output<typeof CenterConfigSchema>;

/** JSON Schema of the centre configuration document, generated from the zod schema. */
export function centerConfigJsonSchema(): object {
  return z.toJSONSchema(CenterConfigSchema, { io: 'input' });
}

/** The configuration a centre without a document uses. */
export function defaultCenterConfig(): CenterConfig {
  return CenterConfigSchema.parse({});
}

/** Resolved parameters with defaults (kpis.md §4). */
export interface Parameters {
  timezone: string;
  short_abandon_seconds: number;
  service_level_seconds: number;
  ring_cycle_seconds: number;
  fcr_window_seconds: number;
  qa_pass_score: number;
  completion_grace_minutes: number;
  report_settle_seconds: number;
  default_country_code: string | undefined;
  complaint_codes: string[];
  success_codes: string[];
  min_volume: {
    center: number;
    queue: number;
    team: number;
    agent: number;
    hour: number;
    metrics: Record<string, number>;
  };
}

export function resolveParameters(config: CenterConfig, opts: { localMode?: boolean } = {}): Parameters {
  const p = config.parameters;
  return {
    timezone: config.timezone,
    short_abandon_seconds: p.short_abandon_seconds ?? 5,
    // Choosing `gartner` also sets service_level_seconds to 15 (kpis.md §5), unless set explicitly.
    service_level_seconds: p.service_level_seconds ?? (config.preset === 'gartner' ? 15 : 20),
    ring_cycle_seconds: p.ring_cycle_seconds ?? 6,
    fcr_window_seconds: p.fcr_window_seconds ?? 7200,
    qa_pass_score: p.qa_pass_score ?? 80,
    completion_grace_minutes: p.completion_grace_minutes ?? 150,
    report_settle_seconds: p.report_settle_seconds ?? (opts.localMode ? 10 : 300),
    default_country_code: p.default_country_code,
    complaint_codes: config.complaint_codes,
    success_codes: config.success_codes,
    min_volume: {
      center: p.min_volume?.center ?? 30,
      queue: p.min_volume?.queue ?? 30,
      team: p.min_volume?.team ?? 30,
      agent: p.min_volume?.agent ?? 20,
      hour: p.min_volume?.hour ?? 30,
      metrics: p.min_volume?.metrics ?? {},
    },
  };
}

/** Target presets (kpis.md §5). */
export const PRESETS: Record<PresetName, Targets> = {
  industry: {
    answer_rate: { gte: 0.8 },
    outbound_connect_rate: { gte: 0.6 },
    service_level: { gte: 0.8 },
    aht_seconds: { between: [210, 330] },
    avg_rings: { lte: 3 },
    avg_queue_seconds: { lte: 20 },
    fcr_rate: { gte: 0.85 },
    occupancy: { gte: 0.9 },
    complaint_rate_per_1000: { lte: 5 },
  },
  recommended: {
    answer_rate: { gte: 0.85 },
    outbound_connect_rate: { gte: 0.65 },
    service_level: { gte: 0.95 },
    aht_seconds: { between: [60, 180] },
    avg_rings: { lte: 2 },
    avg_queue_seconds: { lte: 15 },
    fcr_rate: { gte: 0.85 },
    occupancy: { gte: 0.8 },
    qa_pass_rate: { gte: 0.99 },
    complaint_rate_per_1000: { lte: 3 },
    outbound_attempts_per_agent: { between: [150, 350] },
  },
  gartner: {
    service_level: { gte: 0.8 },
    avg_queue_seconds: { lte: 15 },
    abandon_rate: { lte: 0.02 },
    fcr_rate: { gte: 0.9 },
    occupancy: { gte: 0.8 },
  },
};
