import type { StoredEvent } from '@ledger/event-store';
import { collect } from '../support/events';
import {
  approveAll,
  deployableSystem,
  mutate,
  ok,
  PEOPLE,
  sha,
  validatedVersion,
} from '../support/governance';
import { caughtUp, startTestApi, type StoreKind, type TestApi } from '../support/ledger-api';

/*
 * EU AI Act Art 73 over GraphQL on a real store. The ledger's clock for
 * commands is the real one; the compliance rules are evaluated at the
 * `asOf` instant the caller gives, which is the clock these tests inject:
 * nothing here waits for a deadline to pass.
 */

const SECOND = 1000;
const DAY = 86_400_000;
const later = (instant: string, ms: number) => new Date(Date.parse(instant) + ms).toISOString();

interface Finding {
  rule: string;
  systemId: string;
  subject: string;
  since: string;
  message: string;
  evidence: string[];
}

describe.each<StoreKind>(['sqlite', 'postgres'])('serious-incident clocks and freeze (%s)', (kind) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(kind);
  });
  afterAll(() => api.close());

  const findings = async (systemId: string, rule: string, asOf: string) => {
    await caughtUp(api);
    const { data, errors } = await api.graphql<{ complianceFindings: Finding[] }>(
      `query($f: ComplianceFindingFilter) { complianceFindings(filter: $f) { rule systemId subject since message evidence } }`,
      { f: { systemId, rule, asOf } },
    );
    if (errors) throw new Error(JSON.stringify(errors));
    return data!.complianceFindings;
  };
  const incidents = async (id: string) => {
    await caughtUp(api);
    const { data } = await api.graphql<{ aiSystem: { incidents: Array<Record<string, unknown>> } }>(
      `query($id: ID!) { aiSystem(id: $id) { incidents { incidentId classification awareAt dueAt
         notifications { recipient kind reference sentAt sentBy eventId } } } }`,
      { id },
    );
    return data!.aiSystem.incidents;
  };
  const report = (systemId: string, classification: string, awareAt: string, incidentId = 'inc-1') =>
    mutate(api, 'reportIncident', {
      systemId,
      incidentId,
      classification,
      severity: 'critical',
      description: 'Sepsis alert missed; the patient died',
      patientHarmed: true,
      awareAt,
    });
  const notify = (systemId: string, over: Record<string, unknown> = {}) =>
    mutate(api, 'recordIncidentNotification', {
      systemId,
      incidentId: 'inc-1',
      recipient: 'market_surveillance_authority',
      kind: 'initial',
      reference: 'MSA-2026-0007',
      sentAt: new Date().toISOString(),
      ...over,
    });

  it('lists INCIDENT_NOTIFICATION_OVERDUE for a death aware at T, at T + 10 days + 1 s without a notification, with its evidence; the notification clears it', async () => {
    const systemId = 'clock-1';
    await deployableSystem(api, systemId);
    await ok(api, 'deployModelVersion', { systemId, version: 'v1' });
    const T = new Date(Date.now() - 60 * SECOND).toISOString();
    const reported = await report(systemId, 'death', T);
    expect(reported.errors).toBeUndefined();
    const reportEvent = reported.data!.reportIncident.events[0];
    expect(reportEvent.type).toBe('IncidentReported');

    const due = later(T, 10 * DAY);
    expect(await incidents(systemId)).toEqual([
      { incidentId: 'inc-1', classification: 'death', awareAt: T, dueAt: due, notifications: [] },
    ]);
    expect(await findings(systemId, 'INCIDENT_NOTIFICATION_OVERDUE', due)).toEqual([]);
    expect(await findings(systemId, 'INCIDENT_NOTIFICATION_OVERDUE', later(due, SECOND))).toEqual([
      {
        rule: 'INCIDENT_NOTIFICATION_OVERDUE',
        systemId,
        subject: 'inc-1',
        since: due,
        message: expect.stringContaining(`by ${due}`),
        evidence: [reportEvent.eventId],
      },
    ]);

    const notified = await notify(systemId);
    expect(notified.errors).toBeUndefined();
    expect(await findings(systemId, 'INCIDENT_NOTIFICATION_OVERDUE', later(due, SECOND))).toEqual([]);
    const [incident] = await incidents(systemId);
    expect(incident.notifications).toEqual([
      {
        recipient: 'market_surveillance_authority',
        kind: 'initial',
        reference: 'MSA-2026-0007',
        sentAt: expect.any(String),
        sentBy: PEOPLE.admin,
        eventId: notified.data!.recordIncidentNotification.events[0].eventId,
      },
    ]);
  });

  it('accepts a report 300 days after awareness and lists it as INCIDENT_REPORTED_LATE', async () => {
    const systemId = 'clock-late';
    await deployableSystem(api, systemId);
    const reported = await report(systemId, 'not_serious', new Date(Date.now() - 300 * DAY).toISOString());
    expect(reported.errors).toBeUndefined();
    const late = await findings(systemId, 'INCIDENT_REPORTED_LATE', new Date(Date.now() + DAY).toISOString());
    expect(late).toEqual([
      expect.objectContaining({
        subject: 'inc-1',
        message: expect.stringMatching(/300 day\(s\) \d+ hour\(s\) after/),
        evidence: [reported.data!.reportIncident.events[0].eventId],
      }),
    ]);
  });

  it('refuses registering or deploying a version during an unreported serious incident, and accepts suspending the system', async () => {
    const systemId = 'freeze-1';
    await deployableSystem(api, systemId);
    await ok(api, 'deployModelVersion', { systemId, version: 'v1' });
    await validatedVersion(api, systemId, 'v2', `${systemId}-data`, 2);
    await approveAll(api, systemId, 'v2');
    expect(
      (await report(systemId, 'serious_harm_to_health', new Date().toISOString())).errors,
    ).toBeUndefined();
    const head = await api.store.headPosition();

    const register = await mutate(api, 'registerModelVersion', {
      systemId,
      version: 'v3',
      artifactSha256: sha(3),
      trainingDatasetIds: [`${systemId}-data`],
      codeRevision: 'git:3',
      changeSummary: 'hotfix',
      withinChangeControlPlan: true,
      parentVersion: 'v2',
    });
    const deploy = await mutate(api, 'deployModelVersion', { systemId, version: 'v2' });
    for (const refused of [register, deploy]) {
      expect(refused.errors?.[0].extensions).toMatchObject({
        code: 'INCIDENT_UNDER_INVESTIGATION',
        status: 409,
      });
      expect(refused.errors?.[0].message).toMatch(/inc-1: serious_harm_to_health.*Art 73\(6\)/);
    }
    expect(await api.store.headPosition()).toBe(head);

    const suspended = await mutate(
      api,
      'decideTakedown',
      {
        systemId,
        decisionId: 'td-1',
        action: 'suspend',
        rationale: 'under investigation',
        evidence: ['incident:inc-1'],
      },
      PEOPLE.authority,
    );
    expect(suspended.errors).toBeUndefined();
    expect(suspended.data!.decideTakedown.events.map((e) => e.type)).toEqual([
      'TakedownDecided',
      'AiSystemStatusChanged',
    ]);

    // Told to the authority, the system may change again.
    expect((await notify(systemId)).errors).toBeUndefined();
    expect(
      (
        await mutate(api, 'registerModelVersion', {
          systemId,
          version: 'v3',
          artifactSha256: sha(3),
          trainingDatasetIds: [`${systemId}-data`],
          codeRevision: 'git:3',
          changeSummary: 'hotfix',
          withinChangeControlPlan: true,
          parentVersion: 'v2',
        })
      ).errors,
    ).toBeUndefined();
  });

  describe('refuses, naming the field, and records nothing', () => {
    const systemId = 'adversary-1';
    let head: bigint;
    beforeAll(async () => {
      await deployableSystem(api, systemId);
      await deployableSystem(api, 'adversary-2');
      expect((await report(systemId, 'death', new Date().toISOString())).errors).toBeUndefined();
      expect(
        (await report('adversary-2', 'death', new Date().toISOString(), 'inc-of-2')).errors,
      ).toBeUndefined();
    });
    beforeEach(async () => {
      head = await api.store.headPosition();
    });
    afterEach(async () => expect(await api.store.headPosition()).toBe(head));

    it.each([
      ['backdated', -10 * 60 * SECOND],
      ['future', 10 * 60 * SECOND],
    ])('a %s sentAt beyond the clock-skew allowance', async (_, offset) => {
      const response = await notify(systemId, { sentAt: new Date(Date.now() + offset).toISOString() });
      expect(response.errors?.[0].extensions).toMatchObject({ code: 'VALIDATION_FAILED', field: 'sentAt' });
      expect(response.errors?.[0].message).toContain('clock-skew allowance');
    });

    it('an awareAt in the future', async () => {
      const response = await report(
        systemId,
        'death',
        new Date(Date.now() + DAY).toISOString(),
        'inc-future',
      );
      expect(response.errors?.[0].extensions).toMatchObject({ code: 'VALIDATION_FAILED', field: 'awareAt' });
    });

    it("a notification of another system's incident", async () => {
      const response = await notify(systemId, { incidentId: 'inc-of-2' });
      expect(response.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'incidentId' });
    });

    it.each([
      ['classification', () => report(systemId, 'catastrophic', new Date().toISOString(), 'inc-enum')],
      ['recipient', () => notify(systemId, { recipient: 'press' })],
      ['kind', () => notify(systemId, { kind: 'interim' })],
    ])('an invalid %s', async (field, send) => {
      const response = await send();
      expect(response.errors?.[0].message).toContain(`input.${field}`);
    });

    it('a notification whose reference is blank', async () => {
      const response = await notify(systemId, { reference: '' });
      expect(response.errors?.[0].extensions).toMatchObject({
        code: 'VALIDATION_FAILED',
        field: 'reference',
      });
    });
  });

  it('keeps every event of the incident on the stream in order', async () => {
    const stream: StoredEvent[] = await collect(api.store.readStream('default/ai-system-clock-1'));
    expect(stream.map((e) => e.type).filter((t) => t.startsWith('Incident'))).toEqual([
      'IncidentReported',
      'IncidentNotificationRecorded',
    ]);
    expect(stream.find((e) => e.type === 'IncidentReported')!.schemaVersion).toBe(2);
  });
});
