import { type FormEvent, useState } from 'react';
import { get, graphql } from '../api';
import { ExportDocument, type EvidenceExport, SystemsDocument } from '../queries';
import { Failure, Field, Loading, Time } from '../ui/components';
import { save } from '../ui/save';
import { useAction, useApi } from '../ui/use-api';

export function Export({ params }: { params: URLSearchParams }) {
  const systems = useApi(
    (token, signal) => graphql(token, SystemsDocument, { after: null }, signal),
    'export-systems',
  );
  const act = useAction();
  const [made, setMade] = useState<EvidenceExport>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState<string>();
  const [saved, setSaved] = useState<string>();

  const produce = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? '').trim() || null;
    setBusy('Producing the bundle: every event of the system and its proof…');
    setError(undefined);
    setMade(undefined);
    setSaved(undefined);
    try {
      const result = await act((token) =>
        graphql(token, ExportDocument, {
          // The select is required: the form does not submit without a system.
          systemId: String(form.get('systemId')),
          from: value('from'),
          to: value('to'),
          recipient: value('recipient'),
        }),
      );
      setMade(result.exportEvidenceBundle);
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(undefined);
    }
  };
  const download = async () => {
    if (!made) return;
    setBusy('Downloading…');
    setError(undefined);
    try {
      const blob = await act((token) => get(made.downloadUrl, token).then((r) => r.blob()));
      const name = `evidence-${made.exportId}.tar.gz`;
      save(blob, name);
      setSaved(name);
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section aria-labelledby="export-title">
      <h1 id="export-title">Export an evidence bundle</h1>
      <p>
        One gzipped tar for a regulator: the system's events with one proof that all are in the log, the
        signed checkpoint, the ledger's keys, a FHIR R4 view and a printable report, under a manifest the
        ledger signs. Anyone can check it offline with <span className="mono">govledger verify-bundle</span>.
        The export is itself recorded in the ledger.
      </p>
      {systems.loading && <Loading what="the AI systems" />}
      {systems.error && <Failure error={systems.error} />}
      {systems.data && (
        <form onSubmit={produce} className="filters">
          <Field label="AI system">
            {(id) => (
              <select
                id={id}
                name="systemId"
                defaultValue={params.get('system') ?? systems.data?.aiSystems.edges[0]?.node.id}
                required
              >
                {systems.data?.aiSystems.edges.map(({ node }) => (
                  <option key={node.id} value={node.id}>
                    {node.name} ({node.id})
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Events from (UTC, optional)">
            {(id) => <input id={id} name="from" className="mono" />}
          </Field>
          <Field label="Events before (UTC, optional)">
            {(id) => <input id={id} name="to" className="mono" />}
          </Field>
          <Field label="Recipient (optional)" hint="Recorded with the export, e.g. the notified body">
            {(id, describedBy) => <input id={id} name="recipient" aria-describedby={describedBy} />}
          </Field>
          <button type="submit" className="primary" disabled={busy !== undefined}>
            Produce the bundle
          </button>
        </form>
      )}
      {busy && <p role="status">{busy}</p>}
      {error && <Failure error={error} />}
      {made && (
        <div role="region" aria-label="The bundle produced" className="panel">
          <p>
            Bundle <span className="mono">{made.exportId}</span>: {made.events} events,{' '}
            {made.bytes.toLocaleString('en')} bytes, proven against the checkpoint of{' '}
            {made.checkpoint.treeSize} events (root <span className="mono">{made.checkpoint.rootHash}</span>).
            Manifest SHA-256 <span className="mono">{made.manifestSha256}</span>. Available until{' '}
            <Time iso={made.expiresAt} />.
          </p>
          <button
            type="button"
            className="primary"
            onClick={() => void download()}
            disabled={busy !== undefined}
          >
            Download the bundle
          </button>
          {saved && <p role="status">Saved as {saved}.</p>}
        </div>
      )}
    </section>
  );
}
