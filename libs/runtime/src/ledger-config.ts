import {
  checkInstant,
  DATA_ACCESS_MINIMUM_MONTHS,
  DEFAULT_GOVERNANCE_POLICY,
  DEFAULT_RETENTION,
  EU_AI_ACT_INCIDENT_DEADLINE_DAYS,
  instantRangeOf,
  lastsAtLeastMonths,
  RETENTION_DURATION,
  type InstantRange,
  type RetentionSchedule,
} from '@ledger/domain';
import { DEFAULT_CLAIM_NAMES } from '@ledger/auth';
import { parseTlogWitnesses } from '@ledger/transparency-log';
import { plainToInstance, Transform } from 'class-transformer';
import { writableFileProblem } from './writable-file';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
  validateSync,
} from 'class-validator';

const STORES = ['sqlite', 'postgres'] as const;
/** Where events may live; read models only ever in a SQL store. */
const EVENT_STORES = [...STORES, 'eventstoredb'] as const;
const SYNC_MODES = ['FULL', 'EXTRA', 'NORMAL'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const PORT_RULE = 'PORT must be a whole number from 0 to 65535';
const GRACE_RULE = 'LEDGER_SHUTDOWN_GRACE_MS must be a whole number of milliseconds, 0 or more';
const HEAP_GROWTH_RULE = 'LEDGER_HEAP_GROWTH_PERCENT must be a whole number from 0 to 300';

const EXPORTS_PER_CALLER_RULE = 'LEDGER_EXPORTS_CONCURRENT_PER_CALLER must be a whole number, 1 or more';
const EXPORTS_PER_HOUR_RULE = 'LEDGER_EXPORTS_PER_HOUR_PER_CALLER must be a whole number, 1 or more';
const EXPORTS_CONCURRENT_RULE = 'LEDGER_EXPORTS_CONCURRENT must be a whole number, 1 or more';
const GRAPHQL_MAX_COST_RULE = 'LEDGER_GRAPHQL_MAX_COST must be a whole number, 1 or more';
const GRAPHQL_MAX_BODY_RULE = 'LEDGER_GRAPHQL_MAX_BODY_BYTES must be a whole number of bytes, 1024 or more';
const GRAPHQL_MAX_TOKENS_RULE = 'LEDGER_GRAPHQL_MAX_TOKENS must be a whole number, 100 or more';
const FHIR_SEARCH_WINDOW_RULE = 'LEDGER_FHIR_SEARCH_WINDOW must be a whole number of accesses, 10 or more';
const GRAPHQL_MAX_LIST_RULE = 'LEDGER_GRAPHQL_MAX_LIST_ITEMS must be a whole number, 1 or more';
const GRAPHQL_CACHE_RULE = 'LEDGER_GRAPHQL_CACHE_ENTRIES must be a whole number, 1 or more';
const EVERY_EVENTS_RULE = 'LEDGER_CHECKPOINT_EVERY_EVENTS must be a whole number of events, 1 or more';
const EVERY_MS_RULE = 'LEDGER_CHECKPOINT_EVERY_MS must be a whole number of milliseconds, 100 or more';
const MONITORING_EVERY_MS_RULE =
  'LEDGER_MONITORING_EVERY_MS must be a whole number of milliseconds, 100 or more';
const WITNESSES_RULE =
  'LEDGER_WITNESSES must be a comma-separated list of file paths and http(s):// URLs, without empty entries';
// A file path, or an http(s) URL; anything else with a scheme (ftp://, s3://) is refused rather than taken for a path.
const WITNESS = String.raw`\s*(?:https?://[^\s,]+|(?![A-Za-z][A-Za-z0-9+.-]*://)[^\s,][^,]*?)\s*`;
const WITNESS_LIST = new RegExp(`^(?:${WITNESS}(?:,${WITNESS})*)?$`);

const DEADLINE_CLASSES = Object.keys(EU_AI_ACT_INCIDENT_DEADLINE_DAYS);
const DEADLINES_RULE = `LEDGER_INCIDENT_DEADLINE_DAYS must be comma-separated class=days pairs, days a whole number 1 or more, class one of: ${DEADLINE_CLASSES.join(', ')} (e.g. death=7,other_serious=30)`;
const DEADLINE = `\\s*(?:${DEADLINE_CLASSES.join('|')})\\s*=\\s*[1-9]\\d*\\s*`;
const DEADLINE_LIST = new RegExp(`^(?:${DEADLINE}(?:,${DEADLINE})*)?$`);
const REPORT_GRACE_RULE = 'LEDGER_INCIDENT_REPORT_GRACE_HOURS must be a whole number of hours, 0 or more';
const retentionRule = (name: string) =>
  `${name} must be an ISO 8601 duration of whole years, months, weeks or days, such as P6Y or P18M`;
const PER_ADDRESS_RULE = 'LEDGER_RATE_LIMIT_PER_ADDRESS_PER_MINUTE must be a whole number, 1 or more';
const TALLIES_RULE = 'LEDGER_REFUSAL_TALLIES_PER_MINUTE must be a whole number from 1 to 100000';
const LIFETIME_RULE = 'AUTH_MAX_TOKEN_LIFETIME_SECONDS must be a whole number of seconds, 60 or more';
const TRUST_PROXY_RULE =
  'LEDGER_TRUST_PROXY must be empty (trust no proxy) or a comma-separated list of proxy addresses or CIDR ranges, such as 10.0.0.0/8 (or loopback, linklocal, uniquelocal)';
// An IPv4 or IPv6 address, optionally with a /prefix, or one of proxy-addr's named ranges; loose, proxy-addr has the last word.
const PROXY = String.raw`\s*(?:[0-9A-Fa-f:.]+(?:/\d{1,3})?|loopback|linklocal|uniquelocal)\s*`;
const TRUST_PROXY = new RegExp(`^(?:${PROXY}(?:,${PROXY})*)?$`);

/** The service address every networked `govledger` command uses; the service itself never reads it. */
export const LEDGER_URL_PATTERN = /^https?:\/\/[^\s/?#]+(\/\S*)?$/;
export const LEDGER_URL_RULE = 'LEDGER_URL must be an http(s):// URL, e.g. http://127.0.0.1:3000';
/** An identity provider's URL: https, or http on loopback for a provider run beside the ledger in development. */
const PROVIDER_URL = /^(https:\/\/[^\s/]+|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?)(\/\S*)?$/;

/** A claim name, or a dotted path into nested claims such as realm_access.roles: no spaces, no empty segment. */
const CLAIM_PATH = /^[^\s.]+(\.[^\s.]+)*$/;
const claimRule = (name: string, example: string) =>
  `${name} must be a claim name or a dotted path into nested claims, without spaces or empty segments, such as ${example}`;

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/**
 * Every setting the service reads, from environment variables only, checked
 * before anything starts. Defaults give the embedded set-up of `npm start`.
 */
export class LedgerConfig {
  @Transform(toInt)
  @IsInt({ message: PORT_RULE })
  @Min(0, { message: PORT_RULE })
  @Max(65535, { message: PORT_RULE })
  PORT: number = 3000;

  @IsString()
  @IsNotEmpty({ message: 'HOST must name an interface to listen on, such as 127.0.0.1 or 0.0.0.0' })
  HOST: string = '127.0.0.1';

  @IsString()
  @IsNotEmpty({ message: 'LEDGER_DATA_DIR must be a directory path' })
  LEDGER_DATA_DIR: string = './data';

  @IsIn(EVENT_STORES, { message: `LEDGER_STORE must be one of: ${EVENT_STORES.join(', ')}` })
  LEDGER_STORE: (typeof EVENT_STORES)[number] = 'sqlite';

  @ValidateIf(
    (c: LedgerConfig) =>
      c.LEDGER_STORE === 'postgres' || c.LEDGER_READ_STORE === 'postgres' || c.DATABASE_URL !== undefined,
  )
  @Matches(/^postgres(ql)?:\/\/\S+$/, {
    message:
      'DATABASE_URL must be a postgres:// connection URL (required when LEDGER_STORE or LEDGER_READ_STORE is postgres)',
  })
  DATABASE_URL?: string;

  /** Where read models (and the Merkle log) live; by default next to the events: SQLite under the data directory, or the same PostgreSQL database. */
  @IsOptional()
  @IsIn(STORES, { message: `LEDGER_READ_STORE must be one of: ${STORES.join(', ')}` })
  LEDGER_READ_STORE?: (typeof STORES)[number];

  /** esdb://host:2113 (one node, or a seed list host1:2113,host2:2113) or esdb+discover://cluster-dns:2113; may carry user:password. */
  @ValidateIf(
    (c: LedgerConfig) => c.LEDGER_STORE === 'eventstoredb' || c.EVENTSTORE_CONNECTION_STRING !== undefined,
  )
  @Matches(/^esdb(\+discover)?:\/\/\S+$/, {
    message:
      'EVENTSTORE_CONNECTION_STRING must be an esdb:// or esdb+discover:// connection string (required when LEDGER_STORE=eventstoredb)',
  })
  EVENTSTORE_CONNECTION_STRING?: string;

  /** An OTLP/HTTP collector; when set, traces of every request are exported to <url>/v1/traces. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, {
    message:
      'OTEL_EXPORTER_OTLP_ENDPOINT must be the http:// or https:// URL of an OTLP collector, such as http://otel-collector:4318',
  })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  @Transform(toInt)
  @IsInt({ message: 'LEDGER_AUDIT_INTERVAL_DAYS must be a whole number of days, 1 or more' })
  @Min(1, { message: 'LEDGER_AUDIT_INTERVAL_DAYS must be a whole number of days, 1 or more' })
  LEDGER_AUDIT_INTERVAL_DAYS: number = 365;

  /** What one GraphQL request may ask for: see "Abuse limits" in docs/security.md. */
  @Transform(toInt)
  @IsInt({ message: GRAPHQL_MAX_COST_RULE })
  @Min(1, { message: GRAPHQL_MAX_COST_RULE })
  LEDGER_GRAPHQL_MAX_COST: number = 10_000;

  @Transform(toInt)
  @IsInt({ message: GRAPHQL_MAX_BODY_RULE })
  @Min(1024, { message: GRAPHQL_MAX_BODY_RULE })
  LEDGER_GRAPHQL_MAX_BODY_BYTES: number = 64 * 1024;

  @Transform(toInt)
  @IsInt({ message: GRAPHQL_MAX_TOKENS_RULE })
  @Min(100, { message: GRAPHQL_MAX_TOKENS_RULE })
  LEDGER_GRAPHQL_MAX_TOKENS: number = 1000;

  /** How many accesses one FHIR AuditEvent search page may read: see docs/fhir-auditevent.md, "Paging". */
  @Transform(toInt)
  @IsInt({ message: FHIR_SEARCH_WINDOW_RULE })
  @Min(10, { message: FHIR_SEARCH_WINDOW_RULE })
  LEDGER_FHIR_SEARCH_WINDOW: number = 10_000;

  @Transform(toInt)
  @IsInt({ message: GRAPHQL_MAX_LIST_RULE })
  @Min(1, { message: GRAPHQL_MAX_LIST_RULE })
  LEDGER_GRAPHQL_MAX_LIST_ITEMS: number = 100;

  @Transform(toInt)
  @IsInt({ message: GRAPHQL_CACHE_RULE })
  @Min(1, { message: GRAPHQL_CACHE_RULE })
  LEDGER_GRAPHQL_CACHE_ENTRIES: number = 64;

  // http only on loopback: a provider run beside the ledger in development, or a test's.
  @IsOptional()
  @Matches(PROVIDER_URL, {
    message:
      'AUTH_JWKS_URL must be an https:// URL of the identity provider’s JWKS (its jwks_uri); http:// only on 127.0.0.1, localhost or [::1]',
  })
  AUTH_JWKS_URL?: string;

  @IsOptional()
  @IsString({ message: 'AUTH_JWKS_FILE must be the path of a JWKS JSON file' })
  AUTH_JWKS_FILE?: string;

  @IsString()
  @IsNotEmpty({ message: 'AUTH_ISSUER must name the token issuer (the iss claim tokens must carry)' })
  AUTH_ISSUER: string = 'govledger-local';

  @IsString()
  @IsNotEmpty({ message: 'AUTH_AUDIENCE must name this ledger as tokens address it (their aud claim)' })
  AUTH_AUDIENCE: string = 'govledger';

  /**
   * Where tokens carry the caller's identity, role, tenant and grants: a
   * claim name or a dotted path (Keycloak: AUTH_ROLE_CLAIM=realm_access.roles).
   * The subject is what the ledger records as the actor.
   */
  @Matches(CLAIM_PATH, { message: claimRule('AUTH_SUBJECT_CLAIM', 'sub') })
  AUTH_SUBJECT_CLAIM: string = DEFAULT_CLAIM_NAMES.subject;

  @Matches(CLAIM_PATH, { message: claimRule('AUTH_ROLE_CLAIM', 'realm_access.roles') })
  AUTH_ROLE_CLAIM: string = DEFAULT_CLAIM_NAMES.role;

  @Matches(CLAIM_PATH, { message: claimRule('AUTH_TENANT_CLAIM', 'tenant') })
  AUTH_TENANT_CLAIM: string = DEFAULT_CLAIM_NAMES.tenant;

  @Matches(CLAIM_PATH, { message: claimRule('AUTH_SYSTEMS_CLAIM', 'systems') })
  AUTH_SYSTEMS_CLAIM: string = DEFAULT_CLAIM_NAMES.systems;

  @Matches(CLAIM_PATH, { message: claimRule('AUTH_EVENT_TYPES_CLAIM', 'event_types') })
  AUTH_EVENT_TYPES_CLAIM: string = DEFAULT_CLAIM_NAMES.eventTypes;

  /** The auditor console's OIDC client (code flow with PKCE); unset, the console takes pasted tokens. */
  @IsOptional()
  @IsString()
  CONSOLE_OIDC_CLIENT_ID?: string;

  @IsString()
  @IsNotEmpty({ message: 'CONSOLE_OIDC_SCOPE must name the scopes the console asks for, such as openid' })
  CONSOLE_OIDC_SCOPE: string = 'openid';

  /** The provider's endpoints, for one without OIDC discovery; by default read from AUTH_ISSUER's discovery document. */
  @IsOptional()
  @Matches(PROVIDER_URL, {
    message: 'CONSOLE_OIDC_AUTHORIZATION_URL must be an https:// URL at the identity provider',
  })
  CONSOLE_OIDC_AUTHORIZATION_URL?: string;

  @IsOptional()
  @Matches(PROVIDER_URL, {
    message: 'CONSOLE_OIDC_TOKEN_URL must be an https:// URL at the identity provider',
  })
  CONSOLE_OIDC_TOKEN_URL?: string;

  @Transform(toInt)
  @IsInt({ message: 'LEDGER_RATE_LIMIT_PER_MINUTE must be a whole number, 1 or more' })
  @Min(1, { message: 'LEDGER_RATE_LIMIT_PER_MINUTE must be a whole number, 1 or more' })
  LEDGER_RATE_LIMIT_PER_MINUTE: number = 60_000;

  /** Exports are the heaviest thing a caller can ask for: each caller makes one at a time, and only so many an hour. */
  @Transform(toInt)
  @IsInt({ message: EXPORTS_PER_CALLER_RULE })
  @Min(1, { message: EXPORTS_PER_CALLER_RULE })
  LEDGER_EXPORTS_CONCURRENT_PER_CALLER: number = 1;

  @Transform(toInt)
  @IsInt({ message: EXPORTS_PER_HOUR_RULE })
  @Min(1, { message: EXPORTS_PER_HOUR_RULE })
  LEDGER_EXPORTS_PER_HOUR_PER_CALLER: number = 20;

  /** Exports being made at once in this process, whoever asked: the rest of the service keeps the remaining CPU. */
  @Transform(toInt)
  @IsInt({ message: EXPORTS_CONCURRENT_RULE })
  @Min(1, { message: EXPORTS_CONCURRENT_RULE })
  LEDGER_EXPORTS_CONCURRENT: number = 2;

  /**
   * Requests per client address per minute, counted before authentication:
   * every request without a token verified in the last minute (no token, a
   * bad one, a fresh one, a public route other than /health).
   */
  @Transform(toInt)
  @IsInt({ message: PER_ADDRESS_RULE })
  @Min(1, { message: PER_ADDRESS_RULE })
  LEDGER_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: number = 600;

  /** Which proxies' X-Forwarded-For names the client address; empty: none, the address is the TCP peer's. */
  @Matches(TRUST_PROXY, { message: TRUST_PROXY_RULE })
  LEDGER_TRUST_PROXY: string = '';

  /** Distinct refusal tallies (caller, operation, status, reason) kept per minute; beyond, one per tenant and status. */
  @Transform(toInt)
  @IsInt({ message: TALLIES_RULE })
  @Min(1, { message: TALLIES_RULE })
  @Max(100_000, { message: TALLIES_RULE })
  LEDGER_REFUSAL_TALLIES_PER_MINUTE: number = 1000;

  /** The longest a bearer token may live, from its iat (or from now, without one) to its exp. */
  @Transform(toInt)
  @IsInt({ message: LIFETIME_RULE })
  @Min(60, { message: LIFETIME_RULE })
  AUTH_MAX_TOKEN_LIFETIME_SECONDS: number = 24 * 3600;

  @IsIn(['development', 'production', 'test'], {
    message: 'NODE_ENV must be development, production or test',
  })
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IsIn(SYNC_MODES, {
    message: `LEDGER_SQLITE_SYNCHRONOUS must be one of: ${SYNC_MODES.join(', ')} (FULL keeps acknowledged writes through power loss)`,
  })
  LEDGER_SQLITE_SYNCHRONOUS: (typeof SYNC_MODES)[number] = 'FULL';

  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of: ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @Transform(toInt)
  @IsInt({ message: 'LEDGER_VALIDATION_VALIDITY_DAYS must be a whole number of days, 1 or more' })
  @Min(1, { message: 'LEDGER_VALIDATION_VALIDITY_DAYS must be a whole number of days, 1 or more' })
  LEDGER_VALIDATION_VALIDITY_DAYS: number = DEFAULT_GOVERNANCE_POLICY.validationValidityDays;

  @Transform(toInt)
  @IsInt({ message: 'LEDGER_EMERGENCY_RATIFICATION_HOURS must be a whole number of hours, 1 or more' })
  @Min(1, { message: 'LEDGER_EMERGENCY_RATIFICATION_HOURS must be a whole number of hours, 1 or more' })
  LEDGER_EMERGENCY_RATIFICATION_HOURS: number = DEFAULT_GOVERNANCE_POLICY.emergencyRatificationHours;

  /**
   * The jurisdiction's serious-incident deadlines where they differ from the EU AI Act's (Art 73):
   * `class=days` pairs over EU_AI_ACT_INCIDENT_DEADLINE_DAYS; empty: the Act's.
   */
  @Matches(DEADLINE_LIST, { message: DEADLINES_RULE })
  LEDGER_INCIDENT_DEADLINE_DAYS: string = '';

  /** How long after awareness an incident may reach the ledger before INCIDENT_REPORTED_LATE. */
  @Transform(toInt)
  @IsInt({ message: REPORT_GRACE_RULE })
  @Min(0, { message: REPORT_GRACE_RULE })
  LEDGER_INCIDENT_REPORT_GRACE_HOURS: number = 24;

  /** How long governance records are kept before they are due for erasure or archive (HIPAA §164.316(b)(2)(i): six years). */
  @Matches(RETENTION_DURATION, { message: retentionRule('LEDGER_RETENTION_GOVERNANCE') })
  LEDGER_RETENTION_GOVERNANCE: string = DEFAULT_RETENTION.GOVERNANCE;

  /** How long data-access records are kept; never shorter than the EU AI Act's six months (checked in loadConfig). */
  @Matches(RETENTION_DURATION, { message: retentionRule('LEDGER_RETENTION_DATA_ACCESS') })
  LEDGER_RETENTION_DATA_ACCESS: string = DEFAULT_RETENTION.DATA_ACCESS;

  @Transform(toInt)
  @IsInt({ message: 'LEDGER_INGEST_MAX_BATCH must be a whole number from 1 to 10000' })
  @Min(1, { message: 'LEDGER_INGEST_MAX_BATCH must be a whole number from 1 to 10000' })
  @Max(10_000, { message: 'LEDGER_INGEST_MAX_BATCH must be a whole number from 1 to 10000' })
  LEDGER_INGEST_MAX_BATCH: number = 1000;

  /**
   * The plausible range of every date-time the ledger is given (ingest, FHIR,
   * GraphQL), both ends inclusive: a clock years off, or a typo of a year,
   * is refused instead of being stored for ever. Checked in loadConfig.
   */
  @IsString()
  LEDGER_MIN_DATE: string = '1900-01-01T00:00:00Z';

  @IsString()
  LEDGER_MAX_DATE: string = '2199-12-31T23:59:59Z';

  /** Ledger inputs nest about ten levels; far deeper bodies only exist to overflow whatever walks them recursively. */
  @Transform(toInt)
  @IsInt({ message: 'LEDGER_INPUT_MAX_DEPTH must be a whole number from 8 to 256' })
  @Min(8, { message: 'LEDGER_INPUT_MAX_DEPTH must be a whole number from 8 to 256' })
  @Max(256, { message: 'LEDGER_INPUT_MAX_DEPTH must be a whole number from 8 to 256' })
  LEDGER_INPUT_MAX_DEPTH: number = 32;

  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, {
    message: 'LEDGER_PSEUDONYM_KEY must be 64 lower-case hex digits (a 256-bit HMAC key)',
  })
  LEDGER_PSEUDONYM_KEY?: string;

  @IsOptional()
  @Matches(LEDGER_URL_PATTERN, { message: LEDGER_URL_RULE })
  LEDGER_URL?: string;

  @Transform(toInt)
  @IsOptional()
  @IsInt({ message: GRACE_RULE })
  @Min(0, { message: GRACE_RULE })
  LEDGER_SHUTDOWN_GRACE_MS: number = 10_000;

  /**
   * How far V8 lets the heap grow past what the last full collection kept
   * before collecting again; 0 leaves it to V8, which on a machine with
   * memory to spare lets it reach about four times the live heap.
   */
  @Transform(toInt)
  @IsInt({ message: HEAP_GROWTH_RULE })
  @Min(0, { message: HEAP_GROWTH_RULE })
  @Max(300, { message: HEAP_GROWTH_RULE })
  LEDGER_HEAP_GROWTH_PERCENT: number = 75;

  /** The log's name: the first line of every checkpoint, and the name of the key that signs them. */
  @Matches(/^[^\s+]+$/u, {
    message:
      "LEDGER_ORIGIN must be a log name without spaces or '+', such as hospital.example/ledger; it also names the signing key",
  })
  LEDGER_ORIGIN: string = 'govledger.local/ledger';

  /** A note signing key (PRIVATE+KEY+...) managed outside the ledger; empty: generated under LEDGER_DATA_DIR/keys. */
  @IsString()
  LEDGER_SIGNING_KEY_FILE: string = '';

  @Transform(toInt)
  @IsInt({ message: EVERY_EVENTS_RULE })
  @Min(1, { message: EVERY_EVENTS_RULE })
  LEDGER_CHECKPOINT_EVERY_EVENTS: number = 1000;

  @Transform(toInt)
  @IsInt({ message: EVERY_MS_RULE })
  @Min(100, { message: EVERY_MS_RULE })
  LEDGER_CHECKPOINT_EVERY_MS: number = 10_000;

  /** How often the ledger looks for settled windows of computed monitoring plans and computes them. */
  @Transform(toInt)
  @IsInt({ message: MONITORING_EVERY_MS_RULE })
  @Min(100, { message: MONITORING_EVERY_MS_RULE })
  LEDGER_MONITORING_EVERY_MS: number = 60_000;

  /** Comma-separated file paths and http(s) URLs that receive every checkpoint; empty: none. */
  @Matches(WITNESS_LIST, { message: WITNESSES_RULE })
  LEDGER_WITNESSES: string = '';

  /** An RFC 3161 timestamp authority that stamps every checkpoint; unset: none. Plain http is usual for TSAs: the token is signed. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s,]+$/i, {
    message: 'LEDGER_TSA_URL must be the http(s):// URL of an RFC 3161 timestamp authority',
  })
  LEDGER_TSA_URL?: string;

  /** Comma-separated `<url> <verifier key>` pairs: c2sp.org/tlog-witness witnesses that cosign every checkpoint; empty: none. */
  LEDGER_TLOG_WITNESSES: string = '';
}

/** How long each category of record is kept, as configured. */
export function retentionSchedule(config: LedgerConfig): RetentionSchedule {
  return { GOVERNANCE: config.LEDGER_RETENTION_GOVERNANCE, DATA_ACCESS: config.LEDGER_RETENTION_DATA_ACCESS };
}

/** The range every date-time given to the ledger must lie in. */
export function instantRange(config: LedgerConfig): InstantRange {
  return instantRangeOf(config.LEDGER_MIN_DATE, config.LEDGER_MAX_DATE);
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const KNOWN = new Set(
  Object.keys(new LedgerConfig()).concat(
    'DATABASE_URL',
    'LEDGER_PSEUDONYM_KEY',
    'LEDGER_READ_STORE',
    'LEDGER_URL',
    'EVENTSTORE_CONNECTION_STRING',
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'AUTH_JWKS_URL',
    'AUTH_JWKS_FILE',
    'LEDGER_TSA_URL',
    'CONSOLE_OIDC_CLIENT_ID',
    'CONSOLE_OIDC_AUTHORIZATION_URL',
    'CONSOLE_OIDC_TOKEN_URL',
  ),
);

/** Prefixes that are the ledger's alone: a variable under one that the ledger does not know is a mistake. */
const OWN_PREFIXES = ['LEDGER_', 'AUTH_', 'CONSOLE_'];

/** Names used by other software for what a ledger setting does, so the refusal can say which one was meant. */
const MEANT: Record<string, string> = {
  AUTH_JWKS_URI: 'AUTH_JWKS_URL', // OIDC discovery calls it jwks_uri
  AUTH_ISSUER_URL: 'AUTH_ISSUER',
  AUTH_AUDIENCES: 'AUTH_AUDIENCE',
  AUTH_ROLES_CLAIM: 'AUTH_ROLE_CLAIM',
  CONSOLE_OIDC_ISSUER: 'AUTH_ISSUER', // the console signs in at the issuer the API checks tokens against
  CONSOLE_OIDC_AUDIENCE: 'AUTH_AUDIENCE',
  CONSOLE_OIDC_SCOPES: 'CONSOLE_OIDC_SCOPE',
};

function unknownSetting(key: string): string {
  const meant = MEANT[key] ? ` (did you mean ${MEANT[key]}?)` : '';
  return `${key} is not a setting this version knows${meant}; see the README's Configuration section`;
}

/**
 * The console's sign-in settings that only make sense together: endpoints
 * need a client id, and a client id needs AUTH_ISSUER to be the provider's
 * URL, so the console cannot send people to a provider whose tokens the API would refuse.
 */
function consoleProblems(config: LedgerConfig): string[] {
  if (config.CONSOLE_OIDC_CLIENT_ID === undefined)
    return config.CONSOLE_OIDC_AUTHORIZATION_URL || config.CONSOLE_OIDC_TOKEN_URL
      ? [
          'CONSOLE_OIDC_AUTHORIZATION_URL and CONSOLE_OIDC_TOKEN_URL need CONSOLE_OIDC_CLIENT_ID, the console’s client id at the identity provider',
        ]
      : [];
  return PROVIDER_URL.test(config.AUTH_ISSUER)
    ? []
    : ['AUTH_ISSUER must be the identity provider’s https:// issuer URL when CONSOLE_OIDC_CLIENT_ID is set'];
}

/**
 * The local issuer writes its tokens with the default claim names: renamed
 * claims only make sense for tokens from an identity provider, and would
 * otherwise make every local token fail with a puzzling "no known role".
 */
function claimProblems(config: LedgerConfig): string[] {
  if (config.AUTH_JWKS_URL || config.AUTH_JWKS_FILE) return [];
  const renamed = (
    [
      ['AUTH_SUBJECT_CLAIM', DEFAULT_CLAIM_NAMES.subject],
      ['AUTH_ROLE_CLAIM', DEFAULT_CLAIM_NAMES.role],
      ['AUTH_TENANT_CLAIM', DEFAULT_CLAIM_NAMES.tenant],
      ['AUTH_SYSTEMS_CLAIM', DEFAULT_CLAIM_NAMES.systems],
      ['AUTH_EVENT_TYPES_CLAIM', DEFAULT_CLAIM_NAMES.eventTypes],
    ] as const
  ).filter(([key, standard]) => config[key] !== standard);
  return renamed.map(
    ([key, standard]) =>
      `${key} needs AUTH_JWKS_URL or AUTH_JWKS_FILE: the local issuer's tokens carry ${standard}, so only an identity provider's tokens can be read elsewhere`,
  );
}

/**
 * File witnesses must be files this process can write (a directory there made
 * every checkpoint fail with EISDIR, forever), and cosigning witnesses must
 * name a URL and a witness key.
 */
function witnessProblems(config: LedgerConfig): string[] {
  const files = WITNESS_LIST.test(config.LEDGER_WITNESSES)
    ? config.LEDGER_WITNESSES.split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '' && !/^https?:\/\//i.test(entry))
    : [];
  const problems = files.flatMap((file) => {
    const problem = writableFileProblem(file);
    return problem ? [`LEDGER_WITNESSES: ${problem}`] : [];
  });
  try {
    parseTlogWitnesses(config.LEDGER_TLOG_WITNESSES);
  } catch (error) {
    problems.push((error as Error).message);
  }
  return problems;
}

/** Reads and checks the environment. Never echoes values: DATABASE_URL may carry a password. */
export function loadConfig(env: NodeJS.ProcessEnv): LedgerConfig {
  const raw = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => KNOWN.has(key) && value !== ''),
  );
  const config = plainToInstance(LedgerConfig, raw);
  const problems = [
    ...new Set(
      validateSync(config, { forbidUnknownValues: true }).flatMap((e) => Object.values(e.constraints ?? {})),
    ),
  ];
  // A misspelt variable would otherwise be ignored in silence and the default used: AUTH_JWKS_URI for
  // AUTH_JWKS_URL would leave the local token issuer on.
  for (const key of Object.keys(env))
    if (OWN_PREFIXES.some((prefix) => key.startsWith(prefix)) && !KNOWN.has(key))
      problems.push(unknownSetting(key));
  problems.push(...consoleProblems(config), ...claimProblems(config), ...witnessProblems(config));
  for (const key of ['LEDGER_MIN_DATE', 'LEDGER_MAX_DATE'] as const) {
    const { rule } = checkInstant(config[key]);
    if (rule) problems.push(`${key} ${rule.replace(/; got .*/, '')}`);
  }
  if (
    RETENTION_DURATION.test(config.LEDGER_RETENTION_DATA_ACCESS) &&
    !lastsAtLeastMonths(config.LEDGER_RETENTION_DATA_ACCESS, DATA_ACCESS_MINIMUM_MONTHS)
  )
    problems.push(
      `LEDGER_RETENTION_DATA_ACCESS must keep data-access records at least ${DATA_ACCESS_MINIMUM_MONTHS} months (P6M; a count of days must reach 184), the EU AI Act's minimum for a deployer's logs (Art 19, 26(6))`,
    );
  if (problems.length === 0 && Date.parse(config.LEDGER_MIN_DATE) >= Date.parse(config.LEDGER_MAX_DATE))
    problems.push('LEDGER_MIN_DATE must be earlier than LEDGER_MAX_DATE');
  if (problems.length > 0) throw new ConfigError(problems);
  config.LEDGER_READ_STORE ??= config.LEDGER_STORE === 'postgres' ? 'postgres' : 'sqlite';
  return config;
}
