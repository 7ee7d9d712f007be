import type { RelyingPartyRecord } from '../store/index.js';
import type { RelyingPartyResolver, ResolvedRelyingParty } from '../trust/index.js';

/**
 * Resolves AppliesTo addresses against registered relying parties by exact endpoint match.
 * Built from a snapshot of the store and rebuilt when the store revision changes.
 */
export class SnapshotRelyingPartyResolver implements RelyingPartyResolver {
  private readonly byEndpoint = new Map<string, ResolvedRelyingParty>();

  constructor(records: RelyingPartyRecord[]) {
    for (const record of records) {
      const endpoint = String(record.config.endpoint ?? '');
      if (!endpoint) continue;
      const audiences = [endpoint, ...((record.config.audiences as string[] | undefined) ?? [])];
      this.byEndpoint.set(endpoint, {
        name: record.name,
        audiences,
        claims: (record.config.claims as string[] | undefined) ?? [],
        signatureAlgorithm: 'rsa-sha256',
      });
    }
  }

  resolve(address: string): ResolvedRelyingParty | undefined {
    return this.byEndpoint.get(address);
  }
}
