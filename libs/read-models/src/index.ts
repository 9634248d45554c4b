export {
  clinicalUseProjection,
  dataAccessProjection,
  PROJECTIONS,
  registryProjection,
  type ReadDb,
  type RegistryTables,
} from './projections';
export {
  projectionConsumer,
  utc,
  type ProjectionConsumer,
  type ProjectionDefinition,
} from './projection/projection';
export { TableSuffixPlugin } from './projection/table-suffix-plugin';
export { timelineProjection } from './timeline/timeline-projection';
export type { TimelineTables } from './timeline/timeline-tables';
export { findTimeline, retentionEventsOf, type TimelineFilter } from './timeline/timeline-queries';
export type { DataAccessTables } from './data-access/data-access-tables';
export type { ClinicalUseTables } from './clinical-use/clinical-use-tables';
export {
  earliestOutput,
  findOutputs,
  outputCursorOf,
  windowColumns,
  type WindowReads,
  type OutputFilter,
  type OutputRow,
  type WindowOutputRow,
} from './clinical-use/clinical-use-queries';
export { computedPlans, computedSignals, lastComputedWindow } from './monitoring/monitoring-queries';
export {
  countDataAccess,
  findDataAccess,
  type AccessColumn,
  type AccessCondition,
  type DataAccessFilter,
  type DataAccessRow,
} from './data-access/data-access-queries';
export {
  findSystem,
  findSystems,
  systemCursor,
  systemDetails,
  type SystemFilter,
  type SystemRow,
} from './systems/systems-queries';
export { holdingsAt, type RoleHolding } from './accountability/accountability-queries';
export { liveVersionAt, systemLiveVersionAt } from './live-versions/live-versions-queries';
export { findModelVersion } from './model-versions/model-versions-queries';
export {
  complianceFindings,
  type ComplianceFinding,
  type CompliancePolicy,
  type FindingFilter,
} from './compliance/compliance-findings';
export {
  appliedThrough,
  decodeCursor,
  encodeCursor,
  parseJson,
  QueryInputError,
  type Page,
  type PageResult,
} from './pages';
export { rebuildProjection, type RebuildProgress, type RebuildResult } from './rebuild';
