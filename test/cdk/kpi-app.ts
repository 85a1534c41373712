import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { ContactCentreKpiStack } from '../../lib/stack.js';

/** The feature flags of cdk.json, so the tests synthesize what `cdk synth` synthesizes. */
const cdkJsonContext = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/**
 * An app holding the stack as `bin/app.ts` builds it. Bundling is skipped (no stack selected
 * for bundling): the templates are the same apart from asset hashes, and esbuild runs in
 * `cdk synth` instead of in every test.
 */
export function kpiApp(): { app: App; stack: ContactCentreKpiStack } {
  const app = new App({ context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new ContactCentreKpiStack(app, 'ContactCentreKpiStack');
  return { app, stack };
}
