import { readModelSpec, type GivenEvent } from '../testing/read-model-spec';
import { liveVersionsReadModel } from './live-versions-read-model';

const spec = readModelSpec(liveVersionsReadModel);
afterAll(() => spec.close());

const systemId = 'sepsis';
const day = (n: number) => `2026-01-${String(n).padStart(2, '0')}T00:00:00.000Z`;
const takedown = (action: 'suspend' | 'rollback' | 'retire', on: number, toVersion?: string): GivenEvent => ({
  type: 'TakedownDecided',
  data: {
    systemId,
    decisionId: `d-${on}`,
    action,
    ...(toVersion ? { toVersion } : {}),
    rationale: 'drift',
    evidence: ['signal:1'],
    decidedBy: 'dr.ada',
    decidedAt: day(on),
    emergency: false,
  },
});
const live = (position: number, from_at: string, version: string | null, cause: string) => ({
  tenant_id: 't1',
  system_id: systemId,
  position: String(position),
  from_at,
  version,
  cause,
  event_id: `e${position}`,
});

describe('live versions read model', () => {
  it('records from when each version served patients, and when none did', () =>
    spec
      .given(
        {
          type: 'ModelVersionDeployed',
          data: { systemId, version: 'v2', deployedBy: 'ops.olga', deployedAt: day(10) },
        },
        takedown('rollback', 12, 'v1'),
        takedown('suspend', 14),
        {
          type: 'AiSystemReinstated',
          data: {
            systemId,
            decisionId: 'd-back',
            version: 'v1',
            validationId: 'val-3',
            rationale: 'revalidated',
            evidence: ['validation:val-3'],
            decidedBy: 'dr.ada',
            decidedAt: day(16),
          },
        },
        takedown('retire', 20),
      )
      .then({
        reg_live_versions: [
          live(1, day(10), 'v2', 'ModelVersionDeployed'),
          live(2, day(12), 'v1', 'TakedownDecided:rollback'),
          live(3, day(14), null, 'TakedownDecided:suspend'),
          live(4, day(16), 'v1', 'AiSystemReinstated'),
          live(5, day(20), null, 'TakedownDecided:retire'),
        ],
      }));
});
