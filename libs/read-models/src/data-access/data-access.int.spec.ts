import { readModelSpec, type GivenEvent } from '../testing/read-model-spec';
import { dataAccessReadModel } from './data-access-read-model';

const spec = readModelSpec(dataAccessReadModel);
afterAll(() => spec.close());

const day = (n: number) => `2026-01-${String(n).padStart(2, '0')}T00:00:00.000Z`;
const granted: GivenEvent = {
  type: 'DatasetAccessGranted',
  at: day(1),
  data: {
    datasetId: 'icu',
    grantId: 'g1',
    principal: 'dr.ada',
    purpose: 'TREAT',
    expiresAt: day(20),
    grantedBy: 'st.sue',
  },
};
const accessed = (on: number, purposeOfUse: string, actor = 'dr.ada'): GivenEvent => ({
  type: 'DataAccessed',
  at: day(on),
  data: {
    actor,
    datasetId: 'icu',
    action: 'R',
    purposeOfUse,
    outcome: 'success',
    sourceService: 'ehr',
    systemId: 'sepsis',
  },
});
const access = (
  position: number,
  on: number,
  purpose: string,
  violation: string | null,
  actor = 'dr.ada',
) => ({
  position: String(position),
  tenant_id: 't1',
  event_id: `e${position}`,
  actor,
  dataset_id: 'icu',
  resource: null,
  patient_pseudonym: null,
  action: 'R',
  purpose,
  outcome: 'success',
  source_service: 'ehr',
  system_id: 'sepsis',
  occurred_at: day(on),
  violation,
  sent_fhir: null,
});
const grant = {
  tenant_id: 't1',
  dataset_id: 'icu',
  grant_id: 'g1',
  principal: 'dr.ada',
  purpose: 'TREAT',
  granted_at: day(1),
  expires_at: day(20),
  revoked_at: null,
  event_id: 'e1',
  revoked_event_id: null,
};

/** An AuditEvent kept as sent, as the FHIR route stores it beside the access (issue 19). */
const keptAsSent = {
  fhir: {
    digest: 'c'.repeat(64),
    resource: {
      resourceType: 'AuditEvent' as const,
      type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110112' },
      subtype: [{ system: 'urn:ihe:event-type-code', code: 'ITI-81' }],
      outcome: '12',
      agent: [
        { who: { identifier: { value: 'dr.ada' } }, requestor: true },
        { who: { reference: 'Device/client-1' }, requestor: false },
      ],
      source: { observer: { display: 'ehr.example' } },
      entity: [{ what: { reference: 'Observation/o1' } }],
    },
  },
};

describe('data access read model', () => {
  it('judges each access against the grants in force when it happened', () =>
    spec
      .given(
        granted,
        accessed(2, 'TREAT'),
        accessed(3, 'RESEARCH'),
        accessed(4, 'TREAT', 'dr.bob'),
        {
          type: 'DatasetAccessRevoked',
          at: day(5),
          data: {
            datasetId: 'icu',
            grantId: 'g1',
            principal: 'dr.ada',
            purpose: 'TREAT',
            reason: 'left the team',
            revokedBy: 'st.sue',
          },
        },
        accessed(6, 'TREAT'),
      )
      .then({
        da_access: [
          access(2, 2, 'TREAT', null),
          access(3, 3, 'RESEARCH', 'purpose_not_granted'),
          access(4, 4, 'TREAT', 'no_active_grant', 'dr.bob'),
          access(6, 6, 'TREAT', 'no_active_grant'),
        ],
        da_grants: [{ ...grant, revoked_at: day(5), revoked_event_id: 'e5' }],
        da_sent_tokens: [],
      }));

  it("judges an access by the grantee under another spelling of the grantee's name as covered", () =>
    // Grants hold personId's spelling; an emitter may send the actor as its directory writes it.
    spec.given(granted, accessed(2, 'TREAT', ' Dr.ADA'), accessed(3, 'TREAT', 'dr.adam')).then({
      da_access: [
        access(2, 2, 'TREAT', null, ' Dr.ADA'),
        access(3, 3, 'TREAT', 'no_active_grant', 'dr.adam'),
      ],
      da_grants: [grant],
      da_sent_tokens: [],
    }));

  it('finds no grant once it has expired', () =>
    spec.given(granted, accessed(21, 'TREAT')).then({
      da_access: [access(2, 21, 'TREAT', 'no_active_grant')],
      da_grants: [grant],
      da_sent_tokens: [],
    }));

  it('records access to a resource outside any dataset without judging it', () =>
    spec
      .given({
        type: 'DataAccessed',
        at: day(2),
        data: {
          actor: 'svc.reports',
          resource: 'Observation',
          patientPseudonym: 'b'.repeat(64),
          action: 'R',
          purposeOfUse: 'TREAT',
          outcome: 'denied',
          sourceService: 'ehr',
        },
      })
      .then({
        da_access: [
          {
            position: '1',
            tenant_id: 't1',
            event_id: 'e1',
            actor: 'svc.reports',
            dataset_id: null,
            resource: 'Observation',
            patient_pseudonym: 'b'.repeat(64),
            action: 'R',
            purpose: 'TREAT',
            outcome: 'denied',
            source_service: 'ehr',
            system_id: null,
            occurred_at: day(2),
            violation: null,
            sent_fhir: null,
          },
        ],
        da_grants: [],
        da_sent_tokens: [],
      }));

  it('keeps the search values of an AuditEvent kept as sent, by what it says rather than what the ledger would write', () =>
    spec
      .given({
        type: 'DataAccessed',
        at: day(2),
        data: {
          actor: 'dr.ada',
          resource: 'Observation/o1',
          action: 'R',
          purposeOfUse: 'UNK',
          outcome: 'error',
          sourceService: 'ehr',
          ...keptAsSent,
        },
      })
      .then({
        da_access: [
          {
            ...access(1, 2, 'UNK', null),
            dataset_id: null,
            resource: 'Observation/o1',
            outcome: 'error',
            system_id: null,
            sent_fhir: 1,
          },
        ],
        da_grants: [],
        da_sent_tokens: [
          'type 110112',
          'type http://dicom.nema.org/resources/ontology/DCM|110112',
          'subtype ITI-81',
          'subtype urn:ihe:event-type-code|ITI-81',
          'outcome 12',
          'outcome http://hl7.org/fhir/audit-event-outcome|12',
          'agent dr.ada',
          'agent |dr.ada',
          'agent Device/client-1',
          'entity Observation/o1',
        ].map((token) => ({ tenant_id: 't1', token, position: '1' })),
      }));
});
