export { runPipeline, type PipelineOptions, type PipelineResult } from './pipeline-run';
export { chaosLine, reconcile, type Reconciliation } from './ledger';
export { capacityBreaches } from './capacity';
export { chaosProblems, summaryLines } from './summary';
export { HARNESS_PORTS } from './infrastructure';
