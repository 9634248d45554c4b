import { CliError } from '../cli-context';

export interface Receipt {
  stream: string;
  revision: number;
  events: Array<{ eventId: string; type: string; position: string }>;
}

/** Speaks to a running ledger the way any client does: GraphQL mutations and batch ingest over HTTP. */
export class LedgerClient {
  constructor(private readonly url: string) {}

  private async post(path: string, actor: string, body: unknown): Promise<{ status: number; json: any }> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-actor-id': actor }, body: JSON.stringify(body) });
    } catch {
      throw new CliError(`no ledger answers at ${this.url}; start one with \`npm start\` (or pass --url)`);
    }
    return { status: response.status, json: await response.json() };
  }

  /** Runs one mutation as `actor`; a refusal stops the demo with the ledger's own message. */
  async command(mutation: string, input: Record<string, unknown>, actor: string): Promise<Receipt> {
    const type = `${mutation[0].toUpperCase()}${mutation.slice(1)}Input`;
    const { json } = await this.post('/graphql', actor, {
      query: `mutation Run($input: ${type}!) { ${mutation}(input: $input) { stream revision events { eventId type position } } }`,
      variables: { input },
    });
    if (json.errors?.length) throw new CliError(`${mutation} by ${actor} was refused: ${json.errors[0].extensions?.code ?? ''} ${json.errors[0].message}`);
    return json.data[mutation] as Receipt;
  }

  async ingest(events: unknown[], service: string): Promise<{ accepted: number; duplicates: number; rejected: number }> {
    const { status, json } = await this.post('/v1/events', service, { events });
    if (status !== 200) throw new CliError(`ingest by ${service} failed with ${status}: ${json.error?.message ?? JSON.stringify(json)}`);
    if (json.rejected > 0) throw new CliError(`ingest by ${service} rejected ${json.rejected} items, first: ${JSON.stringify(json.results.find((r: { status: string }) => r.status === 'rejected'))}`);
    return json;
  }
}
