import type { LedgerEvent } from '../queries';
import { EventId, Scroll, Time } from './components';

/** "AccountabilityAssigned" read as "Accountability assigned". */
function words(type: string): string {
  const spaced = type.replace(/(?<=[a-z0-9])(?=[A-Z])/g, ' ').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T/;

/**
 * What happened, in a line: the event's short facts (text, numbers, yes/no)
 * as its emitter named them. Identifiers and instants are left to the full
 * data a click away, with long values (rationales, lists): the people, roles
 * and values say what happened, and the row already says when. The system id
 * is the page's own, and the actor is in the row's Who.
 */
function facts(data: string, actor: string): string {
  return Object.entries(JSON.parse(data) as Record<string, unknown>)
    .filter(
      ([name, value]) =>
        !/Id$/.test(name) &&
        value !== actor &&
        (typeof value === 'number' ||
          typeof value === 'boolean' ||
          (typeof value === 'string' && value.length <= 48 && !INSTANT.test(value))),
    )
    .map(([name, value]) => `${name} ${String(value)}`)
    .join(', ');
}

/**
 * Events, each led by what happened, who did it and when; the full envelope
 * and the integrity fields (hashes, correlation and causation) folded beneath,
 * and the inclusion proof one click away in every row.
 */
export function EventTable({
  events,
  highlight,
  label,
}: {
  events: LedgerEvent[];
  highlight?: ReadonlySet<string>;
  label: string;
}) {
  return (
    <Scroll label={label}>
      <table className="events">
        <thead>
          <tr>
            <th scope="col" className="col-position">
              Position
            </th>
            <th scope="col">What happened</th>
            <th scope="col" className="col-who">
              Who
            </th>
            <th scope="col" className="col-when">
              Occurred (UTC)
            </th>
            <th scope="col" className="col-proof">
              Proof
            </th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr
              key={e.eventId}
              className={highlight?.has(e.eventId) ? 'highlight' : undefined}
              data-event-id={e.eventId}
              aria-label={highlight?.has(e.eventId) ? `Proving event ${e.eventId}` : undefined}
            >
              <td className="mono">{e.position}</td>
              <td>
                <details>
                  <summary title={`${words(e.type)}: ${facts(e.data, e.metadata.actor.id)}`}>
                    <strong>{words(e.type)}</strong> {facts(e.data, e.metadata.actor.id)}
                  </summary>
                  <dl className="facts envelope">
                    <dt>Type</dt>
                    <dd className="mono">
                      {e.type} v{e.schemaVersion}
                    </dd>
                    <dt>Event id</dt>
                    <dd className="mono">{e.eventId}</dd>
                    <dt>Stream</dt>
                    <dd className="mono">
                      {e.stream} #{e.revision}
                    </dd>
                    <dt>Source</dt>
                    <dd>{e.metadata.source}</dd>
                    {e.metadata.purposeOfUse && (
                      <>
                        <dt>Purpose</dt>
                        <dd>{e.metadata.purposeOfUse}</dd>
                      </>
                    )}
                    <dt>Recorded</dt>
                    <dd>
                      <Time iso={e.metadata.recordedAt} />
                    </dd>
                    <dt>Hash</dt>
                    <dd className="mono">{e.integrity.hash}</dd>
                    <dt>Previous hash</dt>
                    <dd className="mono">{e.integrity.prevHash}</dd>
                    <dt>Correlation</dt>
                    <dd className="mono">{e.metadata.correlationId}</dd>
                    <dt>Causation</dt>
                    <dd className="mono">{e.metadata.causationId}</dd>
                  </dl>
                  <pre>{JSON.stringify(JSON.parse(e.data), null, 2)}</pre>
                </details>
              </td>
              <td className="one-line">
                {e.metadata.actor.id}{' '}
                <span className="muted">
                  ({e.metadata.actor.role}
                  {e.metadata.actor.onBehalfOf ? ` for ${e.metadata.actor.onBehalfOf}` : ''})
                </span>
              </td>
              <td className="one-line">
                <Time iso={e.metadata.occurredAt} />
              </td>
              <td>
                <EventId id={e.eventId} short />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}
