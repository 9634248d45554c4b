import { type FormEvent, useEffect, useState } from 'react';
import { graphql } from '../../api';
import { PerformanceDocument, type PerformanceSeries, type SystemDetail } from '../../queries';
import { SeriesChart } from '../../ui/charts';
import { Badge, EventId, Failure, Field, Loading, Scroll, Time } from '../../ui/components';
import { href } from '../../ui/route';
import { useApi } from '../../ui/use-api';

const WHOLE = 'the whole population';
const populationOf = (s: PerformanceSeries) => s.subgroup ?? WHOLE;
const OVERRIDE_RATE = 'override_rate';

/**
 * What the ledger computed itself from recorded outputs, clinician responses
 * and outcomes: each planned metric over time, for the whole population and
 * each subgroup band, against its plan's threshold, with how often clinicians
 * overrode the system. The window and the subgroup are the query's own
 * arguments, kept in the address so a view can be sent to someone.
 */
export function Performance({ system, params }: { system: SystemDetail; params: URLSearchParams }) {
  const from = params.get('from') ?? undefined;
  const to = params.get('to') ?? undefined;
  const subgroup = params.get('subgroup') ?? undefined;
  const { data, error, loading } = useApi(
    (token, signal) =>
      graphql(
        token,
        PerformanceDocument,
        {
          id: system.id,
          ...(from || to ? { window: { ...(from ? { from } : {}), ...(to ? { to } : {}) } } : {}),
          ...(subgroup ? { subgroup } : {}),
        },
        signal,
      ),
    `performance:${system.id}:${from}:${to}:${subgroup}`,
  );
  // The bands offered are those seen so far, so a filtered view can still switch to another band.
  const [bands, setBands] = useState<string[]>([]);
  const series = data?.aiSystem?.performance ?? [];
  useEffect(() => {
    const seen = series.flatMap((s) => (s.subgroup ? [s.subgroup] : []));
    setBands((known) => [...new Set([...known, ...seen])].sort());
  }, [data]);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    location.hash = href(['systems', system.id, 'performance'], {
      from: value('from'),
      to: value('to'),
      subgroup: value('subgroup'),
    });
  };

  const byMetric = new Map<string, PerformanceSeries[]>();
  for (const s of series) byMetric.set(s.metric, [...(byMetric.get(s.metric) ?? []), s]);
  const overrides = byMetric.get(OVERRIDE_RATE) ?? [];
  return (
    <section aria-labelledby="performance-title">
      <h2 id="performance-title">Computed performance</h2>
      <p>
        Values the ledger computed from the outputs, clinician responses and outcomes it holds, one per
        window, each against the threshold its plan set. Each links to its event, which names the events it
        was computed from and the signed checkpoint covering them.
      </p>
      <form onSubmit={submit} className="filters" aria-label="Which computed values to show">
        <Field label="Windows ending from (UTC instant)">
          {(id) => <input id={id} name="from" defaultValue={from ?? ''} autoComplete="off" />}
        </Field>
        <Field label="Windows ending before (UTC instant)">
          {(id) => <input id={id} name="to" defaultValue={to ?? ''} autoComplete="off" />}
        </Field>
        <Field label="Population">
          {(id) => (
            <select id={id} name="subgroup" defaultValue={subgroup ?? ''} key={subgroup ?? ''}>
              <option value="">{WHOLE} and every band</option>
              {[...new Set([...bands, ...(subgroup ? [subgroup] : [])])].map((band) => (
                <option key={band} value={band}>
                  {band} only
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit">Show</button>
      </form>
      {loading && <Loading what="the computed performance" />}
      {error && <Failure error={error} />}
      {data && series.length === 0 && (
        <p>
          No computed values
          {from || to || subgroup ? ' for this window and population' : ''}. The ledger computes a metric once
          a plan asks it to (a monitoring plan with a computation) and a window has enough outputs.
        </p>
      )}
      {series.length > 0 && (
        <>
          <h3>Latest window against the threshold</h3>
          <Scroll label="Latest computed values">
            <table>
              <thead>
                <tr>
                  <th scope="col">Metric</th>
                  <th scope="col">Population</th>
                  <th scope="col">Window</th>
                  <th scope="col">Value</th>
                  <th scope="col">n</th>
                  <th scope="col">Threshold</th>
                  <th scope="col">Judged</th>
                </tr>
              </thead>
              <tbody>
                {series.map((s) => {
                  const last = s.points[s.points.length - 1];
                  return (
                    <tr
                      key={`${s.metric}|${populationOf(s)}`}
                      className={last?.breached ? 'breached' : undefined}
                    >
                      <td>{s.metric}</td>
                      <td>{populationOf(s)}</td>
                      <td>{last ? <WindowText window={last.window} /> : '—'}</td>
                      <td>{last ? format(last.value) : '—'}</td>
                      <td>{last?.n ?? '—'}</td>
                      <td>
                        {s.threshold === null || s.threshold === undefined
                          ? '—'
                          : `${s.direction} ${s.threshold}`}
                      </td>
                      <td>{last ? <Badge ok={!last.breached} yes="within" no="breached" /> : '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </Scroll>
          {[...byMetric].map(([metric, populations]) => (
            <section key={metric} className="panel" aria-label={`${metric} over time`}>
              <h3>{metric === OVERRIDE_RATE ? 'Override rate' : metric}</h3>
              <SeriesChart
                title={`${metric} per window, ${populations.map(populationOf).join(', ')}`}
                series={populations.map((s) => ({
                  label: populationOf(s),
                  points: s.points.map((p) => ({
                    at: Date.parse(p.window.to),
                    value: p.value,
                    breached: p.breached,
                  })),
                }))}
                {...(populations[0].threshold !== null && populations[0].threshold !== undefined
                  ? { threshold: populations[0].threshold, direction: populations[0].direction ?? '' }
                  : {})}
              />
            </section>
          ))}
          <h3>Override rates</h3>
          {overrides.length === 0 ? (
            <p>
              Override rate is not among this system’s computed metrics; a monitoring plan for{' '}
              <span className="mono">{OVERRIDE_RATE}</span> with a computation would show how often clinicians
              overrode it.
            </p>
          ) : (
            <ul>
              {overrides.map((s) => {
                const last = s.points[s.points.length - 1];
                return (
                  <li key={populationOf(s)}>
                    {populationOf(s)}:{' '}
                    {last ? `${percent(last.value)} of ${last.n} answered alerts overridden` : 'no value'}
                    {last && (
                      <>
                        {' '}
                        in the week to <Time iso={last.window.to} />
                      </>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
          <details>
            <summary>Every computed value ({series.reduce((n, s) => n + s.points.length, 0)})</summary>
            <Scroll label="Every computed value">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Window</th>
                    <th scope="col">Metric</th>
                    <th scope="col">Population</th>
                    <th scope="col">Value</th>
                    <th scope="col">n</th>
                    <th scope="col">Version</th>
                    <th scope="col">Threshold</th>
                    <th scope="col">Event</th>
                  </tr>
                </thead>
                <tbody>
                  {series.flatMap((s) =>
                    s.points.map((p) => (
                      <tr key={p.eventId} className={p.breached ? 'breached' : undefined}>
                        <td>
                          <WindowText window={p.window} />
                        </td>
                        <td>{s.metric}</td>
                        <td>{populationOf(s)}</td>
                        <td>{format(p.value)}</td>
                        <td>{p.n}</td>
                        <td>{p.version ?? '—'}</td>
                        <td>
                          <Badge ok={!p.breached} yes="within" no="breached" />
                        </td>
                        <td>
                          <EventId id={p.eventId} />
                        </td>
                      </tr>
                    )),
                  )}
                </tbody>
              </table>
            </Scroll>
          </details>
        </>
      )}
    </section>
  );
}

function WindowText({ window }: { window: { from: string; to: string } }) {
  return (
    <>
      <Time iso={window.from} /> to <Time iso={window.to} />
    </>
  );
}

/** Four decimals: enough to compare with a threshold; the exact value is in the event. */
const format = (value: number) => value.toFixed(4);
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
