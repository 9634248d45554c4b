import type { Kysely } from 'kysely';
import { accessPoliciesReadModel } from './access-policies/access-policies-read-model';
import type { AccessPoliciesTables } from './access-policies/access-policies-tables';
import { accountabilityReadModel } from './accountability/accountability-read-model';
import type { AccountabilityTables } from './accountability/accountability-tables';
import { auditsReadModel } from './audits/audits-read-model';
import type { AuditsTables } from './audits/audits-tables';
import { clinicalUseReadModel } from './clinical-use/clinical-use-read-model';
import type { ClinicalUseTables } from './clinical-use/clinical-use-tables';
import { dataAccessReadModel } from './data-access/data-access-read-model';
import type { DataAccessTables } from './data-access/data-access-tables';
import { datasetsReadModel } from './datasets/datasets-read-model';
import type { DatasetsTables } from './datasets/datasets-tables';
import { incidentsReadModel } from './incidents/incidents-read-model';
import type { IncidentsTables } from './incidents/incidents-tables';
import { liveVersionsReadModel } from './live-versions/live-versions-read-model';
import type { LiveVersionsTables } from './live-versions/live-versions-tables';
import { modelVersionsReadModel } from './model-versions/model-versions-read-model';
import type { ModelVersionsTables } from './model-versions/model-versions-tables';
import { monitoringReadModel } from './monitoring/monitoring-read-model';
import type { MonitoringTables } from './monitoring/monitoring-tables';
import { readModelProjection } from './projection/read-model';
import { systemsReadModel } from './systems/systems-read-model';
import type { SystemsTables } from './systems/systems-tables';
import { takedownsReadModel } from './takedowns/takedowns-read-model';
import type { TakedownsTables } from './takedowns/takedowns-tables';
import { timelineProjection } from './timeline/timeline-projection';
import type { TimelineTables } from './timeline/timeline-tables';

/**
 * The accountability registry: systems, their role holders over time, model
 * versions with validations and approvals, what was live when, access
 * policies, monitoring, incidents, takedowns, audits and datasets. One
 * projection, so the system dossier and the compliance rules, which read them
 * together, always see them at the same position. Its migration keys and
 * checkpoint are the ones it had as a single read model.
 */
export const registryProjection = readModelProjection('registry', [
  systemsReadModel,
  accountabilityReadModel,
  modelVersionsReadModel,
  liveVersionsReadModel,
  accessPoliciesReadModel,
  monitoringReadModel,
  incidentsReadModel,
  takedownsReadModel,
  auditsReadModel,
  datasetsReadModel,
]);

export type RegistryTables = SystemsTables &
  AccountabilityTables &
  ModelVersionsTables &
  LiveVersionsTables &
  AccessPoliciesTables &
  MonitoringTables &
  IncidentsTables &
  TakedownsTables &
  AuditsTables &
  DatasetsTables;

export const dataAccessProjection = readModelProjection('data_access', [dataAccessReadModel]);

/** Outputs, responses and outcomes: the highest volume, so its own checkpoint and catch-up. */
export const clinicalUseProjection = readModelProjection('clinical_use', [clinicalUseReadModel]);

/** Every read model the API serves, by name (the names `govledger rebuild-projections` takes). */
export const PROJECTIONS = [
  registryProjection,
  dataAccessProjection,
  clinicalUseProjection,
  timelineProjection,
] as const;

/** Every read-model table the queries read. */
export type ReadDb = Kysely<RegistryTables & DataAccessTables & ClinicalUseTables & TimelineTables>;
