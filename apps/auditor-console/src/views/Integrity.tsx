import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { get } from '../api';
import { checkInclusion, type InclusionCheck, type InclusionProof } from '../integrity/merkle';
import {
  type Checkpoint,
  checkWitnessPolicy,
  type CosignatureCheck,
  parseCheckpoint,
  parseVerifierKey,
  parseWitnessPolicy,
  type SignatureCheck,
  untrustedSignatures,
  verifyCheckpointSignature,
  type VerifierKey,
  WitnessInputError,
  type WitnessPolicy,
  type WitnessPolicyCheck,
} from '../integrity/note';
import { Failure, Field, Loading, Scroll, Time } from '../ui/components';
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
  // The witness policy rides in the address with the event, so a link carries the whole check.
  const witnessKeys = params.get('witnessKeys') ?? '';
  const witnessThreshold = params.get('witnessThreshold') ?? '';
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
    location.hash = href(['integrity'], { eventId: draft.trim(), witnessKeys, witnessThreshold });
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
            <Witnesses
              checkpoint={state.data.checkpoint}
              ledgerKeys={state.data.keys}
              keysText={witnessKeys}
              thresholdText={witnessThreshold}
              eventId={eventId}
            />
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

type WitnessState =
  | { policy?: undefined; check?: undefined; error?: undefined }
  | { policy: WitnessPolicy; check: WitnessPolicyCheck; error?: undefined }
  | { policy?: undefined; check?: undefined; error: Error };

/** The auditor's witness policy, from the address, applied to the checkpoint in this browser. */
function Witnesses({
  checkpoint,
  ledgerKeys,
  keysText,
  thresholdText,
  eventId,
}: {
  checkpoint: Checkpoint;
  ledgerKeys: VerifierKey[];
  keysText: string;
  thresholdText: string;
  eventId: string;
}) {
  const [state, setState] = useState<WitnessState>();
  useEffect(() => {
    let current = true;
    setState(undefined);
    void parseWitnessPolicy(keysText, thresholdText)
      .then(async (policy) => (policy ? { policy, check: await checkWitnessPolicy(checkpoint, policy) } : {}))
      .catch((error: Error) => ({ error }))
      .then((next) => {
        if (current) setState(next);
      });
    return () => {
      current = false;
    };
  }, [checkpoint, keysText, thresholdText]);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    location.hash = href(['integrity'], {
      eventId,
      witnessKeys: String(form.get('witnessKeys') ?? '').trim(),
      witnessThreshold: String(form.get('witnessThreshold') ?? '').trim(),
    });
  };
  const invalid = (field: WitnessInputError['field']) =>
    state?.error instanceof WitnessInputError && state.error.field === field ? true : undefined;
  const others = untrustedSignatures(checkpoint, [...ledgerKeys, ...(state?.policy?.witnesses ?? [])]);
  return (
    <>
      {/* Keyed by the address, so going back or following a link shows the policy in force, not a stale draft. */}
      <form key={`${keysText}\n${thresholdText}`} onSubmit={submit}>
        <Field
          label="Witness keys"
          hint="The cosignature/v1 verifier keys of the witnesses you trust, one per line, as each witness publishes it (name+key id+base64 key)."
        >
          {(id, describedBy) => (
            <textarea
              id={id}
              name="witnessKeys"
              rows={3}
              aria-describedby={describedBy}
              aria-invalid={invalid('witnessKeys')}
              defaultValue={keysText}
              spellCheck={false}
            />
          )}
        </Field>
        <div className="inline-form">
          <Field label="Witness threshold" hint="How many of them must have cosigned; 1 when left empty.">
            {(id, describedBy) => (
              <input
                id={id}
                name="witnessThreshold"
                inputMode="numeric"
                aria-describedby={describedBy}
                aria-invalid={invalid('witnessThreshold')}
                defaultValue={thresholdText}
              />
            )}
          </Field>
          <button type="submit" className="primary">
            Check witnesses
          </button>
        </div>
      </form>
      {state?.error && (
        <p role="alert" className="error-text">
          {state.error.message}
        </p>
      )}
      {state?.check && <WitnessReport check={state.check} />}
      {others.length > 0 && (
        <>
          <p>
            {others.length} more signature(s), by keys that are neither the ledger's nor a witness given
            above, so they are listed, not checked:
          </p>
          <ul>
            {others.map((s) => (
              <li key={`${s.name}+${s.keyId}`} className="mono">
                {s.name}+{s.keyId}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

function WitnessReport({ check }: { check: WitnessPolicyCheck }) {
  const forged = check.witnesses.some((w) => w.status === 'invalid');
  const unchecked = check.witnesses.some((w) => w.status === 'unsupported');
  const counted = `${check.cosigned} of the ${check.witnesses.length} trusted witnesses cosigned this checkpoint (at least ${check.threshold} required)`;
  return (
    <div role="region" aria-label="Witness policy result" aria-live="polite">
      <p className={check.met ? 'verdict ok' : 'verdict bad'}>
        {check.met
          ? `✓ Witness policy met in this browser: ${counted}`
          : forged
            ? `✗ Witness policy not met: a trusted witness's cosignature does not verify; ${counted}`
            : unchecked
              ? `✗ Witness policy not met: this browser cannot check Ed25519 cosignatures; check them with govledger verify --witness-key`
              : `✗ Witness policy not met: ${counted}`}
      </p>
      <ul>
        {check.witnesses.map((w) => (
          <li key={w.witness}>
            <span className="mono">{w.witness}</span>: <CosignatureStatus check={w} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function CosignatureStatus({ check }: { check: CosignatureCheck }) {
  switch (check.status) {
    case 'cosigned':
      return (
        <span className="badge ok">
          ✓ cosigned at <Time iso={check.time} /> (Ed25519, verified in this browser)
        </span>
      );
    case 'absent':
      return <span className="badge bad">✗ no cosignature on this checkpoint</span>;
    case 'invalid':
      return <span className="badge bad">✗ {check.reason}</span>;
    case 'unsupported':
      return <span className="badge warn">not checked: {check.reason}</span>;
  }
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
