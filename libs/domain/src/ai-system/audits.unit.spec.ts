import { specFor } from '../testing/given-when-then';
import { HOLDERS, SYSTEM, cmd, day, deployed, meta, readyToDeploy, run } from '../testing/ai-system-fixtures';
import type { AuditFindingInput } from './commands';
import { aiSystemDecider } from './decide';

const given = specFor(aiSystemDecider());
const OWNER = HOLDERS.MODEL_PERFORMANCE_OWNER;

const finding = (o: Partial<AuditFindingInput> = {}): AuditFindingInput => ({
  findingId: 'F-1',
  severity: 'minor',
  description: 'Cadence missed once',
  owner: OWNER,
  dueAt: day(60),
  ...o,
});

describe('recording an audit', () => {
  it('records the scope, each finding with its owner and due date, and the auditor', () =>
    given(...deployed())
      .when(cmd.audit())
      .then([
        {
          type: 'AuditRecorded',
          data: {
            systemId: SYSTEM,
            auditId: 'audit-2025-q1',
            scope: 'Deployment gates and monitoring, Q1',
            findings: [
              {
                findingId: 'F-1',
                severity: 'minor',
                description: 'Cadence missed once',
                owner: OWNER,
                dueAt: day(60),
              },
            ],
            auditor: 'auditor.ann',
          },
        },
      ]));

  it('records the owner in the one spelling every person id has', () =>
    given(...deployed())
      .when(cmd.audit({ findings: [finding({ owner: '  DR.Perf ' })] }))
      .then([
        expect.objectContaining({
          data: expect.objectContaining({ findings: [expect.objectContaining({ owner: OWNER })] }),
        }),
      ]));

  it('records a clean audit with no findings', () =>
    given(...deployed())
      .when(cmd.audit({ findings: [] }))
      .then([expect.objectContaining({ data: expect.objectContaining({ findings: [] }) })]));

  it('refuses a repeated audit id', () =>
    given(...run([cmd.audit()], deployed()))
      .when(cmd.audit())
      .thenThrows('ALREADY_EXISTS', 'auditId'));

  it('refuses a finding without a known severity, naming it', () =>
    given(...deployed())
      .when(
        cmd.audit({
          findings: [finding(), finding({ findingId: 'F-2', severity: 'dire' as never })],
        }),
      )
      .thenThrows('VALIDATION_FAILED', 'findings.1.severity'));

  it('refuses two findings with one id, naming the second', () =>
    given(...deployed())
      .when(cmd.audit({ findings: [finding(), finding()] }))
      .thenThrows('ALREADY_EXISTS', 'findings.1.findingId'));

  it('refuses a finding already due when the audit is recorded', () =>
    given(...deployed())
      .when(cmd.audit({ findings: [finding({ dueAt: day(30) })] }))
      .thenThrows('VALIDATION_FAILED', 'findings.0.dueAt'));

  it('refuses a due date that is no instant, naming it', () =>
    given(...deployed())
      .when(cmd.audit({ findings: [finding({ dueAt: 'next month' })] }))
      .thenThrows('VALIDATION_FAILED', 'findings.0.dueAt'));

  it('refuses a finding without an owner', () =>
    given(...deployed())
      .when(cmd.audit({ findings: [finding({ owner: '' })] }))
      .thenThrows('VALIDATION_FAILED', 'findings.0.owner'));

  it('refuses a blank scope', () =>
    given(...deployed())
      .when(cmd.audit({ scope: '' }))
      .thenThrows('VALIDATION_FAILED', 'scope'));
});

describe('closing an audit finding: resolved by its owner, verified by someone else', () => {
  const audited = () => run([cmd.audit()], deployed());
  const resolved = () => run([cmd.resolveFinding()], audited());

  it('lets the owner resolve it, in any spelling of their id', () =>
    given(...audited())
      .when(cmd.resolveFinding({ meta: meta(' Dr.PERF', day(40)) }))
      .then([
        {
          type: 'AuditFindingResolved',
          data: {
            systemId: SYSTEM,
            auditId: 'audit-2025-q1',
            findingId: 'F-1',
            resolution: 'Signals now scheduled by the monitoring service',
            resolvedBy: OWNER,
            resolvedAt: day(40),
          },
        },
      ]));

  it('refuses a resolution by anyone but the owner', () =>
    given(...audited())
      .when(cmd.resolveFinding({ meta: meta('auditor.ann', day(40)) }))
      .thenThrows('NOT_FINDING_OWNER', 'findingId'));

  it('refuses to resolve a finding twice', () =>
    given(...resolved())
      .when(cmd.resolveFinding())
      .thenThrows('INVALID_TRANSITION', 'findingId'));

  it('refuses an unknown audit or finding, naming which', () => {
    given(...audited())
      .when(cmd.resolveFinding({ auditId: 'audit-1999' }))
      .thenThrows('NOT_FOUND', 'auditId');
    given(...audited())
      .when(cmd.resolveFinding({ findingId: 'F-9' }))
      .thenThrows('NOT_FOUND', 'findingId');
  });

  it('lets someone other than the owner verify the closure', () =>
    given(...resolved())
      .when(cmd.verifyClosure())
      .then([
        {
          type: 'AuditFindingClosureVerified',
          data: {
            systemId: SYSTEM,
            auditId: 'audit-2025-q1',
            findingId: 'F-1',
            note: 'Checked a month of signals',
            verifiedBy: 'auditor.ann',
            verifiedAt: day(45),
          },
        },
      ]));

  it.each([
    ['as recorded', OWNER],
    ['in capitals', 'DR.PERF'],
    ['padded with spaces', '  dr.perf  '],
  ])('refuses the owner verifying their own closure, spelled %s', (_, spelling) =>
    given(...resolved())
      .when(cmd.verifyClosure({ meta: meta(spelling, day(45)) }))
      .thenThrows('VERIFIER_IS_OWNER'),
  );

  it('refuses an owner whose accented id is typed as a letter plus a combining accent', () => {
    const accented = run(
      [
        cmd.audit({ findings: [finding({ owner: 'dr.zo\u00eb' })] }),
        cmd.resolveFinding({ meta: meta('dr.zo\u00eb', day(40)) }),
      ],
      deployed(),
    );
    given(...accented)
      .when(cmd.verifyClosure({ meta: meta('Dr.Zoe\u0308', day(45)) }))
      .thenThrows('VERIFIER_IS_OWNER');
  });

  it('refuses the owner even when the owner is the auditor who recorded the finding', () => {
    const selfOwned = run(
      [
        cmd.audit({ findings: [finding({ owner: 'Auditor.Ann' })] }),
        cmd.resolveFinding({ meta: meta('auditor.ann', day(40)) }),
      ],
      deployed(),
    );
    given(...selfOwned)
      .when(cmd.verifyClosure({ meta: meta('AUDITOR.ANN', day(45)) }))
      .thenThrows('VERIFIER_IS_OWNER');
  });

  it('refuses to verify a closure the owner has not resolved', () =>
    given(...audited())
      .when(cmd.verifyClosure())
      .thenThrows('INVALID_TRANSITION', 'findingId'));

  it('refuses to verify a closure twice', () =>
    given(...run([cmd.verifyClosure()], resolved()))
      .when(cmd.verifyClosure({ meta: meta('auditor.bob', day(46)) }))
      .thenThrows('INVALID_TRANSITION', 'findingId'));
});

describe('an open critical audit finding is a deployment gate', () => {
  const critical = cmd.audit({
    meta: meta('auditor.ann', day(1, 8)),
    findings: [finding({ severity: 'critical', description: 'Access policy not enforced', dueAt: day(20) })],
  });
  const gates = (history: ReturnType<typeof readyToDeploy>) =>
    given(...history)
      .when(cmd.deploy())
      .rejection()
      .details?.unmetGates?.map((g) => g.gate);

  it('keeps a version from patients while a critical finding is open, naming its owner', () => {
    const rejection = given(...run([critical], readyToDeploy()))
      .when(cmd.deploy())
      .rejection();
    expect(rejection.code).toBe('GATE_NOT_MET');
    expect(rejection.details?.unmetGates).toEqual([
      {
        gate: 'OPEN_CRITICAL_AUDIT_FINDING',
        message: expect.stringContaining(`F-1 of audit audit-2025-q1 (owner ${OWNER}, unresolved)`),
      },
    ]);
  });

  it('still blocks once resolved, until someone else verifies the closure', () =>
    expect(
      gates(run([critical, cmd.resolveFinding({ meta: meta(OWNER, day(1, 9)) })], readyToDeploy())),
    ).toEqual(['OPEN_CRITICAL_AUDIT_FINDING']));

  it('opens once the closure is verified', () =>
    given(
      ...run(
        [
          critical,
          cmd.resolveFinding({ meta: meta(OWNER, day(1, 9)) }),
          cmd.verifyClosure({ meta: meta('auditor.ann', day(1, 10)) }),
        ],
        readyToDeploy(),
      ),
    )
      .when(cmd.deploy())
      .then([
        expect.objectContaining({ type: 'ModelVersionDeployed' }),
        expect.objectContaining({ type: 'AiSystemStatusChanged' }),
      ]));

  it('does not block for an open major finding', () =>
    given(
      ...run(
        [cmd.audit({ meta: meta('auditor.ann', day(1, 8)), findings: [finding({ severity: 'major' })] })],
        readyToDeploy(),
      ),
    )
      .when(cmd.deploy())
      .then([
        expect.objectContaining({ type: 'ModelVersionDeployed' }),
        expect.objectContaining({ type: 'AiSystemStatusChanged' }),
      ]));
});

describe("reviewing a system's access logs", () => {
  it('records the period, the outcome and the note, by the caller at the ledger clock', () =>
    given(...deployed())
      .when(cmd.accessReview())
      .then([
        {
          type: 'AccessLogReviewed',
          data: {
            systemId: SYSTEM,
            periodFrom: day(0),
            periodTo: day(30),
            outcome: 'no_issues',
            note: 'Every access matched a grant',
            reviewer: HOLDERS.SECURITY_OFFICER,
            reviewedAt: day(31),
          },
        },
      ]));

  it('refuses a period that ends after the review: logs not yet written cannot have been read', () =>
    given(...deployed())
      .when(cmd.accessReview({ periodTo: day(31, 1) }))
      .thenThrows('VALIDATION_FAILED', 'periodTo'));

  it('refuses a period that ends before it starts', () =>
    given(...deployed())
      .when(cmd.accessReview({ periodFrom: day(30), periodTo: day(10) }))
      .thenThrows('VALIDATION_FAILED', 'periodTo'));

  it('refuses an outcome it does not know, naming the field', () =>
    given(...deployed())
      .when(cmd.accessReview({ outcome: 'fine' as never }))
      .thenThrows('VALIDATION_FAILED', 'outcome'));

  it('refuses a period start that is no instant', () =>
    given(...deployed())
      .when(cmd.accessReview({ periodFrom: '2025-02-30T00:00:00Z' }))
      .thenThrows('VALIDATION_FAILED', 'periodFrom'));
});
