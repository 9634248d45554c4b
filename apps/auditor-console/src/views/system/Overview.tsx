import { type FormEvent, useEffect, useState } from 'react';
import { graphql } from '../../api';
import {
  ACCOUNTABILITY_ROLES,
  AsOfDocument,
  type Accountability,
  type RoleHolding,
  type SystemDetail,
  TimelineDocument,
  type TimelinePage,
} from '../../queries';
import { AccountabilityChart, type RoleInterval } from '../../ui/charts';
import { Failure, Field, Loading, Scroll, Time } from '../../ui/components';
import { INSTANT_HINT, parseInstant } from '../../ui/instant';
import { href } from '../../ui/route';
import { useApi } from '../../ui/use-api';

const ACCOUNTABILITY_EVENTS = ['AccountabilityAssigned', 'AccountabilityAccepted', 'AccountabilityRevoked'];
// The chart opens on the as-of instant: the whole history, at a glance, squeezes a handover into a pixel.
const WINDOWS = {
  hour: '1 hour either side of the as-of instant',
  day: '1 day either side',
  minute: '1 minute either side',
  second: '1 second either side',
  all: 'Whole history',
} as const;
const WINDOW_MS = { day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1_000 } as const;

/** Every assignment as an interval, read from the events themselves: assigned from effectiveFrom, accepted at acceptedAt, ended at effectiveTo. */
async function roleIntervals(token: string, systemId: string, signal: AbortSignal): Promise<RoleInterval[]> {
  const byAssignment = new Map<string, RoleInterval>();
  let after: string | null = null;
  do {
    const page: { timeline: TimelinePage } = await graphql(
      token,
      TimelineDocument,
      { systemId, types: ACCOUNTABILITY_EVENTS, first: 100, after },
      signal,
    );
    for (const { node } of page.timeline.edges) {
      const data = JSON.parse(node.data) as {
        assignmentId: string;
        role: string;
        assignee: string;
        effectiveFrom?: string;
        acceptedAt?: string;
        effectiveTo?: string;
      };
      const interval = byAssignment.get(data.assignmentId);
      if (node.type === 'AccountabilityAssigned')
        byAssignment.set(data.assignmentId, {
          role: data.role,
          holder: data.assignee,
          from: Date.parse(data.effectiveFrom ?? node.metadata.occurredAt),
        });
      else if (interval && node.type === 'AccountabilityAccepted')
        interval.acceptedAt = Date.parse(data.acceptedAt ?? node.metadata.occurredAt);
      else if (interval && node.type === 'AccountabilityRevoked')
        interval.to = Date.parse(data.effectiveTo ?? node.metadata.occurredAt);
    }
    after = page.timeline.pageInfo.hasNextPage ? page.timeline.pageInfo.endCursor : null;
  } while (after);
  return [...byAssignment.values()];
}

export function Overview({ system, params }: { system: SystemDetail; params: URLSearchParams }) {
  const asOf = params.get('asOf') ?? undefined;
  const [draft, setDraft] = useState(asOf ?? new Date().toISOString());
  const [invalid, setInvalid] = useState<string>();
  const [range, setRange] = useState<keyof typeof WINDOWS>('hour');
  useEffect(() => {
    setDraft(asOf ?? new Date().toISOString());
    setInvalid(undefined);
  }, [asOf]);

  const show = (instant: string) => {
    location.hash = href(['systems', system.id, 'overview'], { asOf: instant });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseInstant(draft);
    if ('error' in parsed) return setInvalid(parsed.error);
    setInvalid(undefined);
    show(parsed.iso);
  };

  const asOfState = useApi(
    (token, signal) => graphql(token, AsOfDocument, { systemId: system.id, asOf: asOf ?? null }, signal),
    `asof:${system.id}:${asOf}`,
  );
  const intervals = useApi(
    (token, signal) => roleIntervals(token, system.id, signal),
    `intervals:${system.id}`,
  );

  const now = Date.now();
  const marker = asOf ? Date.parse(asOf) : now;
  const earliest = Math.min(Date.parse(system.registeredAt), ...(intervals.data ?? []).map((i) => i.from));
  const domain: [number, number] =
    range === 'all' ? [earliest, now] : [marker - WINDOW_MS[range], marker + WINDOW_MS[range]];

  return (
    <>
      <section aria-labelledby="asof-title" className="panel">
        <h2 id="asof-title">Who was accountable, and what was live, at an instant</h2>
        <form onSubmit={submit} className="inline-form">
          <Field label="As of (UTC)" hint={INSTANT_HINT}>
            {(id, describedBy) => (
              <input
                id={id}
                aria-describedby={describedBy}
                name="asOf"
                className="mono wide"
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
                aria-invalid={invalid ? true : undefined}
              />
            )}
          </Field>
          <button type="submit" className="primary">
            Show
          </button>
          <button
            type="button"
            onClick={() => {
              setInvalid(undefined);
              location.hash = href(['systems', system.id, 'overview']);
            }}
          >
            Now
          </button>
        </form>
        {invalid && (
          <p role="alert" className="error-text">
            {invalid}
          </p>
        )}
        <div className="jumps" role="group" aria-label="Jump to just before a change of the live version">
          {system.liveHistory.map((change) => (
            <button
              key={change.eventId}
              type="button"
              onClick={() => show(new Date(Date.parse(change.at) - 1).toISOString())}
            >
              Just before {change.cause.replace('TakedownDecided:', '')} to {change.version ?? 'none'} (
              <Time iso={change.at} />)
            </button>
          ))}
        </div>
        {/* A refused instant leaves no earlier answer beneath it to be read as the answer to it. */}
        {!invalid && asOfState.loading && <Loading what="accountability at that instant" />}
        {!invalid && asOfState.error && <Failure error={asOfState.error} />}
        {!invalid && asOfState.data && <AsOfResult result={asOfState.data.accountability} />}
      </section>

      <section aria-labelledby="chart-title" className="panel">
        <h2 id="chart-title">Accountability over time</h2>
        <Field label="Time window">
          {(id) => (
            <select id={id} value={range} onChange={(e) => setRange(e.target.value as keyof typeof WINDOWS)}>
              {Object.entries(WINDOWS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {intervals.loading && <Loading what="the assignment history" />}
        {intervals.error && <Failure error={intervals.error} />}
        {intervals.data && (
          <>
            <AccountabilityChart
              intervals={intervals.data}
              roles={ACCOUNTABILITY_ROLES}
              domain={domain}
              marker={marker}
              now={now}
            />
            <p className="muted">
              Solid: accepted; hatched: assigned, awaiting acceptance; the dashed line is the as-of instant,
              and the names boxed beside it are who held each role then.
            </p>
            <Scroll label="Every assignment">
              <table>
                <caption>Every assignment, from the ledger's accountability events</caption>
                <thead>
                  <tr>
                    <th scope="col">Role</th>
                    <th scope="col">Holder</th>
                    <th scope="col">From</th>
                    <th scope="col">Accepted</th>
                    <th scope="col">Until</th>
                  </tr>
                </thead>
                <tbody>
                  {[...intervals.data]
                    .sort((a, b) => a.role.localeCompare(b.role) || a.from - b.from)
                    .map((i, n) => (
                      <tr key={n}>
                        <td>{i.role}</td>
                        <td>{i.holder}</td>
                        <td>
                          <Time iso={new Date(i.from).toISOString()} />
                        </td>
                        <td>
                          {i.acceptedAt ? (
                            <Time iso={new Date(i.acceptedAt).toISOString()} />
                          ) : (
                            'not accepted'
                          )}
                        </td>
                        <td>{i.to ? <Time iso={new Date(i.to).toISOString()} /> : 'still holds'}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </Scroll>
          </>
        )}
      </section>

      <section aria-labelledby="facts-title" className="panel">
        <h2 id="facts-title">The system</h2>
        <dl className="facts">
          <dt>Intended use</dt>
          <dd>{system.intendedUse}</dd>
          <dt>Clinical domain</dt>
          <dd>{system.clinicalDomain}</dd>
          <dt>Supplier</dt>
          <dd>{system.supplier === 'vendor' ? `vendor: ${system.vendorName ?? 'unnamed'}` : 'in house'}</dd>
          <dt>Sites</dt>
          <dd>{system.sites.join(', ')}</dd>
        </dl>
        <h3>Changes of the live version</h3>
        <Scroll label="Live version history">
          <table>
            <thead>
              <tr>
                <th scope="col">At</th>
                <th scope="col">Live from then</th>
                <th scope="col">Cause</th>
                <th scope="col">Event</th>
              </tr>
            </thead>
            <tbody>
              {system.liveHistory.map((c) => (
                <tr key={c.eventId}>
                  <td>
                    <Time iso={c.at} />
                  </td>
                  <td>{c.version ?? 'none'}</td>
                  <td>{c.cause}</td>
                  <td>
                    <a href={href(['systems', system.id, 'events'], { highlight: c.eventId, from: c.at })}>
                      show event
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      </section>
    </>
  );
}

function AsOfResult({ result }: { result: Accountability }) {
  const byRole = new Map<string, RoleHolding[]>();
  for (const h of result.holdings) byRole.set(h.role, [...(byRole.get(h.role) ?? []), h]);
  return (
    <div
      aria-live="polite"
      aria-label="Accountability at the chosen instant"
      role="region"
      className="asof-result"
    >
      <p>
        At <Time iso={result.asOf} />, the live version was{' '}
        <strong data-testid="live-version">{result.liveVersion ?? 'none'}</strong>.
        {result.vacantRequiredRoles.length > 0 && (
          <> Vacant required roles: {result.vacantRequiredRoles.join(', ')}.</>
        )}
      </p>
      <Scroll label="Role holders at that instant">
        <table>
          <thead>
            <tr>
              <th scope="col">Role</th>
              <th scope="col">Holder</th>
              <th scope="col">Since</th>
              <th scope="col">Accepted</th>
              <th scope="col">Assigned by</th>
            </tr>
          </thead>
          <tbody>
            {ACCOUNTABILITY_ROLES.map((role) =>
              (byRole.get(role) ?? [undefined]).map((h, n) => (
                <tr key={`${role}-${n}`} data-role={role} data-holder={h?.holder ?? ''}>
                  <th scope="row">{role}</th>
                  <td className="holder">{h?.holder ?? <span className="muted">nobody</span>}</td>
                  <td>
                    <Time iso={h?.since} />
                  </td>
                  <td>{h ? h.accepted ? <Time iso={h.acceptedAt} /> : 'awaiting acceptance' : ''}</td>
                  <td>{h?.assignedBy}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </Scroll>
    </div>
  );
}
