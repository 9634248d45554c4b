/**
 * The smallest AuditEvent the ledger accepts: `actor` read (or `action`) one
 * resource for TREAT, recorded on 2026-03-14. Tests vary only what they are about.
 */
export const minimalAuditEvent = ({
  id,
  actor,
  action = 'R',
  resource = 'Observation/obs-1',
}: {
  id?: string;
  actor: string;
  action?: string;
  resource?: string;
}) => ({
  resourceType: 'AuditEvent',
  ...(id === undefined ? {} : { id }),
  type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
  action,
  recorded: '2026-03-14T09:00:00Z',
  outcome: '0',
  purposeOfEvent: [
    { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }] },
  ],
  agent: [{ who: { identifier: { value: actor } }, requestor: true }],
  source: { observer: { display: 'ehr' } },
  entity: [{ what: { reference: resource } }],
});
