import { DEFAULT_GOVERNANCE_POLICY, incidentDueAt, type ComplianceRule } from '@ledger/domain';
import { ReadModelFixture, type FixtureKind } from '../testing/read-model-fixture';
import { complianceFindings } from './compliance-findings';

const POLICY = {
  requiredRoles: [],
  validationValidityDays: 365,
  auditIntervalDays: 90,
  incidentReportGraceHours: 24,
};
/** The moment the organisation became aware; every other instant is counted from it. */
const T = Date.parse('2026-03-02T08:00:00.000Z');
const after = (ms: number) => new Date(T + ms).toISOString();
const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.each<FixtureKind>(['sqlite', 'postgres'])(
  'serious-incident findings (EU AI Act Art 73) at instants of an injected clock (%s)',
  (kind) => {
    let f: ReadModelFixture;
    let n = 0;
    let systemId: string;
    beforeAll(async () => {
      f = await ReadModelFixture.open(kind);
    });
    afterAll(() => f.close());

    const sys = (type: string, data: Record<string, unknown>, at: string, schemaVersion = 1) =>
      f.emit(`ai-system-${systemId}`, type, { systemId, ...data }, at, 't1', schemaVersion);
    const findings = async (rule: ComplianceRule, asOf: string) => {
      await f.catchUp();
      return complianceFindings(f.db, 't1', { systemId, rule }, asOf, POLICY);
    };
    /** A registered system (not live: incidents count whatever the status). */
    async function registered(supplier: Record<string, string> = { supplier: 'in-house' }) {
      systemId = `inc-sys-${++n}`;
      await sys(
        'AiSystemRegistered',
        {
          name: 'Sepsis',
          intendedUse: 'x',
          clinicalDomain: 'icu',
          riskClass: 'high',
          ...supplier,
          sites: ['north'],
        },
        after(-30 * DAY),
      );
    }
    const report = (classification: string, reportedAt: string, incidentId = 'inc-1') =>
      sys(
        'IncidentReported',
        {
          incidentId,
          classification,
          severity: 'critical',
          description: 'missed deterioration',
          patientHarmed: true,
          awareAt: after(0),
          dueAt: incidentDueAt(classification as never, after(0), DEFAULT_GOVERNANCE_POLICY),
          reportedBy: 'dr.lead',
        },
        reportedAt,
        2,
      );
    const vendor = { supplier: 'vendor', vendorName: 'Acme Clinical AI' };
    const notify = (recipient: string, kind: string, sentAt: string) =>
      sys(
        'IncidentNotificationRecorded',
        { incidentId: 'inc-1', recipient, kind, reference: 'MSA-1', sentAt, sentBy: 'dr.lead' },
        sentAt,
      );

    describe('INCIDENT_NOTIFICATION_OVERDUE', () => {
      it('is listed for a death at T + 10 days + 1 s without a notification, with its due date and evidence, and cleared by the notification', async () => {
        await registered();
        const reported = await report('death', after(HOUR));
        expect(await findings('INCIDENT_NOTIFICATION_OVERDUE', after(10 * DAY))).toEqual([]);
        const overdue = await findings('INCIDENT_NOTIFICATION_OVERDUE', after(10 * DAY + SECOND));
        expect(overdue).toEqual([
          {
            rule: 'INCIDENT_NOTIFICATION_OVERDUE',
            systemId,
            subject: 'inc-1',
            since: after(10 * DAY),
            message: expect.stringContaining(`by ${after(10 * DAY)}`),
            evidence: [reported],
          },
        ]);
        await notify('market_surveillance_authority', 'initial', after(10 * DAY + 2 * SECOND));
        expect(await findings('INCIDENT_NOTIFICATION_OVERDUE', after(10 * DAY + 3 * SECOND))).toEqual([]);
        // Before the notification was sent, the ledger still shows it was overdue.
        expect(await findings('INCIDENT_NOTIFICATION_OVERDUE', after(10 * DAY + SECOND))).toHaveLength(1);
      });

      it('counts 2 days for a widespread infringement and 15 for serious harm to health', async () => {
        await registered();
        await report('widespread_infringement', after(HOUR), 'wide');
        await report('serious_harm_to_health', after(HOUR), 'harm');
        const subjects = async (asOf: string) =>
          (await findings('INCIDENT_NOTIFICATION_OVERDUE', asOf)).map((x) => x.subject);
        expect(await subjects(after(2 * DAY))).toEqual([]);
        expect(await subjects(after(2 * DAY + SECOND))).toEqual(['wide']);
        expect(await subjects(after(15 * DAY + SECOND))).toEqual(['wide', 'harm']);
      });

      it('is not cleared by notifying someone other than the authority', async () => {
        await registered();
        await report('death', after(HOUR));
        await notify('provider', 'initial', after(2 * DAY));
        expect(await findings('INCIDENT_NOTIFICATION_OVERDUE', after(11 * DAY))).toHaveLength(1);
      });

      it('is never raised for an incident that is not serious', async () => {
        await registered();
        await report('not_serious', after(HOUR));
        expect(await findings('INCIDENT_NOTIFICATION_OVERDUE', after(400 * DAY))).toEqual([]);
      });
    });

    describe('INCIDENT_REPORTED_LATE', () => {
      it('is listed when the report reaches the ledger beyond the grace after awareness, and stays on record', async () => {
        await registered();
        const reported = await report('death', after(300 * DAY));
        expect(await findings('INCIDENT_REPORTED_LATE', after(300 * DAY - SECOND))).toEqual([]);
        const late = await findings('INCIDENT_REPORTED_LATE', after(300 * DAY));
        expect(late).toEqual([
          {
            rule: 'INCIDENT_REPORTED_LATE',
            systemId,
            subject: 'inc-1',
            since: after(300 * DAY),
            message: expect.stringContaining('300 day(s) 0 hour(s) after'),
            evidence: [reported],
          },
        ]);
        await notify('market_surveillance_authority', 'initial', after(300 * DAY + HOUR));
        expect(await findings('INCIDENT_REPORTED_LATE', after(301 * DAY))).toEqual(late);
      });

      it('is not raised within the grace', async () => {
        await registered();
        await report('not_serious', after(24 * HOUR));
        expect(await findings('INCIDENT_REPORTED_LATE', after(30 * DAY))).toEqual([]);
      });
    });

    describe('PROVIDER_NOT_INFORMED (Art 26(5))', () => {
      it('is listed once the grace after awareness passes without informing the provider of a vendor-supplied system, and cleared by informing it', async () => {
        await registered(vendor);
        const reported = await report('serious_harm_to_health', after(HOUR));
        expect(await findings('PROVIDER_NOT_INFORMED', after(24 * HOUR))).toEqual([]);
        expect(await findings('PROVIDER_NOT_INFORMED', after(24 * HOUR + SECOND))).toEqual([
          expect.objectContaining({ subject: 'inc-1', since: after(24 * HOUR), evidence: [reported] }),
        ]);
        await notify('market_surveillance_authority', 'initial', after(25 * HOUR));
        expect(await findings('PROVIDER_NOT_INFORMED', after(26 * HOUR))).toHaveLength(1);
        await notify('provider', 'initial', after(26 * HOUR));
        expect(await findings('PROVIDER_NOT_INFORMED', after(27 * HOUR))).toEqual([]);
      });

      it('is not raised for a system built in house, nor for an incident that is not serious', async () => {
        await registered();
        await report('death', after(HOUR));
        expect(await findings('PROVIDER_NOT_INFORMED', after(30 * DAY))).toEqual([]);
        await registered(vendor);
        await report('not_serious', after(HOUR));
        expect(await findings('PROVIDER_NOT_INFORMED', after(30 * DAY))).toEqual([]);
      });
    });

    it('reads an incident reported before classes (v1) as having no deadline', async () => {
      await registered();
      await sys(
        'IncidentReported',
        {
          incidentId: 'old',
          severity: 'high',
          description: 'x',
          patientHarmed: false,
          awareAt: after(0),
          reportedBy: 'dr.lead',
        },
        after(HOUR),
      );
      expect(await findings('INCIDENT_NOTIFICATION_OVERDUE', after(400 * DAY))).toEqual([]);
    });
  },
);
