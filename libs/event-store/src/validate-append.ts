import { EventStoreError } from './errors';
import type { ExpectedRevision, NewEvent } from './types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const STREAM = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,199}$/;
const TYPE = /^[A-Z][A-Za-z0-9]{0,99}$/;

function invalid(field: string, rule: string): EventStoreError {
  return new EventStoreError('VALIDATION_FAILED', `${field}: ${rule}`, { field, rule });
}

/**
 * The store's own last line of defence. The API validates richer rules at the
 * edge; these are the ones without which the log itself would be malformed.
 */
export function validateAppend(stream: string, events: NewEvent[], expected: ExpectedRevision): void {
  if (!STREAM.test(stream))
    throw invalid(
      'stream',
      'must be 1-200 characters of letters, digits and . _ : / @ -, starting with a letter or digit',
    );
  if (typeof expected === 'number' && !(Number.isSafeInteger(expected) && expected >= 0))
    throw invalid('expectedRevision', "must be 'no_stream', 'any' or a revision >= 0");
  if (events.length === 0) throw invalid('events', 'must hold at least one event');
  const seen = new Set<string>();
  events.forEach((event, i) => {
    if (!UUID.test(event.eventId)) throw invalid(`events[${i}].eventId`, 'must be a lower-case UUID');
    if (seen.has(event.eventId))
      throw invalid(`events[${i}].eventId`, `repeats ${event.eventId} within one append`);
    seen.add(event.eventId);
    if (!TYPE.test(event.type)) throw invalid(`events[${i}].type`, 'must be a PascalCase event type name');
    if (!(Number.isSafeInteger(event.schemaVersion) && event.schemaVersion >= 1))
      throw invalid(`events[${i}].schemaVersion`, 'must be an integer >= 1');
    if (event.data === null || typeof event.data !== 'object')
      throw invalid(`events[${i}].data`, 'must be a JSON object');
    const m = event.metadata;
    if (!m || !m.tenantId) throw invalid(`events[${i}].metadata.tenantId`, 'is required');
    if (!m.actor?.id || !m.actor.role) throw invalid(`events[${i}].metadata.actor`, 'needs an id and a role');
    for (const field of ['source', 'occurredAt', 'correlationId', 'causationId'] as const)
      if (!m[field]) throw invalid(`events[${i}].metadata.${field}`, 'is required');
  });
}
