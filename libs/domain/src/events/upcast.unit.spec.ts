import { EVENT_SCHEMAS, EVENT_TYPES } from './event-schemas';
import { upcast, upcasterFor } from './upcast';

const stored = (type: string, schemaVersion: number, data: Record<string, unknown>, position = 42n) => ({
  type,
  schemaVersion,
  data,
  position,
  metadata: { actor: { id: 'dr.reg' }, occurredAt: '2026-03-01T10:00:00.000Z' },
});

describe('upcast', () => {
  it('reads every event type at its current version as stored', () => {
    for (const type of EVENT_TYPES) {
      const data = { marker: type };
      const event = upcast(stored(type, EVENT_SCHEMAS[type].version, data));
      expect(event).toEqual({ type, data });
      expect(event.data).toBe(data);
    }
  });

  it('refuses an event type the ledger does not know, naming type, version and position', () =>
    expect(() => upcast(stored('ModelVersionValidated', 1, {}, 7n))).toThrow(
      'cannot read ModelVersionValidated v1 at position 7: ModelVersionValidated is not an event type of this ledger',
    ));

  it('refuses a version newer than the current schema', () =>
    expect(() => upcast(stored('DatasetApproved', 2, {}, 9n))).toThrow(
      'cannot read DatasetApproved v2 at position 9: the current DatasetApproved schema is v1; the event was written by a newer ledger than this one',
    ));

  it('refuses an older version no upcaster lifts', () => {
    const upcastV2 = upcasterFor({ IncidentReported: { version: 2 } }, {});
    expect(() => upcastV2(stored('IncidentReported', 1, {}, 11n))).toThrow(
      'cannot read IncidentReported v1 at position 11: no upcaster from IncidentReported v1 to v2',
    );
  });

  it('lifts an old version through each upcaster in turn up to the current one, leaving the stored data as it was', () => {
    const upcastV3 = upcasterFor(
      { IncidentReported: { version: 3 } },
      {
        IncidentReported: {
          1: ({ harmed, ...rest }) => ({ ...rest, patientHarmed: harmed }),
          2: (v2) => ({ ...v2, severity: v2.severity ?? 'unknown' }),
        },
      },
    );
    const v1 = { incidentId: 'inc-1', harmed: true };
    expect(upcastV3(stored('IncidentReported', 1, v1))).toEqual({
      type: 'IncidentReported',
      data: { incidentId: 'inc-1', patientHarmed: true, severity: 'unknown' },
    });
    expect(upcastV3(stored('IncidentReported', 2, { incidentId: 'inc-2', severity: 'serious' }))).toEqual({
      type: 'IncidentReported',
      data: { incidentId: 'inc-2', severity: 'serious' },
    });
    expect(v1).toEqual({ incidentId: 'inc-1', harmed: true });
  });

  it("reads a ModelVersionRegistered v1, which named no registrant, with the envelope's actor as registeredBy", () => {
    const v1 = {
      systemId: 'sepsis',
      version: 'v1',
      artifactSha256: 'a'.repeat(64),
      trainingDatasetIds: ['icu-2019'],
      codeRevision: 'abc123',
      changeSummary: 'first',
      withinChangeControlPlan: true,
      developer: 'dev.dan',
    };
    expect(upcast(stored('ModelVersionRegistered', 1, v1))).toEqual({
      type: 'ModelVersionRegistered',
      data: { ...v1, registeredBy: 'dr.reg' },
    });
  });

  it('reads an IncidentReported v1, reported before Art 73 classes, as unclassified and without a deadline', () => {
    const v1 = {
      systemId: 'sepsis',
      incidentId: 'inc-1',
      severity: 'high',
      description: 'missed alert',
      patientHarmed: true,
      awareAt: '2025-01-01T00:00:00Z',
      reportedBy: 'dr.lead',
    };
    expect(upcast(stored('IncidentReported', 1, v1))).toEqual({ type: 'IncidentReported', data: v1 });
  });

  it('reads an AccessDenied v1, one refusal, as a count of one at the time its envelope says it occurred', () => {
    const v1 = { operation: 'POST /v1/events', reason: 'no bearer token', status: 401 };
    expect(upcast(stored('AccessDenied', 1, v1))).toEqual({
      type: 'AccessDenied',
      data: { ...v1, count: 1, firstAt: '2026-03-01T10:00:00.000Z', lastAt: '2026-03-01T10:00:00.000Z' },
    });
  });

  it('reads an AuditRecorded v1, whose findings had no id, owner or due date, numbering them and making the auditor their owner', () => {
    const v1 = {
      systemId: 'sepsis',
      auditId: 'au-1',
      scope: 'annual',
      findings: [
        { severity: 'critical', description: 'No access review' },
        { severity: 'minor', description: 'Late signal' },
      ],
      auditor: 'aud.abe',
    };
    expect(upcast(stored('AuditRecorded', 1, v1))).toEqual({
      type: 'AuditRecorded',
      data: {
        ...v1,
        findings: [
          { findingId: '1', severity: 'critical', description: 'No access review', owner: 'aud.abe' },
          { findingId: '2', severity: 'minor', description: 'Late signal', owner: 'aud.abe' },
        ],
      },
    });
  });

  it.each(['AccessPolicyRecorded', 'AuditSourceRegistered'])(
    'reads a %s v1 as v2 without the optional field v2 added',
    (type) => {
      const v1 = { systemId: 'sepsis', sourceService: 'ehr-gateway' };
      expect(upcast(stored(type, 1, v1))).toEqual({ type, data: v1 });
    },
  );
});
