import { GIVEN_AT, readModelSpec, type GivenEvent } from '../testing/read-model-spec';
import { systemsReadModel } from './systems-read-model';

const spec = readModelSpec(systemsReadModel);
afterAll(() => spec.close());

const systemId = 'sepsis';
const registered: GivenEvent = {
  type: 'AiSystemRegistered',
  data: {
    systemId,
    name: 'Sepsis watch',
    intendedUse: 'early warning of sepsis in adult inpatients',
    clinicalDomain: 'sepsis',
    riskClass: 'high',
    supplier: 'vendor',
    vendorName: 'Acme',
    sites: ['north', 'south'],
  },
};
const deployed = (version: string): GivenEvent => ({
  type: 'ModelVersionDeployed',
  data: { systemId, version, deployedBy: 'ops.olga', deployedAt: '2026-01-10T00:00:00Z' },
});
const takedown = (action: 'suspend' | 'rollback' | 'retire', toVersion?: string): GivenEvent => ({
  type: 'TakedownDecided',
  data: {
    systemId,
    decisionId: `d-${action}`,
    action,
    ...(toVersion ? { toVersion } : {}),
    rationale: 'drift',
    evidence: ['signal:1'],
    decidedBy: 'dr.ada',
    decidedAt: '2026-01-20T00:00:00Z',
    emergency: false,
  },
});

const system = (
  changes: Partial<{ status: string; deployed_version: string | null; last_position: string }>,
) => ({
  tenant_id: 't1',
  system_id: systemId,
  name: 'Sepsis watch',
  intended_use: 'early warning of sepsis in adult inpatients',
  clinical_domain: 'sepsis',
  risk_class: 'high',
  supplier: 'vendor',
  vendor_name: 'Acme',
  sites: '["north","south"]',
  status: 'proposed',
  deployed_version: null,
  registered_at: GIVEN_AT,
  registered_event_id: 'e1',
  last_position: '1',
  ...changes,
});
const sites = [
  { tenant_id: 't1', system_id: systemId, site: 'north' },
  { tenant_id: 't1', system_id: systemId, site: 'south' },
];

describe('systems read model', () => {
  it('registers a system as proposed, with a row per site', () =>
    spec.given(registered).then({ reg_systems: [system({})], reg_system_sites: sites }));

  it('follows the status the lifecycle records', () =>
    spec
      .given(registered, {
        type: 'AiSystemStatusChanged',
        data: {
          systemId,
          from: 'proposed',
          to: 'in_validation',
          because: 'ModelVersionRegistered',
          at: '2026-01-02T00:00:00Z',
        },
      })
      .then({
        reg_systems: [system({ status: 'in_validation', last_position: '2' })],
        reg_system_sites: sites,
      }));

  it('shows the deployed version, kept while suspended, changed by a rollback, cleared by retirement', async () => {
    await spec.given(registered, deployed('v2'), takedown('suspend')).then({
      reg_systems: [system({ deployed_version: 'v2', last_position: '2' })],
      reg_system_sites: sites,
    });
    await spec.given(registered, deployed('v2'), takedown('rollback', 'v1')).then({
      reg_systems: [system({ deployed_version: 'v1', last_position: '3' })],
      reg_system_sites: sites,
    });
    await spec.given(registered, deployed('v2'), takedown('retire')).then({
      reg_systems: [system({ deployed_version: null, last_position: '3' })],
      reg_system_sites: sites,
    });
  });

  it('shows the reinstated version after a suspension', () =>
    spec
      .given(registered, deployed('v2'), takedown('suspend'), {
        type: 'AiSystemReinstated',
        data: {
          systemId,
          decisionId: 'd-back',
          version: 'v3',
          validationId: 'val-3',
          rationale: 'revalidated',
          evidence: ['validation:val-3'],
          decidedBy: 'dr.ada',
          decidedAt: '2026-01-25T00:00:00Z',
        },
      })
      .then({
        reg_systems: [system({ deployed_version: 'v3', last_position: '4' })],
        reg_system_sites: sites,
      }));

  it('is not changed by events of other read models', () =>
    spec
      .given(registered, {
        type: 'AccountabilityAssigned',
        data: {
          systemId,
          assignmentId: 'a1',
          role: 'TAKEDOWN_AUTHORITY',
          assignee: 'dr.ada',
          effectiveFrom: '2026-01-02T00:00:00Z',
          assignedBy: 'admin',
        },
      })
      .then({ reg_systems: [system({})], reg_system_sites: sites }));
});
