import { tenantEventId } from '@ledger/domain';
import { randomUUID } from 'node:crypto';
import { sleep } from './ledger-process';

interface Item {
  eventId: string;
  type: 'DataAccessed';
  occurredAt: string;
  data: Record<string, string>;
}

interface GraphqlAnswer {
  data?: { registerAiSystem?: { events: Array<{ eventId: string }> } } | null;
  errors?: Array<{ message: string; extensions?: { code?: string; status?: number } }>;
}

/** A request the service answered without acknowledging it (requests cut off without an answer are only counted). */
export interface Refusal {
  route: 'POST /v1/events' | 'registerAiSystem';
  /** The HTTP status, or for GraphQL the status the error maps to (extensions.status). */
  status: number;
  code?: string;
  message?: string;
  eventIds: string[];
}

let serial = 0;

/** Half single-event requests (the group-commit path), half batches of 2 to 25. */
export function newBatch(): Item[] {
  const size = Math.random() < 0.5 ? 1 : 2 + Math.floor(Math.random() * 24);
  return Array.from({ length: size }, () => {
    const n = serial++;
    return {
      eventId: randomUUID(),
      type: 'DataAccessed',
      occurredAt: new Date(Date.UTC(2026, 2, 14, 9, 0, n % 3600)).toISOString(),
      data: {
        actor: `dr.${n % 7}`,
        datasetId: `ds-${n % 3}`,
        patientId: `MRN-${n % 97}`,
        action: 'R',
        purposeOfUse: 'TREAT',
        outcome: 'success',
      },
    };
  });
}

/**
 * Concurrent emitters posting to POST /v1/events, behaving as the README asks
 * an emitter to: a batch that was not acknowledged (no answer, or a 5xx) is
 * sent again, unchanged, until it is. So a batch that committed just before
 * a crash comes back as `duplicate`, which is what "no event is stored
 * twice" must survive.
 */
/** The ledger's id for an item: derived from the emitter's id and the tenant of the fault suite's tokens (ledger-process). */
const ledgerId = (eventId: string) => tenantEventId('default', eventId);

export class IngestLoad {
  /** The ledger's id of every item the service answered `accepted` or `duplicate`: what it promised to keep. */
  readonly acknowledged = new Set<string>();
  readonly refusals: Refusal[] = [];
  /** Items the service answered `rejected`: none are expected, since every item is valid. */
  readonly rejectedItems: unknown[] = [];
  /** Items answered `duplicate`: resent after a crash although they had committed, unacknowledged, before it. */
  duplicates = 0;
  /** Requests cut off without an answer (the service died or was not listening). */
  unanswered = 0;
  requests = 0;
  private readonly pending: Array<Item[] | undefined>;
  private running = false;
  private workers: Promise<void>[] = [];
  private systems = 0;

  /**
   * `concurrency` emitters post events; with an `adminToken`, one more client
   * registers AI systems through GraphQL, so the registry projection has rows
   * to converge too, not only the data-access and timeline ones.
   */
  constructor(
    private readonly url: string,
    private readonly token: string,
    concurrency = 16,
    private readonly adminToken?: string,
  ) {
    this.pending = new Array(concurrency).fill(undefined);
  }

  /** Batches sent but never acknowledged, still waiting to be resent. */
  get unacknowledged(): string[] {
    return this.pending.flatMap((batch) => batch?.map((i) => ledgerId(i.eventId)) ?? []);
  }

  start(): void {
    if (this.running) throw new Error('the load is already running');
    this.running = true;
    this.workers = this.pending.map((_, worker) => this.work(worker));
    if (this.adminToken) this.workers.push(this.govern(this.adminToken));
  }

  /** Lets each emitter finish (or lose) the request it has in flight, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  /** Resolves once `count` more events have been acknowledged than when called. */
  async acknowledgedMore(count: number, timeoutMs = 30_000): Promise<void> {
    const target = this.acknowledged.size + count;
    const deadline = Date.now() + timeoutMs;
    while (this.acknowledged.size < target) {
      if (Date.now() > deadline)
        throw new Error(
          `fewer than ${count} events acknowledged within ${timeoutMs} ms; last refusals: ${JSON.stringify(this.refusals.slice(-3))}`,
        );
      await sleep(20);
    }
  }

  /** Sends one batch; true when the service acknowledged it. */
  async send(batch: Item[]): Promise<boolean> {
    this.requests++;
    let response: Response;
    try {
      response = await fetch(`${this.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        body: JSON.stringify({ events: batch }),
      });
    } catch {
      this.unanswered++;
      return false;
    }
    const body = (await response.json().catch(() => ({}))) as {
      results?: Array<{ ledgerEventId: string; status: string }>;
      error?: { code?: string; message?: string };
    };
    if (response.status !== 200) {
      this.refusals.push({
        route: 'POST /v1/events',
        status: response.status,
        code: body.error?.code,
        message: body.error?.message,
        eventIds: batch.map((i) => ledgerId(i.eventId)),
      });
      return false;
    }
    for (const result of body.results ?? []) {
      if (result.status === 'accepted' || result.status === 'duplicate')
        this.acknowledged.add(result.ledgerEventId);
      else this.rejectedItems.push(result);
      if (result.status === 'duplicate') this.duplicates++;
    }
    return true;
  }

  /**
   * A command is not resent blindly the way an emitter's batch is: one cut
   * off by a crash is sent again and answered either with its receipt or
   * ALREADY_EXISTS (it had committed, unacknowledged); both move on.
   */
  private async govern(token: string): Promise<void> {
    while (this.running) {
      const systemId = `fault-system-${this.systems}`;
      const input = {
        systemId,
        name: `System ${this.systems}`,
        intendedUse: 'Crash testing',
        clinicalDomain: 'critical care',
        riskClass: 'high',
        supplier: 'in_house',
        sites: ['north'],
      };
      this.requests++;
      const answer = await fetch(`${this.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query:
            'mutation Run($input: RegisterAiSystemInput!) { registerAiSystem(input: $input) { events { eventId } } }',
          variables: { input },
        }),
      }).then(
        async (r) => ({ status: r.status, body: (await r.json().catch(() => ({}))) as GraphqlAnswer }),
        () => undefined,
      );
      if (!answer) {
        this.unanswered++;
        await sleep(25);
        continue;
      }
      const receipt = answer.body.data?.registerAiSystem;
      const code = answer.body.errors?.[0]?.extensions?.code;
      if (receipt) for (const event of receipt.events) this.acknowledged.add(event.eventId);
      if (receipt || code === 'ALREADY_EXISTS') this.systems++;
      else {
        this.refusals.push({
          route: 'registerAiSystem',
          status: answer.body.errors?.[0]?.extensions?.status ?? answer.status,
          code,
          message: answer.body.errors?.[0]?.message,
          eventIds: [],
        });
        await sleep(25);
      }
    }
  }

  private async work(worker: number): Promise<void> {
    while (this.running) {
      const batch = (this.pending[worker] ??= newBatch());
      if (await this.send(batch)) this.pending[worker] = undefined;
      // Back off a little while the service is down or refusing, as a real emitter's retry would.
      else await sleep(25);
    }
  }
}
