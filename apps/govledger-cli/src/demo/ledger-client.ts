import type { LocalIssuer, Role } from '@ledger/auth';
import { CliError } from '../cli-context';

export interface Receipt {
  stream: string;
  revision: number;
  events: Array<{ eventId: string; type: string; position: string }>;
}

/** Speaks to a running ledger the way any client does: GraphQL mutations and batch ingest over HTTP. */
export class LedgerClient {
  private readonly tokens = new Map<string, string>();

  /** Each person or service of the demo acts with its own token, issued by the local issuer of the ledger's data directory. */
  constructor(
    private readonly url: string,
    private readonly issuer: LocalIssuer,
    private readonly tenantId: string,
  ) {}

  private async tokenFor(sub: string, role: Role): Promise<string> {
    const key = `${role}/${sub}`;
    if (!this.tokens.has(key))
      this.tokens.set(key, await this.issuer.issue({ id: sub, role, tenantId: this.tenantId }, 3600));
    return this.tokens.get(key)!;
  }

  private async post(
    path: string,
    actor: string,
    role: Role,
    body: unknown,
  ): Promise<{ status: number; json: any }> {
    let response: Response;
    const headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${await this.tokenFor(actor, role)}`,
    };
    try {
      response = await fetch(`${this.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    } catch {
      throw new CliError(`no ledger answers at ${this.url}; start one with \`npm start\` (or pass --url)`);
    }
    if (response.status === 401)
      throw new CliError(
        `the ledger at ${this.url} refused the demo's token; run seed-demo with the service's LEDGER_DATA_DIR, whose local issuer it trusts`,
      );
    return { status: response.status, json: await response.json() };
  }

  /** Runs one mutation as `actor`; a refusal stops the demo with the ledger's own message. */
  async command(mutation: string, input: Record<string, unknown>, actor: string): Promise<Receipt> {
    const type = `${mutation[0].toUpperCase()}${mutation.slice(1)}Input`;
    const { json } = await this.post('/graphql', actor, 'governance-admin', {
      query: `mutation Run($input: ${type}!) { ${mutation}(input: $input) { stream revision events { eventId type position } } }`,
      variables: { input },
    });
    const [error] = json.errors ?? [];
    if (error) {
      const code = error.extensions?.code ?? '';
      // The demo only creates, so something of its own already there means it was seeded before.
      const hint =
        code === 'ALREADY_EXISTS'
          ? `; tenant ${this.tenantId} already holds the demo organisation: seed an empty ledger, or another tenant with --tenant`
          : '';
      throw new CliError(`${mutation} by ${actor} was refused: ${code} ${error.message}${hint}`);
    }
    return json.data[mutation] as Receipt;
  }

  /** Asks what an auditor may ask; an error stops the demo with the ledger's own message. */
  async query<T>(query: string, variables: Record<string, unknown>, auditor: string): Promise<T> {
    const { json } = await this.post('/graphql', auditor, 'auditor', { query, variables });
    const [error] = json.errors ?? [];
    if (error)
      throw new CliError(
        `a query by ${auditor} was refused: ${error.extensions?.code ?? ''} ${error.message}`,
      );
    return json.data as T;
  }

  async ingest(
    events: unknown[],
    service: string,
  ): Promise<{ accepted: number; duplicates: number; rejected: number }> {
    const { status, json } = await this.post('/v1/events', service, 'emitter', { events });
    if (status !== 200)
      throw new CliError(
        `ingest by ${service} failed with ${status}: ${json.error?.message ?? JSON.stringify(json)}`,
      );
    if (json.rejected > 0)
      throw new CliError(
        `ingest by ${service} rejected ${json.rejected} items, first: ${JSON.stringify(json.results.find((r: { status: string }) => r.status === 'rejected'))}`,
      );
    return json;
  }
}
