import type { SystemDetail, Validation } from '../../queries';
import { MetricChart } from '../../ui/charts';
import { Badge, EventId, Scroll, Time } from '../../ui/components';

const DISCIPLINES = ['clinical', 'data_science', 'security', 'compliance'];

export function Lineage({ system }: { system: SystemDetail }) {
  return (
    <section aria-labelledby="lineage-title">
      <h2 id="lineage-title">Version lineage</h2>
      {system.versions.length === 0 && <p>No model version is registered.</p>}
      {system.versions.map((v) => (
        <section key={v.version} aria-labelledby={`version-${v.version}`} className="panel">
          <h3 id={`version-${v.version}`}>
            Version {v.version}
            {v.version === system.deployedVersion && <span className="badge ok">live</span>}
          </h3>
          <p>
            {v.parentVersion ? <>Derived from {v.parentVersion}. </> : <>First version. </>}
            Developed by {v.developer}, registered <Time iso={v.registeredAt} />. Artifact SHA-256{' '}
            <span className="mono">{v.artifactSha256}</span>
          </p>
          <h4>Validations</h4>
          {v.validations.length === 0 && <p>No validation recorded.</p>}
          {v.validations.map((validation) => (
            <ValidationResult key={validation.validationId} validation={validation} version={v.version} />
          ))}
          <h4>Deployment approvals</h4>
          <Scroll label={`Approvals of ${v.version}`}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Discipline</th>
                  <th scope="col">Reviewer</th>
                  <th scope="col">Approved</th>
                  <th scope="col">Event</th>
                </tr>
              </thead>
              <tbody>
                {DISCIPLINES.map((discipline) => {
                  const approval = v.approvals.find((a) => a.discipline === discipline);
                  return (
                    <tr key={discipline}>
                      <th scope="row">{discipline}</th>
                      <td>{approval?.reviewer ?? <span className="error-text">not approved</span>}</td>
                      <td>
                        <Time iso={approval?.approvedAt} />
                      </td>
                      <td>{approval && <EventId id={approval.eventId} />}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </Scroll>
          <h4>Deployments and live changes</h4>
          {v.deployments.length === 0 ? (
            <p>Never deployed.</p>
          ) : (
            <ul>
              {v.deployments.map((d) => (
                <li key={d.eventId}>
                  <Time iso={d.at} />: {d.cause} (event <EventId id={d.eventId} />)
                </li>
              ))}
            </ul>
          )}
        </section>
      ))}
    </section>
  );
}

function ValidationResult({ validation, version }: { validation: Validation; version: string }) {
  const rows = [
    ...validation.metrics.map((metric) => ({ label: `overall · ${metric.name}`, metric })),
    ...validation.subgroupResults.flatMap((s) =>
      s.metrics.map((metric) => ({ label: `${s.subgroup} · ${metric.name}`, metric })),
    ),
  ];
  return (
    <div className="validation">
      <p>
        <Badge ok={validation.passed} yes="passed" no="failed" /> {validation.validationId} on dataset{' '}
        {validation.datasetId}, by {validation.validator}, <Time iso={validation.validatedAt} />
      </p>
      <MetricChart
        title={`Validation of ${version}: metrics overall and by subgroup against their thresholds`}
        rows={rows}
      />
      <Scroll label={`Metrics of ${validation.validationId}`}>
        <table>
          <thead>
            <tr>
              <th scope="col">Population</th>
              <th scope="col">Metric</th>
              <th scope="col">Value</th>
              <th scope="col">Threshold</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ label, metric }) => (
              <tr key={label}>
                <td>{label.split(' · ')[0]}</td>
                <td>{metric.name}</td>
                <td>{metric.value}</td>
                <td>
                  {metric.direction} {metric.threshold}
                </td>
                <td>
                  <Badge ok={metric.passed} yes="pass" no="fail" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
    </div>
  );
}
