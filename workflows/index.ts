// Every workflow the worker registers (bundleWorkflowCode({ workflowsPath: require.resolve('./workflows') })).
export { campaignWorkflow } from './campaign';
export { inspectionBatchWorkflow } from './batch';
export { inspectionWorkflow } from './inspection';
export { annualPlanWorkflow } from './annual-plan';
