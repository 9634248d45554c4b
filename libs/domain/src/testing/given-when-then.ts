import { DomainError, type DomainErrorCode } from '../shared/domain-error';
import { stateFrom, type Decider } from '../shared/decider';

/**
 * given(history).when(command).then(events) for deciders, without Nest or a
 * store: a spec states the rule in the words of the domain.
 */
export function specFor<C, E, S>(decider: Decider<C, E, S>) {
  return (...history: E[]) => ({
    when: (command: C) => {
      const decide = () => decider.decide(command, stateFrom(decider, history));
      return {
        then: (expected: E[]) => expect(decide()).toEqual(expected),
        /** Asserts the rejection and returns it, so a spec can look at its field and details too. */
        thenThrows: (code: DomainErrorCode, field?: string): DomainError => {
          let outcome: unknown;
          try {
            outcome = decide();
          } catch (error) {
            outcome = error;
          }
          if (!(outcome instanceof DomainError))
            throw new Error(`expected ${code}, but the decider ${outcome instanceof Error ? `threw ${outcome.stack}` : `returned ${JSON.stringify(outcome)}`}`);
          expect({ code: outcome.code, message: outcome.message }).toEqual({ code, message: expect.any(String) });
          if (field !== undefined) expect(outcome.field).toBe(field);
          return outcome;
        },
      };
    },
  });
}
