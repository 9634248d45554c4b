import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  aiSystemDecider,
  datasetDecider,
  datasetSnapshot,
  streamNames,
  type AiSystemCommand,
  type AiSystemState,
  type DatasetCommand,
  legalHoldsDecider,
  type LegalHoldCommand,
  type LegalHoldsState,
  type GovernancePolicy,
  EVENT_SCHEMAS,
  stateFrom,
  upcast,
  type CommandMeta,
  type DatasetSnapshot,
  type Decider,
  type DomainEvent,
  LEDGER_MONITOR,
  tenantStream,
} from '@ledger/domain';
import { EventStoreError, type EventMetadata, type EventStore } from '@ledger/event-store';
import type { GraphqlContext } from '../graphql/graphql-context';
import { callerFrom, correlationIdFrom, type Caller } from '../request-context/caller';
import { EVENT_STORE } from '../store/event-store.module';
import { withSpan } from '../tracing/with-span';
import { GOVERNANCE_POLICY } from './governance-policy';

/** Everything about one command's execution that is not the command: who, when, where from. */
interface CommandContext {
  /** An authenticated caller, or the ledger itself (role `ledger`), which no token can claim. */
  caller: Pick<Caller, 'id' | 'tenantId' | 'onBehalfOf'> & { role: string };
  /** The ledger's clock when the request arrived: the instant the command is decided at. */
  at: string;
  source: string;
  correlationId: string;
  /** The id of this command execution; the events it causes carry it as causationId. */
  commandId: string;
}

export interface CommandReceipt {
  stream: string;
  revision: number;
  events: Array<{ eventId: string; type: string; revision: number; position: string; hash: string }>;
}

/** A mutation's context: the caller the authentication hook verified, and the ledger's clock on arrival. */
function graphqlCommandContext(ctx: GraphqlContext, now: Date = new Date()): CommandContext {
  return {
    caller: callerFrom(ctx.request),
    at: now.toISOString(),
    source: 'ledger-api/graphql',
    correlationId: correlationIdFrom(ctx.request),
    commandId: randomUUID(),
  };
}

/** Concurrent commands on one stream: re-deciding against fresh state is safe because deciders are pure. */
const ATTEMPTS = 3;

/**
 * The command path, emmett's `handle(store, id, state => decide(command, state))`:
 * load the tenant's stream, build the command from its state, decide, append at
 * the revision decided against. A concurrent append makes the append fail with
 * CONCURRENCY_CONFLICT; the command is then built and decided again on the new
 * state, a few times, before the conflict is reported. (`K` keeps a command's
 * `type: 'DeployModelVersion'` a literal, so the object a resolver builds is
 * checked against the decider's union of commands.)
 */
function handleCommand<C extends { type: K }, K extends string, E extends DomainEvent, S>(
  store: EventStore,
  context: CommandContext,
  stream: string,
  decider: Decider<C, E, S>,
  command: (meta: CommandMeta, state: S) => C | Promise<C>,
): Promise<CommandReceipt> {
  const scoped = tenantStream(context.caller.tenantId, stream);
  const meta: CommandMeta = { actor: context.caller.id, at: context.at };
  const metadata = eventMetadata(context);
  return withSpan(
    'command',
    async (span) => {
      for (let attempt = 1; ; attempt++) {
        const { state, revision } = await loadState(store, scoped, decider);
        const next = await command(meta, state);
        span.updateName(`command ${next.type}`);
        const events = decider.decide(next, state);
        if (events.length === 0)
          return { stream: scoped, revision: revision === 'no_stream' ? -1 : revision, events: [] };
        try {
          const result = await store.append(
            scoped,
            events.map((e) => ({
              eventId: randomUUID(),
              type: e.type,
              schemaVersion: EVENT_SCHEMAS[e.type].version,
              data: e.data,
              metadata,
            })),
            revision,
          );
          return {
            stream: scoped,
            revision: result.nextExpectedRevision,
            events: result.events.map((r, i) => ({
              eventId: r.eventId,
              type: events[i].type,
              revision: r.revision,
              position: r.position.toString(),
              hash: r.hash,
            })),
          };
        } catch (error) {
          if (!(
            error instanceof EventStoreError &&
            error.code === 'CONCURRENCY_CONFLICT' &&
            attempt < ATTEMPTS
          ))
            throw error;
        }
      }
    },
    { 'ledger.stream': scoped },
  );
}

/** Folds a whole stream (already tenant-scoped) into the decider's state, and the revision it reached. */
async function loadState<C, E, S>(
  store: EventStore,
  stream: string,
  decider: Decider<C, E, S>,
): Promise<{ state: S; revision: number | 'no_stream' }> {
  const history: E[] = [];
  let revision: number | 'no_stream' = 'no_stream';
  for await (const stored of store.readStream(stream)) {
    history.push(upcast(stored) as E);
    revision = stored.revision;
  }
  return { state: stateFrom(decider, history), revision };
}

function eventMetadata({ caller, at, source, correlationId, commandId }: CommandContext) {
  return {
    tenantId: caller.tenantId,
    actor: {
      id: caller.id,
      role: caller.role,
      ...(caller.onBehalfOf ? { onBehalfOf: caller.onBehalfOf } : {}),
    },
    source,
    occurredAt: at,
    correlationId,
    causationId: commandId,
  } satisfies Omit<EventMetadata, 'recordedAt'>;
}

/**
 * handleCommand bound to the AI systems' streams and decider: what every
 * mutation on an AI system shares, injected once, so a resolver only builds
 * its command.
 */
@Injectable()
export class AiSystemCommands {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(GOVERNANCE_POLICY) private readonly policy: GovernancePolicy,
  ) {}

  handle(
    ctx: GraphqlContext,
    systemId: string,
    command: (meta: CommandMeta, state: AiSystemState) => AiSystemCommand | Promise<AiSystemCommand>,
  ): Promise<CommandReceipt> {
    return handleCommand(
      this.store,
      graphqlCommandContext(ctx),
      streamNames.aiSystem(systemId),
      aiSystemDecider(this.policy),
      command,
    );
  }

  /**
   * A command the ledger issues itself, as LEDGER_MONITOR in the tenant it
   * works for, down the same path as a caller's: the monitoring worker
   * records computed signals this way.
   */
  handleAsLedger(
    tenantId: string,
    systemId: string,
    command: (meta: CommandMeta, state: AiSystemState) => AiSystemCommand,
  ): Promise<CommandReceipt> {
    const commandId = randomUUID();
    return handleCommand(
      this.store,
      {
        caller: { id: LEDGER_MONITOR, role: 'ledger', tenantId },
        at: new Date().toISOString(),
        source: 'ledger-api/monitoring',
        correlationId: commandId,
        commandId,
      },
      streamNames.aiSystem(systemId),
      aiSystemDecider(this.policy),
      command,
    );
  }

  /**
   * The current state of datasets in the caller's tenant, for a command that
   * must check them (deploy, plan a validation): datasets are aggregates of
   * their own, so their snapshots go into the command and the decider stays pure.
   */
  datasetSnapshots(ctx: GraphqlContext, datasetIds: readonly string[]): Promise<DatasetSnapshot[]> {
    const { tenantId } = callerFrom(ctx.request);
    return Promise.all(
      datasetIds.map(async (datasetId) => {
        const stream = tenantStream(tenantId, streamNames.dataset(datasetId));
        const { state } = await loadState(this.store, stream, datasetDecider);
        return datasetSnapshot(datasetId, state);
      }),
    );
  }
}

/** handleCommand bound to the datasets' streams and decider. */
@Injectable()
export class DatasetCommands {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  handle(
    ctx: GraphqlContext,
    datasetId: string,
    command: (meta: CommandMeta) => DatasetCommand,
  ): Promise<CommandReceipt> {
    return handleCommand(
      this.store,
      graphqlCommandContext(ctx),
      streamNames.dataset(datasetId),
      datasetDecider,
      command,
    );
  }
}

/** handleCommand bound to the tenant's legal-holds stream and decider. */
@Injectable()
export class LegalHoldCommands {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(GOVERNANCE_POLICY) private readonly policy: GovernancePolicy,
  ) {}

  handle(
    ctx: GraphqlContext,
    command: (meta: CommandMeta, state: LegalHoldsState) => LegalHoldCommand | Promise<LegalHoldCommand>,
  ): Promise<CommandReceipt> {
    return handleCommand(
      this.store,
      graphqlCommandContext(ctx),
      streamNames.legalHolds(),
      legalHoldsDecider,
      command,
    );
  }

  /** Whether the caller's tenant has registered a system: a hold is placed on a system that exists, never on a typo. */
  async systemRegistered(ctx: GraphqlContext, systemId: string): Promise<boolean> {
    const { tenantId } = callerFrom(ctx.request);
    const stream = tenantStream(tenantId, streamNames.aiSystem(systemId));
    const { state } = await loadState(this.store, stream, aiSystemDecider(this.policy));
    return state.status !== 'unregistered';
  }
}
