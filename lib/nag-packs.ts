import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * The cdk-nag rule packs the stack must pass: AwsSolutions, and Serverless for the Lambda,
 * SQS, EventBridge and API Gateway practices AwsSolutions does not check. `bin/app.ts`
 * registers them as validation plugins and `test/cdk/nag.test.ts` runs the same list, so the
 * test checks exactly what `cdk synth` enforces. Both read acknowledgements recorded with
 * `Validations.of(construct).acknowledge({ id, reason })` on a resource or one of its scopes.
 *
 * @param scope passed to each pack's constructor (as the plugins of an app); omit for a pack
 *   that is only run directly with `validateScope()`
 */
export function nagPacks(scope?: IConstruct): NagPack[] {
  return [new AwsSolutionsChecks(scope), new ServerlessChecks(scope)];
}
