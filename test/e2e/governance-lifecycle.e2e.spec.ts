import { eventHash, GENESIS_HASH } from '@ledger/integrity';
import { hashedEnvelopeOf, type StoredEvent } from '@ledger/event-store';
import { collect } from '../support/events';
import {
  approveAll,
  deployableSystem,
  mutate,
  ok,
  PEOPLE,
  validatedVersion,
  versionWithGatesUnmet,
} from '../support/governance';
import { startTestApi, type StoreKind, type TestApi } from '../support/ledger-api';

describe.each<StoreKind>(['sqlite', 'postgres'])(
  'governance lifecycle over GraphQL and HTTP (%s)',
  (kind) => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startTestApi(kind);
    });
    afterAll(() => api.close());

    it('takes a system from registration to a rollback by its takedown authority, and stores every step with its envelope', async () => {
      const systemId = 'sepsis-1';
      await deployableSystem(api, systemId, 'icu-vitals');
      const deployed = await ok(api, 'deployModelVersion', { systemId, version: 'v1' });
      expect(deployed.events.map((e) => e.type)).toEqual(['ModelVersionDeployed', 'AiSystemStatusChanged']);

      await validatedVersion(api, systemId, 'v2', 'icu-vitals', 2);
      await approveAll(api, systemId, 'v2');
      await ok(api, 'deployModelVersion', { systemId, version: 'v2' });

      await ok(api, 'planMonitoring', {
        systemId,
        metric: 'auroc',
        threshold: 0.8,
        direction: 'min',
        cadence: 'P7D',
      });
      const breach = await ok(
        api,
        'recordMonitoringSignal',
        { systemId, kind: 'drift', metric: 'auroc', value: 0.71, observedAt: '2026-03-10T08:00:00Z' },
        PEOPLE.biasMonitor,
      );
      expect(breach.events.map((e) => e.type)).toEqual([
        'MonitoringSignalRecorded',
        'MonitoringThresholdBreached',
      ]);

      await ok(api, 'reportIncident', {
        systemId,
        incidentId: 'inc-1',
        classification: 'serious_harm_to_health',
        severity: 'high',
        description: 'Missed sepsis alerts in the north ICU',
        patientHarmed: false,
        awareAt: '2026-03-11T07:30:00Z',
        version: 'v2',
      });
      const takedown = await ok(
        api,
        'decideTakedown',
        {
          systemId,
          decisionId: 'td-1',
          action: 'rollback',
          toVersion: 'v1',
          rationale: 'AUROC drifted below 0.8 on v2',
          evidence: [breach.events[1].eventId, 'incident:inc-1'],
        },
        PEOPLE.authority,
      );
      expect(takedown.events.map((e) => e.type)).toContain('TakedownDecided');

      const stream: StoredEvent[] = await collect(api.store.readStream(`default/ai-system-${systemId}`));
      const types = stream.map((e) => e.type);
      expect(types[0]).toBe('AiSystemRegistered');
      for (const type of [
        'AccountabilityAssigned',
        'AccountabilityAccepted',
        'ModelVersionRegistered',
        'ValidationPlanned',
        'ValidationResultRecorded',
        'DeploymentApproved',
        'AccessPolicyRecorded',
        'AuditSourceRegistered',
        'ModelVersionDeployed',
        'MonitoringThresholdBreached',
        'IncidentReported',
        'TakedownDecided',
      ])
        expect(types).toContain(type);
      expect(types.filter((t) => t === 'DeploymentApproved')).toHaveLength(8);

      const takedownEvent = stream.find((e) => e.type === 'TakedownDecided')!;
      expect(takedownEvent.data).toMatchObject({
        action: 'rollback',
        toVersion: 'v1',
        rationale: 'AUROC drifted below 0.8 on v2',
      });
      expect(takedownEvent.metadata).toMatchObject({
        tenantId: 'default',
        actor: { id: PEOPLE.authority },
        source: 'ledger-api/graphql',
      });
      const validation = stream.find((e) => e.type === 'ValidationResultRecorded')!;
      expect(validation.data).toMatchObject({ passed: true });
      expect(validation.metadata.actor.id).toBe(PEOPLE.validator);

      let prevHash = GENESIS_HASH;
      for (const event of stream) {
        expect(event.metadata).toEqual(
          expect.objectContaining({
            tenantId: 'default',
            correlationId: expect.any(String),
            causationId: expect.any(String),
            occurredAt: expect.any(String),
            recordedAt: expect.any(String),
          }),
        );
        expect(event.integrity.prevHash).toBe(prevHash);
        expect(event.integrity.hash).toBe(eventHash(hashedEnvelopeOf(event)));
        prevHash = event.integrity.hash;
      }
      // Events decided together share the causation of their command.
      const [signal, breached] = stream.filter(
        (e) => e.type.startsWith('Monitoring') && e.type !== 'MonitoringPlanned',
      );
      expect(signal.metadata.causationId).toBe(breached.metadata.causationId);
    });

    it('refuses a deployment with gates unmet, listing every unmet gate', async () => {
      const systemId = 'gates-1';
      await versionWithGatesUnmet(api, systemId);
      const response = await mutate(api, 'deployModelVersion', { systemId, version: 'v1' });
      const error = response.errors?.[0];
      expect(error?.extensions?.code).toBe('GATE_NOT_MET');
      const gates = (error?.extensions?.details?.unmetGates as Array<{ gate: string; message: string }>).map(
        (g) => g.gate,
      );
      expect(gates.sort()).toEqual([
        'ACCESS_POLICY',
        'AUDIT_SOURCE',
        'MONITORING_PLAN',
        'REQUIRED_ROLES',
        'REVIEWER_APPROVALS',
        'TRAINING_DATASETS',
        'VALIDATION',
      ]);
      expect(await collect(api.store.readStream('default/ai-system-gates-1'))).toHaveLength(3);
    });

    it('refuses a takedown by anyone but the takedown authority', async () => {
      const systemId = 'authority-1';
      await deployableSystem(api, systemId);
      await ok(api, 'deployModelVersion', { systemId, version: 'v1' });
      const response = await mutate(
        api,
        'decideTakedown',
        { systemId, decisionId: 'td-x', action: 'suspend', rationale: 'I think so', evidence: ['note:1'] },
        PEOPLE.clinicalLead,
      );
      expect(response.errors?.[0].extensions?.code).toBe('NOT_TAKEDOWN_AUTHORITY');
      expect(response.errors?.[0].message).toContain(PEOPLE.authority);
    });

    it("refuses a validation recorded by the version's own developer", async () => {
      const systemId = 'selfcheck-1';
      await ok(api, 'registerAiSystem', {
        systemId,
        name: 'Notes',
        intendedUse: 'Draft notes',
        clinicalDomain: 'primary care',
        riskClass: 'low',
        supplier: 'in_house',
        sites: ['north'],
      });
      await ok(api, 'registerModelVersion', {
        systemId,
        version: 'v1',
        artifactSha256: 'b'.repeat(64),
        trainingDatasetIds: ['notes-corpus'],
        codeRevision: 'r1',
        changeSummary: 'first',
        withinChangeControlPlan: true,
        developer: PEOPLE.developer,
      });
      const response = await mutate(
        api,
        'recordValidationResult',
        {
          systemId,
          validationId: 'val-self',
          version: 'v1',
          metrics: [{ name: 'rouge', value: 0.5 }],
          subgroupResults: [],
        },
        PEOPLE.developer,
      );
      expect(response.errors?.[0].extensions?.code).toBe('VALIDATOR_IS_DEVELOPER');
    });

    it('names each nested field of an invalid validation plan or result, and records nothing', async () => {
      const head = await api.store.headPosition();
      const plan = await mutate(
        api,
        'planValidation',
        {
          systemId: 'any-1',
          version: 'v1',
          datasetId: 'holdout',
          metrics: [],
          subgroups: [{ subgroup: '', metrics: [] }],
        },
        PEOPLE.performanceOwner,
      );
      expect(plan.errors?.[0].extensions?.code).toBe('VALIDATION_FAILED');
      expect(
        (plan.errors?.[0].extensions?.details?.problems as Array<{ field: string }>).map((p) => p.field),
      ).toEqual(expect.arrayContaining(['metrics', 'subgroups.0.subgroup', 'subgroups.0.metrics']));
      const result = await mutate(
        api,
        'recordValidationResult',
        {
          systemId: 'any-1',
          validationId: 'val-1',
          version: 'v1',
          metrics: [{ name: '', value: 0.9 }],
          subgroupResults: [],
        },
        PEOPLE.validator,
      );
      expect(result.errors?.[0].extensions).toMatchObject({
        code: 'VALIDATION_FAILED',
        field: 'metrics.0.name',
      });
      expect(await api.store.headPosition()).toBe(head);
    });

    it('names the field and the rule for invalid input, and records nothing', async () => {
      const head = await api.store.headPosition();
      const response = await mutate(api, 'assignAccountability', {
        systemId: 'bad id!',
        assignmentId: 'a1',
        role: 'TAKEDOWN_AUTHORITY',
        assignee: '',
        effectiveFrom: 'yesterday',
      });
      const error = response.errors?.[0];
      // GraphQL itself refuses the DateTime; class-validator the rest.
      expect(error?.message).toMatch(/effectiveFrom|DateTime/);
      const second = await mutate(api, 'assignAccountability', {
        systemId: 'bad id!',
        assignmentId: 'a1',
        role: 'TAKEDOWN_AUTHORITY',
        assignee: '',
        effectiveFrom: '2026-01-01T00:00:00Z',
      });
      expect(second.errors?.[0].extensions?.code).toBe('VALIDATION_FAILED');
      const fields = (second.errors?.[0].extensions?.details?.problems as Array<{ field: string }>).map(
        (p) => p.field,
      );
      expect(fields).toEqual(expect.arrayContaining(['systemId', 'assignee']));
      expect(await api.store.headPosition()).toBe(head);
    });
  },
);
