import type Ajv2020 from 'ajv/dist/2020';
import { ERASABLE_KEYWORD } from '../shared/schema';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import { DomainError, type ValidationProblem } from '../shared/domain-error';
import { EVENT_SCHEMAS, isEventType, type DomainEvent } from './event-schemas';

/**
 * Validates event data against its registered schema. It is what the ingest
 * endpoint runs on each item and what every decider runs on what it emits, so
 * nothing enters the ledger that the published schema would refuse.
 */
export function validateEventData(type: string, schemaVersion: number, data: unknown): ValidationProblem[] {
  if (!isEventType(type))
    return [
      {
        field: '',
        rule: 'known-event-type',
        message: `unknown event type ${JSON.stringify(type)}; known types: ${Object.keys(EVENT_SCHEMAS).join(', ')}`,
      },
    ];
  const { version } = EVENT_SCHEMAS[type];
  if (schemaVersion !== version)
    return [
      {
        field: '',
        rule: 'known-schema-version',
        message: `${type} has no schema version ${schemaVersion}; the current version is ${version}`,
      },
    ];
  const validate = validatorFor(type);
  return validate(data) ? [] : problemsOf(validate.errors ?? [], `${type} v${version}`);
}

/**
 * Makes a decider's output ledger-ready: drops keys left undefined (JSON has
 * no undefined, and hashes are taken over JSON) and refuses any event whose
 * data breaks its schema, naming the field. Command fields share their names
 * with event fields, so the field named is the one the caller must fix.
 */
export function checkedEvents<E extends DomainEvent>(events: E[]): E[] {
  return events.map((event) => {
    const data = withoutUndefined(event.data);
    const problems = validateEventData(event.type, EVENT_SCHEMAS[event.type].version, data);
    if (problems.length > 0)
      throw new DomainError(
        'VALIDATION_FAILED',
        problems.map((p) => p.message).join('; '),
        fieldName(problems[0].field),
        { problems },
      );
    return { ...event, data };
  });
}

let ajv: Ajv2020 | undefined;
const validators = new Map<string, ValidateFunction>();

/**
 * ajv at the first validation rather than when `@ledger/domain` is imported:
 * about 90 modules, a sixth of the start-up of a command that never
 * validates an event (`govledger verify` reads the configuration, which
 * imports the domain for its constants).
 */
function loadAjv(): Ajv2020 {
  /* eslint-disable @typescript-eslint/no-require-imports -- the deferred load described above */
  const { default: Ajv } = require('ajv/dist/2020') as typeof import('ajv/dist/2020');
  const { default: addFormats } = require('ajv-formats') as typeof import('ajv-formats');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const instance = new Ajv({ allErrors: true, verbose: true });
  addFormats(instance);
  // An annotation for the ledger's storage (which values it may erase), not a constraint on the data.
  instance.addKeyword({ keyword: ERASABLE_KEYWORD, schemaType: 'string' });
  return instance;
}

function validatorFor(type: keyof typeof EVENT_SCHEMAS): ValidateFunction {
  let validate = validators.get(type);
  if (!validate) {
    validate = (ajv ??= loadAjv()).compile(EVENT_SCHEMAS[type].schema);
    validators.set(type, validate);
  }
  return validate;
}

/**
 * One problem per failing field, phrased for the person who must fix it.
 * `anyOf`/`if` summaries are dropped: they always come with the errors of
 * their branches, which name the fields.
 */
export function problemsOf(errors: readonly ErrorObject[], subject: string): ValidationProblem[] {
  return errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'if').map((e) => problemOf(e, subject));
}

function problemOf(e: ErrorObject, subject: string): ValidationProblem {
  const parent = e.parentSchema as
    { description?: string; properties?: Record<string, { description?: string }> } | undefined;
  switch (e.keyword) {
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      const field = `${e.instancePath}/${missing}`;
      return {
        field,
        rule: 'required',
        message: `${field} is missing: give ${parent?.properties?.[missing]?.description ?? 'a value'}`,
      };
    }
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const field = `${e.instancePath}/${extra}`;
      return {
        field,
        rule: 'additionalProperties',
        message: `${field} is not a field of ${subject}; remove it (fields: ${Object.keys(parent?.properties ?? {}).join(', ')})`,
      };
    }
    case 'not':
      return {
        field: e.instancePath,
        rule: 'forbidden',
        message: `${e.instancePath} must be left out: ${parent?.description ?? 'it does not apply here'}`,
      };
    default: {
      // Values are not echoed: a rejected field may hold exactly what must never be logged, e.g. a raw patient id.
      const field = e.instancePath || subject;
      const problem =
        e.keyword === 'pattern' || e.keyword === 'format' || e.keyword === 'enum'
          ? 'is not valid'
          : e.message;
      return {
        field: e.instancePath,
        rule: e.keyword,
        message: `${field} ${problem}${parent?.description ? `; give ${parent.description}` : ''}`,
      };
    }
  }
}

/** '/metrics/0/value' → 'metrics.0.value', the way command inputs name fields. */
function fieldName(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'))
    .join('.');
}

function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutUndefined) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, withoutUndefined(v)]),
  ) as T;
}
