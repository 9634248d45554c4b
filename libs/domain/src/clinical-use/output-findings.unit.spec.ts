import type { AiSystemEvent } from '../ai-system/events';
import {
  HOLDERS,
  SYSTEM,
  cmd,
  day,
  deployed,
  meta,
  readyToDeploy,
  run,
  upgraded,
} from '../testing/ai-system-fixtures';
import {
  evolveRegistryHistory,
  flagOutput,
  initialRegistryHistory,
  registryAt,
  type StoredOutput,
} from './output-findings';

const history = (events: AiSystemEvent[]) => events.reduce(evolveRegistryHistory, initialRegistryHistory());
const OUTPUT_EVENT = '0f9c2b6e-4d1a-4c3b-8e2f-5a6b7c8d9e0f';
const output = (modelVersion: string, occurredAt: string): StoredOutput => ({
  occurredAt,
  outputEventId: OUTPUT_EVENT,
  data: {
    outputId: 'out-1',
    systemId: SYSTEM,
    modelVersion,
    site: 'north',
    patientPseudonym: 'ab'.repeat(32),
    inputDigest: 'cd'.repeat(32),
    score: 0.7,
    alerted: true,
    sourceService: 'sepsis-scorer',
  },
});
/** An output judged as it arrives: received when it says it occurred, unless told otherwise. */
const finding = (events: AiSystemEvent[], version: string, at: string, receivedAt = at) =>
  flagOutput(output(version, at), history(events), receivedAt)?.event.data;
const authority = HOLDERS.TAKEDOWN_AUTHORITY;

describe('checking an output against the registry at its occurredAt', () => {
  it('raises nothing for the version live at that instant, also at the very instant it went live', () => {
    expect(finding(deployed(), '1.0.0', day(3))).toBeUndefined();
    expect(finding(deployed(), '1.0.0', day(2))).toBeUndefined();
  });

  it('raises VERSION_MISMATCH for a version other than the live one, naming the live one', () =>
    expect(finding(deployed(), '1.1.0', day(3))).toEqual({
      outputId: 'out-1',
      systemId: SYSTEM,
      finding: 'VERSION_MISMATCH',
      modelVersion: '1.1.0',
      liveVersion: '1.0.0',
      systemStatus: 'deployed',
      outputOccurredAt: day(3),
      judgedAt: day(3),
      outputEventId: OUTPUT_EVENT,
      sourceService: 'sepsis-scorer',
    }));

  it('judges each output at its own time: the old version before an upgrade, the new one after', () => {
    expect(finding(upgraded(), '1.0.0', day(4))).toBeUndefined();
    expect(finding(upgraded(), '2.0.0', day(4))).toMatchObject({
      finding: 'VERSION_MISMATCH',
      liveVersion: '1.0.0',
    });
    expect(finding(upgraded(), '2.0.0', day(6))).toBeUndefined();
    expect(finding(upgraded(), '1.0.0', day(6))).toMatchObject({ liveVersion: '2.0.0' });
  });

  it('raises VERSION_MISMATCH, with no live version, for an output before any deployment', () => {
    expect(finding(deployed(), '1.0.0', day(1))).toMatchObject({
      finding: 'VERSION_MISMATCH',
      systemStatus: 'in_validation',
    });
    expect(finding(readyToDeploy(), '1.0.0', day(3))).not.toHaveProperty('liveVersion');
  });

  it('follows a rollback: the version rolled back to is live from the decision on', () => {
    const rolledBack = run(
      [cmd.takedown('rollback', { toVersion: '1.0.0', meta: meta(authority, day(8)) })],
      upgraded(),
    );
    expect(finding(rolledBack, '2.0.0', day(7))).toBeUndefined();
    expect(finding(rolledBack, '2.0.0', day(9))).toMatchObject({
      finding: 'VERSION_MISMATCH',
      liveVersion: '1.0.0',
    });
    expect(finding(rolledBack, '1.0.0', day(9))).toBeUndefined();
  });

  it('raises USE_AFTER_TAKEDOWN while suspended, and nothing once reinstated', () => {
    const reinstated = run(
      [
        cmd.takedown('suspend', { meta: meta(authority, day(12)) }),
        cmd.validate('1.0.0', { validationId: 'after', meta: meta('val.vic', day(13)) }),
        cmd.reinstate({ meta: meta(authority, day(15)) }),
      ],
      deployed(),
    );
    expect(finding(reinstated, '1.0.0', day(11))).toBeUndefined();
    expect(finding(reinstated, '1.0.0', day(13))).toEqual(
      expect.objectContaining({ finding: 'USE_AFTER_TAKEDOWN', systemStatus: 'suspended' }),
    );
    expect(finding(reinstated, '1.0.0', day(13))).not.toHaveProperty('liveVersion');
    expect(finding(reinstated, '1.0.0', day(16))).toBeUndefined();
  });

  it('raises USE_AFTER_TAKEDOWN for any version after retirement', () => {
    const retired = run([cmd.takedown('retire', { meta: meta(authority, day(20)) })], deployed());
    for (const version of ['1.0.0', '9.9.9'])
      expect(finding(retired, version, day(21))).toMatchObject({
        finding: 'USE_AFTER_TAKEDOWN',
        systemStatus: 'retired',
      });
  });

  it('names the flag by the output event, so a resent output raises the same flag', () => {
    const a = flagOutput(output('1.1.0', day(3)), history(deployed()), day(3));
    const b = flagOutput(output('1.1.0', day(3)), history(deployed()), day(3));
    const other = flagOutput(
      { ...output('1.1.0', day(3)), outputEventId: '1f9c2b6e-4d1a-4c3b-8e2f-5a6b7c8d9e0f' },
      history(deployed()),
      day(3),
    );
    expect(a?.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b?.eventId).toBe(a?.eventId);
    expect(other?.eventId).not.toBe(a?.eventId);
  });

  it('catches an output backdated to before a takedown: judged again as it arrives, after the suspension', () => {
    const suspended = run([cmd.takedown('suspend', { meta: meta(authority, day(12)) })], deployed());
    expect(finding(suspended, '1.0.0', day(11), day(11))).toBeUndefined();
    expect(finding(suspended, '1.0.0', day(11), day(14))).toMatchObject({
      finding: 'USE_AFTER_TAKEDOWN',
      systemStatus: 'suspended',
      outputOccurredAt: day(11),
      judgedAt: day(14),
    });
  });

  it('catches an output of a rolled-back version backdated to when that version was live', () => {
    const rolledBack = run(
      [cmd.takedown('rollback', { toVersion: '1.0.0', meta: meta(authority, day(8)) })],
      upgraded(),
    );
    expect(finding(rolledBack, '2.0.0', day(7), day(9))).toMatchObject({
      finding: 'VERSION_MISMATCH',
      liveVersion: '1.0.0',
      judgedAt: day(9),
    });
    // What was wrong when it occurred is what it is flagged for, whenever it arrives.
    expect(finding(rolledBack, '2.0.0', day(1), day(9))).toMatchObject({ judgedAt: day(1) });
  });

  it('a resend judged differently now names another flag, so it cannot collide with the stored one', () => {
    const suspended = run([cmd.takedown('suspend', { meta: meta(authority, day(12)) })], deployed());
    const first = flagOutput(output('1.1.0', day(11)), history(suspended), day(11));
    const later = flagOutput(output('1.1.0', day(11)), history(suspended), day(14));
    expect(first?.event.data.finding).toBe('VERSION_MISMATCH');
    expect(later?.event.data.finding).toBe('VERSION_MISMATCH');
    expect(later?.eventId).toBe(first?.eventId);
    const retiredLater = run([cmd.takedown('retire', { meta: meta(authority, day(13)) })], suspended);
    expect(flagOutput(output('1.0.0', day(11)), history(retiredLater), day(14))?.eventId).not.toBe(
      flagOutput(output('1.0.0', day(11)), history(suspended), day(14))?.eventId,
    );
  });

  it('keeps a period only when the status or the live version changes', () => {
    const periods = history(upgraded()).periods;
    expect(periods.map((p) => [p.status, p.liveVersion])).toEqual(
      periods
        .map((p) => [p.status, p.liveVersion])
        .filter((p, i, all) => i === 0 || JSON.stringify(p) !== JSON.stringify(all[i - 1])),
    );
    expect(registryAt(history(upgraded()), day(6))).toMatchObject({
      status: 'deployed',
      liveVersion: '2.0.0',
    });
  });
});
