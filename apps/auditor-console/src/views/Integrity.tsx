import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { get } from '../api';
import { checkInclusion, type InclusionCheck, type InclusionProof } from '../integrity/merkle';
import {
  type Checkpoint,
  cosignatures,
  parseCheckpoint,
  parseVerifierKey,
  type SignatureCheck,
  verifyCheckpointSignature,
  type VerifierKey,
} from '../integrity/note';
import { Failure, Field, Loading, Scroll } from '../ui/components';
import { href } from '../ui/route';
import { useAction, useApi } from '../ui/use-api';

interface Latest {
  note: string;
  checkpoint: Checkpoint;
  keys: VerifierKey[];
  signature: SignatureCheck;
}

async function latest(signal: AbortSignal): Promise<Latest> {
  const [note, keyText] = await Promise.all([
    get('/checkpoint', undefined, signal).then((r) => r.text()),
    get('/v1/keys', undefined, signal).then((r) => r.text()),
  ]);
  const keys = await Promise.all(keyText.split('\n').filter(Boolean).map(parseVerifierKey));
  const checkpoint = parseCheckpoint(note);
  return { note, checkpoint, keys, signature: await verifyCheckpointSignature(checkpoint, keys) };
}

function SignatureStatus({ check }: { check: SignatureCheck }) {
  switch (check.status) {
    case 'verified':
      return (
        <span className="badge ok">✓ signature verified in this browser (Ed25519, key {check.key})</span>
      );
    case 'invalid':
      return (
        <span className="badge bad">
          ✗ the signature does not verify with key {check.key}: the checkpoint was altered or forged
        </span>
      );
    case 'no-trusted-signature':
      return <span className="badge bad">✗ no signature by any of the ledger's published keys</span>;
    case 'unsupported':
      return <span className="badge warn">signature not checked: {check.reason}</span>;
  }
}

interface InclusionResult {
  proof: InclusionProof;
  checkpoint: Checkpoint;
  inclusion: InclusionCheck;
  signature: SignatureCheck;
}

export function Integrity({ params }: { params: URLSearchParams }) {
  const eventId = params.get('eventId') ?? '';
  const state = useApi((_token, signal) => latest(signal), 'checkpoint');
  const act = useAction();
  const [draft, setDraft] = useState(eventId);
  const [result, setResult] = useState<InclusionResult>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const keys = state.data?.keys;

  const verify = useCallback(
    async (id: string) => {
      if (!keys) return;
      setBusy(true);
      setError(undefined);
      setResult(undefined);
      try {
        const proof = await act((token) =>
          get(`/v1/proofs/inclusion?eventId=${encodeURIComponent(id)}`, token).then(
            (r) => r.json() as Promise<InclusionProof>,
          ),
        );
        const checkpoint = parseCheckpoint(proof.checkpoint);
        const [inclusion, signature] = await Promise.all([
          checkInclusion(proof, checkpoint.rootHash),
          verifyCheckpointSignature(checkpoint, keys),
        ]);
        setResult({ proof, checkpoint, inclusion, signature });
      } catch (failure) {
        setError(failure as Error);
      } finally {
        setBusy(false);
      }
    },
    [act, keys],
  );
  useEffect(() => {
    setDraft(eventId);
    if (eventId) void verify(eventId);
  }, [eventId, verify]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    location.hash = href(['integrity'], { eventId: draft.trim() });
  };

  return (
    <section aria-labelledby="integrity-title">
      <h1 id="integrity-title">Integrity</h1>
      <section aria-labelledby="checkpoint-title" className="panel">
        <h2 id="checkpoint-title">Latest signed checkpoint</h2>
        {state.loading && <Loading what="the checkpoint" />}
        {state.error && <Failure error={state.error} />}
        {state.data && (
          <>
            <p>
              Log <span className="mono">{state.data.checkpoint.origin}</span>,{' '}
              {state.data.checkpoint.treeSize} events, root{' '}
              <span className="mono">{state.data.checkpoint.rootHash}</span>
            </p>
            <p>
              <SignatureStatus check={state.data.signature} />
            </p>
            <Scroll label="Checkpoint note">
              <pre>{state.data.note}</pre>
            </Scroll>
            <h3>Witnesses</h3>
            <WitnessStatus checkpoint={state.data.checkpoint} keys={state.data.keys} />
            <h3>The ledger's verifier keys</h3>
            <ul>
              {state.data.keys.map((k) => (
                <li key={k.text} className="mono">
                  {k.text}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <section aria-labelledby="inclusion-title" className="panel">
        <h2 id="inclusion-title">Is an event in the signed log?</h2>
        <p>
          The proof is fetched from the ledger and checked here, with this browser's own SHA-256 (RFC 9162),
          against the root of a checkpoint whose signature is also checked here.
        </p>
        <form onSubmit={submit} className="inline-form">
          <Field label="Event id">
            {(id) => (
              <input
                id={id}
                className="mono wide"
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
                required
              />
            )}
          </Field>
          <button type="submit" className="primary" disabled={busy || !keys}>
            Verify inclusion
          </button>
        </form>
        {busy && <p role="status">Fetching and checking the proof…</p>}
        {error && <Failure error={error} />}
        {result && <InclusionReport result={result} />}
      </section>
    </section>
  );
}

function WitnessStatus({ checkpoint, keys }: { checkpoint: Checkpoint; keys: VerifierKey[] }) {
  const cosigned = cosignatures(checkpoint, keys);
  if (cosigned.length === 0)
    return (
      <p>
        No witness has cosigned this checkpoint. The ledger hands every checkpoint to the witnesses in{' '}
        <span className="mono">LEDGER_WITNESSES</span>; whether each received it is known to the witness, not
        to this console.
      </p>
    );
  return (
    <>
      <p>
        {cosigned.length} cosignature(s) beside the ledger's own, by keys this console does not hold, so they
        are listed, not checked:
      </p>
      <ul>
        {cosigned.map((s) => (
          <li key={`${s.name}+${s.keyId}`} className="mono">
            {s.name}+{s.keyId}
          </li>
        ))}
      </ul>
    </>
  );
}

function InclusionReport({ result }: { result: InclusionResult }) {
  const { proof, checkpoint, inclusion, signature } = result;
  const verified =
    inclusion.leafHashMatchesServer && inclusion.matchesCheckpointRoot && signature.status === 'verified';
  return (
    <div role="region" aria-label="Inclusion proof result" aria-live="polite">
      <p className={verified ? 'verdict ok' : 'verdict bad'}>
        {verified ? '✓ Verified in this browser' : '✗ Not verified'}: event{' '}
        <span className="mono">{proof.eventId}</span> (position {proof.position}) is leaf {proof.leafIndex} of
        the checkpoint of {checkpoint.treeSize} events.
      </p>
      <ol className="checks">
        <li>
          Event hash <span className="mono">{proof.eventHash}</span> gives leaf hash{' '}
          <span className="mono">{inclusion.leafHash}</span>:{' '}
          {inclusion.leafHashMatchesServer ? '✓ same as the ledger’s' : '✗ differs from the ledger’s'}
        </li>
        <li>
          {proof.proof.length} proof hashes lead to root{' '}
          <span className="mono">{inclusion.computedRoot || '(none)'}</span>:{' '}
          {inclusion.matchesCheckpointRoot
            ? '✓ the checkpoint’s root'
            : `✗ not the checkpoint’s root ${checkpoint.rootHash}${inclusion.error ? ` (${inclusion.error})` : ''}`}
        </li>
        <li>
          The checkpoint: <SignatureStatus check={signature} />
        </li>
      </ol>
    </div>
  );
}
