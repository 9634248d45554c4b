import { type FormEvent } from 'react';
import { graphql } from '../api';
import { COMPLIANCE_RULES, FindingsDocument } from '../queries';
import { Failure, Field, Loading, Time } from '../ui/components';
import { href } from '../ui/route';
import { useApi } from '../ui/use-api';

export function Findings({ params }: { params: URLSearchParams }) {
  const system = params.get('system') ?? '';
  // A rule the schema does not name (a stale link) filters nothing rather than failing the page.
  const rule = COMPLIANCE_RULES.find((r) => r === params.get('rule'));
  const asOf = params.get('asOf') ?? '';
  const filter = {
    ...(system ? { systemId: system } : {}),
    ...(rule ? { rule } : {}),
    ...(asOf ? { asOf } : {}),
  };
  const { data, error, loading } = useApi(
    (token, signal) => graphql(token, FindingsDocument, { filter }, signal),
    `findings:${system}:${rule ?? ''}:${asOf}`,
  );

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    location.hash = href(['findings'], {
      system: String(form.get('system') ?? '').trim(),
      rule: String(form.get('rule') ?? ''),
      asOf: String(form.get('asOf') ?? '').trim(),
    });
  };

  // Every rule the schema names has its column, an empty one included: a zero is a result an auditor reads too.
  const byRule = COMPLIANCE_RULES.filter((r) => !rule || r === rule).map((r) => ({
    rule: r,
    findings: (data?.complianceFindings ?? []).filter((f) => f.rule === r),
  }));
  return (
    <section aria-labelledby="findings-title">
      <h1 id="findings-title">Compliance findings</h1>
      <form onSubmit={apply} className="inline-form">
        <Field label="AI system id">{(id) => <input id={id} name="system" defaultValue={system} />}</Field>
        <Field label="Rule">
          {(id) => (
            <select id={id} name="rule" defaultValue={rule ?? ''}>
              <option value="">every rule</option>
              {COMPLIANCE_RULES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Evaluated as of (UTC, default now)">
          {(id) => (
            <input
              id={id}
              name="asOf"
              className="mono"
              defaultValue={asOf}
              placeholder="2026-03-14T09:00:00Z"
            />
          )}
        </Field>
        <button type="submit">Show findings</button>
      </form>
      {loading && <Loading what="compliance findings" />}
      {error && <Failure error={error} />}
      {data && data.complianceFindings.length === 0 && (
        <p>No finding: every rule holds{system ? ` for ${system}` : ''}.</p>
      )}
      {data && (
        <div className="board">
          {byRule.map((column) => (
            <section key={column.rule} aria-labelledby={`rule-${column.rule}`} className="column">
              <h2 id={`rule-${column.rule}`}>
                {column.rule} <span className="muted">({column.findings.length})</span>
              </h2>
              {column.findings.length === 0 ? (
                <p className="muted">No finding.</p>
              ) : (
                <ul className="cards">
                  {column.findings.map((f) => (
                    <li key={`${f.systemId}-${f.subject}`} className="card">
                      <h3>{f.subject}</h3>
                      <p>{f.message}</p>
                      {f.owner && <p>Owner: {f.owner}</p>}
                      <p className="muted">
                        {f.systemId ? (
                          <a href={href(['systems', f.systemId])}>{f.systemId}</a>
                        ) : (
                          'no single system'
                        )}{' '}
                        · since <Time iso={f.since} />
                      </p>
                      <a
                        href={href(['evidence'], {
                          system: f.systemId ?? undefined,
                          since: f.since,
                          rule: f.rule,
                          subject: f.subject,
                          ids: f.evidence.join(','),
                        })}
                      >
                        The {f.evidence.length} event{f.evidence.length === 1 ? '' : 's'} proving “{f.subject}
                        ”
                      </a>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          ))}
        </div>
      )}
    </section>
  );
}
