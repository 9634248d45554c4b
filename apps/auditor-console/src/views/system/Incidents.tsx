import type { SystemDetail } from '../../queries';
import { EventId, Scroll, Time } from '../../ui/components';

function delay(from: string, to: string): string {
  const ms = Date.parse(to) - Date.parse(from);
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 172_800_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} days`;
}

/** When the authority was first told, against the Art 73 due date; a serious incident not yet notified says so. */
function authorityNotice(incident: SystemDetail['incidents'][number]) {
  const initial = incident.notifications.find(
    (n) => n.recipient === 'market_surveillance_authority' && n.kind === 'initial',
  );
  if (!incident.dueAt) return initial ? <Time iso={initial.sentAt} /> : '—';
  if (!initial)
    return (
      <>
        due <Time iso={incident.dueAt} />, not yet notified
      </>
    );
  const late = Date.parse(initial.sentAt) > Date.parse(incident.dueAt);
  return (
    <>
      due <Time iso={incident.dueAt} />, notified <Time iso={initial.sentAt} /> (
      {late ? `${delay(incident.dueAt, initial.sentAt)} late` : 'in time'})
    </>
  );
}

/** Awareness time is what reporting deadlines run from, so it stands first, with how long reporting took. */
export function Incidents({ system }: { system: SystemDetail }) {
  return (
    <section aria-labelledby="incidents-title">
      <h2 id="incidents-title">Incidents</h2>
      {system.incidents.length === 0 ? (
        <p>No incident has been reported.</p>
      ) : (
        <Scroll label="Incidents">
          <table>
            <thead>
              <tr>
                <th scope="col">Incident</th>
                <th scope="col">Aware at</th>
                <th scope="col">Reported</th>
                <th scope="col">Class (Art 73)</th>
                <th scope="col">Authority notified</th>
                <th scope="col">Notifications</th>
                <th scope="col">Severity</th>
                <th scope="col">Patient harmed</th>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">Event</th>
              </tr>
            </thead>
            <tbody>
              {system.incidents.map((i) => (
                <tr key={i.incidentId}>
                  <th scope="row">
                    {i.incidentId}
                    <div className="muted">{i.description}</div>
                  </th>
                  <td>
                    <Time iso={i.awareAt} />
                  </td>
                  <td>
                    <Time iso={i.reportedAt} /> by {i.reportedBy}, {delay(i.awareAt, i.reportedAt)} after
                    awareness
                  </td>
                  <td>{i.classification ?? 'unclassified'}</td>
                  <td>{authorityNotice(i)}</td>
                  <td>
                    {i.notifications.length === 0
                      ? 'none'
                      : i.notifications.map((n) => (
                          <div key={n.eventId}>
                            {n.kind} to {n.recipient} (ref. {n.reference}) <Time iso={n.sentAt} />
                          </div>
                        ))}
                  </td>
                  <td>{i.severity}</td>
                  <td>{i.patientHarmed ? 'yes' : 'no'}</td>
                  <td>{i.version ?? '—'}</td>
                  <td>
                    {i.status}
                    {i.closedAt && (
                      <>
                        {' '}
                        (closed <Time iso={i.closedAt} />: {i.resolution})
                      </>
                    )}
                  </td>
                  <td>
                    <EventId id={i.eventId} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </section>
  );
}
