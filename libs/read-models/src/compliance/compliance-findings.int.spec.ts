import { ReadModelFixture, type FixtureKind } from '../testing/read-model-fixture';
import type { ComplianceRule } from '@ledger/domain';
import { complianceFindings } from './compliance-findings';
import { holdingsAt } from '../accountability/accountability-queries';

const POLICY = {
  requiredRoles: ['TAKEDOWN_AUTHORITY', 'BIAS_DRIFT_MONITOR'],
  validationValidityDays: 365,
  auditIntervalDays: 90,
  incidentReportGraceHours: 24,
};
const at = (day: number, hour = 0) => new Date(Date.UTC(2026, 0, 1 + day, hour)).toISOString();

describe.each<FixtureKind>(['sqlite', 'postgres'])(
  'compliance findings and accountability over projected history (%s)',
  (kind) => {
    let f: ReadModelFixture;
    let n = 0;
    let systemId: string;
    beforeAll(async () => {
      f = await ReadModelFixture.open(kind);
    });
    afterAll(() => f.close());

    const sys = (type: string, data: Record<string, unknown>, day: number, hour = 0, schemaVersion = 1) =>
      f.emit(`ai-system-${systemId}`, type, { systemId, ...data }, at(day, hour), 't1', schemaVersion);
    const findings = async (rule: ComplianceRule, asOfDay: number, asOfHour = 0) => {
      await f.catchUp();
      return complianceFindings(f.db, 't1', { systemId, rule }, at(asOfDay, asOfHour), POLICY);
    };

    /** A system live from day 10 with both required roles held and accepted from day 1, validated on day 5. */
    async function liveSystem() {
      systemId = `sys-${++n}`;
      await sys(
        'AiSystemRegistered',
        {
          name: 'Sepsis',
          intendedUse: 'x',
          clinicalDomain: 'icu',
          riskClass: 'high',
          supplier: 'in-house',
          sites: ['north'],
        },
        0,
      );
      for (const [role, who] of [
        ['TAKEDOWN_AUTHORITY', 'dr.ada'],
        ['BIAS_DRIFT_MONITOR', 'ds.bias'],
      ]) {
        await sys(
          'AccountabilityAssigned',
          { assignmentId: role, role, assignee: who, effectiveFrom: at(1), assignedBy: 'admin' },
          1,
        );
        await sys(
          'AccountabilityAccepted',
          { assignmentId: role, role, assignee: who, acceptedAt: at(2) },
          2,
        );
      }
      await sys(
        'ModelVersionRegistered',
        {
          version: 'v1',
          artifactSha256: 'a'.repeat(64),
          trainingDatasetIds: ['d1'],
          codeRevision: 'r',
          changeSummary: 's',
          withinChangeControlPlan: true,
          developer: 'dev',
        },
        3,
      );
      await sys(
        'ValidationResultRecorded',
        {
          validationId: 'val-1',
          version: 'v1',
          datasetId: 'd1',
          metrics: [],
          subgroupResults: [],
          passed: true,
          validator: 'val',
          validatedAt: at(5),
        },
        5,
      );
      const deployed = await sys(
        'ModelVersionDeployed',
        { version: 'v1', deployedBy: 'admin', deployedAt: at(10) },
        10,
      );
      return deployed;
    }

    describe('accountability(asOf) at the boundaries', () => {
      it('holds from the assignment instant, shows pending until accepted, and ends at the revocation instant', async () => {
        systemId = `acc-${++n}`;
        await sys(
          'AiSystemRegistered',
          {
            name: 'Triage',
            intendedUse: 'x',
            clinicalDomain: 'ed',
            riskClass: 'moderate',
            supplier: 'in-house',
            sites: ['south'],
          },
          0,
        );
        await sys(
          'AccountabilityAssigned',
          {
            assignmentId: 'a1',
            role: 'TAKEDOWN_AUTHORITY',
            assignee: 'dr.ada',
            effectiveFrom: at(1, 9),
            assignedBy: 'admin',
          },
          1,
        );
        await sys(
          'AccountabilityAccepted',
          { assignmentId: 'a1', role: 'TAKEDOWN_AUTHORITY', assignee: 'dr.ada', acceptedAt: at(2, 9) },
          2,
          9,
        );
        await sys(
          'AccountabilityRevoked',
          {
            assignmentId: 'a1',
            role: 'TAKEDOWN_AUTHORITY',
            assignee: 'dr.ada',
            effectiveTo: at(5, 9),
            revokedBy: 'admin',
            reason: 'left',
          },
          5,
          9,
        );
        await f.catchUp();
        const holders = async (iso: string) =>
          (await holdingsAt(f.db, 't1', [systemId], iso)).map((h) => ({
            holder: h.holder,
            accepted: h.accepted,
          }));
        const oneMs = (iso: string, delta: number) => new Date(Date.parse(iso) + delta).toISOString();
        expect(await holders(oneMs(at(1, 9), -1))).toEqual([]);
        expect(await holders(at(1, 9))).toEqual([{ holder: 'dr.ada', accepted: false }]);
        expect(await holders(oneMs(at(2, 9), -1))).toEqual([{ holder: 'dr.ada', accepted: false }]);
        expect(await holders(at(2, 9))).toEqual([{ holder: 'dr.ada', accepted: true }]);
        expect(await holders(oneMs(at(5, 9), -1))).toEqual([{ holder: 'dr.ada', accepted: true }]);
        expect(await holders(at(5, 9))).toEqual([]);
      });
    });

    describe('REQUIRED_ROLE_VACANT', () => {
      it('is raised when a live system loses its last accepted holder, and cleared when a successor accepts', async () => {
        const deployed = await liveSystem();
        const revoked = await sys(
          'AccountabilityRevoked',
          {
            assignmentId: 'BIAS_DRIFT_MONITOR',
            role: 'BIAS_DRIFT_MONITOR',
            assignee: 'ds.bias',
            effectiveTo: at(20),
            revokedBy: 'admin',
            reason: 'left',
          },
          20,
        );
        await sys(
          'AccountabilityAssigned',
          {
            assignmentId: 'b2',
            role: 'BIAS_DRIFT_MONITOR',
            assignee: 'ds.new',
            effectiveFrom: at(25),
            assignedBy: 'admin',
          },
          24,
        );
        await sys(
          'AccountabilityAccepted',
          { assignmentId: 'b2', role: 'BIAS_DRIFT_MONITOR', assignee: 'ds.new', acceptedAt: at(26) },
          26,
        );
        expect(await findings('REQUIRED_ROLE_VACANT', 19)).toEqual([]);
        expect(await findings('REQUIRED_ROLE_VACANT', 21)).toEqual([
          expect.objectContaining({
            rule: 'REQUIRED_ROLE_VACANT',
            systemId,
            subject: 'BIAS_DRIFT_MONITOR',
            since: at(20),
            evidence: [deployed, revoked],
          }),
        ]);
        // Assigned but not yet accepted still leaves the role vacant.
        expect(await findings('REQUIRED_ROLE_VACANT', 25, 12)).toHaveLength(1);
        expect(await findings('REQUIRED_ROLE_VACANT', 27)).toEqual([]);
      });
    });

    describe('VALIDATION_EXPIRED', () => {
      it('is raised once the live version’s validation is older than the window, and cleared by a new passing validation', async () => {
        await liveSystem();
        expect(await findings('VALIDATION_EXPIRED', 369)).toEqual([]);
        expect(await findings('VALIDATION_EXPIRED', 371)).toEqual([
          expect.objectContaining({ subject: 'v1', since: at(370) }),
        ]);
        await sys(
          'ValidationResultRecorded',
          {
            validationId: 'val-2',
            version: 'v1',
            datasetId: 'd1',
            metrics: [],
            subgroupResults: [],
            passed: true,
            validator: 'val',
            validatedAt: at(372),
          },
          372,
        );
        expect(await findings('VALIDATION_EXPIRED', 373)).toEqual([]);
      });
    });

    describe('MONITORING_OVERDUE', () => {
      it('is raised when no signal arrives within the cadence, and cleared by a signal', async () => {
        await liveSystem();
        const plan = await sys(
          'MonitoringPlanned',
          { metric: 'auroc', threshold: 0.8, direction: 'min', cadence: 'P7D' },
          11,
        );
        expect(await findings('MONITORING_OVERDUE', 17)).toEqual([]);
        expect(await findings('MONITORING_OVERDUE', 19)).toEqual([
          expect.objectContaining({ subject: 'auroc', since: at(18), evidence: [plan] }),
        ]);
        await sys(
          'MonitoringSignalRecorded',
          { kind: 'performance', metric: 'auroc', value: 0.9, observedAt: at(20) },
          20,
        );
        expect(await findings('MONITORING_OVERDUE', 21)).toEqual([]);
      });
    });

    describe('BREACH_UNRESOLVED', () => {
      it('is raised by a breach, and cleared by a signal back within the threshold', async () => {
        await liveSystem();
        await sys(
          'MonitoringPlanned',
          { metric: 'auroc', threshold: 0.8, direction: 'min', cadence: 'P30D' },
          11,
        );
        const signal = await sys(
          'MonitoringSignalRecorded',
          { kind: 'drift', metric: 'auroc', value: 0.7, observedAt: at(12) },
          12,
        );
        const breach = await sys(
          'MonitoringThresholdBreached',
          {
            kind: 'drift',
            metric: 'auroc',
            value: 0.7,
            threshold: 0.8,
            direction: 'min',
            observedAt: at(12),
          },
          12,
        );
        expect(await findings('BREACH_UNRESOLVED', 13)).toEqual([
          expect.objectContaining({ subject: 'auroc', since: at(12), evidence: [signal, breach] }),
        ]);
        await sys(
          'MonitoringSignalRecorded',
          { kind: 'drift', metric: 'auroc', value: 0.85, observedAt: at(14) },
          14,
        );
        expect(await findings('BREACH_UNRESOLVED', 15)).toEqual([]);
      });

      it('is cleared by a takedown decision after the breach', async () => {
        await liveSystem();
        await sys(
          'MonitoringPlanned',
          { metric: 'auroc', threshold: 0.8, direction: 'min', cadence: 'P30D' },
          11,
        );
        await sys(
          'MonitoringSignalRecorded',
          { kind: 'drift', metric: 'auroc', value: 0.7, observedAt: at(12) },
          12,
        );
        await sys(
          'MonitoringThresholdBreached',
          {
            kind: 'drift',
            metric: 'auroc',
            value: 0.7,
            threshold: 0.8,
            direction: 'min',
            observedAt: at(12),
          },
          12,
        );
        await sys(
          'TakedownDecided',
          {
            decisionId: 'td',
            action: 'suspend',
            rationale: 'drift',
            evidence: ['x'],
            decidedBy: 'dr.ada',
            decidedAt: at(13),
            emergency: false,
          },
          13,
        );
        expect(await findings('BREACH_UNRESOLVED', 14)).toEqual([]);
      });
    });

    describe('EMERGENCY_TAKEDOWN_NOT_RATIFIED', () => {
      const emergency = () =>
        sys(
          'TakedownDecided',
          {
            decisionId: 'em-1',
            action: 'suspend',
            rationale: 'attack',
            evidence: ['soc:1'],
            decidedBy: 'sec.sam',
            decidedAt: at(30),
            emergency: true,
            ratificationDueBy: at(33),
          },
          30,
        );

      it('is raised when the due time passes unratified', async () => {
        await liveSystem();
        const decided = await emergency();
        expect(await findings('EMERGENCY_TAKEDOWN_NOT_RATIFIED', 32)).toEqual([]);
        expect(await findings('EMERGENCY_TAKEDOWN_NOT_RATIFIED', 34)).toEqual([
          expect.objectContaining({ subject: 'em-1', since: at(33), evidence: [decided] }),
        ]);
      });

      it('is cleared by a ratification in time', async () => {
        await liveSystem();
        await emergency();
        await sys('TakedownRatified', { decisionId: 'em-1', ratifiedBy: 'dr.ada', ratifiedAt: at(31) }, 31);
        expect(await findings('EMERGENCY_TAKEDOWN_NOT_RATIFIED', 40)).toEqual([]);
      });
    });

    describe('DATA_ACCESS_WITHOUT_GRANT', () => {
      const access = (actor: string, purposeOfUse: string, day: number) =>
        f.emit(
          'data-access-ehr',
          'DataAccessed',
          {
            actor,
            datasetId: 'icu',
            action: 'R',
            purposeOfUse,
            outcome: 'success',
            sourceService: 'ehr',
            systemId,
          },
          at(day),
        );

      it('is raised by access without an active grant or outside its purpose, and not by covered access', async () => {
        await liveSystem();
        await f.emit(
          'dataset-icu',
          'DatasetAccessGranted',
          {
            datasetId: 'icu',
            grantId: 'g1',
            principal: 'dr.cov',
            purpose: 'TREAT',
            expiresAt: at(100),
            grantedBy: 'steward',
          },
          at(11),
        );
        await access('dr.cov', 'TREAT', 12);
        expect(await findings('DATA_ACCESS_WITHOUT_GRANT', 13)).toEqual([]);
        const outside = await access('dr.cov', 'RESEARCH', 13);
        const ungranted = await access('dr.none', 'TREAT', 14);
        const late = await access('dr.cov', 'TREAT', 101);
        const result = await findings('DATA_ACCESS_WITHOUT_GRANT', 200);
        expect(result.map((r) => ({ subject: r.subject, evidence: r.evidence }))).toEqual([
          { subject: 'icu/dr.cov', evidence: [outside] },
          { subject: 'icu/dr.none', evidence: [ungranted] },
          { subject: 'icu/dr.cov', evidence: [late] },
        ]);
        expect(result[0].message).toContain('purpose');
      });
    });

    describe('AUDIT_OVERDUE', () => {
      it('is raised when a live system goes a full interval without an audit, and cleared by recording one', async () => {
        const deployed = await liveSystem();
        expect(await findings('AUDIT_OVERDUE', 99)).toEqual([]);
        expect(await findings('AUDIT_OVERDUE', 101)).toEqual([
          expect.objectContaining({ since: at(100), evidence: [deployed] }),
        ]);
        await sys('AuditRecorded', { auditId: 'au-1', scope: 'annual', findings: [], auditor: 'aud' }, 102);
        expect(await findings('AUDIT_OVERDUE', 103)).toEqual([]);
      });
    });

    describe('AUDIT_FINDING_OVERDUE', () => {
      const audit = () =>
        sys(
          'AuditRecorded',
          {
            auditId: 'au-1',
            scope: 'annual',
            findings: [
              { findingId: 'F-1', severity: 'major', description: 'late', owner: 'dr.perf', dueAt: at(50) },
            ],
            auditor: 'aud.ann',
          },
          20,
          0,
          2,
        );

      it('names the owner of a major finding due in 30 days from day 31, until someone else verifies its closure', async () => {
        await liveSystem();
        const recorded = await audit();
        expect(await findings('AUDIT_FINDING_OVERDUE', 50 - 1)).toEqual([]);
        const overdue = await findings('AUDIT_FINDING_OVERDUE', 51);
        expect(overdue).toEqual([
          expect.objectContaining({
            subject: 'au-1/F-1',
            since: at(50),
            owner: 'dr.perf',
            evidence: [recorded],
          }),
        ]);
        expect(overdue[0].message).toContain('its owner dr.perf has not resolved it');
        const resolved = await sys(
          'AuditFindingResolved',
          {
            auditId: 'au-1',
            findingId: 'F-1',
            resolution: 'fixed',
            resolvedBy: 'dr.perf',
            resolvedAt: at(52),
          },
          52,
        );
        const awaiting = await findings('AUDIT_FINDING_OVERDUE', 52, 1);
        expect(awaiting).toEqual([expect.objectContaining({ evidence: [recorded, resolved] })]);
        expect(awaiting[0].message).toContain('someone other than the owner must now verify');
        await sys(
          'AuditFindingClosureVerified',
          { auditId: 'au-1', findingId: 'F-1', note: 'ok', verifiedBy: 'aud.ann', verifiedAt: at(53) },
          53,
        );
        expect(await findings('AUDIT_FINDING_OVERDUE', 53, 1)).toEqual([]);
        // Asked about the past, the finding was overdue then.
        expect(await findings('AUDIT_FINDING_OVERDUE', 51)).toHaveLength(1);
      });

      it('runs no clock on findings recorded before they had due dates', async () => {
        await liveSystem();
        await sys(
          'AuditRecorded',
          {
            auditId: 'au-old',
            scope: 'annual',
            findings: [{ severity: 'critical', description: 'old' }],
            auditor: 'aud.ann',
          },
          20,
        );
        expect(await findings('AUDIT_FINDING_OVERDUE', 900)).toEqual([]);
      });
    });

    describe('ACCESS_REVIEW_OVERDUE', () => {
      const review = (periodFrom: number, periodTo: number, day: number) =>
        sys(
          'AccessLogReviewed',
          {
            periodFrom: at(periodFrom),
            periodTo: at(periodTo),
            outcome: 'no_issues',
            note: 'ok',
            reviewer: 'sec.sam',
            reviewedAt: at(day),
          },
          day,
        );

      it("is raised when a live system's logs go a cadence unreviewed, cleared by a review, and not by a backdated one", async () => {
        await liveSystem();
        const policy = await sys(
          'AccessPolicyRecorded',
          {
            documentRef: 'p',
            permittedRoles: ['nurse'],
            permittedPurposes: ['TREAT'],
            recordedBy: 'admin',
            reviewEveryDays: 30,
          },
          5,
          0,
          2,
        );
        expect(await findings('ACCESS_REVIEW_OVERDUE', 39)).toEqual([]);
        expect(await findings('ACCESS_REVIEW_OVERDUE', 41)).toEqual([
          expect.objectContaining({ subject: systemId, since: at(40), evidence: [policy] }),
        ]);
        const reviewed = await review(10, 41, 42);
        expect(await findings('ACCESS_REVIEW_OVERDUE', 42)).toEqual([]);
        expect(await findings('ACCESS_REVIEW_OVERDUE', 72)).toEqual([
          expect.objectContaining({ since: at(71), evidence: [policy, reviewed] }),
        ]);
        await review(0, 5, 73);
        expect(await findings('ACCESS_REVIEW_OVERDUE', 74)).toEqual([
          expect.objectContaining({ since: at(71), evidence: [policy, reviewed] }),
        ]);
      });

      it('is raised and cleared for a dataset whose access policy sets a cadence', async () => {
        const datasetId = `ds-${++n}`;
        const ds = (type: string, data: Record<string, unknown>, day: number) =>
          f.emit(`dataset-${datasetId}`, type, { datasetId, ...data }, at(day));
        const policy = await ds(
          'DatasetAccessPolicyRecorded',
          { documentRef: 'p', reviewEveryDays: 10, recordedBy: 'steward' },
          0,
        );
        const datasetFindings = async (day: number) => {
          await f.catchUp();
          return (
            await complianceFindings(f.db, 't1', { rule: 'ACCESS_REVIEW_OVERDUE' }, at(day), POLICY)
          ).filter((x) => x.subject === datasetId);
        };
        expect(await datasetFindings(9)).toEqual([]);
        expect(await datasetFindings(11)).toEqual([
          expect.objectContaining({ systemId: null, since: at(10), evidence: [policy] }),
        ]);
        await ds(
          'DatasetAccessLogReviewed',
          {
            periodFrom: at(0),
            periodTo: at(11),
            outcome: 'issues_found',
            note: 'two reads escalated',
            reviewer: 'sec.sam',
            reviewedAt: at(12),
          },
          12,
        );
        expect(await datasetFindings(12)).toEqual([]);
      });
    });

    describe('AUDIT_SOURCE_SILENT', () => {
      const access = (sourceService: string, day: number) =>
        f.emit(
          `data-access-${sourceService}`,
          'DataAccessed',
          {
            actor: 'dr.x',
            datasetId: 'icu',
            action: 'R',
            purposeOfUse: 'TREAT',
            outcome: 'success',
            sourceService,
            systemId,
          },
          at(day),
        );

      it('is raised when a registered source sends nothing for longer than its interval, and cleared when it reports', async () => {
        await liveSystem();
        const registered = await sys(
          'AuditSourceRegistered',
          { sourceService: 'ehr-gw', expectedInterval: 'P1D' },
          2,
          0,
          2,
        );
        expect(await findings('AUDIT_SOURCE_SILENT', 10, 23)).toEqual([]);
        expect(await findings('AUDIT_SOURCE_SILENT', 11, 1)).toEqual([
          expect.objectContaining({ subject: 'ehr-gw', since: at(11), evidence: [registered] }),
        ]);
        await access('other-gw', 12);
        expect(await findings('AUDIT_SOURCE_SILENT', 12, 1)).toHaveLength(1);
        const reported = await access('ehr-gw', 12);
        expect(await findings('AUDIT_SOURCE_SILENT', 12, 1)).toEqual([]);
        expect(await findings('AUDIT_SOURCE_SILENT', 13, 1)).toEqual([
          expect.objectContaining({ since: at(13), evidence: [registered, reported] }),
        ]);
      });

      it('holds no source registered without an interval to one', async () => {
        await liveSystem();
        await sys('AuditSourceRegistered', { sourceService: 'legacy-gw' }, 2);
        expect(await findings('AUDIT_SOURCE_SILENT', 400)).toEqual([]);
      });
    });

    describe('VERSION_MISMATCH and USE_AFTER_TAKEDOWN', () => {
      /** An output and the flag the ledger appended right after it; answers [outputEventId, flagEventId]. */
      const flagged = async (outputId: string, finding: string, day: number, version = 'v9') => {
        const data = { outputId, systemId, sourceService: 'scorer' };
        const output = await f.emit(
          'clinical-use-scorer',
          'AiOutputProduced',
          {
            ...data,
            modelVersion: version,
            site: 'north',
            patientPseudonym: 'a'.repeat(64),
            inputDigest: 'b'.repeat(64),
            score: 0.5,
            alerted: false,
          },
          at(day),
        );
        const flag = await f.emit(
          'clinical-use-scorer',
          'AiOutputFlagged',
          {
            ...data,
            finding,
            modelVersion: version,
            ...(finding === 'VERSION_MISMATCH' ? { liveVersion: 'v1' } : {}),
            systemStatus: finding === 'VERSION_MISMATCH' ? 'deployed' : 'retired',
            outputOccurredAt: at(day),
            outputEventId: output,
          },
          at(day),
        );
        return [output, flag];
      };

      it('gives one finding per system and kind, with the count and the first outputs and flags as evidence, whatever the system’s status', async () => {
        systemId = `flagged-${++n}`;
        await sys(
          'AiSystemRegistered',
          {
            name: 'Retired',
            intendedUse: 'x',
            clinicalDomain: 'icu',
            riskClass: 'high',
            supplier: 'in-house',
            sites: ['north'],
          },
          0,
        );
        const mismatches: string[][] = [];
        for (let i = 0; i < 12; i++) mismatches.push(await flagged(`m-${i}`, 'VERSION_MISMATCH', 20 + i));
        const afterTakedown = await flagged('t-0', 'USE_AFTER_TAKEDOWN', 40, 'v1');

        const [mismatch] = await findings('VERSION_MISMATCH', 100);
        expect(mismatch).toMatchObject({
          rule: 'VERSION_MISMATCH',
          systemId,
          subject: 'v9',
          since: at(20),
          message: expect.stringContaining(`12 outputs of ${systemId}`),
          evidence: mismatches.slice(0, 10).flat(),
        });
        expect(mismatch.message).toContain('live then: v1');
        expect(await findings('USE_AFTER_TAKEDOWN', 100)).toEqual([
          expect.objectContaining({ since: at(40), evidence: afterTakedown }),
        ]);
        expect((await findings('VERSION_MISMATCH', 25))[0].message).toContain('6 outputs');
        expect(await findings('USE_AFTER_TAKEDOWN', 39)).toEqual([]);
        expect(await complianceFindings(f.db, 't2', { rule: 'VERSION_MISMATCH' }, at(100), POLICY)).toEqual(
          [],
        );
      });
    });

    it('ignores systems that are not live and other tenants', async () => {
      systemId = `idle-${++n}`;
      await sys(
        'AiSystemRegistered',
        {
          name: 'Idle',
          intendedUse: 'x',
          clinicalDomain: 'icu',
          riskClass: 'low',
          supplier: 'in-house',
          sites: ['north'],
        },
        0,
      );
      await f.catchUp();
      expect(await complianceFindings(f.db, 't1', { systemId }, at(500), POLICY)).toEqual([]);
      expect(await complianceFindings(f.db, 't2', {}, at(500), POLICY)).toEqual([]);
    });
  },
);
