import { type FormEvent, useState } from 'react';
import { graphql } from '../../api';
import { type SystemDetail, TimelineDocument, type TimelinePage } from '../../queries';
import { EventTable } from '../../ui/EventTable';
import { Failure, Field, Loading } from '../../ui/components';
import { href } from '../../ui/route';
import { useAction, useApi } from '../../ui/use-api';

/** The raw event timeline, oldest first, 50 at a time; `highlight` marks events another view sent the user to. */
export function Events({ system, params }: { system: SystemDetail; params: URLSearchParams }) {
  const type = params.get('type') ?? '';
  const from = params.get('from') ?? '';
  const highlight = new Set((params.get('highlight') ?? '').split(',').filter(Boolean));
  const variables = { systemId: system.id, types: type ? [type] : null, from: from || null, first: 50 };
  const first = useApi(
    (token, signal) => graphql(token, TimelineDocument, variables, signal),
    `events:${system.id}:${type}:${from}`,
  );
  const [more, setMore] = useState<{ key: string; pages: TimelinePage[] }>({ key: '', pages: [] });
  const [moreError, setMoreError] = useState<Error>();
  const act = useAction();
  const key = `${system.id}:${type}:${from}`;
  const pages = first.data ? [first.data.timeline, ...(more.key === key ? more.pages : [])] : [];
  const last = pages.at(-1);

  const loadMore = async () => {
    try {
      const next = await act((token) =>
        graphql(token, TimelineDocument, { ...variables, after: last?.pageInfo.endCursor }),
      );
      setMore({ key, pages: [...(more.key === key ? more.pages : []), next.timeline] });
    } catch (error) {
      setMoreError(error as Error);
    }
  };
  const filter = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    location.hash = href(['systems', system.id, 'events'], {
      type: String(form.get('type') ?? ''),
      from: String(form.get('from') ?? ''),
    });
  };

  return (
    <section aria-labelledby="events-title">
      <h2 id="events-title">Events</h2>
      <form onSubmit={filter} className="inline-form">
        <Field label="Event type">
          {(id) => <input id={id} name="type" defaultValue={type} placeholder="e.g. TakedownDecided" />}
        </Field>
        <Field label="Occurred at or after (UTC)">
          {(id) => (
            <input
              id={id}
              name="from"
              className="mono"
              defaultValue={from}
              placeholder="2026-01-01T00:00:00Z"
            />
          )}
        </Field>
        <button type="submit">Filter</button>
      </form>
      {first.loading && <Loading what="events" />}
      {first.error && <Failure error={first.error} />}
      {pages.length > 0 && (
        <>
          <EventTable
            events={pages.flatMap((p) => p.edges.map((e) => e.node))}
            highlight={highlight}
            label="Event timeline"
          />
          {last?.pageInfo.hasNextPage && (
            <button type="button" onClick={() => void loadMore()}>
              Load 50 more
            </button>
          )}
          {moreError && <Failure error={moreError} />}
        </>
      )}
    </section>
  );
}
