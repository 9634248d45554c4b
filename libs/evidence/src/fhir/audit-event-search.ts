import {
  AUDIT_EVENT_OUTCOME_SYSTEM,
  illFormedInput,
  searchToken,
  type SentSearchParam,
} from '@ledger/domain';
import type { AccessCondition } from '@ledger/read-models';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { FHIR_SYSTEMS, OUTCOME_CODE, SUBTYPE_OF_ACTION } from './fhir-codes';
import { issue } from './sent-resource';

/** Page sizes: 20 unless `_count` asks otherwise, never more than 100, as GraphQL's `first`. */
export const AUDIT_EVENT_PAGE = { default: 20, max: 100 } as const;

/** What one search may ask: bounds that keep a query string from becoming a denial of service. */
export const AUDIT_EVENT_SEARCH_LIMITS = {
  /** Parameters in one query string, repeats counted. */
  params: 16,
  /** Values one parameter may OR together with commas. */
  values: 20,
  /** Characters in one parameter's value. */
  valueLength: 256,
  /** `date` parameters: a range needs two, a third only narrows what two already say. */
  dates: 2,
} as const;

/**
 * The ITI-81 parameters the ledger answers, each an R4 AuditEvent search
 * parameter, and what it is matched on in the ledger's record of an access.
 * `patient` is absent from the conditions: the caller pseudonymises it.
 */
export const AUDIT_EVENT_SEARCH_PARAMS = {
  date: { type: 'date', on: 'when the access occurred (period.start, else recorded, as sent)' },
  patient: {
    type: 'reference',
    on: 'the patient entity, by the keyed pseudonym of the identifier given (Patient/<id> or <id>)',
  },
  agent: {
    type: 'reference',
    on: 'agent.who.identifier: the requesting user (value, or |value) or the AI system (urn:govledger:ai-system|id); a bare value matches either',
  },
  entity: {
    type: 'reference',
    on: 'entity.what: the resource touched (Type/id), or the dataset (urn:govledger:dataset|id)',
  },
  'entity-type': { type: 'token', on: 'entity.type (audit-entity-type: 1 person, 2 system object)' },
  type: { type: 'token', on: 'AuditEvent.type (audit-event-type: rest)' },
  subtype: {
    type: 'token',
    on: 'AuditEvent.subtype (restful-interaction: create, read, update, delete, search)',
  },
  outcome: {
    type: 'token',
    on: 'AuditEvent.outcome (0 success, 4 minor failure, 8 serious failure, 12 major failure)',
  },
  source: {
    type: 'reference',
    on: 'source.observer.identifier: the service that observed the access (value or |value)',
  },
} as const;

export type AuditEventSearchParam = keyof typeof AUDIT_EVENT_SEARCH_PARAMS;

/** The R4 definition of each parameter, named in the CapabilityStatement. */
export const searchParamDefinition = (name: AuditEventSearchParam) =>
  `http://hl7.org/fhir/SearchParameter/${name === 'patient' ? 'clinical-patient' : `AuditEvent-${name}`}`;

export interface AuditEventSearch {
  /** Every condition must hold. */
  conditions: AccessCondition[];
  /** Raw patient identifiers, one list per `patient` parameter (its comma alternatives): pseudonymise before use. */
  patients: string[][];
  count: number;
  /** `_total=accurate` (or `estimate`): count the matches. */
  total: boolean;
}

type Parsed<T> = { value: T } | { problem: OperationOutcomeIssue };

const invalid = (param: string, rule: string): { problem: OperationOutcomeIssue } => ({
  problem: issue('invalid', param, `${param}: ${rule}`),
});

/**
 * An AuditEvent search (IHE ITI-81) as conditions on the ledger's record of
 * each access, from the query's parameters in the order sent. Strict, as FHIR
 * allows a server to be: an unknown parameter, a modifier or a value outside
 * a parameter's rules is refused with an issue naming it, never ignored.
 * `now` anchors `ap` (approximately), so a search pages the same way through.
 */
export function auditEventSearchOf(
  params: ReadonlyArray<readonly [string, string]>,
  now: Date,
): { search: AuditEventSearch } | { issues: OperationOutcomeIssue[] } {
  const search: AuditEventSearch = {
    conditions: [],
    patients: [],
    count: AUDIT_EVENT_PAGE.default,
    total: false,
  };
  const issues: OperationOutcomeIssue[] = [];
  const limits = AUDIT_EVENT_SEARCH_LIMITS;
  if (params.length > limits.params)
    return {
      issues: [
        issue(
          'too-costly',
          'query',
          `a search takes at most ${limits.params} parameters; this one has ${params.length}`,
        ),
      ],
    };
  const seen = new Set<string>();
  let dates = 0;
  for (const [name, value] of params) {
    const parsed = parameter(name, value, now);
    if ('problem' in parsed) {
      issues.push(parsed.problem);
      continue;
    }
    if (name.startsWith('_') && seen.has(name)) {
      issues.push(issue('invalid', name, `${name}: give it once`));
      continue;
    }
    seen.add(name);
    if (name === 'date' && ++dates > limits.dates) {
      issues.push(issue('invalid', name, `date: at most ${limits.dates} date parameters (a range)`));
      continue;
    }
    const { value: meaning } = parsed;
    if (meaning.kind === 'condition') search.conditions.push(meaning.condition);
    else if (meaning.kind === 'patient') search.patients.push(meaning.ids);
    else if (meaning.kind === 'count') search.count = meaning.count;
    else if (meaning.kind === 'total') search.total = meaning.total;
  }
  return issues.length > 0 ? { issues } : { search };
}

type Meaning =
  | { kind: 'condition'; condition: AccessCondition }
  | { kind: 'patient'; ids: string[] }
  | { kind: 'count'; count: number }
  | { kind: 'total'; total: boolean }
  | { kind: 'format' };

function parameter(name: string, value: string, now: Date): Parsed<Meaning> {
  const limits = AUDIT_EVENT_SEARCH_LIMITS;
  // A name is echoed in the answer, so it is checked before it is quoted.
  if (name.length === 0 || name.length > 64 || illFormedInput(name))
    return { problem: issue('invalid', 'query', 'a parameter name is 1 to 64 printable characters') };
  const illFormed = illFormedInput(value, name);
  if (illFormed) return { problem: issue('invalid', name, illFormed.message) };
  if (name.includes(':'))
    return {
      problem: issue(
        'not-supported',
        name,
        `${name}: search modifiers are not supported; send ${name.split(':')[0]} without one`,
      ),
    };
  if (value.length === 0) return invalid(name, 'give a value');
  if (value.length > limits.valueLength)
    return invalid(name, `a value is at most ${limits.valueLength} characters`);
  switch (name) {
    case '_count': {
      const { max } = AUDIT_EVENT_PAGE;
      if (!/^\d{1,3}$/.test(value) || Number(value) < 1 || Number(value) > max)
        return invalid(name, `a whole number from 1 to ${max} (the default is ${AUDIT_EVENT_PAGE.default})`);
      return { value: { kind: 'count', count: Number(value) } };
    }
    case '_total':
      if (!['none', 'estimate', 'accurate'].includes(value))
        return invalid(name, 'none, estimate or accurate (both count exactly)');
      return { value: { kind: 'total', total: value !== 'none' } };
    case '_format':
      // Only JSON is served; a client naming it is answered as one naming nothing.
      if (!['json', 'application/json', 'application/fhir+json'].includes(value))
        return invalid(name, 'only json is served (json, application/json or application/fhir+json)');
      return { value: { kind: 'format' } };
    case 'date':
      return condition(name, [value], (v) => dateCondition(v, now));
  }
  if (!(name in AUDIT_EVENT_SEARCH_PARAMS))
    return {
      problem: issue(
        'not-supported',
        name,
        `${name}: not a supported search parameter; this server answers ${Object.keys(AUDIT_EVENT_SEARCH_PARAMS).join(', ')}, _count, _total and _format (GET /fhir/metadata)`,
      ),
    };
  const values = alternatives(value);
  if (values.length > limits.values) return invalid(name, `at most ${limits.values} comma-separated values`);
  if (values.some((v) => v.length === 0)) return invalid(name, 'no empty value between commas');
  if (name === 'patient') {
    const ids = values.map((v) => v.replace(/^Patient\//, ''));
    if (ids.some((id) => id.length === 0)) return invalid(name, 'Patient/<id> names an id');
    return { value: { kind: 'patient', ids } };
  }
  return condition(name, values, MATCHERS[name as Exclude<AuditEventSearchParam, 'date' | 'patient'>]);
}

/** Each value as the condition it stands for; a parameter's values are alternatives. */
function condition(
  name: string,
  values: string[],
  match: (value: string) => AccessCondition | string,
): Parsed<Meaning> {
  const matched: AccessCondition[] = [];
  for (const value of values) {
    const m = match(value);
    if (typeof m === 'string') return invalid(name, m);
    matched.push(m);
  }
  return {
    value: { kind: 'condition', condition: matched.length === 1 ? matched[0] : { anyOf: matched } },
  };
}

const NONE: AccessCondition = { anyOf: [] };
const ALL: AccessCondition = { occurred: {} };
const equals = (
  column: Extract<AccessCondition, { column: unknown }>['column'],
  value: string,
): AccessCondition => ({
  column,
  oneOf: [value],
});

/** `system|code`, `|code` (no system) or `code` (any system), as FHIR token parameters read them. */
function token(value: string): { system?: string; code: string } {
  const bar = unescapedIndex(value, '|');
  if (bar < 0) return { code: unescape(value) };
  return { system: unescape(value.slice(0, bar)), code: unescape(value.slice(bar + 1)) };
}

/** Whether a token's system is the one the ledger codes with: any system or that one. */
const codedIn = (system: string | undefined, ours: string) => system === undefined || system === ours;

const ACTION_OF_SUBTYPE = Object.fromEntries(Object.entries(SUBTYPE_OF_ACTION).map(([a, s]) => [s, a]));
const OUTCOME_OF_CODE = Object.fromEntries(Object.entries(OUTCOME_CODE).map(([o, c]) => [c, o]));

/**
 * An access kept as the AuditEvent it was sent as matches by what that says
 * (its search tokens); any other access by `generated`, which holds exactly
 * when the AuditEvent the ledger renders for it (auditEventOf) shows the value.
 */
const said = (
  param: SentSearchParam,
  { system, code }: { system?: string; code: string },
  generated: AccessCondition,
): AccessCondition => ({ sent: [searchToken(param, system, code)], otherwise: generated });

/** How each value matches, the inverse of auditEventOf's codes for generated AuditEvents; a string is the rule it broke. */
const MATCHERS: Record<
  Exclude<AuditEventSearchParam, 'date' | 'patient'>,
  (v: string) => AccessCondition | string
> = {
  type: (v) => {
    const t = token(v);
    return said('type', t, codedIn(t.system, FHIR_SYSTEMS.auditEventType) && t.code === 'rest' ? ALL : NONE);
  },
  subtype: (v) => {
    const t = token(v);
    const action = ACTION_OF_SUBTYPE[t.code];
    return said(
      'subtype',
      t,
      codedIn(t.system, FHIR_SYSTEMS.restfulInteraction) && action ? equals('action', action) : NONE,
    );
  },
  'entity-type': (v) => {
    const t = token(v);
    const generated: AccessCondition = !codedIn(t.system, FHIR_SYSTEMS.entityType)
      ? NONE
      : t.code === '1'
        ? { present: 'patient_pseudonym' }
        : t.code === '2'
          ? { anyOf: [{ present: 'dataset_id' }, { present: 'resource' }] }
          : NONE;
    return said('entity-type', t, generated);
  },
  outcome: (v) => {
    const t = token(v);
    if (!['0', '4', '8', '12'].includes(t.code))
      return 'one of 0 (success), 4 (minor failure), 8 (serious failure), 12 (major failure)';
    const outcome = OUTCOME_OF_CODE[t.code];
    return said(
      'outcome',
      t,
      codedIn(t.system, AUDIT_EVENT_OUTCOME_SYSTEM) && outcome ? equals('outcome', outcome) : NONE,
    );
  },
  agent: (v) => {
    const t = token(v);
    const generated: AccessCondition =
      t.system === undefined
        ? { anyOf: [equals('actor', t.code), equals('system_id', t.code)] }
        : t.system === ''
          ? equals('actor', t.code)
          : t.system === FHIR_SYSTEMS.aiSystem
            ? equals('system_id', t.code)
            : NONE;
    return said('agent', t, generated);
  },
  // The service that reported an access is the ledger's own fact, so it matches an AuditEvent kept as sent too.
  source: (v) => {
    const t = token(v);
    const reporter = t.system === undefined || t.system === '' ? equals('source_service', t.code) : NONE;
    return { anyOf: [reporter, said('source', t, NONE)] };
  },
  entity: (v) => {
    const t = token(v);
    if (t.system !== undefined)
      return said('entity', t, t.system === FHIR_SYSTEMS.dataset ? equals('dataset_id', t.code) : NONE);
    if (/^Patient\//.test(t.code)) return 'a patient is searched with patient=, which records the lookup';
    if (!/^[A-Z][A-Za-z]{1,63}\/[A-Za-z0-9.-]{1,64}$/.test(t.code))
      return 'a relative reference Type/id, or urn:govledger:dataset|<dataset id>';
    return said('entity', t, equals('resource', t.code));
  },
};

/** FHIR escapes `,`, `|` and `$` in a value with a backslash. */
function alternatives(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = unescapedIndex(value, ','); i >= 0; i = unescapedIndex(value, ',', start)) {
    out.push(value.slice(start, i));
    start = i + 1;
  }
  out.push(value.slice(start));
  return out;
}

function unescapedIndex(value: string, char: string, from = 0): number {
  for (let i = from; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === char) return i;
  }
  return -1;
}

const unescape = (value: string) => value.replace(/\\([\\,|$])/g, '$1');

const DATE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;
const PREFIXES = ['eq', 'ne', 'lt', 'gt', 'le', 'ge', 'sa', 'eb', 'ap'] as const;

/**
 * A date value as the instants it covers, [start, end): a year, a month or a
 * day is the whole of it in UTC (the ledger's clock; FHIR leaves a date
 * without a zone to the server), a time to the precision given. Each prefix
 * is read as FHIR R4 defines it against the instant an access occurred.
 */
function dateCondition(value: string, now: Date): AccessCondition | string {
  const prefix = PREFIXES.find((p) => value.startsWith(p)) ?? 'eq';
  const range = dateRange(value.slice(PREFIXES.some((p) => value.startsWith(p)) ? 2 : 0));
  if (typeof range === 'string') return range;
  const [start, end] = range;
  const iso = (ms: number) => new Date(ms).toISOString();
  switch (prefix) {
    case 'eq':
      return { occurred: { from: iso(start), before: iso(end) } };
    case 'ne':
      return { anyOf: [{ occurred: { before: iso(start) } }, { occurred: { from: iso(end) } }] };
    case 'lt':
    case 'eb':
      return { occurred: { before: iso(start) } };
    case 'gt':
    case 'sa':
      return { occurred: { from: iso(end) } };
    case 'le':
      return { occurred: { before: iso(end) } };
    case 'ge':
      return { occurred: { from: iso(start) } };
    case 'ap': {
      // FHIR suggests 10% of the distance between now and the value; the ledger adds no less than a day's tenth.
      const margin = Math.max(0.1 * Math.abs(now.getTime() - start), 8_640_000);
      return { occurred: { from: iso(start - margin), before: iso(end + margin) } };
    }
  }
}

const DATE_RULE =
  'a FHIR date with an optional prefix (eq, ne, lt, gt, le, ge, sa, eb, ap): YYYY, YYYY-MM, YYYY-MM-DD, or YYYY-MM-DDThh:mm[:ss[.fff]] with Z or ±hh:mm';

/** Date.UTC, except that it reads years 0 to 99 as themselves rather than as 1900 to 1999. */
function utcMs(year: number, month: number, day: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const at = new Date(Date.UTC(2000, 0, 1, h, mi, s, ms));
  at.setUTCFullYear(year, month, day);
  return at.getTime();
}

function dateRange(text: string): [number, number] | string {
  const m = DATE.exec(text);
  if (!m) return DATE_RULE;
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  const year = Number(y);
  const month = mo === undefined ? 0 : Number(mo) - 1;
  const day = d === undefined ? 1 : Number(d);
  if (month < 0 || month > 11 || day < 1 || day > new Date(utcMs(year, month + 1, 0)).getUTCDate())
    return DATE_RULE;
  if (h === undefined) {
    const start = utcMs(year, month, day);
    const end =
      mo === undefined
        ? utcMs(year + 1, 0, 1)
        : d === undefined
          ? utcMs(year, month + 1, 1)
          : utcMs(year, month, day + 1);
    return [start, end];
  }
  if (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59)) return DATE_RULE;
  const offset =
    zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)));
  const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const start =
    utcMs(year, month, day, Number(h), Number(mi), s === undefined ? 0 : Number(s), ms) - offset * 60_000;
  const precision = fraction !== undefined ? 1 : s !== undefined ? 1000 : 60_000;
  return [start, start + precision];
}
