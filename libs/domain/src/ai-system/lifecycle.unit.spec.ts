import { stateFrom } from '../shared/decider';
import { specFor } from '../testing/given-when-then';
import {
  ADMIN,
  HOLDERS,
  VALIDATOR,
  cmd,
  day,
  deployed,
  meta,
  run,
  staffed,
} from '../testing/ai-system-fixtures';
import type { AiSystemCommand } from './commands';
import { aiSystemDecider } from './decide';
import type { AiSystemEvent } from './events';
import { LIFECYCLE_TRANSITIONS, statusChange } from './lifecycle';
import type { AiSystemRecord } from './state';
import { LIFECYCLE_STATUSES, REVIEW_DISCIPLINES, type LifecycleStatus } from './vocabulary';

const decider = aiSystemDecider();
const given = specFor(decider);

describe('the lifecycle: proposed → in validation → approved → deployed → suspended → retired', () => {
  it('moves only on the facts that justify each step', () => {
    let history: AiSystemEvent[] = [];
    const after = (commands: AiSystemCommand[], status: LifecycleStatus) => {
      history = run(commands, history);
      expect(stateFrom(decider, history).status).toBe(status);
    };
    after([cmd.register()], 'proposed');
    after([cmd.registerVersion()], 'in_validation');
    after(
      [cmd.planValidation(), cmd.validate(), ...REVIEW_DISCIPLINES.slice(0, 3).map((d) => cmd.approve(d))],
      'in_validation',
    );
    after([cmd.approve('compliance')], 'approved');
    after([...staffed(), cmd.accessPolicy(), cmd.auditSource(), cmd.plan(), cmd.deploy()], 'deployed');
    after([cmd.takedown('suspend')], 'suspended');
    after(
      [cmd.validate('1.0.0', { validationId: 'after', meta: meta(VALIDATOR, day(14)) }), cmd.reinstate()],
      'deployed',
    );
    after([cmd.takedown('retire', { meta: meta(HOLDERS.TAKEDOWN_AUTHORITY, day(40)) })], 'retired');
  });

  const record = (status: LifecycleStatus) => ({
    ...(stateFrom(decider, run([cmd.register()])) as AiSystemRecord),
    status,
  });
  const moves = LIFECYCLE_STATUSES.flatMap((from) => LIFECYCLE_STATUSES.map((to) => [from, to] as const));

  it.each(moves.filter(([from, to]) => LIFECYCLE_TRANSITIONS[from].includes(to)))(
    'allows %s → %s',
    (from, to) =>
      expect(statusChange(record(from), to, 'TakedownDecided', day(1)).data).toMatchObject({ from, to }),
  );

  it.each(moves.filter(([from, to]) => !LIFECYCLE_TRANSITIONS[from].includes(to)))(
    'refuses %s → %s',
    (from, to) =>
      expect(() => statusChange(record(from), to, 'TakedownDecided', day(1))).toThrow(
        expect.objectContaining({ code: 'INVALID_TRANSITION' }),
      ),
  );
});

describe('a retired system', () => {
  const retired = () =>
    run(
      [
        cmd.reportIncident(),
        cmd.takedown('retire', { evidence: ['inc-1'], meta: meta(HOLDERS.TAKEDOWN_AUTHORITY, day(12)) }),
      ],
      deployed(),
    );
  const later = meta(ADMIN, day(50));

  it.each<[string, AiSystemCommand]>([
    ['a new role', cmd.assign('CLINICAL_LEAD', 'dr.new', { meta: later })],
    ['an acceptance', cmd.accept('x', 'dr.new', { meta: later })],
    ['a new version', cmd.registerVersion('2.0.0', { meta: later })],
    ['a validation', cmd.validate('1.0.0', { validationId: 'late', meta: meta(VALIDATOR, day(50)) })],
    ['an approval', cmd.approve('clinical', '1.0.0', { meta: later })],
    ['an access policy', cmd.accessPolicy({ meta: later })],
    ['an audit source', cmd.auditSource('other', { meta: later })],
    ['a deployment', cmd.deploy('1.0.0', { meta: later })],
    ['a monitoring plan', cmd.plan({ meta: later })],
    ['a monitoring signal', cmd.signal(0.9, { meta: later })],
    [
      'another takedown',
      cmd.takedown('suspend', { decisionId: 'late', meta: meta(HOLDERS.TAKEDOWN_AUTHORITY, day(50)) }),
    ],
    ['a reinstatement', cmd.reinstate({ meta: meta(HOLDERS.TAKEDOWN_AUTHORITY, day(50)) })],
  ])('refuses %s', (_, command) =>
    given(...retired())
      .when(command)
      .thenThrows('INVALID_TRANSITION'),
  );

  it.each<[string, AiSystemCommand, string]>([
    [
      'revoking a role',
      cmd.revoke(`CLINICAL_LEAD-${HOLDERS.CLINICAL_LEAD}`, { meta: later }),
      'AccountabilityRevoked',
    ],
    [
      'reporting an incident',
      cmd.reportIncident({ incidentId: 'inc-2', awareAt: day(49), meta: later }),
      'IncidentReported',
    ],
    ['updating an incident', cmd.updateIncident({ meta: later }), 'IncidentStatusUpdated'],
    ['closing an incident', cmd.closeIncident({ meta: later }), 'IncidentClosed'],
    ['recording an audit', cmd.audit({ meta: later }), 'AuditRecorded'],
  ])('still accepts %s', (_, command, type) =>
    given(...retired())
      .when(command)
      .then([expect.objectContaining({ type })]),
  );

  it('still accepts the ratification of an emergency decision made before retirement', () => {
    const history = run(
      [
        cmd.takedown('suspend', { emergency: true, meta: meta(HOLDERS.SECURITY_OFFICER, day(11)) }),
        cmd.takedown('retire', { meta: meta(HOLDERS.TAKEDOWN_AUTHORITY, day(12)) }),
      ],
      deployed(),
    );
    given(...history)
      .when(cmd.ratify('td-suspend'))
      .then([expect.objectContaining({ type: 'TakedownRatified' })]);
  });
});
