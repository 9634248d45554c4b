import { type ReactNode, useId } from 'react';
import { ForbiddenError } from '../api';
import { href } from './route';

/** Instants as the ledger states them (UTC, milliseconds): an auditor compares them with event times, so nothing is rounded. */
export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span className="muted">—</span>;
  return <time dateTime={iso}>{iso.replace('T', ' ')}</time>;
}

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="muted">
      Loading {what}…
    </p>
  );
}

/** A role refusal shows only that: no partial data, and what to do about it. */
export function Failure({ error }: { error: Error }) {
  if (error instanceof ForbiddenError)
    return (
      <div role="alert" className="alert forbidden">
        <h2>Not allowed</h2>
        <p>Your token's role may not read this part of the ledger.</p>
        <p className="muted">The ledger said: {error.message}</p>
        <p>Ask for an auditor, regulator or governance-admin token, then sign in again.</p>
      </div>
    );
  return (
    <div role="alert" className="alert">
      <h2>Could not load this</h2>
      <p>{error.message}</p>
    </div>
  );
}

/** A wide table or note scrolls inside a labelled region that keyboard users can focus and scroll. */
export function Scroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

export function Badge({ ok, yes, no }: { ok: boolean; yes: string; no: string }) {
  return <span className={ok ? 'badge ok' : 'badge bad'}>{ok ? yes : no}</span>;
}

/**
 * Event ids open the integrity panel, where the event's inclusion in the signed log is checked in this browser.
 * `short` shows the first 8 characters (the full id is in the link's accessible name), for tables where 36 would wrap.
 */
export function EventId({ id, short = false }: { id: string; short?: boolean }) {
  return (
    <a
      href={href(['integrity'], { eventId: id })}
      className={short ? 'mono nowrap' : 'mono'}
      title="Verify this event's inclusion proof"
      aria-label={short ? `${id}: verify its inclusion proof` : undefined}
    >
      {short ? `${id.slice(0, 8)}…` : id}
    </a>
  );
}

/** A labelled control; the hint is tied to it with aria-describedby so screen readers read both. */
export function Field({
  label,
  children,
  hint,
}: {
  label: string;
  children: (id: string, describedBy?: string) => ReactNode;
  hint?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id, hint ? `${id}-hint` : undefined)}
      {hint && (
        <small id={`${id}-hint`} className="muted">
          {hint}
        </small>
      )}
    </div>
  );
}
