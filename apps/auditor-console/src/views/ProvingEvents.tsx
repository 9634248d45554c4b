import { useEffect, useState } from 'react';
import { graphql, refusalNotice, UnauthenticatedError } from '../api';
import { type LedgerEvent, TimelineDocument, type TimelinePage } from '../queries';
import { EventId, Failure, Time } from '../ui/components';
import { EventTable } from '../ui/EventTable';
import { href } from '../ui/route';
import { useSession } from '../ui/session';

interface Search {
  found: LedgerEvent[];
  searched: number;
  done: boolean;
  error?: Error;
}

/**
 * The events a finding names, with their integrity fields. The API reads
 * events by system and time, not by id, so the system's timeline is scanned
 * from the finding's start (where its evidence begins), then from the start
 * of the timeline, stopping as soon as every id is found.
 */
export function ProvingEvents({ params }: { params: URLSearchParams }) {
  const session = useSession();
  const systemId = params.get('system') ?? '';
  const since = params.get('since') ?? '';
  const ids = (params.get('ids') ?? '').split(',').filter(Boolean);
  const idsKey = ids.join(',');
  const [search, setSearch] = useState<Search>({ found: [], searched: 0, done: false });

  useEffect(() => {
    if (!systemId) return;
    const wanted = new Set(idsKey.split(',').filter(Boolean));
    const controller = new AbortController();
    const found = new Map<string, LedgerEvent>();
    let searched = 0;
    const scan = async (from: string | null, to: string | null) => {
      let after: string | null = null;
      do {
        const page: { timeline: TimelinePage } = await graphql(
          session.token,
          TimelineDocument,
          { systemId, from, to, first: 100, after },
          controller.signal,
        );
        searched += page.timeline.edges.length;
        for (const { node } of page.timeline.edges)
          if (wanted.has(node.eventId)) found.set(node.eventId, node);
        if (controller.signal.aborted) return;
        setSearch({ found: [...found.values()], searched, done: false });
        after =
          page.timeline.pageInfo.hasNextPage && found.size < wanted.size
            ? page.timeline.pageInfo.endCursor
            : null;
      } while (after);
    };
    setSearch({ found: [], searched: 0, done: false });
    (async () => {
      await scan(since || null, null);
      if (since && found.size < wanted.size) await scan(null, since);
      if (!controller.signal.aborted) setSearch({ found: [...found.values()], searched, done: true });
    })().catch((error: Error) => {
      if (controller.signal.aborted) return;
      if (error instanceof UnauthenticatedError) session.signOut(refusalNotice(error));
      else setSearch({ found: [...found.values()], searched, done: true, error });
    });
    return () => controller.abort();
  }, [systemId, since, idsKey, session]);

  const missing = ids.filter((id) => !search.found.some((e) => e.eventId === id));
  return (
    <section aria-labelledby="proving-title">
      <p className="crumbs">
        <a href={href(['findings'])}>Compliance findings</a> › proving events
      </p>
      <h1 id="proving-title">Events proving {params.get('rule') ?? 'the finding'}</h1>
      <p>
        {params.get('subject') && <>Finding “{params.get('subject')}”</>}
        {systemId && (
          <>
            {' '}
            on <a href={href(['systems', systemId])}>{systemId}</a>
          </>
        )}
        {since && (
          <>
            , since <Time iso={since} />
          </>
        )}
        . {ids.length} event{ids.length === 1 ? '' : 's'} named as evidence.
      </p>
      {!systemId ? (
        <ul>
          {ids.map((id) => (
            <li key={id}>
              <EventId id={id} />
            </li>
          ))}
        </ul>
      ) : (
        <>
          <p role="status">
            {search.done ? 'Search complete' : 'Searching the timeline'}: {search.searched} events read,{' '}
            {search.found.length} of {ids.length} proving events found.
          </p>
          {search.error && <Failure error={search.error} />}
          {search.found.length > 0 && (
            <EventTable events={search.found} highlight={new Set(ids)} label="Proving events" />
          )}
          {search.done && missing.length > 0 && (
            <p>
              Not in this system's timeline (check each in the integrity panel):{' '}
              {missing.map((id) => (
                <EventId key={id} id={id} />
              ))}
            </p>
          )}
        </>
      )}
    </section>
  );
}
