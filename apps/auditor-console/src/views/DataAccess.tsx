import { type FormEvent, useState } from 'react';
import { graphql } from '../api';
import {
  DATA_ACCESS_OUTCOMES,
  DataAccessCsvDocument,
  DataAccessDocument,
  type DataAccessFilter,
  type DataAccessPage,
} from '../queries';
import { ACTION_NAMES, Code, PURPOSE_NAMES } from '../ui/codes';
import { EventId, Failure, Field, Scroll, Time } from '../ui/components';
import { save } from '../ui/save';
import { useAction } from '../ui/use-api';

const TEXT_FILTERS = [
  {
    name: 'patientId',
    label: 'Patient identifier (raw)',
    hint: 'The ledger pseudonymises it before matching; the lookup itself is recorded in the ledger.',
  },
  { name: 'actor', label: 'Actor' },
  { name: 'datasetId', label: 'Dataset id' },
  { name: 'systemId', label: 'AI system id' },
  { name: 'purposeOfUse', label: 'Purpose of use', hint: 'e.g. TREAT' },
  { name: 'from', label: 'From (UTC instant)' },
  { name: 'to', label: 'To (UTC instant)' },
] as const;

/** Searches run on submit only: a patient lookup is recorded, so it must never fire while someone is typing. */
export function DataAccess({ params }: { params: URLSearchParams }) {
  const act = useAction();
  const [filter, setFilter] = useState<DataAccessFilter>();
  const [pages, setPages] = useState<DataAccessPage[]>([]);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const [exported, setExported] = useState<{ name: string; rows: number; recordedAs: string }>();

  const run = async (next: DataAccessFilter, after: string | null) => {
    setBusy(true);
    setError(undefined);
    setExported(undefined);
    try {
      const page = await act((token) => graphql(token, DataAccessDocument, { filter: next, after }));
      setPages((previous) => (after ? [...previous, page.dataAccess] : [page.dataAccess]));
    } catch (failure) {
      setPages([]);
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };
  /** The CSV comes from a mutation: the ledger records the export (DataAccessExported) before it hands the file over. */
  const exportCsv = async (current: DataAccessFilter) => {
    setBusy(true);
    setError(undefined);
    try {
      const { exportDataAccessCsv: made } = await act((token) =>
        graphql(token, DataAccessCsvDocument, { filter: current }),
      );
      const name = `data-access-${new Date().toISOString().replaceAll(':', '-')}.csv`;
      save(new Blob([made.csv], { type: 'text/csv' }), name);
      setExported({ name, rows: made.rowCount, recordedAs: made.recordedAs });
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next: DataAccessFilter = {};
    for (const { name } of TEXT_FILTERS) {
      const value = String(form.get(name) ?? '').trim();
      if (value) next[name] = value;
    }
    const outcome = DATA_ACCESS_OUTCOMES.find((o) => o === form.get('outcome'));
    if (outcome) next.outcome = outcome;
    if (form.get('violationsOnly')) next.violationsOnly = true;
    setFilter(next);
    void run(next, null);
  };

  const rows = pages.flatMap((p) => p.edges.map((e) => e.node));
  const last = pages.at(-1);
  return (
    <section aria-labelledby="access-title">
      <h1 id="access-title">Data-access search</h1>
      <form onSubmit={submit} className="filters">
        {TEXT_FILTERS.map((f) => (
          <Field key={f.name} label={f.label} {...('hint' in f ? { hint: f.hint } : {})}>
            {(id, describedBy) => (
              <input
                id={id}
                name={f.name}
                aria-describedby={describedBy}
                defaultValue={params.get(f.name) ?? ''}
                autoComplete="off"
              />
            )}
          </Field>
        ))}
        <Field label="Outcome">
          {(id) => (
            <select id={id} name="outcome" defaultValue="">
              <option value="">any</option>
              {DATA_ACCESS_OUTCOMES.map((outcome) => (
                <option key={outcome} value={outcome}>
                  {outcome}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="field checkbox">
          <input id="violations-only" type="checkbox" name="violationsOnly" />
          <label htmlFor="violations-only">Only accesses no grant covered</label>
        </div>
        <button type="submit" className="primary" disabled={busy}>
          Search
        </button>
      </form>
      {busy && <p role="status">Searching…</p>}
      {error && <Failure error={error} />}
      {filter && !error && !busy && rows.length === 0 && <p role="status">No data access matches.</p>}
      {rows.length > 0 && (
        <>
          <p role="status" className="total">
            <strong>{last?.totalCount ?? rows.length}</strong> access
            {last?.totalCount === 1 ? '' : 'es'} match; {rows.length} shown, newest first.
          </p>
          {filter && (
            <p>
              <button type="button" disabled={busy} onClick={() => void exportCsv(filter)}>
                Download all {last?.totalCount} as CSV
              </button>{' '}
              <span className="muted">The export is recorded in the ledger's self-audit.</span>
            </p>
          )}
          {exported && (
            <p role="status">
              Saved {exported.rows} access{exported.rows === 1 ? '' : 'es'} as {exported.name}; recorded in
              the ledger's self-audit as event <span className="mono">{exported.recordedAs}</span>.
            </p>
          )}
          <Scroll label="Data-access results">
            <table className="stack">
              <thead>
                <tr>
                  <th scope="col">Occurred</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Dataset, resource</th>
                  <th scope="col">Purpose</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">System, source</th>
                  <th scope="col">Grant</th>
                  <th scope="col">Patient pseudonym</th>
                  <th scope="col">Event</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.eventId} className={r.violation ? 'breached' : undefined}>
                    <td data-label="Occurred">
                      <Time iso={r.occurredAt} />
                    </td>
                    <td data-label="Actor">{r.actor}</td>
                    <td data-label="Action">
                      <Code code={r.action} names={ACTION_NAMES} />
                    </td>
                    <td data-label="Dataset">
                      {r.datasetId ?? '—'}
                      {r.resource && <div className="muted">{r.resource}</div>}
                    </td>
                    <td data-label="Purpose">
                      <Code code={r.purposeOfUse} names={PURPOSE_NAMES} />
                    </td>
                    <td data-label="Outcome">{r.outcome}</td>
                    <td data-label="System">
                      {r.systemId ?? '—'}
                      <div className="muted">{r.sourceService}</div>
                    </td>
                    <td data-label="Grant">
                      {r.violation ? (
                        <span className="badge bad">{r.violation.replaceAll('_', ' ')}</span>
                      ) : (
                        'covered'
                      )}
                    </td>
                    <td data-label="Patient" className="mono nowrap" title={r.patientPseudonym ?? undefined}>
                      {r.patientPseudonym ? `${r.patientPseudonym.slice(0, 12)}…` : '—'}
                    </td>
                    <td data-label="Event">
                      <EventId id={r.eventId} short />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
          {last?.pageInfo.hasNextPage && filter && (
            <button type="button" disabled={busy} onClick={() => void run(filter, last.pageInfo.endCursor)}>
              Load 50 more
            </button>
          )}
        </>
      )}
    </section>
  );
}
