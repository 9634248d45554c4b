/** Streams are scoped to the tenant by name; domain ids cannot contain the slash. */
export function tenantStream(tenantId: string, stream: string): string {
  return `${tenantId}/${stream}`;
}
