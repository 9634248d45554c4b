import type { AiSystemEvent } from '../ai-system/events';
import { evolveAiSystem, initialAiSystemState, type AiSystemState } from '../ai-system/state';
import type { LifecycleStatus } from '../ai-system/vocabulary';
import { uuidFrom } from '../shared/event-ids';
import { millis } from '../shared/time';
import { checkedEvents } from '../events/validate-event-data';
import type { OutputFinding } from './events';
import type { ClinicalUseEventOf } from './record-clinical-use';

/** From `from` on, until the next period: the system's status and the version serving patients, if any. */
export interface RegistryPeriod {
  from: string;
  status: LifecycleStatus;
  /** Only while deployed: a suspended system's version is paused, a retired system has none. */
  liveVersion?: string;
}

/**
 * What the registry said about one system at every instant, folded from its
 * own stream. The decider's state knows only the present; an output is judged
 * at its own `occurredAt`, which may be before a later deployment or takedown.
 */
export interface RegistryHistory {
  state: AiSystemState;
  /** In stream order; a new period starts whenever the status or the live version changes. */
  periods: RegistryPeriod[];
}

export function initialRegistryHistory(): RegistryHistory {
  return { state: initialAiSystemState(), periods: [] };
}

export function evolveRegistryHistory(history: RegistryHistory, event: AiSystemEvent): RegistryHistory {
  const state = evolveAiSystem(history.state, event);
  const from = takesEffectAt(event);
  if (state.status === 'unregistered' || from === undefined) return { ...history, state };
  const period: RegistryPeriod = {
    from,
    status: state.status,
    ...(state.status === 'deployed' && state.deployedVersion ? { liveVersion: state.deployedVersion } : {}),
  };
  const last = history.periods[history.periods.length - 1];
  if (last && last.status === period.status && last.liveVersion === period.liveVersion)
    return { ...history, state };
  return { state, periods: [...history.periods, period] };
}

/**
 * The instant each event that can move the status or the live version takes
 * effect; these are the only ones (see evolveAiSystem), and each carries its
 * own time, set by the ledger's clock when the command was decided.
 */
function takesEffectAt(event: AiSystemEvent): string | undefined {
  switch (event.type) {
    case 'AiSystemStatusChanged':
      return event.data.at;
    case 'ModelVersionDeployed':
      return event.data.deployedAt;
    case 'TakedownDecided':
      return event.data.decidedAt;
    default:
      return undefined;
  }
}

/**
 * The registry at an instant. Registration carries no time of its own, and
 * every status move does: before the first move the system was at most
 * proposed, with nothing live.
 */
export function registryAt(history: RegistryHistory, at: string): RegistryPeriod {
  const t = millis(at);
  let found: RegistryPeriod = { from: at, status: 'proposed' };
  for (const period of history.periods) if (millis(period.from) <= t) found = period;
  return found;
}

const TAKEN_DOWN: ReadonlySet<string> = new Set(['suspended', 'retired']);

/** An output as the ledger stores it: its data, when it was produced, and the ledger's id for its event. */
export interface StoredOutput {
  data: ClinicalUseEventOf<'AiOutputProduced'>['data'];
  occurredAt: string;
  outputEventId: string;
}

/** What the registry, as it stood in one period, says of an output stamped with a version. */
function findingIn(period: RegistryPeriod, modelVersion: string): OutputFinding | undefined {
  if (TAKEN_DOWN.has(period.status)) return 'USE_AFTER_TAKEDOWN';
  return period.liveVersion !== modelVersion ? 'VERSION_MISMATCH' : undefined;
}

/**
 * What an output contradicts in its system's registry, as an `AiOutputFlagged`
 * event, or nothing. A suspended or retired system is USE_AFTER_TAKEDOWN
 * (whatever version it ran: no version was allowed in front of patients);
 * otherwise an output whose stamped version is not the one live, or from a
 * system with none live, is VERSION_MISMATCH.
 *
 * The output is judged at its own `occurredAt`, and, if that finds nothing,
 * again at `receivedAt`, when it reached the ledger: `occurredAt` is the
 * emitter's word, and an emitter that backdates an output to before a
 * takedown or a rollback must not slip past the check. An output honestly in
 * flight across a registry change is flagged too; the flag's `judgedAt` says
 * which instant it was judged at, so an auditor can tell the two apart.
 *
 * The flag's id is derived from the output's event id and the flag's content:
 * a resent output is checked once, as it was first stored, and a resend that
 * would now be judged differently cannot collide with the stored flag.
 */
export function flagOutput(
  output: StoredOutput,
  history: RegistryHistory,
  receivedAt: string,
): { eventId: string; event: ClinicalUseEventOf<'AiOutputFlagged'> } | undefined {
  const { modelVersion } = output.data;
  const judged = [output.occurredAt, receivedAt]
    .filter((at, i) => i === 0 || millis(at) > millis(output.occurredAt))
    .map((at) => ({ at, period: registryAt(history, at) }))
    .map((j) => ({ ...j, finding: findingIn(j.period, modelVersion) }))
    .find((j) => j.finding !== undefined);
  if (judged === undefined) return undefined;
  const { outputId, systemId, sourceService } = output.data;
  const [event] = checkedEvents<ClinicalUseEventOf<'AiOutputFlagged'>>([
    {
      type: 'AiOutputFlagged',
      data: {
        outputId,
        systemId,
        finding: judged.finding!,
        modelVersion,
        liveVersion: judged.period.liveVersion,
        systemStatus: judged.period.status,
        outputOccurredAt: output.occurredAt,
        judgedAt: judged.at,
        outputEventId: output.outputEventId,
        sourceService,
      },
    },
  ]);
  return { eventId: uuidFrom(JSON.stringify(['output-flag', output.outputEventId, event.data])), event };
}
