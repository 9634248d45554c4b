export {
  decodeCursor,
  encodeCursor,
  parseJson,
  QueryInputError,
  type Page,
  type PageResult,
  type ReadDb,
} from './read-db';
export {
  findSystem,
  findSystems,
  findModelVersion,
  holdingsAt,
  liveVersionAt,
  systemCursor,
  systemDetails,
  type RoleHolding,
  type SystemFilter,
  type SystemRow,
} from './registry-queries';
export {
  findDataAccess,
  findTimeline,
  type DataAccessFilter,
  type DataAccessRow,
  type TimelineFilter,
} from './activity-queries';
export {
  complianceFindings,
  durationMs,
  type ComplianceFinding,
  type CompliancePolicy,
  type FindingFilter,
} from './compliance-findings';
