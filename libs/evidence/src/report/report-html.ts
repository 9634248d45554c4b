import type { ComplianceFinding } from '@ledger/read-models';
import { BUNDLE_FORMAT_V1, type BundleManifest } from '../bundle-format';
import { REGULATORY_COVERAGE } from './regulatory-coverage';
import type { IncidentRow, ReportModel, Source } from './report-model';

export interface ReportContext {
  manifest: Omit<BundleManifest, 'files' | 'counts'>;
  model: ReportModel;
  findings: ComplianceFinding[];
  /** Groups of access without a grant beyond those listed. */
  omittedAccessGroups: number;
  /** The published verifier keys, for the reader who checks the bundle. */
  verifierKeys: string[];
}

const esc = (value: unknown): string =>
  String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const src = (s: Source) => `<span class="src" title="event ${esc(s.eventId)}">#${esc(s.position)}</span>`;

function table(headers: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${esc(empty)}</p>`;
  return `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((cell) => `<td>${cell}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const metricList = (
  metrics: Array<{ name: string; value: number; threshold: number; direction: string; passed: boolean }>,
) =>
  metrics
    .map(
      (m) =>
        `${esc(m.name)} ${esc(m.value)} (${m.direction === 'min' ? '≥' : '≤'} ${esc(m.threshold)}) ${m.passed ? '✓' : '<b class="bad">✗</b>'}`,
    )
    .join('<br>');

const threshold = (c: { threshold?: number; direction?: string }) =>
  c.threshold === undefined ? 'no plan' : `${c.direction === 'min' ? '≥' : '≤'} ${esc(c.threshold)}`;

const counts = (map: Map<string, number>) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${esc(k)}: ${n}`)
    .join('<br>');

/** How long from one instant to another, in the largest unit that reads well. */
function delay(from: string, to: string): string {
  const ms = Date.parse(to) - Date.parse(from);
  const hours = ms / 3_600_000;
  if (Math.abs(hours) < 1) return `${Math.round(ms / 60_000)} min`;
  if (Math.abs(hours) < 48) return `${hours.toFixed(1)} h`;
  return `${(hours / 24).toFixed(1)} days`;
}

/** The due date, and whether the authority's initial notification went out by it (and how late if not). */
function authorityDeadline(incident: IncidentRow): string {
  const due = incident.report.dueAt;
  if (due === undefined) return 'no deadline';
  const initial = incident.notifications.find(
    (n) => n.recipient === 'market_surveillance_authority' && n.kind === 'initial',
  );
  if (!initial) return `<b>${esc(due)}</b><br><b class="bad">not notified in this bundle</b>`;
  const late = Date.parse(initial.sentAt) > Date.parse(due);
  return `<b>${esc(due)}</b><br>initial notification ${late ? `<b class="bad">${esc(delay(due, initial.sentAt))} late</b>` : 'in time'}`;
}

/**
 * The bundle's human-readable report: one self-contained HTML file (inline
 * style, no script, nothing fetched) that prints as it reads. Every fact
 * names the ledger position (#n) of the event recording it in events.jsonl.
 */
export function renderReport({
  manifest,
  model,
  findings,
  omittedAccessGroups,
  verifierKeys,
}: ReportContext): string {
  const reg = model.registration;
  const title = `Evidence bundle: ${reg?.name ?? manifest.scope.systemId}`;
  const v1 = manifest.format === BUNDLE_FORMAT_V1;
  const sections: string[] = [];

  sections.push(
    `<section><h2>Scope of this bundle</h2>${table(
      ['', ''],
      [
        [
          'AI system',
          `${esc(reg?.name ?? '')} <code>${esc(manifest.scope.systemId)}</code> (tenant <code>${esc(manifest.scope.tenantId)}</code>)`,
        ],
        [
          'Period',
          `${esc(manifest.scope.from ?? 'from the beginning')} — ${esc(manifest.scope.to ?? 'the export')}`,
        ],
        [
          'Contents',
          `${model.events} events: the system's own, data access and clinical use (outputs, clinician responses, outcomes) on its behalf, its export records, and the events of its training datasets (${esc(manifest.scope.datasetIds.join(', ') || 'none')})${manifest.scope.signalInputs ? `; for the computed signals of the period, their inputs and the monitoring plans whenever they occurred (positions ${manifest.scope.signalInputs.map((r) => `${esc(r.firstPosition)}–${esc(r.lastPosition)}`).join(', ')})` : ''}`,
        ],
        [
          'Exported',
          `${esc(manifest.createdAt)} by <b>${esc(manifest.exportedBy.id)}</b> (${esc(manifest.exportedBy.role)})${manifest.recipient ? ` for <b>${esc(manifest.recipient)}</b>` : ''}; export <code>${esc(manifest.exportId)}</code>`,
        ],
        ['Generator', `${esc(manifest.generator.name)} ${esc(manifest.generator.version)}`],
      ],
      '',
    )}</section>`,
  );

  sections.push(
    `<section><h2>1. System dossier</h2>${
      reg
        ? table(
            ['', ''],
            [
              ['Name', esc(reg.name)],
              ['Intended use', esc(reg.intendedUse)],
              ['Clinical domain', esc(reg.clinicalDomain)],
              ['Risk class', esc(reg.riskClass)],
              ['Supplier', `${esc(reg.supplier)}${reg.vendorName ? ` (${esc(reg.vendorName)})` : ''}`],
              ['Sites', esc(reg.sites.join(', '))],
              ['Registered', `${esc(reg.source.at)} ${src(reg.source)}`],
              ['Status at the end of the period', esc(model.status)],
              [
                'Access policies',
                model.accessPolicies
                  .map(
                    (p) =>
                      `${esc(p.documentRef)}: roles ${esc(p.permittedRoles.join(', '))}; purposes ${esc(p.permittedPurposes.join(', '))} ${src(p.source)}`,
                  )
                  .join('<br>') || 'none recorded',
              ],
              [
                'Audit sources',
                model.auditSources.map((a) => `${esc(a.sourceService)} ${src(a.source)}`).join(', ') ||
                  'none registered',
              ],
              [
                'Audits',
                model.audits
                  .map(
                    (a) =>
                      `${esc(a.auditId)} by ${esc(a.auditor)}: ${esc(a.scope)}; ${a.findings.length} finding(s) ${src(a.source)}`,
                  )
                  .join('<br>') || 'none recorded',
              ],
            ],
            '',
          )
        : '<p class="empty">The registration falls outside the exported period.</p>'
    }${table(
      ['Status change', 'Because', 'At', 'Event'],
      model.statusHistory.map((s) => [
        `${esc(s.from)} → ${esc(s.to)}`,
        esc(s.because),
        esc(s.at),
        src(s.source),
      ]),
      'No status change in the period.',
    )}</section>`,
  );

  sections.push(
    `<section><h2>2. Accountability timeline</h2>${table(
      ['Role', 'Holder', 'Assigned by', 'From', 'Accepted', 'Until', 'Event'],
      [...model.assignments.values()].map((a) => [
        esc(a.role),
        esc(a.assignee),
        esc(a.assignedBy),
        esc(a.effectiveFrom),
        a.acceptedAt ? esc(a.acceptedAt) : '<b class="bad">not accepted</b>',
        a.effectiveTo
          ? `${esc(a.effectiveTo)} (revoked by ${esc(a.revokedBy)}: ${esc(a.revokeReason)})`
          : 'in force',
        src(a.source),
      ]),
      'No role assignments in the period.',
    )}</section>`,
  );

  sections.push(
    `<section><h2>3. Model versions, validations and subgroup results</h2>${
      [...model.versions.values()]
        .map((v) => {
          const r = v.registration;
          const head = r
            ? `<p><b>${esc(v.version)}</b> ${src(r.source)}: artifact SHA-256 <code>${esc(r.artifactSha256)}</code>, code ${esc(r.codeRevision)}, parent ${esc(r.parentVersion ?? 'none')}, developer ${esc(r.developer)}, training data ${esc(r.trainingDatasetIds.join(', '))}; ${r.withinChangeControlPlan ? 'within' : '<b class="bad">outside</b>'} the change-control plan. ${esc(r.changeSummary)}</p>`
            : `<p><b>${esc(v.version)}</b> (registered before the period)</p>`;
          const validations = table(
            ['Validation', 'Dataset', 'Result', 'Overall metrics', 'Subgroups', 'Validator', 'Event'],
            v.validations.map((x) => [
              esc(x.validationId),
              esc(x.datasetId),
              x.passed ? 'passed' : '<b class="bad">failed</b>',
              metricList(x.metrics),
              x.subgroupResults
                .map(
                  (g) =>
                    `<i>${esc(g.subgroup)}</i> ${g.passed ? '✓' : '<b class="bad">✗</b>'}: ${metricList(g.metrics)}`,
                )
                .join('<br>') || 'none',
              `${esc(x.validator)}<br>${esc(x.validatedAt)}`,
              src(x.source),
            ]),
            'No validation in the period.',
          );
          return head + validations;
        })
        .join('') || '<p class="empty">No model version in the period.</p>'
    }</section>`,
  );

  sections.push(
    `<section><h2>4. Deployments and their approvals</h2>${table(
      ['Version', 'Went live', 'Deployed by', 'Replaced', 'Approvals', 'Event'],
      model.deployments.map((d) => [
        esc(d.version),
        esc(d.deployedAt),
        esc(d.deployedBy),
        esc(d.previousVersion ?? '—'),
        (model.versions.get(d.version)?.approvals ?? [])
          .map((a) => `${esc(a.discipline)}: ${esc(a.reviewer)} ${src(a.source)}`)
          .join('<br>') || 'none in the period',
        src(d.source),
      ]),
      'No deployment in the period.',
    )}</section>`,
  );

  sections.push(
    `<section><h2>5. Monitoring signals and breaches</h2>${table(
      ['Metric', 'Threshold', 'Cadence', 'Event'],
      model.monitoringPlans.map((p) => [
        esc(p.metric),
        `${p.direction === 'min' ? '≥' : '≤'} ${esc(p.threshold)}`,
        esc(p.cadence),
        src(p.source),
      ]),
      'No monitoring plan in the period.',
    )}<h3>Computed by the ledger from recorded outputs, responses and outcomes</h3><p>Each is recomputed by <code>govledger verify-bundle</code> from this bundle's own events (see docs/evidence-bundles.md).</p>${table(
      ['Metric', 'Subgroup', 'Signals', 'Breaches', 'Latest window', 'n', 'Value', 'Threshold'],
      [...model.computedSummaries.values()].map((s) => [
        esc(s.metric),
        esc(s.subgroup ?? 'all'),
        String(s.count),
        s.breaches > 0 ? `<b class="bad">${s.breaches}</b>` : '0',
        `${esc(s.last.window.from)} — ${esc(s.last.window.to)}`,
        String(s.last.n),
        s.last.breached ? `<b class="bad">${esc(s.last.value)}</b>` : esc(s.last.value),
        threshold(s.last),
      ]),
      'No computed signal in the period.',
    )}${table(
      ['Metric', 'Subgroup', 'Method', 'n', 'Window', 'Value', 'Threshold', 'Breach', 'Event'],
      model.recentComputed.map((c) => [
        esc(c.metric),
        esc(c.subgroup ?? 'all'),
        esc(c.method),
        String(c.n),
        `${esc(c.window.from)} — ${esc(c.window.to)}`,
        esc(c.value),
        threshold(c),
        c.breached ? '<b class="bad">breach</b>' : 'within',
        src(c.source),
      ]),
      '',
    )}${model.computedCount > model.recentComputed.length ? `<p>The latest ${model.recentComputed.length} of ${model.computedCount} computed signals; every one is in events.jsonl.</p>` : ''}<h3>Recorded by hand (method: manual)</h3>${table(
      ['Metric', 'Signals', 'Lowest', 'Highest', 'Latest'],
      [...model.signalSummaries.values()].map((s) => [
        esc(s.metric),
        String(s.count),
        esc(s.min),
        esc(s.max),
        `${esc(s.last.value)} at ${esc(s.last.observedAt)}`,
      ]),
      'No hand-typed monitoring signal in the period.',
    )}<h3>Clinical use recorded</h3>${table(
      ['Outputs', 'Clinician responses', 'Outcomes', 'Findings raised at ingest'],
      [
        [
          String(model.clinicalUse.outputs),
          counts(model.clinicalUse.responses) || 'none',
          counts(model.clinicalUse.outcomes) || 'none',
          model.clinicalUse.findingCount > 0
            ? `<b class="bad">${model.clinicalUse.findingCount}</b>`
            : 'none',
        ],
      ],
      '',
    )}${table(
      ['Finding', 'Output', 'Version stamped', 'Live version', 'System status', 'Output produced', 'Event'],
      model.clinicalUse.findings.map((f) => [
        `<b class="bad">${esc(f.finding)}</b>`,
        `<code>${esc(f.outputId)}</code>`,
        esc(f.modelVersion),
        esc(f.liveVersion ?? 'none'),
        esc(f.systemStatus),
        esc(f.outputOccurredAt),
        src(f.source),
      ]),
      'No output contradicted the registry.',
    )}<h3>Breaches</h3>${table(
      ['Metric', 'Value', 'Threshold', 'Subgroup', 'Observed', 'Version', 'Event'],
      model.breaches.map((b) => [
        esc(b.metric),
        `<b class="bad">${esc(b.value)}</b>`,
        `${b.direction === 'min' ? '≥' : '≤'} ${esc(b.threshold)}`,
        esc(b.subgroup ?? '—'),
        esc(b.observedAt),
        esc(b.version ?? '—'),
        src(b.source),
      ]),
      'No threshold breach in the period.',
    )}</section>`,
  );

  sections.push(
    `<section><h2>6. Incidents</h2>${table(
      [
        'Incident',
        'Class (EU AI Act Art 73)',
        'Severity',
        'Patient harmed',
        'Aware at',
        'Reported by',
        'Due to the authority',
        'Notifications sent',
        'What happened',
        'Progress',
        'Closed',
      ],
      [...model.incidents.values()].map((i) => [
        `${esc(i.report.incidentId)} ${src(i.report.source)}`,
        esc(i.report.classification ?? 'unclassified (reported before classes were recorded)'),
        esc(i.report.severity),
        i.report.patientHarmed ? '<b class="bad">yes</b>' : 'no',
        `<b>${esc(i.report.awareAt)}</b>`,
        `${esc(i.report.reportedBy)} at ${esc(i.report.source.at)}, ${esc(delay(i.report.awareAt, i.report.source.at))} after awareness`,
        authorityDeadline(i),
        i.notifications
          .map(
            (n) =>
              `${esc(n.kind)} to ${esc(n.recipient)} (ref. ${esc(n.reference)}): sent <b>${esc(n.sentAt)}</b> by ${esc(n.sentBy)}, ${esc(delay(i.report.awareAt, n.sentAt))} after awareness ${src(n.source)}`,
          )
          .join('<br>') || '—',
        esc(i.report.description),
        i.updates
          .map((u) => `${esc(u.status)} by ${esc(u.updatedBy)}: ${esc(u.note)} ${src(u.source)}`)
          .join('<br>') || '—',
        i.closed
          ? `${esc(i.closed.resolution)} (${esc(i.closed.closedBy)}) ${src(i.closed.source)}`
          : '<b class="bad">open</b>',
      ]),
      'No incident in the period.',
    )}</section>`,
  );

  sections.push(
    `<section><h2>7. Takedowns and reinstatements</h2>${table(
      ['Decision', 'Action', 'Decided by', 'At', 'Rationale', 'Evidence', 'Ratification', 'Event'],
      [...model.decisions.values()].map(({ decision: d, ratified }) => [
        esc(d.decisionId),
        d.kind === 'takedown'
          ? `${esc((d as { action: string }).action)}${(d as { emergency?: boolean }).emergency ? ' <b class="bad">(emergency)</b>' : ''}${(d as { toVersion?: string }).toVersion ? ` to ${esc((d as { toVersion?: string }).toVersion)}` : ''}`
          : `reinstate on ${esc((d as { version: string }).version)}`,
        `<b>${esc(d.decidedBy)}</b>`,
        esc(d.decidedAt),
        esc(d.rationale),
        d.evidence.map(esc).join('<br>'),
        ratified
          ? `${esc(ratified.ratifiedBy)} at ${esc(ratified.ratifiedAt)} ${src(ratified.source)}`
          : (d as { emergency?: boolean }).emergency
            ? '<b class="bad">not ratified in the period</b>'
            : 'not needed',
        src(d.source),
      ]),
      'No takedown or reinstatement in the period.',
    )}</section>`,
  );

  sections.push(
    `<section><h2>8. Audit findings and access-log reviews</h2>${table(
      ['Finding', 'Severity', 'Owner', 'Due', 'Status', 'Events'],
      [...model.auditFindings.values()].map((row) => [
        `${esc(row.auditId)}/${esc(row.finding.findingId)}: ${esc(row.finding.description)}`,
        row.finding.severity === 'critical' ? '<b class="bad">critical</b>' : esc(row.finding.severity),
        `<b>${esc(row.finding.owner)}</b>`,
        row.finding.dueAt ? esc(row.finding.dueAt) : 'no due date (recorded before findings had one)',
        row.verified
          ? `closed: resolved by ${esc(row.resolved?.resolvedBy ?? row.finding.owner)}${row.resolved ? ` at ${esc(row.resolved.resolvedAt)}` : ''}, verified by ${esc(row.verified.verifiedBy)} at ${esc(row.verified.verifiedAt)}`
          : row.resolved
            ? `<b class="bad">resolved by ${esc(row.resolved.resolvedBy)} at ${esc(row.resolved.resolvedAt)}, awaiting verification by someone else</b>`
            : '<b class="bad">open</b>',
        [row.source, row.resolved?.source, row.verified?.source]
          .filter((x): x is NonNullable<typeof x> => x !== undefined)
          .map(src)
          .join(' '),
      ]),
      'No audit finding in the period.',
    )}${table(
      ['Access logs of', 'Period reviewed', 'Outcome', 'Reviewer', 'Reviewed at', 'Note', 'Event'],
      model.accessReviews.map((r) => [
        esc(r.scope),
        `${esc(r.periodFrom)} – ${esc(r.periodTo)}`,
        r.outcome === 'no_issues' ? 'no issues' : `<b class="bad">${esc(r.outcome.replace('_', ' '))}</b>`,
        esc(r.reviewer),
        esc(r.reviewedAt),
        esc(r.note),
        src(r.source),
      ]),
      'No access-log review in the period.',
    )}</section>`,
  );

  sections.push(
    `<section><h2>9. Compliance findings</h2><p>Evaluated by the ledger when the bundle was made (${esc(manifest.createdAt)}); each cites the events proving it.</p>${table(
      ['Rule', 'Subject', 'Since', 'Finding', 'Evidence events'],
      findings.map((f) => [
        `<b>${esc(f.rule)}</b>`,
        esc(f.subject),
        esc(f.since),
        esc(f.message),
        f.evidence.map((e) => `<code>${esc(e)}</code>`).join('<br>'),
      ]),
      'No open compliance finding.',
    )}${omittedAccessGroups > 0 ? `<p>…and ${omittedAccessGroups} more DATA_ACCESS_WITHOUT_GRANT findings (dataset and actor pairs); the complianceFindings query lists them all.</p>` : ''}</section>`,
  );

  sections.push(
    `<section><h2>10. Data access and training data</h2>${table(
      ['Accesses', 'By purpose', 'By action', 'By outcome', 'By dataset or resource'],
      [
        [
          `${model.dataAccess.total} (${model.dataAccess.withoutPatient} without a patient)`,
          counts(model.dataAccess.byPurpose),
          counts(model.dataAccess.byAction),
          counts(model.dataAccess.byOutcome),
          counts(model.dataAccess.byDataset),
        ],
      ],
      '',
    )}<p>Every access is in events.jsonl and, as a FHIR AuditEvent, in ${v1 ? 'fhir-bundle.json' : 'fhir-bundle.json.gz'}. Patients appear only as keyed pseudonyms.</p>${table(
      ['Dataset', 'Event', 'What', 'At'],
      model.datasetEvents.map((e) => [
        esc(e.datasetId),
        `${esc(e.type)} ${src(e.source)}`,
        esc(e.summary),
        esc(e.source.at),
      ]),
      'No training-dataset event in the period.',
    )}</section>`,
  );

  sections.push(
    `<section><h2>11. Integrity summary</h2>${table(
      ['', ''],
      [
        ['Log', `<code>${esc(manifest.origin)}</code>`],
        [
          'Signed checkpoint',
          `tree size ${manifest.checkpoint.treeSize}, root <code>${esc(manifest.checkpoint.rootHash)}</code> (checkpoint.note)`,
        ],
        [
          'Events',
          `${model.events}, positions ${esc(model.firstPosition ?? '—')} to ${esc(model.lastPosition ?? '—')}; the log up to position ${esc(manifest.scope.throughPosition)} is sealed under the checkpoint`,
        ],
        [
          'Proofs',
          v1
            ? 'one RFC 9162 inclusion proof per event against the checkpoint root (proofs.jsonl)'
            : "one multiproof for every event's leaf against the checkpoint root (multiproof.txt)",
        ],
        [
          'Consistency',
          manifest.sinceCheckpoint
            ? `proven to extend your checkpoint of tree size ${manifest.sinceCheckpoint.treeSize} (consistency.json)`
            : 'not requested',
        ],
        ['Verifier keys', verifierKeys.map((k) => `<code>${esc(k)}</code>`).join('<br>')],
        [
          'Earlier exports of this system',
          model.exports
            .map(
              (x) =>
                `${esc(x.source.at)} by ${esc(x.exportedBy)}${x.recipient ? ` for ${esc(x.recipient)}` : ''} (${x.eventCount} events, manifest <code>${esc(x.manifestSha256.slice(0, 16))}…</code>) ${src(x.source)}`,
            )
            .join('<br>') || 'none in the period',
        ],
        [
          'Erasures of personal data in these events',
          model.erasures
            .map(
              (x) =>
                `${esc(x.source.at)}: ${x.erased.reduce((n, e) => n + e.pointers.length, 0)} values of ${x.erased.length} events erased (a ${x.subject.kind.toLowerCase()}, digest <code>${esc(x.subject.digest.slice(0, 16))}…</code>; ${esc(x.legalBasis)}; requested by ${esc(x.requestedBy)}, decided by ${esc(x.decidedBy)}); their commitments remain, so every hash and proof holds ${src(x.source)}`,
            )
            .join('<br>') || 'none',
        ],
      ],
      '',
    )}<p>To check this bundle without trusting its sender: <code>govledger verify-bundle &lt;file&gt; --trusted-key &lt;the ledger's verifier key, obtained separately&gt;</code>. It checks the manifest signature, every file's SHA-256, every event's hash, every inclusion proof, the checkpoint signature and the consistency proof, and recomputes every computed monitoring signal from the bundled outputs, responses and outcomes, with no server or database.</p></section>`,
  );

  sections.push(
    `<section><h2>12. Regulatory coverage</h2>${table(
      ['Framework', 'Control', 'How the ledger serves it', 'Events in this bundle'],
      REGULATORY_COVERAGE.map((c) => [
        esc(c.framework),
        `<b>${esc(c.control)}</b><br><i>${esc(c.requirement)}</i>`,
        esc(c.capability),
        c.eventTypes.map((t) => `${esc(t)}: ${model.eventsByType.get(t) ?? 0}`).join('<br>'),
      ]),
      '',
    )}</section>`,
  );

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font:11pt/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#111;margin:2em auto;max-width:70em;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:2px solid #333;margin-top:1.8em}h3{font-size:1em}
table{border-collapse:collapse;width:100%;margin:.6em 0;font-size:.92em}th,td{border:1px solid #bbb;padding:.25em .45em;vertical-align:top;text-align:left}
th{background:#eee}code{font-size:.9em;word-break:break-all}.src{color:#555;font-size:.85em;white-space:nowrap}.bad{color:#a00}.empty{color:#555;font-style:italic}
@media print{body{margin:0;max-width:none;font-size:9.5pt}section{break-inside:auto}h2{break-after:avoid}tr{break-inside:avoid}}
</style></head><body>
<h1>${esc(title)}</h1>
<p>Export ${esc(manifest.exportId)} of ledger <code>${esc(manifest.origin)}</code>, made ${esc(manifest.createdAt)}. Numbers like <span class="src">#42</span> are ledger positions of the events in events.jsonl that record each fact.</p>
${sections.join('\n')}
</body></html>
`;
}
