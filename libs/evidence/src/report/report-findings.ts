import { COMPLIANCE_RULES } from '@ledger/domain';
import type { ComplianceFinding, CompliancePolicy, ReadDb } from '@ledger/read-models';

// A finding per dataset, actor and kind of violation; past this many the report says how many more there are.
const ACCESS_GROUPS = 500;
const EVIDENCE_PER_FINDING = 20;

/**
 * The compliance findings for the report. Every rule but one is the read
 * models' own; access without a grant is grouped in SQL here, because the
 * general query reads every violating access into memory, and a system with
 * a million of them must still export in flat memory.
 */
export async function reportFindings(
  db: ReadDb,
  tenant: string,
  systemId: string,
  asOf: string,
  policy: CompliancePolicy,
): Promise<{ findings: ComplianceFinding[]; omittedAccessGroups: number }> {
  // Loaded here, not by the module: the offline verifier shares this lib's index and needs no read model or driver.
  const { complianceFindings } = await import('@ledger/read-models');
  const rules = COMPLIANCE_RULES.filter((rule) => rule !== 'DATA_ACCESS_WITHOUT_GRANT');
  const governance = (
    await Promise.all(rules.map((rule) => complianceFindings(db, tenant, { systemId, rule }, asOf, policy)))
  ).flat();
  const violating = db
    .selectFrom('da_access')
    .where('tenant_id', '=', tenant)
    .where('system_id', '=', systemId)
    .where('violation', 'is not', null)
    .where('occurred_at', '<=', asOf);
  const groups = await violating
    .select(['dataset_id', 'actor', 'violation'])
    .select((eb) => [eb.fn.min('occurred_at').as('since'), eb.fn.countAll<number | string>().as('n')])
    .groupBy(['dataset_id', 'actor', 'violation'])
    .orderBy('since')
    .execute();
  const access: ComplianceFinding[] = [];
  for (const group of groups.slice(0, ACCESS_GROUPS)) {
    const evidence = await violating
      .select('event_id')
      .where('dataset_id', group.dataset_id === null ? 'is' : '=', group.dataset_id)
      .where('actor', '=', group.actor)
      .where('violation', '=', group.violation)
      .orderBy('occurred_at')
      .limit(EVIDENCE_PER_FINDING)
      .execute();
    const why =
      group.violation === 'no_active_grant'
        ? 'without an active grant'
        : 'for a purpose its grants do not cover';
    access.push({
      rule: 'DATA_ACCESS_WITHOUT_GRANT',
      systemId,
      subject: `${group.dataset_id}/${group.actor}`,
      since: String(group.since),
      message: `${group.actor} accessed dataset ${group.dataset_id} ${why} ${Number(group.n)} time(s); grant access for the purpose or investigate`,
      evidence: evidence.map((row) => row.event_id),
    });
  }
  const findings = [...governance, ...access].sort((a, b) =>
    a.since < b.since ? -1 : a.since > b.since ? 1 : a.rule.localeCompare(b.rule),
  );
  return { findings, omittedAccessGroups: Math.max(0, groups.length - ACCESS_GROUPS) };
}
