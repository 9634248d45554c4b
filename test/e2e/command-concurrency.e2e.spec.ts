import { aiSystemDecider, stateFrom, type AiSystemEvent } from '@ledger/domain';
import { collect } from '../support/events';
import { approveAll, deployableSystem, mutate, ok, PEOPLE, validatedVersion } from '../support/governance';
import { startTestApi, type StoreKind, type TestApi } from '../support/ledger-api';

const EXPECTED_REFUSALS = new Set([
  'CONCURRENCY_CONFLICT',
  'ALREADY_EXISTS',
  'INVALID_TRANSITION',
  'REVIEWER_ALREADY_APPROVED',
]);

describe.each<StoreKind>(['sqlite', 'postgres'])(
  '50 concurrent conflicting commands on one system (%s)',
  (kind) => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startTestApi(kind);
    });
    afterAll(() => api.close());

    it('leave a history in which no invariant is broken; every loser is refused with a code', async () => {
      const systemId = 'race-1';
      await deployableSystem(api, systemId);
      for (const [n, version] of [
        [2, 'v2'],
        [3, 'v3'],
      ] as const) {
        await validatedVersion(api, systemId, version, `${systemId}-data`, n);
        await approveAll(api, systemId, version);
      }
      await validatedVersion(api, systemId, 'v4', `${systemId}-data`, 4);
      await ok(api, 'deployModelVersion', { systemId, version: 'v1' });

      const commands: Array<() => ReturnType<typeof mutate>> = [];
      for (let i = 0; i < 20; i++)
        commands.push(() =>
          mutate(api, 'deployModelVersion', { systemId, version: ['v1', 'v2', 'v3'][i % 3] }),
        );
      for (let i = 0; i < 10; i++)
        commands.push(() =>
          mutate(api, 'reportIncident', {
            systemId,
            incidentId: 'inc-race',
            // Not serious: a serious one would freeze the deployments racing it, which is not what this race is about.
            classification: 'not_serious',
            severity: 'moderate',
            description: `report ${i}`,
            patientHarmed: false,
            awareAt: '2026-03-01T00:00:00Z',
          }),
        );
      for (let i = 0; i < 10; i++)
        commands.push(() =>
          mutate(
            api,
            'decideTakedown',
            {
              systemId,
              decisionId: `td-${i}`,
              action: 'suspend',
              rationale: `race ${i}`,
              evidence: ['signal:1'],
            },
            PEOPLE.authority,
          ),
        );
      for (let i = 0; i < 10; i++)
        commands.push(() =>
          mutate(api, 'approveDeployment', { systemId, version: 'v4', discipline: 'security' }, 'sec.second'),
        );
      const responses = await Promise.all(commands.map((run) => run()));

      const codes = responses.flatMap((r) => r.errors?.map((e) => e.extensions?.code ?? e.message) ?? []);
      for (const code of codes) expect(EXPECTED_REFUSALS).toContain(code);
      const succeeded = responses.filter((r) => !r.errors);
      expect(succeeded.length).toBeGreaterThan(0);

      const stream = await collect(api.store.readStream(`default/ai-system-${systemId}`));
      stream.forEach((e, i) => expect(e.revision).toBe(i));
      const events = stream.map((e) => ({ type: e.type, data: e.data }) as AiSystemEvent);
      // The whole history still folds: the deciders' own rules hold over it.
      const state = stateFrom(aiSystemDecider(), events);
      expect(state.status).not.toBe('unregistered');

      // At most one of each racing duplicate lands; a command that lost every retry was answered CONCURRENCY_CONFLICT.
      expect(events.filter((e) => e.type === 'IncidentReported').length).toBeLessThanOrEqual(1);
      expect(
        events.filter(
          (e) =>
            e.type === 'DeploymentApproved' && (e.data as { reviewer: string }).reviewer === 'sec.second',
        ).length,
      ).toBeLessThanOrEqual(1);
      const suspensions = events.filter((e) => e.type === 'TakedownDecided');
      const toSuspended = events.filter(
        (e) => e.type === 'AiSystemStatusChanged' && (e.data as { to: string }).to === 'suspended',
      );
      expect(suspensions).toHaveLength(toSuspended.length);
      expect(suspensions.length).toBeLessThanOrEqual(1);

      // Each deployment names the version it replaced: no two deployments decided on the same state.
      let live: string | undefined;
      for (const event of events) {
        if (event.type !== 'ModelVersionDeployed') continue;
        const data = event.data as { version: string; previousVersion?: string };
        expect(data.previousVersion).toBe(live);
        expect(data.version).not.toBe(live);
        live = data.version;
      }
    });
  },
);
