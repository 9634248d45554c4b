import type { LedgerEvent } from '../queries';
import { EventId, Scroll, Time } from './components';

/** Events with their full envelope and integrity fields, as the ledger stored them. */
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
            <th scope="col">Position</th>
            <th scope="col">Event</th>
            <th scope="col">Who, from where</th>
            <th scope="col">When</th>
            <th scope="col">Integrity</th>
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
                <strong>{e.type}</strong> <span className="muted">v{e.schemaVersion}</span>
                <div>
                  <EventId id={e.eventId} />
                </div>
                <div className="muted mono">
                  {e.stream} #{e.revision}
                </div>
                <details>
                  <summary>Data</summary>
                  <pre>{JSON.stringify(JSON.parse(e.data), null, 2)}</pre>
                </details>
              </td>
              <td>
                {e.metadata.actor.id} ({e.metadata.actor.role}
                {e.metadata.actor.onBehalfOf ? ` for ${e.metadata.actor.onBehalfOf}` : ''})
                <div className="muted">source {e.metadata.source}</div>
                {e.metadata.purposeOfUse && <div className="muted">purpose {e.metadata.purposeOfUse}</div>}
              </td>
              <td>
                occurred <Time iso={e.metadata.occurredAt} />
                <div>
                  recorded <Time iso={e.metadata.recordedAt} />
                </div>
              </td>
              <td className="mono hashes">
                <div>hash {e.integrity.hash}</div>
                <div className="muted">prev {e.integrity.prevHash}</div>
                <div className="muted">correlation {e.metadata.correlationId}</div>
                <div className="muted">causation {e.metadata.causationId}</div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}
