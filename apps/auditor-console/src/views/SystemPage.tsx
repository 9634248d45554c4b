import { graphql } from '../api';
import { SystemDocument, type SystemDetail } from '../queries';
import { Failure, Loading, Time } from '../ui/components';
import { href } from '../ui/route';
import { useApi } from '../ui/use-api';
import { Overview } from './system/Overview';
import { Lineage } from './system/Lineage';
import { Monitoring } from './system/Monitoring';
import { Performance } from './system/Performance';
import { Incidents } from './system/Incidents';
import { Takedowns } from './system/Takedowns';
import { Events } from './system/Events';

const TABS = [
  { path: 'overview', label: 'Accountability' },
  { path: 'lineage', label: 'Version lineage' },
  { path: 'monitoring', label: 'Monitoring' },
  { path: 'performance', label: 'Computed performance' },
  { path: 'incidents', label: 'Incidents' },
  { path: 'takedowns', label: 'Takedowns' },
  { path: 'events', label: 'Events' },
] as const;

export function SystemPage({
  systemId,
  tab,
  params,
}: {
  systemId: string;
  tab: string;
  params: URLSearchParams;
}) {
  const { data, error, loading } = useApi(
    (token, signal) => graphql(token, SystemDocument, { id: systemId }, signal),
    `system:${systemId}`,
  );
  const system = data?.aiSystem;
  return (
    <article aria-labelledby="system-title">
      <p className="crumbs">
        <a href={href(['systems'])}>AI systems</a> › <span className="mono">{systemId}</span>
      </p>
      <h1 id="system-title">{system?.name ?? systemId}</h1>
      {loading && <Loading what="the system" />}
      {error && <Failure error={error} />}
      {data && !system && (
        <div role="alert" className="alert">
          No AI system <span className="mono">{systemId}</span> in this tenant.
        </div>
      )}
      {system && (
        <>
          <p className="summary">
            <span className={`status status-${system.status}`}>{system.status}</span> · live version{' '}
            <strong>{system.deployedVersion ?? 'none'}</strong> · risk {system.riskClass} · registered{' '}
            <Time iso={system.registeredAt} />
          </p>
          <nav aria-label="System views" className="tabs">
            <ul>
              {TABS.map((t) => (
                <li key={t.path}>
                  <a
                    href={href(['systems', systemId, t.path])}
                    aria-current={tab === t.path ? 'page' : undefined}
                  >
                    {t.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <SystemTab system={system} tab={tab} params={params} />
        </>
      )}
    </article>
  );
}

function SystemTab({ system, tab, params }: { system: SystemDetail; tab: string; params: URLSearchParams }) {
  switch (tab) {
    case 'lineage':
      return <Lineage system={system} />;
    case 'monitoring':
      return <Monitoring system={system} />;
    case 'performance':
      return <Performance system={system} params={params} />;
    case 'incidents':
      return <Incidents system={system} />;
    case 'takedowns':
      return <Takedowns system={system} />;
    case 'events':
      return <Events system={system} params={params} />;
    default:
      return <Overview system={system} params={params} />;
  }
}
