// given/when/then for deciders. Lives beside the tests; it holds no test of its own.
import type { Test } from 'tap';
import { fold, type Decider } from '../../src/commands/decider.js';
import { DomainError, type DomainErrorKind } from '../../src/commands/errors.js';
import type { Event } from '../../src/events/event.js';

type Outcome<E> = { readonly events: E[] } | { readonly error: unknown };

/**
 * `const given = specification(t)`, then
 * `given(decider, history).when(command).then(events)` or `.thenThrows(kind)`.
 * Every check decides twice on separately folded state: a pure decider gives
 * deep-equal answers and leaves its inputs untouched.
 */
export function specification(t: Test) {
  return <State, Command, E extends Event>(decider: Decider<State, Command, E>, history: readonly E[]) => ({
    when(command: Command) {
      const decideOnce = (): Outcome<E> => {
        const before = structuredClone({ history, command });
        let outcome: Outcome<E>;
        try {
          outcome = { events: decider.decide(command, fold(decider, history)) };
        } catch (error) {
          outcome = { error };
        }
        t.same({ history, command }, before, 'decide left the command and the history untouched');
        return outcome;
      };
      const first = decideOnce();
      const second = decideOnce();
      return {
        then(expected: readonly E[]) {
          if ('error' in first) return void t.fail(`expected events, got ${String(first.error)}`);
          t.strictSame(first.events, expected, 'the decided events');
          t.strictSame(second, first, 'the same input decides the same events');
        },
        thenThrows(kind: DomainErrorKind) {
          const kinds = [first, second].map((o) => ('error' in o && o.error instanceof DomainError ? o.error.kind : o));
          t.strictSame(kinds, [kind, kind], `a DomainError ${kind}, every time`);
        },
      };
    },
  });
}
