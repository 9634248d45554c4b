import { DomainError } from './domain-error';
import { parseInstant } from './time';

/**
 * Who issues a command and when. The application fills it from the
 * authenticated caller and the ledger's clock, so deciders stay pure and a
 * replayed command decides the same way.
 */
export interface CommandMeta {
  actor: string;
  /** RFC 3339 instant the command is decided at. */
  at: string;
}

export function assertCommandMeta(meta: CommandMeta): void {
  if (typeof meta.actor !== 'string' || meta.actor.trim() === '')
    throw new DomainError(
      'VALIDATION_FAILED',
      'meta.actor must name the person or service issuing the command',
      'meta.actor',
    );
  parseInstant(meta.at, 'meta.at');
}
