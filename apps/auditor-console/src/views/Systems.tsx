import { graphql } from '../api';
import { FindingsDocument, SystemsDocument, type SystemsPage, type SystemSummary } from '../queries';
import { Failure, Loading, Scroll } from '../ui/components';
import { href } from '../ui/route';
import { useApi } from '../ui/use-api';

async function allSystems(token: string, signal: AbortSignal): Promise<SystemSummary[]> {
  const systems: SystemSummary[] = [];
  let after: string | null = null;
  do {
    const page: { aiSystems: SystemsPage } = await graphql(token, SystemsDocument, { after }, signal);
    systems.push(...page.aiSystems.edges.map((e) => e.node));
    after = page.aiSystems.pageInfo.hasNextPage ? page.aiSystems.pageInfo.endCursor : null;
  } while (after);
  return systems;
}

export function Systems() {
  const { data, error, loading } = useApi(async (token, signal) => {
    const [systems, findings] = await Promise.all([
      allSystems(token, signal),
      graphql(token, FindingsDocument, {}, signal),
    ]);
    return { systems, findings: findings.complianceFindings };
  }, 'systems');
  return (
    <section aria-labelledby="systems-title">
      <h1 id="systems-title">AI systems</h1>
      {loading && <Loading what="the AI systems" />}
      {error && <Failure error={error} />}
      {data && (
        <Scroll label="AI systems table">
          <table className="stack">
            <caption className="visually-hidden">
              Each AI system with its lifecycle status, the version serving patients and its open compliance
              findings
            </caption>
            <thead>
              <tr>
                <th scope="col">System</th>
                <th scope="col">Status</th>
                <th scope="col">Deployed version</th>
                <th scope="col">Risk class</th>
                <th scope="col">Sites</th>
                <th scope="col">Open incidents</th>
                <th scope="col">Open findings</th>
              </tr>
            </thead>
            <tbody>
              {data.systems.map((system) => {
                const open = data.findings.filter((f) => f.systemId === system.id).length;
                return (
                  <tr key={system.id}>
                    <th scope="row">
                      <a href={href(['systems', system.id])}>{system.name}</a>
                      <div className="muted mono">{system.id}</div>
                    </th>
                    <td data-label="Status">
                      <span className={`status status-${system.status}`}>{system.status}</span>
                    </td>
                    <td data-label="Deployed version">
                      {system.deployedVersion ?? <span className="muted">none</span>}
                    </td>
                    <td data-label="Risk class">{system.riskClass}</td>
                    <td data-label="Sites">{system.sites.join(', ')}</td>
                    <td data-label="Open incidents">{system.openIncidents.length}</td>
                    <td data-label="Open findings">
                      {open > 0 ? <a href={href(['findings'], { system: system.id })}>{open} open</a> : '0'}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {data.systems.length === 0 && <p>No AI systems are registered in this tenant.</p>}
        </Scroll>
      )}
    </section>
  );
}
