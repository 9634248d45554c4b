import fc from 'fast-check';
import { specFor } from '../testing/given-when-then';
import {
  ADMIN,
  APPROVED_TRAINING_DATA,
  DEVELOPER,
  HOLDERS,
  PLANNER,
  REVIEWERS,
  SYSTEM,
  TRAINING_DATASET,
  cmd,
  day,
  deployed,
  meta,
  readyToDeploy,
  run,
  staffed,
  suspended,
} from '../testing/ai-system-fixtures';
import type { AiSystemCommand } from './commands';
import { aiSystemDecider } from './decide';
import type { DeploymentGate } from './deployment';
import { DEFAULT_GOVERNANCE_POLICY } from './policy';
import { REVIEW_DISCIPLINES, type ReviewDiscipline } from './vocabulary';

const given = specFor(aiSystemDecider());
const withVersion = () => run([cmd.register(), cmd.registerVersion()]);

describe('approving a deployment', () => {
  it('records the discipline and the reviewer', () =>
    given(...withVersion())
      .when(cmd.approve('clinical'))
      .then([
        {
          type: 'DeploymentApproved',
          data: { systemId: SYSTEM, version: '1.0.0', discipline: 'clinical', reviewer: REVIEWERS.clinical },
        },
      ]));

  it('approves the system once the fourth discipline signs off', () =>
    given(
      ...run(
        (['clinical', 'data_science', 'security'] as const).map((d) => cmd.approve(d)),
        withVersion(),
      ),
    )
      .when(cmd.approve('compliance'))
      .then([
        expect.objectContaining({ type: 'DeploymentApproved' }),
        {
          type: 'AiSystemStatusChanged',
          data: {
            systemId: SYSTEM,
            from: 'in_validation',
            to: 'approved',
            because: 'DeploymentApproved',
            at: day(1, 2),
          },
        },
      ]));

  it('does not change the status of a deployed system when a new version is fully approved', () =>
    given(
      ...run(
        [
          cmd.registerVersion('2.0.0', { meta: meta(DEVELOPER, day(3)) }),
          ...(['clinical', 'data_science', 'security'] as const).map((d) => cmd.approve(d, '2.0.0')),
        ],
        deployed(),
      ),
    )
      .when(cmd.approve('compliance', '2.0.0'))
      .then([expect.objectContaining({ type: 'DeploymentApproved' })]));

  it('refuses an approval by the version’s developer', () =>
    given(...withVersion())
      .when(cmd.approve('data_science', '1.0.0', { meta: meta(DEVELOPER) }))
      .thenThrows('REVIEWER_IS_DEVELOPER'));

  it('refuses a second approval for the same discipline', () =>
    given(...run([cmd.approve('clinical')], withVersion()))
      .when(cmd.approve('clinical', '1.0.0', { meta: meta('dr.second-opinion') }))
      .thenThrows('ALREADY_EXISTS', 'discipline'));

  it('refuses one reviewer signing for two disciplines', () =>
    given(...run([cmd.approve('clinical')], withVersion()))
      .when(cmd.approve('security', '1.0.0', { meta: meta(REVIEWERS.clinical) }))
      .thenThrows('REVIEWER_ALREADY_APPROVED'));

  it('refuses an approval of an unknown version', () =>
    given(...withVersion())
      .when(cmd.approve('clinical', '9.9.9'))
      .thenThrows('NOT_FOUND', 'version'));

  it('refuses an unknown discipline', () =>
    given(...withVersion())
      .when(cmd.approve('marketing' as never, '1.0.0', { meta: meta('rev.mkt') }))
      .thenThrows('VALIDATION_FAILED', 'discipline'));
});

describe('recording the access policy and audit source', () => {
  it('records the access policy', () =>
    given(...withVersion())
      .when(cmd.accessPolicy())
      .then([
        {
          type: 'AccessPolicyRecorded',
          data: {
            systemId: SYSTEM,
            documentRef: 'policies/sepsis-watch-access-v3.pdf',
            permittedRoles: ['clinician', 'nurse'],
            permittedPurposes: ['TREAT'],
            recordedBy: ADMIN,
          },
        },
      ]));

  it('refuses an access policy that permits no purpose', () =>
    given(...withVersion())
      .when(cmd.accessPolicy({ permittedPurposes: [] }))
      .thenThrows('VALIDATION_FAILED', 'permittedPurposes'));

  it('registers a service as the audit source of the system', () =>
    given(...withVersion())
      .when(cmd.auditSource())
      .then([
        {
          type: 'AuditSourceRegistered',
          data: { systemId: SYSTEM, sourceService: 'ehr-gateway', expectedInterval: 'PT24H' },
        },
      ]));

  it('refuses an expected interval that is no ISO 8601 duration, naming it', () =>
    given(...withVersion())
      .when(cmd.auditSource('ehr-gateway', { expectedInterval: 'daily' }))
      .thenThrows('VALIDATION_FAILED', 'expectedInterval'));

  it('records the cadence at which the access policy wants the logs reviewed', () =>
    given(...withVersion())
      .when(cmd.accessPolicy({ reviewEveryDays: 30 }))
      .then([expect.objectContaining({ data: expect.objectContaining({ reviewEveryDays: 30 }) })]));

  it('refuses the same audit source twice', () =>
    given(...run([cmd.auditSource()], withVersion()))
      .when(cmd.auditSource())
      .thenThrows('ALREADY_EXISTS', 'sourceService'));
});

describe('deploying a model version', () => {
  it('deploys when every gate is met, and the system becomes deployed', () =>
    given(...readyToDeploy())
      .when(cmd.deploy())
      .then([
        {
          type: 'ModelVersionDeployed',
          data: { systemId: SYSTEM, version: '1.0.0', deployedBy: ADMIN, deployedAt: day(2) },
        },
        {
          type: 'AiSystemStatusChanged',
          data: {
            systemId: SYSTEM,
            from: 'approved',
            to: 'deployed',
            because: 'ModelVersionDeployed',
            at: day(2),
          },
        },
      ]));

  it('replaces the live version with a newer one that meets every gate', () =>
    given(
      ...run(
        [
          cmd.registerVersion('2.0.0', { meta: meta(DEVELOPER, day(3)) }),
          cmd.planValidation('2.0.0', { meta: meta(PLANNER, day(3)) }),
          cmd.validate('2.0.0', { meta: meta('val.vic', day(4)) }),
          ...REVIEW_DISCIPLINES.map((d) => cmd.approve(d, '2.0.0')),
        ],
        deployed(),
      ),
    )
      .when(cmd.deploy('2.0.0', { meta: meta(ADMIN, day(5)) }))
      .then([
        {
          type: 'ModelVersionDeployed',
          data: {
            systemId: SYSTEM,
            version: '2.0.0',
            previousVersion: '1.0.0',
            deployedBy: ADMIN,
            deployedAt: day(5),
          },
        },
      ]));

  it('lists every unmet gate, each with what would meet it', () => {
    const error = given(...withVersion())
      .when(cmd.deploy('1.0.0', { datasets: [] }))
      .rejection();
    expect(error.code).toBe('GATE_NOT_MET');
    expect(error.details?.unmetGates).toEqual([
      { gate: 'REQUIRED_ROLES', message: expect.stringContaining('TAKEDOWN_AUTHORITY') },
      { gate: 'TRAINING_DATASETS', message: expect.stringContaining(`register dataset ${TRAINING_DATASET}`) },
      {
        gate: 'VALIDATION',
        message: expect.stringContaining('record a passing validation of version 1.0.0'),
      },
      { gate: 'ACCESS_POLICY', message: expect.stringContaining('record an access policy') },
      { gate: 'AUDIT_SOURCE', message: expect.stringContaining('audit source') },
      {
        gate: 'REVIEWER_APPROVALS',
        message: expect.stringContaining('clinical, data_science, security, compliance'),
      },
      { gate: 'MONITORING_PLAN', message: expect.stringContaining('plan the monitoring of sepsis-watch') },
    ]);
  });

  const unmetGates = (
    history: ReturnType<typeof run>,
    command: AiSystemCommand,
    policy = DEFAULT_GOVERNANCE_POLICY,
  ) =>
    specFor(aiSystemDecider(policy))(...history)
      .when(command)
      .rejection()
      .details?.unmetGates?.map((g) => `${g.gate}: ${g.message}`);

  describe('gate 1: every required role held and accepted', () => {
    const without = (missing: string) =>
      run([
        cmd.register(),
        ...staffed(Object.keys(HOLDERS).filter((r) => r !== missing) as never),
        cmd.registerVersion(),
        cmd.planValidation(),
        cmd.validate(),
        cmd.accessPolicy(),
        cmd.auditSource(),
        cmd.plan(),
        ...REVIEW_DISCIPLINES.map((d) => cmd.approve(d)),
      ]);

    it.each(DEFAULT_GOVERNANCE_POLICY.requiredRoles)('is unmet without %s', (role) =>
      expect(unmetGates(without(role), cmd.deploy())).toEqual([
        expect.stringMatching(new RegExp(`^REQUIRED_ROLES: .*${role}`)),
      ]),
    );

    it('names an assignee who has not accepted yet', () =>
      expect(
        unmetGates(
          run(
            [cmd.assign('CLINICAL_LEAD', 'dr.new', { assignmentId: 'new-lead' })],
            without('CLINICAL_LEAD'),
          ),
          cmd.deploy(),
        ),
      ).toEqual([expect.stringContaining('CLINICAL_LEAD (assigned to dr.new, awaiting acceptance)')]));

    it('counts holders as of the deployment time', () =>
      expect(unmetGates(readyToDeploy(), cmd.deploy('1.0.0', { meta: meta(ADMIN, day(-1)) }))).toEqual([
        expect.stringMatching(/^REQUIRED_ROLES/),
      ]));

    it('follows the organisation’s policy of required roles', () =>
      specFor(aiSystemDecider({ ...DEFAULT_GOVERNANCE_POLICY, requiredRoles: ['CLINICAL_LEAD'] }))(
        ...without('TAKEDOWN_AUTHORITY'),
      )
        .when(cmd.deploy())
        .then([
          expect.objectContaining({ type: 'ModelVersionDeployed' }),
          expect.objectContaining({ type: 'AiSystemStatusChanged' }),
        ]));
  });

  describe('gate 2: training datasets registered and approved', () => {
    it.each([
      ['missing from the snapshot', [], `register dataset ${TRAINING_DATASET}`],
      [
        'not registered',
        [{ datasetId: TRAINING_DATASET, registered: false, approvedPurposes: [], approvals: [] }],
        `register dataset ${TRAINING_DATASET}`,
      ],
      [
        'registered but not approved for training',
        [
          {
            datasetId: TRAINING_DATASET,
            registered: true,
            approvedPurposes: ['TREAT'],
            approvals: [{ purpose: 'TREAT', approvedBy: 'data.steward' }],
          },
        ],
        `approve dataset ${TRAINING_DATASET} for 'model-training'`,
      ],
    ])('is unmet when the dataset is %s', (_, datasets, advice) =>
      expect(unmetGates(readyToDeploy(), cmd.deploy('1.0.0', { datasets }))).toEqual([
        expect.stringMatching(new RegExp(`^TRAINING_DATASETS: .*${advice}`)),
      ]),
    );
  });

  describe('gate 3: a passing validation of this version within the validity window', () => {
    const ready = (validations: AiSystemCommand[]) =>
      run([
        cmd.register(),
        ...staffed(),
        cmd.registerVersion(),
        cmd.planValidation(),
        ...validations,
        cmd.accessPolicy(),
        cmd.auditSource(),
        cmd.plan(),
        ...REVIEW_DISCIPLINES.map((d) => cmd.approve(d)),
      ]);
    const failed = cmd.validateFailing();

    it('is unmet with no validation', () =>
      expect(unmetGates(ready([]), cmd.deploy())).toEqual([expect.stringMatching(/^VALIDATION/)]));

    it('is unmet with only a failed validation', () =>
      expect(unmetGates(ready([failed]), cmd.deploy())).toEqual([expect.stringMatching(/^VALIDATION/)]));

    it('is unmet when the passing validation is older than the window', () =>
      expect(
        unmetGates(ready([cmd.validate()]), cmd.deploy('1.0.0', { meta: meta(ADMIN, day(367)) })),
      ).toEqual([expect.stringMatching(/^VALIDATION: .*older than 365 days/)]));

    it('is met on the last day of the window', () =>
      given(...ready([cmd.validate()]))
        .when(cmd.deploy('1.0.0', { meta: meta(ADMIN, day(366)) }))
        .then([
          expect.objectContaining({ type: 'ModelVersionDeployed' }),
          expect.objectContaining({ type: 'AiSystemStatusChanged' }),
        ]));

    it('follows the organisation’s validity window', () =>
      expect(
        unmetGates(ready([cmd.validate()]), cmd.deploy('1.0.0', { meta: meta(ADMIN, day(40)) }), {
          ...DEFAULT_GOVERNANCE_POLICY,
          validationValidityDays: 30,
        }),
      ).toEqual([expect.stringMatching(/^VALIDATION: .*older than 30 days/)]));

    it('is met by a later passing validation after a failed one', () =>
      given(...ready([failed, cmd.validate('1.0.0', { validationId: 'retry' })]))
        .when(cmd.deploy())
        .then([
          expect.objectContaining({ type: 'ModelVersionDeployed' }),
          expect.objectContaining({ type: 'AiSystemStatusChanged' }),
        ]));
  });

  describe('gate 6: four distinct reviewers approved', () => {
    it.each(REVIEW_DISCIPLINES)('is unmet without the %s approval', (missing: ReviewDiscipline) => {
      const history = run([
        cmd.register(),
        ...staffed(),
        cmd.registerVersion(),
        cmd.planValidation(),
        cmd.validate(),
        cmd.accessPolicy(),
        cmd.auditSource(),
        cmd.plan(),
        ...REVIEW_DISCIPLINES.filter((d) => d !== missing).map((d) => cmd.approve(d)),
      ]);
      expect(unmetGates(history, cmd.deploy())).toEqual([
        `REVIEWER_APPROVALS: obtain approval of version 1.0.0 from a ${missing} reviewer (each a different person, none an author of this or the live version)`,
      ]);
    });

    it('does not count approvals of another version', () => {
      const history = run(
        [
          cmd.registerVersion('2.0.0', { meta: meta(DEVELOPER, day(3)) }),
          cmd.planValidation('2.0.0', { meta: meta(PLANNER, day(3)) }),
          cmd.validate('2.0.0', { meta: meta('val.vic', day(3)) }),
        ],
        readyToDeploy(),
      );
      expect(unmetGates(history, cmd.deploy('2.0.0', { meta: meta(ADMIN, day(4)) }))).toEqual([
        expect.stringMatching(/^REVIEWER_APPROVALS/),
      ]);
    });
  });

  it('reports exactly the gates left unmet, whichever they are', () => {
    const gates: DeploymentGate[] = [
      'REQUIRED_ROLES',
      'TRAINING_DATASETS',
      'VALIDATION',
      'ACCESS_POLICY',
      'AUDIT_SOURCE',
      'REVIEWER_APPROVALS',
      'MONITORING_PLAN',
    ];
    fc.assert(
      fc.property(fc.subarray(gates), (unmet) => {
        const skip = (gate: DeploymentGate, commands: AiSystemCommand[]) =>
          unmet.includes(gate) ? [] : commands;
        const history = run([
          cmd.register(),
          ...staffed(unmet.includes('REQUIRED_ROLES') ? ['CLINICAL_LEAD'] : undefined),
          cmd.registerVersion(),
          cmd.planValidation(),
          ...skip('VALIDATION', [cmd.validate()]),
          ...skip('ACCESS_POLICY', [cmd.accessPolicy()]),
          ...skip('AUDIT_SOURCE', [cmd.auditSource()]),
          ...skip('MONITORING_PLAN', [cmd.plan()]),
          ...REVIEW_DISCIPLINES.slice(0, unmet.includes('REVIEWER_APPROVALS') ? 3 : 4).map((d) =>
            cmd.approve(d),
          ),
        ]);
        const deploy = cmd.deploy('1.0.0', {
          datasets: unmet.includes('TRAINING_DATASETS') ? [] : APPROVED_TRAINING_DATA,
        });
        if (unmet.length === 0)
          return given(...history)
            .when(deploy)
            .then([expect.objectContaining({ type: 'ModelVersionDeployed' }), expect.anything()]);
        const error = given(...history)
          .when(deploy)
          .rejection();
        expect(error.code).toBe('GATE_NOT_MET');
        expect(error.details?.unmetGates?.map((g) => g.gate)).toEqual(unmet);
      }),
      { numRuns: 64 },
    );
  });

  it('refuses a version that is already live', () =>
    given(...deployed())
      .when(cmd.deploy('1.0.0', { meta: meta(ADMIN, day(3)) }))
      .thenThrows('INVALID_TRANSITION', 'version'));

  it('refuses to deploy over a suspension: that takes a reinstatement or a rollback', () =>
    given(...suspended())
      .when(cmd.deploy('1.0.0', { meta: meta(ADMIN, day(20)) }))
      .thenThrows('INVALID_TRANSITION'));

  it('refuses an unknown version', () =>
    given(...readyToDeploy())
      .when(cmd.deploy('9.9.9'))
      .thenThrows('NOT_FOUND', 'version'));
});
