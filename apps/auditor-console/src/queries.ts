/*
 * The GraphQL documents the console sends (queries.graphql) and the shapes its views read back, all
 * generated from schema/graphql by `npm run codegen`: a change to the schema that the console's
 * documents or views no longer fit fails the console's typecheck.
 */
import type {
  AsOfQuery,
  DataAccessQuery,
  ExportMutation,
  FindingsQuery,
  MetricFieldsFragment,
  PerformanceQuery,
  SystemQuery,
  SystemsQuery,
  TimelineQuery,
} from './gql/graphql';

export {
  AsOfDocument,
  DataAccessCsvDocument,
  DataAccessDocument,
  ExportDocument,
  FindingsDocument,
  PerformanceDocument,
  SystemDocument,
  SystemsDocument,
  TimelineDocument,
  type DataAccessFilter,
} from './gql/graphql';
export {
  ACCOUNTABILITY_ROLES,
  COMPLIANCE_RULES,
  DATA_ACCESS_OUTCOMES,
  type ComplianceRule,
} from './gql/enums';

export type SystemsPage = SystemsQuery['aiSystems'];
export type SystemSummary = SystemsPage['edges'][number]['node'];
export type SystemDetail = NonNullable<SystemQuery['aiSystem']>;
export type Validation = SystemDetail['versions'][number]['validations'][number];
export type Metric = MetricFieldsFragment;
export type Accountability = AsOfQuery['accountability'];
export type RoleHolding = Accountability['holdings'][number];
export type TimelinePage = TimelineQuery['timeline'];
export type LedgerEvent = TimelinePage['edges'][number]['node'];
export type DataAccessPage = DataAccessQuery['dataAccess'];
export type Finding = FindingsQuery['complianceFindings'][number];
export type EvidenceExport = ExportMutation['exportEvidenceBundle'];
export type PerformanceSeries = NonNullable<PerformanceQuery['aiSystem']>['performance'][number];
