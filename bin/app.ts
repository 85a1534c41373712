import { App, Validations } from 'aws-cdk-lib';
import { nagPacks } from '../lib/nag-packs.js';
import { ContactCentreKpiStack } from '../lib/stack.js';

const app = new App();
// Environment-agnostic: account and region come from the deploying credentials.
new ContactCentreKpiStack(app, 'ContactCentreKpiStack', {
  description: 'Contact-centre KPI pipeline: exports in S3 -> KPIs in DynamoDB -> read-only API',
});
// Any unacknowledged AwsSolutions or Serverless finding fails the synth.
Validations.of(app).addPlugins(...nagPacks(app));
