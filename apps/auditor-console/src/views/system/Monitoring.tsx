import type { SystemDetail } from '../../queries';
import { SignalChart } from '../../ui/charts';
import { Badge, EventId, Scroll, Time } from '../../ui/components';

export function Monitoring({ system }: { system: SystemDetail }) {
  const series = new Map<string, typeof system.signals>();
  for (const s of system.signals) {
    const key = `${s.metric}${s.subgroup ? ` · ${s.subgroup}` : ''}`;
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  return (
    <section aria-labelledby="monitoring-title">
      <h2 id="monitoring-title">Monitoring</h2>
      <h3>Plans</h3>
      {system.monitoringPlans.length === 0 ? (
        <p>No monitoring is planned.</p>
      ) : (
        <ul>
          {system.monitoringPlans.map((p) => (
            <li key={`${p.metric}-${p.plannedAt}`}>
              {p.metric}: {p.direction} {p.threshold}, a signal every {p.cadence} (planned{' '}
              <Time iso={p.plannedAt} />)
            </li>
          ))}
        </ul>
      )}
      {[...series].map(([key, signals]) => {
        const plan = system.monitoringPlans.find((p) => p.metric === signals[0].metric);
        return (
          <section key={key} className="panel" aria-label={`Signals for ${key}`}>
            <h3>{key}</h3>
            <SignalChart
              title={`${key} over time`}
              points={signals.map((s) => ({
                at: Date.parse(s.observedAt),
                value: s.value,
                breached: s.breached,
              }))}
              {...(plan ? { threshold: plan.threshold, direction: plan.direction } : {})}
            />
          </section>
        );
      })}
      {/* A system monitored daily has hundreds of signals: the charts above summarise them, the list waits one click away. */}
      <details>
        <summary>Every signal ({system.signals.length})</summary>
        <Scroll label="Monitoring signals">
          <table>
            <thead>
              <tr>
                <th scope="col">Observed</th>
                <th scope="col">Kind</th>
                <th scope="col">Metric</th>
                <th scope="col">Subgroup</th>
                <th scope="col">Value</th>
                <th scope="col">Version</th>
                <th scope="col">Threshold</th>
                <th scope="col">Event</th>
              </tr>
            </thead>
            <tbody>
              {system.signals.map((s) => (
                <tr key={s.eventId} className={s.breached ? 'breached' : undefined}>
                  <td>
                    <Time iso={s.observedAt} />
                  </td>
                  <td>{s.kind}</td>
                  <td>{s.metric}</td>
                  <td>{s.subgroup ?? 'all patients'}</td>
                  <td>{s.value}</td>
                  <td>{s.version ?? '—'}</td>
                  <td>
                    <Badge ok={!s.breached} yes="within" no="breached" />
                  </td>
                  <td>
                    <EventId id={s.eventId} short />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      </details>
    </section>
  );
}
