import type { SystemDetail } from '../../queries';
import { EventId, Time } from '../../ui/components';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function Takedowns({ system }: { system: SystemDetail }) {
  return (
    <section aria-labelledby="takedowns-title">
      <h2 id="takedowns-title">Takedowns and reinstatements</h2>
      {system.decisions.length === 0 && <p>No takedown has been decided.</p>}
      {system.decisions.map((d) => (
        <section key={d.decisionId} className="panel" aria-labelledby={`decision-${d.decisionId}`}>
          <h3 id={`decision-${d.decisionId}`}>
            {d.action}
            {d.fromVersion || d.toVersion ? ` ${d.fromVersion ?? '—'} → ${d.toVersion ?? 'none'}` : ''}
            {d.emergency && <span className="badge bad">emergency</span>}
          </h3>
          <dl className="facts">
            <dt>Decided by</dt>
            <dd>{d.decidedBy}</dd>
            <dt>Decided at</dt>
            <dd>
              <Time iso={d.decidedAt} />
            </dd>
            <dt>Rationale</dt>
            <dd>{d.rationale}</dd>
            <dt>Evidence</dt>
            <dd>
              <ul>
                {d.evidence.map((e) => (
                  <li key={e}>{UUID.test(e) ? <EventId id={e} /> : e}</li>
                ))}
              </ul>
            </dd>
            {d.emergency && (
              <>
                <dt>Ratification</dt>
                <dd>
                  {d.ratifiedBy ? (
                    <>
                      by {d.ratifiedBy} at <Time iso={d.ratifiedAt} />
                    </>
                  ) : (
                    <>
                      not ratified; due by <Time iso={d.ratificationDueBy} />
                    </>
                  )}
                </dd>
              </>
            )}
            <dt>Decision id, event</dt>
            <dd>
              {d.decisionId}, <EventId id={d.eventId} />
            </dd>
          </dl>
        </section>
      ))}
    </section>
  );
}
