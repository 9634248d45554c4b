import type { AuditEvent, AuditEventAgent } from '@medplum/fhirtypes';
import { FHIR_SYSTEMS } from './fhir-codes';

/**
 * Codes that say an identifier or an agent is the patient: HL7 v2-0203 identifier types MR (medical
 * record number), PI and PT (patient internal and external identifiers), and v3 RoleCode PAT.
 */
const PATIENT_CODES = new Set(['MR', 'PI', 'PT', 'PAT']);

/** `Patient/<id>` in a reference, relative or absolute, the id up to the next `/`, `?`, `#`, `&`, `,` or space. */
const PATIENT_ID_IN_REFERENCE = /((?:^|[/\s=,|])Patient\/)([^/?#&,\s|]+)/g;

/** SAML's resource-id attribute, which BALP records as entity.detail: it holds the patient's identifier. */
const SAML_PATIENT_DETAIL = 'urn:oasis:names:tc:xacml:2.0:resource:resource-id';

/** Elements whose values are codes, URIs of code systems or instants: never a place a patient id is written by accident. */
const CODED = new Set([
  'system',
  'code',
  'version',
  'recorded',
  'start',
  'end',
  'resourceType',
  'action',
  'outcome',
  'requestor',
  'url',
]);

export interface UnsafeElement {
  /** The element, as a FHIRPath-like path under `AuditEvent`. */
  element: string;
  /** What is wrong with it, without quoting the value (it may be the patient's). */
  reason: string;
}

export interface PseudonymisedAuditEvent {
  /** A copy of the AuditEvent with every patient identifier replaced by `pseudonymOf(id)`. */
  resource: AuditEvent;
  /** The raw patient identifiers replaced, for callers that must check nothing else names them. */
  patientIds: string[];
  /** Elements that would carry patient data past the pseudonymisation: the record must be refused. */
  unsafe: UnsafeElement[];
}

/**
 * The AuditEvent as the ledger keeps it: unchanged, except that each patient
 * identifier is replaced by its keyed pseudonym. The places a BALP record
 * names a patient:
 *
 * - any `reference` to `Patient/<id>`, relative or absolute (entity.what, agent.who, ...);
 * - the identifier of the patient entity (object-role 1) and of a patient agent
 *   (identifier type MR, PI or PT, agent type or role PAT), and any identifier typed MR, PI or PT;
 * - entity.detail of type `urn:oasis:names:tc:xacml:2.0:resource:resource-id` (SAML's patient id);
 * - a query entity's `query` (the base64 of the raw HTTP request) and `description`
 *   (its readable form): the values of `patient` and `subject` parameters (with any modifier
 *   or chain), every non-control parameter of a search on Patient, and every `Patient/<id>`.
 *
 * Free text that would name a patient (the patient entity's display, name or
 * description, a patient agent's display, name or altId) and contained
 * resources cannot be pseudonymised and are reported unsafe, as is any other
 * element that still holds one of the replaced identifiers.
 */
export function pseudonymisedAuditEvent(
  event: AuditEvent,
  pseudonymOf: (patientId: string) => string,
): PseudonymisedAuditEvent {
  const resource = structuredClone(event);
  const patientIds = new Set<string>();
  const unsafe: UnsafeElement[] = [];
  // Each identifier is replaced once, wherever it is first met: a pseudonym met again (Patient/<pseudonym>
  // inside a query parameter already replaced) is left as it is.
  const produced = new Set<string>();
  const replace = (id: string): string => {
    if (produced.has(id)) return id;
    patientIds.add(id);
    const pseudonym = pseudonymOf(id);
    produced.add(pseudonym);
    return pseudonym;
  };

  replaceIdentifiersAndReferences(resource, replace);
  if (resource.contained !== undefined)
    unsafe.push({
      element: 'AuditEvent.contained',
      reason:
        'a contained resource (a Patient, say) can carry a name, a birth date or an address, which no pseudonym replaces; reference the resource instead',
    });

  (resource.entity ?? []).forEach((entity, i) => {
    const at = `AuditEvent.entity[${i}]`;
    const isPatient =
      (entity.role?.system === FHIR_SYSTEMS.objectRole && entity.role.code === '1') ||
      /(?:^|\/)Patient\//.test(entity.what?.reference ?? '');
    if (isPatient) {
      if (entity.what?.identifier?.value)
        entity.what.identifier.value = replace(entity.what.identifier.value);
      unsafe.push(
        ...freeText(at, 'the patient entity', {
          'what.display': entity.what?.display,
          name: entity.name,
          description: entity.description,
        }),
      );
    }
    (entity.detail ?? []).forEach((detail, j) => {
      if (detail.type !== SAML_PATIENT_DETAIL) return;
      if (detail.valueString !== undefined) detail.valueString = replace(detail.valueString);
      else
        unsafe.push({
          element: `${at}.detail[${j}]`,
          reason: `a ${SAML_PATIENT_DETAIL} detail names the patient; send it as valueString so the ledger can pseudonymise it`,
        });
    });
    if (entity.query !== undefined) {
      const request = Buffer.from(entity.query, 'base64').toString('utf8');
      entity.query = Buffer.from(pseudonymisedRequest(request, replace), 'utf8').toString('base64');
    }
    if (entity.description !== undefined && !isPatient && isQueryEntity(entity))
      entity.description = pseudonymisedRequest(entity.description, replace);
  });

  (resource.agent ?? []).forEach((agent, i) => {
    if (!isPatientAgent(agent)) return;
    if (agent.who?.identifier?.value) agent.who.identifier.value = replace(agent.who.identifier.value);
    unsafe.push(
      ...freeText(`AuditEvent.agent[${i}]`, 'a patient agent', {
        'who.display': agent.who?.display,
        name: agent.name,
        altId: agent.altId,
      }),
    );
  });

  const ids = [...patientIds];
  unsafe.push(
    ...elementsNaming(resource, ids).map((element) => ({
      element,
      reason:
        'this element still names the patient, in a place the ledger does not pseudonymise; name the patient only in an entity with role Patient (what.reference Patient/<id>), and leave the identifier out of this element',
    })),
  );
  return { resource, patientIds: ids, unsafe };
}

/** The free-text elements of a patient entity or agent that are present: no pseudonym can replace a name. */
function freeText(at: string, whose: string, elements: Record<string, string | undefined>): UnsafeElement[] {
  return Object.entries(elements)
    .filter(([, value]) => value !== undefined)
    .map(([element]) => ({
      element: `${at}.${element}`,
      reason: `${whose}'s ${element} is free text that can name the patient, and the ledger stores patients only as keyed pseudonyms; leave it out (a reference or an identifier names the patient)`,
    }));
}

/** Whether the agent is a patient: by reference, by the type of its identifier, or by its own type or role. */
export function isPatientAgent(agent: AuditEventAgent): boolean {
  const concepts = [agent.who?.identifier?.type, agent.type, ...(agent.role ?? [])];
  return (
    /(?:^|\/)Patient[/?]/.test(agent.who?.reference ?? '') ||
    concepts.some((concept) => concept?.coding?.some((c) => PATIENT_CODES.has(c.code ?? '')))
  );
}

/** A query entity: BALP's role 24 "Query", or any entity that carries a query. */
function isQueryEntity(entity: NonNullable<AuditEvent['entity']>[number]): boolean {
  return (
    entity.query !== undefined ||
    (entity.role?.system === FHIR_SYSTEMS.objectRole && entity.role.code === '24')
  );
}

/** Every `reference` naming a patient and every identifier typed as a patient's, anywhere in the resource. */
function replaceIdentifiersAndReferences(node: unknown, replace: (id: string) => string): void {
  if (Array.isArray(node)) return node.forEach((item) => replaceIdentifiersAndReferences(item, replace));
  if (node === null || typeof node !== 'object') return;
  const object = node as Record<string, unknown>;
  if (typeof object.reference === 'string')
    object.reference = object.reference.replace(
      PATIENT_ID_IN_REFERENCE,
      (_, prefix: string, id: string) => prefix + replace(id),
    );
  const type = object.type as { coding?: Array<{ code?: string }> } | undefined;
  if (
    typeof object.value === 'string' &&
    Array.isArray(type?.coding) &&
    type.coding.some((c) => PATIENT_CODES.has(c.code ?? ''))
  )
    object.value = replace(object.value);
  for (const [key, value] of Object.entries(object))
    if (key !== 'reference') replaceIdentifiersAndReferences(value, replace);
}

/**
 * A raw HTTP request (BALP's query: `GET <server>/r4/Observation?patient=123`,
 * headers, and for a POST search a form body) or a bare URL, with the patient
 * identifiers in it replaced.
 */
function pseudonymisedRequest(request: string, replace: (id: string) => string): string {
  const [head, ...rest] = request.split('\n');
  const blank = rest.findIndex((line) => line.trim() === '');
  const target = requestTarget(head);
  const onPatient = queryResourceType(head) === 'Patient';
  const params = (query: string) => pseudonymisedParams(query, onPatient, replace);
  const line =
    target.query === undefined ? head : head.replace(`?${target.query}`, `?${params(target.query)}`);
  const lines = [line, ...rest];
  // A POST search sends its parameters as a form body, after the blank line that ends the headers.
  if (/^\s*POST\s/i.test(head) && blank >= 0)
    for (let i = blank + 2; i < lines.length; i++) if (lines[i].includes('=')) lines[i] = params(lines[i]);
  return lines
    .join('\n')
    .replace(PATIENT_ID_IN_REFERENCE, (_, prefix: string, id: string) => prefix + replace(id));
}

/** The query string of a request line (`GET url HTTP/1.1`) or of a bare URL. */
function requestTarget(line: string): { path: string; query?: string } {
  const words = line.trim().split(/\s+/);
  const url = /^[A-Z]+$/.test(words[0] ?? '') ? (words[1] ?? '') : (words[0] ?? '');
  const at = url.indexOf('?');
  return at < 0 ? { path: url } : { path: url.slice(0, at), query: url.slice(at + 1) };
}

/**
 * The resource type a request is about: the last path segment that is a
 * resource type (`test.fhir.org/r4/Observation`, `/Patient/1/Observation`,
 * `Observation/_search`), or undefined if none is.
 */
export function queryResourceType(line: string): string | undefined {
  return requestTarget(line)
    .path.split('/')
    .filter((segment) => /^[A-Z][A-Za-z]{1,63}$/.test(segment))
    .at(-1);
}

/** Query parameters with every value that identifies a patient replaced, each of a comma-separated list on its own. */
function pseudonymisedParams(query: string, onPatient: boolean, replace: (id: string) => string): string {
  return query
    .split('&')
    .map((pair) => {
      const at = pair.indexOf('=');
      if (at < 0) return pair;
      const name = pair.slice(0, at);
      const base = name.split(/[:.]/)[0];
      const names =
        base === 'patient' || base === 'subject' || (onPatient && (!base.startsWith('_') || base === '_id'));
      if (!names) return pair;
      const values = pair
        .slice(at + 1)
        .split(',')
        .map((value) => {
          const text = decoded(value);
          const replaced = pseudonymisedValue(text, replace);
          // A value sent percent-encoded stays percent-encoded.
          return text === value ? replaced : encodeURIComponent(replaced);
        });
      return `${name}=${values.join(',')}`;
    })
    .join('&');
}

/** One parameter value: `123`, `Patient/123` (also as a URL), or a token `system|123`; a search prefix such as `eq` is kept. */
function pseudonymisedValue(value: string, replace: (id: string) => string): string {
  if (value === '') return value;
  const bar = value.lastIndexOf('|');
  if (bar >= 0) return `${value.slice(0, bar + 1)}${value.slice(bar + 1) && replace(value.slice(bar + 1))}`;
  const reference = /^(.*\bPatient\/)([^/]+)$/.exec(value);
  if (reference) return reference[1] + replace(reference[2]);
  return replace(value);
}

function decoded(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/** Elements (and decoded queries) whose text still holds one of `ids` as a whole word. */
function elementsNaming(resource: AuditEvent, ids: string[]): string[] {
  if (ids.length === 0) return [];
  const escaped = ids.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const word = new RegExp(`(?:^|[^A-Za-z0-9._-])(?:${escaped.join('|')})(?:$|[^A-Za-z0-9._-])`);
  const found: string[] = [];
  const walk = (node: unknown, path: string, key: string): void => {
    if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${path}[${i}]`, key));
    if (typeof node === 'string') {
      const text = key === 'query' ? Buffer.from(node, 'base64').toString('utf8') : node;
      if (!CODED.has(key) && word.test(text)) found.push(path);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [k, value] of Object.entries(node)) walk(value, `${path}.${k}`, k);
  };
  walk(resource, 'AuditEvent', '');
  return found;
}
