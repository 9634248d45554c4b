import { type FormEvent, Fragment, useEffect, useState } from 'react';
import { graphql } from '../api';
import { COMPLIANCE_RULES, type ComplianceRule, FindingsDocument } from '../queries';
import { Failure, Field, Loading, Time } from '../ui/components';
import { parseInstant } from '../ui/instant';
import { href } from '../ui/route';
import { useApi } from '../ui/use-api';

/*
 * How soon a finding needs someone's attention, by rule: high where a patient
 * or a legal deadline is at stake now (a vacant role, an unresolved breach, a
 * use after takedown, a late authority notification, unlawful access), medium
 * where a control lapsed, low where a periodic review is late. Typed by the
 * schema's enum, so a rule added there fails the console's typecheck until it
 * is given one here.
 */
const RULE_SEVERITY: Record<ComplianceRule, 'high' | 'medium' | 'low'> = {
  REQUIRED_ROLE_VACANT: 'high',
  VALIDATION_EXPIRED: 'medium',
  MONITORING_OVERDUE: 'medium',
  BREACH_UNRESOLVED: 'high',
  EMERGENCY_TAKEDOWN_NOT_RATIFIED: 'high',
  DATA_ACCESS_WITHOUT_GRANT: 'high',
  AUDIT_OVERDUE: 'low',
  INCIDENT_NOTIFICATION_OVERDUE: 'high',
  INCIDENT_REPORTED_LATE: 'medium',
  PROVIDER_NOT_INFORMED: 'medium',
  AUDIT_FINDING_OVERDUE: 'medium',
  ACCESS_REVIEW_OVERDUE: 'low',
  AUDIT_SOURCE_SILENT: 'medium',
  VERSION_MISMATCH: 'high',
  USE_AFTER_TAKEDOWN: 'high',
};

/** A finding's age in the largest whole unit that says it: days, hours or minutes. */
function age(ms: number): string {
  const minutes = Math.max(Math.floor(ms / 60_000), 0);
  if (minutes >= 2 * 24 * 60) return `${Math.floor(minutes / (24 * 60))} days`;
  if (minutes >= 120) return `${Math.floor(minutes / 60)} hours`;
  return `${minutes} min`;
}

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

  const [invalid, setInvalid] = useState<string>();
  // A new address is a new question: an earlier refusal no longer applies.
  useEffect(() => setInvalid(undefined), [system, rule, asOf]);
  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const at = String(form.get('asOf') ?? '').trim();
    const parsed = at ? parseInstant(at) : { iso: '' };
    if ('error' in parsed) return setInvalid(parsed.error);
    setInvalid(undefined);
    location.hash = href(['findings'], {
      system: String(form.get('system') ?? '').trim(),
      rule: String(form.get('rule') ?? ''),
      asOf: parsed.iso,
    });
  };

  const findings = data?.complianceFindings ?? [];
  // Every rule the schema names has its tile, a zero included: a zero is a result an auditor reads too.
  const tiles = COMPLIANCE_RULES.filter((r) => !rule || r === rule).map((r) => {
    const ofRule = findings.filter((f) => f.rule === r);
    const oldest = ofRule.reduce<string | undefined>(
      (min, f) => (!min || f.since < min ? f.since : min),
      undefined,
    );
    return { rule: r, findings: ofRule, oldest };
  });
  const evaluatedAt = asOf ? Date.parse(asOf) : Date.now();
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
              aria-invalid={invalid ? true : undefined}
              name="asOf"
              className="mono"
              defaultValue={asOf}
              placeholder="2026-06-01 or 2026-06-01T09:30"
            />
          )}
        </Field>
        <button type="submit">Show findings</button>
      </form>
      {invalid ? (
        <p role="alert" className="error-text">
          {invalid}
        </p>
      ) : (
        <>
          {loading && <Loading what="compliance findings" />}
          {error && <Failure error={error} />}
        </>
      )}
      {!invalid && data && data.complianceFindings.length === 0 && (
        <p>No finding: every rule holds{system ? ` for ${system}` : ''}.</p>
      )}
      {!invalid && data && (
        <>
          <ul className="board" aria-label="Every rule, with its open findings">
            {tiles.map((tile) => (
              <li
                key={tile.rule}
                className={`tile severity-${RULE_SEVERITY[tile.rule]}${tile.findings.length ? ' open' : ''}`}
                data-rule={tile.rule}
              >
                <a href={href(['findings'], { system, rule: tile.rule, asOf })} className="tile-rule">
                  {/* Long rule names break after an underscore, not mid-word. */}
                  {tile.rule.split('_').map((word, n) => (
                    <Fragment key={n}>
                      {n > 0 && (
                        <>
                          _<wbr />
                        </>
                      )}
                      {word}
                    </Fragment>
                  ))}
                </a>
                <span className="tile-count" data-testid="rule-count">
                  {tile.findings.length}
                </span>
                <span className="muted">
                  {RULE_SEVERITY[tile.rule]} severity
                  {tile.oldest && <> · oldest open {age(evaluatedAt - Date.parse(tile.oldest))}</>}
                </span>
              </li>
            ))}
          </ul>
          {tiles
            .filter((tile) => tile.findings.length > 0)
            .map((tile) => (
              <section key={tile.rule} aria-labelledby={`rule-${tile.rule}`}>
                <h2 id={`rule-${tile.rule}`}>
                  {tile.rule} <span className="muted">({tile.findings.length})</span>
                </h2>
                <ul className="cards">
                  {tile.findings.map((f) => (
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
              </section>
            ))}
        </>
      )}
    </section>
  );
}
