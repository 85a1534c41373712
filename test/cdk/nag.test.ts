import { type PolicyViolation, Validations } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { nagPacks } from '../../lib/nag-packs.js';
import { kpiApp } from './kpi-app.js';

/** One acknowledgement as recorded by `Validations.of(scope).acknowledge()`. */
interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: unknown;
}

function findings(violations: PolicyViolation[]): { rule: string; path: string }[] {
  return violations.flatMap((v) =>
    v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '?' })),
  );
}

/** A finding id of one of the packs: `AwsSolutions-IAM5[…]`, `Serverless-LambdaDLQ`, … */
const FINDING_ID = /^(AwsSolutions-[A-Z]+\d+|Serverless-[A-Z][A-Za-z0-9]*)(\[.+\])?$/;

// As bin/app.ts: every pack runs as a validation plugin during synthesis.
const { app } = kpiApp();
Validations.of(app).addPlugins(...nagPacks(app));
const packNames = nagPacks().map((p) => p.readPackName);

const acknowledgements: Acknowledgement[] = app.node.findAll().flatMap((c) =>
  c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) =>
      Object.entries(m.data as Record<string, unknown>).map(([id, reason]) => ({
        path: c.node.path,
        // Recorded as `Annotation::<rule id>`.
        id: id.replace(/^Annotation::/i, ''),
        reason,
      })),
    ),
);

/** Every finding of every pack, acknowledged or not. */
function rawFindings(): { rule: string; path: string }[] {
  // cdk-nag 3 has no public switch for this, so the check that reads acknowledgements is
  // replaced on each (fresh) pack instance.
  return nagPacks().flatMap((pack) => {
    Object.defineProperty(pack, 'isAcknowledged', { value: () => false });
    return findings(pack.validateScope(app).violations);
  });
}

describe('cdk-nag checks', () => {
  it('runs the AwsSolutions and the Serverless packs', () => {
    expect(packNames).toEqual(['AwsSolutions', 'Serverless']);
  });

  it('synthesizes with no unacknowledged finding', () => {
    // A plugin fails the synthesis (an exception under test) on any finding, error or warning.
    expect(() => app.synth()).not.toThrow();
  });

  it.each(nagPacks().map((pack) => [pack.readPackName, pack] as const))(
    'leaves no unacknowledged %s finding',
    (_name, pack) => {
      expect(findings(pack.validateScope(app).violations)).toEqual([]);
    },
  );

  it('acknowledges only exact finding ids of the packs, each with a reason', () => {
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const ack of acknowledgements) {
      expect(ack.id).toMatch(FINDING_ID);
      expect(
        typeof ack.reason === 'string' ? ack.reason.trim().length : 0,
        `${ack.path}: ${ack.id}`,
      ).toBeGreaterThan(40);
    }
    for (const name of packNames) {
      expect(
        acknowledgements.some((a) => a.id.startsWith(`${name}-`)),
        name,
      ).toBe(true);
    }
  });

  it('has no acknowledgement left over from a finding that no longer occurs', () => {
    const raw = rawFindings();
    const stale = acknowledgements.filter(
      (ack) =>
        !raw.some((f) => f.rule === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`))),
    );
    expect(stale).toEqual([]);
  });
});
