import { EVENT_TYPES } from '@ledger/domain';
import { accessPoliciesReadModel } from './access-policies/access-policies-read-model';
import { accountabilityReadModel } from './accountability/accountability-read-model';
import { auditsReadModel } from './audits/audits-read-model';
import { clinicalUseReadModel } from './clinical-use/clinical-use-read-model';
import { dataAccessReadModel } from './data-access/data-access-read-model';
import { datasetsReadModel } from './datasets/datasets-read-model';
import { incidentsReadModel } from './incidents/incidents-read-model';
import { liveVersionsReadModel } from './live-versions/live-versions-read-model';
import { modelVersionsReadModel } from './model-versions/model-versions-read-model';
import { monitoringReadModel } from './monitoring/monitoring-read-model';
import type { ReadModel } from './projection/read-model';
import { PROJECTIONS } from './projections';
import { systemsReadModel } from './systems/systems-read-model';
import { takedownsReadModel } from './takedowns/takedowns-read-model';
import { timelineProjection } from './timeline/timeline-projection';

const READ_MODELS: ReadModel[] = [
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
  dataAccessReadModel,
  clinicalUseReadModel,
];

/** The ledger's record of its own use, and of erasures: found through the timeline, read by no read model. */
const TIMELINE_ONLY = [
  'AccessDenied',
  'PatientLookupPerformed',
  'DataAccessExported',
  'EvidenceExported',
  'LegalHoldPlaced',
  'LegalHoldReleased',
  'ErasureRecorded',
];

describe('the read models', () => {
  it('hand every event type of the domain to a read model, but for those only the timeline indexes', () => {
    const handled = new Set<string>(READ_MODELS.flatMap((model) => model.canHandle));
    expect(EVENT_TYPES.filter((type) => !handled.has(type))).toEqual(TIMELINE_ONLY);
  });

  it('all run in a projection, and no table has two owners', () => {
    const owned = READ_MODELS.flatMap((model) => model.tables);
    expect(new Set(owned).size).toBe(owned.length);
    const projected = PROJECTIONS.filter((p) => p !== timelineProjection).flatMap((p) => p.tables);
    expect([...projected].sort()).toEqual([...owned].sort());
  });

  it('keep the migration keys that databases made before they were split apart have recorded', () =>
    expect(PROJECTIONS.map((p) => ({ name: p.name, migrations: Object.keys(p.migrations) }))).toEqual([
      { name: 'registry', migrations: expect.arrayContaining(['0001_registry']) },
      { name: 'data_access', migrations: expect.arrayContaining(['0001_data_access']) },
      { name: 'clinical_use', migrations: expect.arrayContaining(['0001_clinical_use']) },
      { name: 'timeline', migrations: expect.arrayContaining(['0001_timeline']) },
    ]));
});
