import type { EventStore } from '@ledger/event-store';
import { randomUUID } from 'node:crypto';

const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString();

function envelope(type: string, data: Record<string, unknown>, occurredAt: string, tenantId: string) {
  const eventId = randomUUID();
  return {
    eventId,
    type,
    schemaVersion: 1,
    data,
    metadata: {
      tenantId,
      actor: { id: 'seed', role: 'governance-admin' },
      source: 'fixture',
      occurredAt,
      correlationId: eventId,
      causationId: eventId,
    },
  };
}

/**
 * A realistic mixed log for projection tests: a few systems with roles,
 * versions, deployments and takedowns, dataset grants, and `accesses`
 * data-access events in batches, some of them without a covering grant.
 */
export async function appendGovernanceHistory(
  store: EventStore,
  accesses: number,
  tenantId = 't1',
): Promise<void> {
  for (let s = 0; s < 3; s++) {
    const systemId = `sys-${s}`;
    const stream = `${tenantId}/ai-system-${systemId}`;
    const e = (type: string, data: Record<string, unknown>, n: number) =>
      envelope(type, { systemId, ...data }, day(n), tenantId);
    await store.append(
      stream,
      [
        e(
          'AiSystemRegistered',
          {
            name: `System ${s}`,
            intendedUse: 'x',
            clinicalDomain: 'icu',
            riskClass: 'high',
            supplier: 'in-house',
            sites: ['north', `site-${s}`],
          },
          0,
        ),
        e(
          'AccountabilityAssigned',
          {
            assignmentId: 'ta',
            role: 'TAKEDOWN_AUTHORITY',
            assignee: `dr.${s}`,
            effectiveFrom: day(1),
            assignedBy: 'admin',
          },
          1,
        ),
        e(
          'AccountabilityAccepted',
          { assignmentId: 'ta', role: 'TAKEDOWN_AUTHORITY', assignee: `dr.${s}`, acceptedAt: day(2) },
          2,
        ),
        e(
          'ModelVersionRegistered',
          {
            version: 'v1',
            artifactSha256: 'a'.repeat(64),
            trainingDatasetIds: ['icu'],
            codeRevision: 'r1',
            changeSummary: 'first',
            withinChangeControlPlan: true,
            developer: 'dev',
          },
          3,
        ),
        e(
          'ModelVersionRegistered',
          {
            version: 'v2',
            artifactSha256: 'b'.repeat(64),
            trainingDatasetIds: ['icu'],
            codeRevision: 'r2',
            parentVersion: 'v1',
            changeSummary: 'second',
            withinChangeControlPlan: true,
            developer: 'dev',
          },
          4,
        ),
        e(
          'ValidationResultRecorded',
          {
            validationId: 'val-1',
            version: 'v1',
            datasetId: 'icu',
            metrics: [],
            subgroupResults: [],
            passed: true,
            validator: 'val',
            validatedAt: day(5),
          },
          5,
        ),
        e('DeploymentApproved', { version: 'v1', discipline: 'clinical', reviewer: 'rev' }, 6),
        e('ModelVersionDeployed', { version: 'v1', deployedBy: 'admin', deployedAt: day(7) }, 7),
        e(
          'ModelVersionDeployed',
          { version: 'v2', previousVersion: 'v1', deployedBy: 'admin', deployedAt: day(8) },
          8,
        ),
        e('MonitoringPlanned', { metric: 'auroc', threshold: 0.8, direction: 'min', cadence: 'P7D' }, 9),
        e(
          'MonitoringSignalRecorded',
          { kind: 'drift', metric: 'auroc', value: 0.7, observedAt: day(10) },
          10,
        ),
        e(
          'MonitoringThresholdBreached',
          {
            kind: 'drift',
            metric: 'auroc',
            value: 0.7,
            threshold: 0.8,
            direction: 'min',
            observedAt: day(10),
          },
          10,
        ),
        e(
          'IncidentReported',
          {
            incidentId: 'inc',
            severity: 'high',
            description: 'missed alerts',
            patientHarmed: false,
            awareAt: day(10),
            reportedBy: 'nurse',
          },
          11,
        ),
        e(
          'TakedownDecided',
          {
            decisionId: 'td',
            action: 'rollback',
            fromVersion: 'v2',
            toVersion: 'v1',
            rationale: 'drift',
            evidence: ['sig'],
            decidedBy: `dr.${s}`,
            decidedAt: day(12),
            emergency: false,
          },
          12,
        ),
      ],
      'any',
    );
  }
  await store.append(
    `${tenantId}/dataset-icu`,
    [
      envelope(
        'DatasetRegistered',
        {
          datasetId: 'icu',
          name: 'ICU',
          classification: 'PHI',
          legalBasis: 'ops',
          steward: 'st',
          source: 'ehr',
          retentionPeriod: 'P6Y',
          registeredBy: 'st',
        },
        day(0),
        tenantId,
      ),
      envelope(
        'DatasetAccessGranted',
        {
          datasetId: 'icu',
          grantId: 'g1',
          principal: 'dr.0',
          purpose: 'TREAT',
          expiresAt: day(400),
          grantedBy: 'st',
        },
        day(1),
        tenantId,
      ),
    ],
    'any',
  );
  for (let written = 0; written < accesses; written += 1000) {
    const batch = Array.from({ length: Math.min(1000, accesses - written) }, (_, i) => {
      const n = written + i;
      return envelope(
        'DataAccessed',
        {
          actor: `dr.${n % 5}`,
          datasetId: 'icu',
          patientPseudonym: (n % 997).toString(16).padStart(64, '0'),
          action: 'R',
          purposeOfUse: n % 11 === 0 ? 'RESEARCH' : 'TREAT',
          outcome: n % 13 === 0 ? 'denied' : 'success',
          sourceService: 'ehr',
          systemId: `sys-${n % 3}`,
        },
        new Date(Date.UTC(2026, 1, 1) + n * 1000).toISOString(),
        tenantId,
      );
    });
    await store.append(`${tenantId}/data-access-ehr`, batch, 'any');
  }
}
