import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ContactCentreKpiStack } from '../lib/stack.js';

const app = new App();
// Environment-agnostic: account and region come from the deploying credentials.
new ContactCentreKpiStack(app, 'ContactCentreKpiStack', {
  description: 'Contact-centre KPI pipeline: exports in S3 -> KPIs in DynamoDB -> read-only API',
});
// Any unacknowledged AwsSolutions finding fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
