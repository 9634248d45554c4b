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
      /** The rejection itself, for specs that look at its details. */
      const rejection = (): DomainError => {
        let outcome: unknown;
        try {
          outcome = decide();
        } catch (error) {
          outcome = error;
        }
        if (outcome instanceof DomainError) return outcome;
        throw new Error(
          `expected a rejection, but the decider ${outcome instanceof Error ? `threw ${outcome.stack}` : `returned ${JSON.stringify(outcome)}`}`,
        );
      };
      return {
        then: (expected: E[]): void => expect(decide()).toEqual(expected),
        thenThrows: (code: DomainErrorCode, field?: string): void => {
          const { code: actual, field: actualField, message } = rejection();
          expect({ code: actual, message }).toEqual({ code, message: expect.any(String) });
          if (field !== undefined) expect(actualField).toBe(field);
        },
        rejection,
      };
    },
  });
}
