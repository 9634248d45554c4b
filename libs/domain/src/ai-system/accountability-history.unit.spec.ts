import fc from 'fast-check';
import { stateFrom } from '../shared/decider';
import { DomainError } from '../shared/domain-error';
import { MS_PER_DAY, MS_PER_HOUR, instantAfter, millis } from '../shared/time';
import { specFor } from '../testing/given-when-then';
import { ADMIN, HOLDERS, cmd, day, deployed, meta, run } from '../testing/ai-system-fixtures';
import { CLOCK_SKEW_ALLOWANCE_MS, holdersAt } from './accountability';
import type { AiSystemCommand } from './commands';
import { aiSystemDecider } from './decide';
import type { AiSystemRecord, AiSystemState } from './state';
import type { AccountabilityRole } from './vocabulary';

/** Issue 14, path 8: rewriting who was accountable. */
const decider = aiSystemDecider();
const given = specFor(decider);
const AUTHORITY = HOLDERS.TAKEDOWN_AUTHORITY;
const authorityAssignment = `TAKEDOWN_AUTHORITY-${AUTHORITY}`;
const minutesBefore = (at: string, minutes: number) => instantAfter(at, -minutes * 60_000);

describe('no assignment or revocation takes effect before it is recorded', () => {
  const retired = () => run([cmd.takedown('retire', { meta: meta(AUTHORITY, day(12)) })], deployed());

  it('refuses backdating a revocation on a retired system to leave the takedown decided by nobody', () =>
    given(...retired())
      .when(cmd.revoke(authorityAssignment, { effectiveAt: day(11), meta: meta(ADMIN, day(50)) }))
      .thenThrows('EFFECTIVE_BEFORE_RECORDED', 'effectiveAt'));

  it('keeps the authority accountable at the instant of its decision after a revocation on the retired system', () => {
    const after = stateFrom(
      decider,
      run([cmd.revoke(authorityAssignment, { meta: meta(ADMIN, day(50)) })], retired()),
    );
    expect(holdersAt(after, 'TAKEDOWN_AUTHORITY', day(12))).toEqual([AUTHORITY]);
    expect(holdersAt(after, 'TAKEDOWN_AUTHORITY', day(50))).toEqual([]);
  });

  it('refuses backdating a revocation on a system that never went live', () =>
    given(
      ...run([
        cmd.register(),
        cmd.assign('CLINICAL_LEAD'),
        cmd.accept(`CLINICAL_LEAD-${HOLDERS.CLINICAL_LEAD}`, HOLDERS.CLINICAL_LEAD),
      ]),
    )
      .when(
        cmd.revoke(`CLINICAL_LEAD-${HOLDERS.CLINICAL_LEAD}`, {
          effectiveAt: day(1),
          meta: meta(ADMIN, day(3)),
        }),
      )
      .thenThrows('EFFECTIVE_BEFORE_RECORDED', 'effectiveAt'));

  it('refuses backdating an assignment', () =>
    given(...run([cmd.register()]))
      .when(cmd.assign('CLINICAL_LEAD', 'dr.new', { effectiveFrom: day(1), meta: meta(ADMIN, day(3)) }))
      .thenThrows('EFFECTIVE_BEFORE_RECORDED', 'effectiveFrom'));

  it(`reads a time up to ${CLOCK_SKEW_ALLOWANCE_MS / 60_000} minutes early, a clock running behind, as the moment it is recorded`, () => {
    const at = day(3);
    given(...run([cmd.register()]))
      .when(
        cmd.assign('CLINICAL_LEAD', 'dr.new', { effectiveFrom: minutesBefore(at, 5), meta: meta(ADMIN, at) }),
      )
      .then([{ type: 'AccountabilityAssigned', data: expect.objectContaining({ effectiveFrom: at }) }]);
    given(...run([cmd.register()]))
      .when(
        cmd.assign('CLINICAL_LEAD', 'dr.new', {
          effectiveFrom: minutesBefore(at, 5.01),
          meta: meta(ADMIN, at),
        }),
      )
      .thenThrows('EFFECTIVE_BEFORE_RECORDED');
  });

  it('still takes effect at a later time, or at once', () => {
    given(...deployed())
      .when(cmd.revoke(`DATA_STEWARD-${HOLDERS.DATA_STEWARD}`, { effectiveAt: day(30) }))
      .then([{ type: 'AccountabilityRevoked', data: expect.objectContaining({ effectiveTo: day(30) }) }]);
    given(...deployed())
      .when(cmd.revoke(`DATA_STEWARD-${HOLDERS.DATA_STEWARD}`))
      .then([{ type: 'AccountabilityRevoked', data: expect.objectContaining({ effectiveTo: day(10) }) }]);
  });
});

describe('holdersAt: who was accountable at a past instant never changes', () => {
  const ROLES: AccountabilityRole[] = [
    'TAKEDOWN_AUTHORITY',
    'SECURITY_OFFICER',
    'BIAS_DRIFT_MONITOR',
    'CLINICAL_LEAD',
  ];
  const PEOPLE = [ADMIN, 'gov.other', AUTHORITY, 'Dr.Ada', HOLDERS.SECURITY_OFFICER, 'dr.bo', 'dev.dan'];
  /** Requested effective times from days before the recording (backdating) to days after, with the skew edge close up. */
  const offset = fc.oneof(
    fc.integer({ min: -3 * MS_PER_DAY, max: 3 * MS_PER_DAY }),
    fc.integer({ min: -CLOCK_SKEW_ALLOWANCE_MS - 1_000, max: 1_000 }),
  );
  /** A command recorded at `at`, chosen against the state so far so that most of them name something that exists. */
  type Step = (at: string, state: AiSystemRecord) => AiSystemCommand;
  const person = fc.constantFrom(...PEOPLE);
  /** Mostly nobody, so that a step usually comes from the person entitled to it. */
  const rarely = <T>(arbitrary: fc.Arbitrary<T>) =>
    fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary, weight: 1 });
  const existing = (state: AiSystemRecord, pick: number) =>
    state.assignments[pick % state.assignments.length];
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc
      .record({ id: fc.nat(40), role: fc.constantFrom(...ROLES), assignee: person, by: person, offset })
      .map(({ id, role, assignee, by, offset: ms }): Step => {
        return (at) =>
          cmd.assign(role, assignee, {
            assignmentId: `a${id}`,
            effectiveFrom: instantAfter(at, ms),
            meta: meta(by, at),
          });
      }),
    fc.record({ pick: fc.nat(), impostor: rarely(person) }).map(({ pick, impostor }): Step => {
      return (at, state) => {
        const pending = state.assignments.filter((a) => a.acceptedAt === undefined);
        const { assignmentId, assignee } = pending[pick % pending.length] ?? existing(state, pick);
        const by = impostor ?? assignee;
        return cmd.accept(assignmentId, by, { meta: meta(by, at) });
      };
    }),
    fc
      .record({ pick: fc.nat(), by: person, offset: fc.option(offset) })
      .map(({ pick, by, offset: ms }): Step => {
        return (at, state) =>
          cmd.revoke(existing(state, pick).assignmentId, {
            effectiveAt: ms === null ? undefined : instantAfter(at, ms),
            meta: meta(by, at),
          });
      }),
    fc
      .record({
        action: fc.constantFrom('suspend' as const, 'suspend' as const, 'retire' as const),
        by: rarely(person),
        emergency: fc.boolean(),
      })
      .map(({ action, by, emergency }): Step => {
        return (at, state) => {
          const decider = by ?? holdersAt(state, 'TAKEDOWN_AUTHORITY', at)[0] ?? ADMIN;
          return cmd.takedown(action, { decisionId: `td-${at}`, emergency, meta: meta(decider, at) });
        };
      }),
  );
  /** The ledger's clock: each command recorded at or after the one before. */
  const sequence = fc.array(fc.tuple(fc.integer({ min: 0, max: 6 * MS_PER_HOUR }), step), {
    minLength: 1,
    maxLength: 30,
  });

  /** Who held each role at each of the instants, as one comparable list. */
  const answers = (state: AiSystemState, instants: string[]) =>
    instants.flatMap((t) => ROLES.map((role) => `${role} at ${t}: ${holdersAt(state, role, t).join(', ')}`));

  it('over random command sequences, backdating attempts included', () => {
    const live = stateFrom(decider, deployed()) as AiSystemRecord;
    const outcomes = { applied: 0, backdatingRefused: 0 };
    fc.assert(
      fc.property(sequence, (steps) => {
        let state = live;
        let at = day(20);
        const probes = new Set([day(0), day(2), day(12), day(19)]);
        for (const [gap, make] of steps) {
          at = instantAfter(at, gap);
          const command = make(at, state);
          for (const t of [at, ...instantsIn(command)])
            for (const ms of [-1, 0, 1]) probes.add(instantAfter(t, ms));
          let next: AiSystemRecord;
          try {
            next = decider
              .decide(command, state)
              .reduce(decider.evolve, state as AiSystemState) as AiSystemRecord;
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
            if (error.code === 'EFFECTIVE_BEFORE_RECORDED') outcomes.backdatingRefused++;
            continue;
          }
          outcomes.applied++;
          const past = [...probes].filter((t) => millis(t) < millis(at));
          const before = answers(state, past);
          const changed = answers(next, past).filter((answer, i) => answer !== before[i]);
          expect({ command, changed }).toEqual({ command, changed: [] });
          state = next;
        }
      }),
      { numRuns: 1000 },
    );
    // The sequences must exercise the rule, not just be refused for other reasons.
    expect(outcomes.applied).toBeGreaterThan(1000);
    expect(outcomes.backdatingRefused).toBeGreaterThan(100);
  });
});

function instantsIn(command: AiSystemCommand): string[] {
  if (command.type === 'AssignAccountability') return [command.effectiveFrom];
  if (command.type === 'RevokeAccountability' && command.effectiveAt !== undefined)
    return [command.effectiveAt];
  return [];
}
